import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKeyVia,
  createTestApp,
  type SignedUp,
  STRONG_PASSWORD,
  sessionCookie,
  signUp,
  type TestApp,
  uniqueEmail,
} from '../../../test/helpers/app';
import { addMember, createUser } from '../workspaces/identity.service';

describe('administration endpoints: members, teams, settings', () => {
  let t: TestApp;
  let admin: SignedUp;
  const call = (method: string, url: string, auth: string, payload?: unknown) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: auth.startsWith('rpk_') ? { authorization: `Bearer ${auth}` } : { cookie: auth },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const member = async (role: string) => {
    const email = uniqueEmail(role.replace('_', ''));
    const { userId } = await createUser(
      { database: t.database, auth: t.auth },
      { name: `${role} person`, email, password: STRONG_PASSWORD },
      {},
    );
    await addMember(t.database, admin.workspaceId, userId, role);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: STRONG_PASSWORD },
    });
    return { cookie: sessionCookie(res), userId };
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Admin Co' });
  });
  afterAll(() => t.stop());

  it('the last administrator can be neither demoted nor removed, nor their role stripped of admin', async () => {
    const demote = await call('PATCH', `/api/v1/members/${admin.userId}`, admin.cookie, { role: 'sales_rep' });
    expect(demote.statusCode, demote.body).toBe(409);
    expect(demote.json().detail).toMatch(/at least one administrator/);
    const remove = await call('DELETE', `/api/v1/members/${admin.userId}`, admin.cookie);
    expect(remove.statusCode).toBe(409);
    const strip = await call('PATCH', '/api/v1/roles/administrator', admin.cookie, {
      permissions: { objects: { '*': { read: true } } },
    });
    expect(strip.statusCode).toBe(409);
    // Nothing changed.
    const me = (await call('GET', '/api/v1/me/permissions', admin.cookie)).json().data;
    expect(me).toMatchObject({ role: 'administrator', admin: true });
    const members = (await call('GET', '/api/v1/members', admin.cookie)).json().data;
    expect(members).toHaveLength(1);

    // With a second administrator, the first may step down.
    const second = await member('administrator');
    expect(
      (await call('PATCH', `/api/v1/members/${admin.userId}`, second.cookie, { role: 'sales_rep' })).statusCode,
    ).toBe(200);
    expect((await call('GET', '/api/v1/roles', admin.cookie)).statusCode).toBe(403);
    expect(
      (await call('PATCH', `/api/v1/members/${admin.userId}`, second.cookie, { role: 'administrator' })).statusCode,
    ).toBe(200);
    expect((await call('GET', '/api/v1/roles', admin.cookie)).statusCode).toBe(200);
  });

  it('removing a member ends their access at once and revokes the API keys they created', async () => {
    const leaver = await member('administrator');
    const key = await createApiKeyVia(t.app, leaver.cookie, { name: 'leaver key' });
    expect((await call('GET', '/api/v1/accounts', key)).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/accounts', leaver.cookie)).statusCode).toBe(200);
    const res = await call('DELETE', `/api/v1/members/${leaver.userId}`, admin.cookie);
    expect(res.statusCode, res.body).toBe(204);
    expect((await call('GET', '/api/v1/accounts', leaver.cookie)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/accounts', key)).statusCode).toBe(401);
    expect((await call('DELETE', `/api/v1/members/${leaver.userId}`, admin.cookie)).statusCode).toBe(404);
    const log = (await call('GET', '/api/v1/audit-log?action=member.removed', admin.cookie)).json().data;
    expect(log[0].detail).toMatchObject({ userId: leaver.userId, role: 'administrator' });
    expect(log[0].detail.revokedApiKeys).toHaveLength(1);
  });

  it('teams are created, renamed (names stay unique) and deleted, each audited', async () => {
    const a = (await call('POST', '/api/v1/teams', admin.cookie, { name: 'North' })).json().data;
    await call('POST', '/api/v1/teams', admin.cookie, { name: 'South' });
    const renamed = await call('PATCH', `/api/v1/teams/${a.id}`, admin.cookie, { name: 'North-East' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const clash = await call('PATCH', `/api/v1/teams/${a.id}`, admin.cookie, { name: 'South' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().errors).toEqual([{ path: 'name', message: 'already used' }]);
    const empty = await call('PATCH', `/api/v1/teams/${a.id}`, admin.cookie, { name: ' ' });
    expect(empty.statusCode).toBe(422);
    expect((await call('PUT', `/api/v1/teams/${a.id}/members/${admin.userId}`, admin.cookie)).statusCode).toBe(204);
    expect((await call('DELETE', `/api/v1/teams/${a.id}`, admin.cookie)).statusCode).toBe(204);
    expect((await call('DELETE', `/api/v1/teams/${a.id}`, admin.cookie)).statusCode).toBe(404);
    const teams = (await call('GET', '/api/v1/teams', admin.cookie)).json().data;
    expect(teams.map((x: { name: string }) => x.name)).toEqual(['South']);
    expect((await call('GET', '/api/v1/me/permissions', admin.cookie)).json().data.teamIds).toEqual([]);
    const log = (await call('GET', '/api/v1/audit-log?action=team.renamed', admin.cookie)).json().data;
    expect(log[0].changes).toEqual({ name: ['North', 'North-East'] });
  });

  it('workspace settings: name and audit retention, validated and audited from → to', async () => {
    const before = await call('GET', '/api/v1/workspace/settings', admin.cookie);
    expect(before.json().data).toEqual({ name: 'Admin Co', auditRetentionDays: expect.any(Number) });
    const bad = await call('PATCH', '/api/v1/workspace/settings', admin.cookie, { auditRetentionDays: 5 });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('auditRetentionDays');
    const ok = await call('PATCH', '/api/v1/workspace/settings', admin.cookie, {
      name: 'Admin Group',
      auditRetentionDays: 400,
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await call('GET', '/api/v1/me', admin.cookie)).json().data.workspace.name).toBe('Admin Group');
    const log = (await call('GET', '/api/v1/audit-log?action=workspace.settings_changed', admin.cookie)).json().data;
    expect(log[0].changes).toEqual({
      name: ['Admin Co', 'Admin Group'],
      auditRetentionDays: [before.json().data.auditRetentionDays, 400],
    });
  });

  it('the audit log pages newest first, in time order across page boundaries', async () => {
    for (let i = 0; i < 12; i++) await call('POST', '/api/v1/teams', admin.cookie, { name: `Paging ${i}` });
    const seen: { id: string; at: string }[] = [];
    let before: number | null | undefined;
    do {
      const res = await call('GET', `/api/v1/audit-log?limit=7${before ? `&before=${before}` : ''}`, admin.cookie);
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().data);
      before = res.json().page.nextBefore;
    } while (before);
    const ids = seen.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
    expect(seen.length).toBeGreaterThan(20);
    const names = seen.filter((e) => (e as { action?: string }).action === 'team.created').slice(0, 12);
    expect(names.map((e) => (e as unknown as { detail: { name: string } }).detail.name)).toEqual(
      Array.from({ length: 12 }, (_, i) => `Paging ${11 - i}`),
    );
  });

  it('non-administrators get 403 from every administration endpoint and change nothing', async () => {
    const rep = await member('sales_rep');
    const team = (await call('POST', '/api/v1/teams', admin.cookie, { name: 'Guarded' })).json().data;
    const attempts: [string, string, unknown?][] = [
      ['GET', '/api/v1/roles'],
      ['POST', '/api/v1/roles', { key: 'sneaky', name: 'Sneaky', permissions: { objects: {}, admin: true } }],
      ['PATCH', '/api/v1/roles/sales_rep', { permissions: { objects: { '*': { read: true, export: true } } } }],
      ['PATCH', `/api/v1/members/${rep.userId}`, { role: 'administrator' }],
      ['DELETE', `/api/v1/members/${admin.userId}`],
      ['PATCH', `/api/v1/teams/${team.id}`, { name: 'Mine' }],
      ['DELETE', `/api/v1/teams/${team.id}`],
      ['GET', '/api/v1/workspace/settings'],
      ['PATCH', '/api/v1/workspace/settings', { name: 'Hijacked' }],
      ['GET', '/api/v1/audit-log'],
      ['GET', '/api/v1/invitations'],
      ['POST', '/api/v1/invitations', { email: uniqueEmail(), role: 'administrator' }],
      ['GET', '/api/v1/api-keys'],
      ['POST', '/api/v1/api-keys', { name: 'mine' }],
      ['POST', '/api/v1/objects/contacts/fields', { name: 'sneaky', type: 'text', label: 'Sneaky' }],
    ];
    for (const [method, url, body] of attempts) {
      const res = await call(method, url, rep.cookie, body);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(403);
      expect(res.json().code).toBe('forbidden');
    }
    expect((await call('GET', '/api/v1/me', rep.cookie)).json().data.role).toBe('sales_rep');
    expect((await call('GET', '/api/v1/workspace/settings', admin.cookie)).json().data.name).not.toBe('Hijacked');
    expect(
      (await call('GET', '/api/v1/teams', admin.cookie)).json().data.map((x: { name: string }) => x.name),
    ).toContain('Guarded');
  });

  it('a custom role with admin rights administers like the standard one: API keys, fields, invitations, settings', async () => {
    const role = await call('POST', '/api/v1/roles', admin.cookie, {
      key: 'ops_admin',
      name: 'Operations administrator',
      permissions: {
        objects: { '*': { create: true, read: true, update: true, delete: true, scope: 'all' } },
        admin: true,
      },
    });
    expect(role.statusCode, role.body).toBe(201);
    const ops = await member('ops_admin');
    const plain = await call('POST', '/api/v1/roles', admin.cookie, {
      key: 'ops_plain',
      name: 'Operations (no admin)',
      permissions: { objects: { '*': { create: true, read: true, update: true, delete: true, scope: 'all' } } },
    });
    expect(plain.statusCode, plain.body).toBe(201);
    const notAdmin = await member('ops_plain');
    const attempts: [string, string, number, unknown?][] = [
      ['POST', '/api/v1/api-keys', 201, { name: 'ops key' }],
      ['GET', '/api/v1/api-keys', 200],
      ['POST', '/api/v1/objects/contacts/fields', 201, { name: 'opsNote', type: 'text', label: 'Ops note' }],
      ['PATCH', '/api/v1/objects/contacts/fields/opsNote', 200, { label: 'Operations note' }],
      ['DELETE', '/api/v1/objects/contacts/fields/opsNote', 204],
      ['POST', '/api/v1/invitations', 201, { email: uniqueEmail('opsinvite'), role: 'sales_rep' }],
      ['GET', '/api/v1/invitations', 200],
      ['PUT', '/api/v1/settings/contact-cooldowns', 200, { cooldownHours: { email: 12 } }],
      ['GET', '/api/v1/webhooks', 200],
      ['GET', '/api/v1/admin/jobs', 200],
      ['GET', '/api/v1/roles', 200],
    ];
    for (const [method, url, status, body] of attempts) {
      const denied = await call(method, url, notAdmin.cookie, body);
      expect(denied.statusCode, `${method} ${url} without admin: ${denied.body}`).toBe(403);
      const res = await call(method, url, ops.cookie, body);
      expect(res.statusCode, `${method} ${url} as ops_admin: ${res.body}`).toBe(status);
    }
    // An API key of the custom admin role, narrowed to read/write: no administration.
    const key = await call('POST', '/api/v1/api-keys', ops.cookie, { name: 'narrow', scopes: ['read', 'write'] });
    expect(key.statusCode, key.body).toBe(201);
    const narrow = await call('GET', '/api/v1/api-keys', key.json().data.key);
    expect(narrow.statusCode).toBe(403);
    expect(narrow.json().detail).toContain('"admin" scope');
  });
});
