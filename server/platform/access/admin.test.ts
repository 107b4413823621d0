import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKeyVia,
  createTestApp,
  type SignedUp,
  signUp,
  type TestApp,
  uniqueEmail,
} from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';

describe('administration endpoints: members, teams, settings', () => {
  let t: TestApp;
  let admin: SignedUp;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Admin Co' });
  });
  afterAll(() => t.stop());

  it('the last administrator can be neither demoted nor removed, nor their role stripped of admin', async () => {
    const demote = await client(t, admin).patch(`/api/v1/members/${admin.userId}`, { role: 'sales_rep' });
    expect(demote.statusCode, demote.body).toBe(409);
    expect(demote.json().detail).toMatch(/at least one administrator/);
    const remove = await client(t, admin).del(`/api/v1/members/${admin.userId}`);
    expect(remove.statusCode).toBe(409);
    const strip = await client(t, admin).patch('/api/v1/roles/administrator', {
      permissions: { objects: { '*': { read: true } } },
    });
    expect(strip.statusCode).toBe(409);
    // Nothing changed.
    const me = (await client(t, admin).get('/api/v1/me/permissions')).json().data;
    expect(me).toMatchObject({ role: 'administrator', admin: true });
    const members = (await client(t, admin).get('/api/v1/members')).json().data;
    expect(members).toHaveLength(1);

    // With a second administrator, the first may step down.
    const second = await memberWithRole(t, admin.workspaceId, 'administrator');
    expect((await client(t, second).patch(`/api/v1/members/${admin.userId}`, { role: 'sales_rep' })).statusCode).toBe(
      200,
    );
    expect((await client(t, admin).get('/api/v1/roles')).statusCode).toBe(403);
    expect(
      (await client(t, second).patch(`/api/v1/members/${admin.userId}`, { role: 'administrator' })).statusCode,
    ).toBe(200);
    expect((await client(t, admin).get('/api/v1/roles')).statusCode).toBe(200);
  });

  it('removing a member ends their access at once and revokes the API keys they created', async () => {
    const leaver = await memberWithRole(t, admin.workspaceId, 'administrator');
    const key = await createApiKeyVia(t.app, leaver.cookie, { name: 'leaver key' });
    expect((await client(t, key).get('/api/v1/accounts')).statusCode).toBe(200);
    expect((await client(t, leaver).get('/api/v1/accounts')).statusCode).toBe(200);
    const res = await client(t, admin).del(`/api/v1/members/${leaver.userId}`);
    expect(res.statusCode, res.body).toBe(204);
    expect((await client(t, leaver).get('/api/v1/accounts')).statusCode).toBe(403);
    expect((await client(t, key).get('/api/v1/accounts')).statusCode).toBe(401);
    expect((await client(t, admin).del(`/api/v1/members/${leaver.userId}`)).statusCode).toBe(404);
    const log = (await client(t, admin).get('/api/v1/audit-log?action=member.removed')).json().data;
    expect(log[0].detail).toMatchObject({ userId: leaver.userId, role: 'administrator' });
    expect(log[0].detail.revokedApiKeys).toHaveLength(1);
  });

  it('teams are created, renamed (names stay unique) and deleted, each audited', async () => {
    const a = (await client(t, admin).post('/api/v1/teams', { name: 'North' })).json().data;
    await client(t, admin).post('/api/v1/teams', { name: 'South' });
    const renamed = await client(t, admin).patch(`/api/v1/teams/${a.id}`, { name: 'North-East' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const clash = await client(t, admin).patch(`/api/v1/teams/${a.id}`, { name: 'South' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().errors).toEqual([{ path: 'name', message: 'already used' }]);
    const empty = await client(t, admin).patch(`/api/v1/teams/${a.id}`, { name: ' ' });
    expect(empty.statusCode).toBe(422);
    expect((await client(t, admin).put(`/api/v1/teams/${a.id}/members/${admin.userId}`)).statusCode).toBe(204);
    expect((await client(t, admin).del(`/api/v1/teams/${a.id}`)).statusCode).toBe(204);
    expect((await client(t, admin).del(`/api/v1/teams/${a.id}`)).statusCode).toBe(404);
    const teams = (await client(t, admin).get('/api/v1/teams')).json().data;
    expect(teams.map((x: { name: string }) => x.name)).toEqual(['South']);
    expect((await client(t, admin).get('/api/v1/me/permissions')).json().data.teamIds).toEqual([]);
    const log = (await client(t, admin).get('/api/v1/audit-log?action=team.renamed')).json().data;
    expect(log[0].changes).toEqual({ name: ['North', 'North-East'] });
  });

  it('workspace settings: name and audit retention, validated and audited from → to', async () => {
    const before = await client(t, admin).get('/api/v1/workspace/settings');
    expect(before.json().data).toEqual({
      name: 'Admin Co',
      auditRetentionDays: expect.any(Number),
      twoFactorPolicy: 'off',
    });
    const bad = await client(t, admin).patch('/api/v1/workspace/settings', { auditRetentionDays: 5 });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('auditRetentionDays');
    const ok = await client(t, admin).patch('/api/v1/workspace/settings', {
      name: 'Admin Group',
      auditRetentionDays: 400,
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await client(t, admin).get('/api/v1/me')).json().data.workspace.name).toBe('Admin Group');
    const log = (await client(t, admin).get('/api/v1/audit-log?action=workspace.settings_changed')).json().data;
    expect(log[0].changes).toEqual({
      name: ['Admin Co', 'Admin Group'],
      auditRetentionDays: [before.json().data.auditRetentionDays, 400],
    });
  });

  it('the audit log pages newest first, in time order across page boundaries', async () => {
    for (let i = 0; i < 12; i++) await client(t, admin).post('/api/v1/teams', { name: `Paging ${i}` });
    const seen: { id: string; at: string }[] = [];
    let before: number | null | undefined;
    do {
      const res = await client(t, admin).get(`/api/v1/audit-log?limit=7${before ? `&before=${before}` : ''}`);
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
    const rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
    const team = (await client(t, admin).post('/api/v1/teams', { name: 'Guarded' })).json().data;
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
      const res = await client(t, rep).call(method, url, body);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(403);
      expect(res.json().code).toBe('forbidden');
    }
    expect((await client(t, rep).get('/api/v1/me')).json().data.role).toBe('sales_rep');
    expect((await client(t, admin).get('/api/v1/workspace/settings')).json().data.name).not.toBe('Hijacked');
    expect((await client(t, admin).get('/api/v1/teams')).json().data.map((x: { name: string }) => x.name)).toContain(
      'Guarded',
    );
  });

  it('a custom role with admin rights administers like the standard one: API keys, fields, invitations, settings', async () => {
    const role = await client(t, admin).post('/api/v1/roles', {
      key: 'ops_admin',
      name: 'Operations administrator',
      permissions: {
        objects: { '*': { create: true, read: true, update: true, delete: true, scope: 'all' } },
        admin: true,
      },
    });
    expect(role.statusCode, role.body).toBe(201);
    const ops = await memberWithRole(t, admin.workspaceId, 'ops_admin');
    const plain = await client(t, admin).post('/api/v1/roles', {
      key: 'ops_plain',
      name: 'Operations (no admin)',
      permissions: { objects: { '*': { create: true, read: true, update: true, delete: true, scope: 'all' } } },
    });
    expect(plain.statusCode, plain.body).toBe(201);
    const notAdmin = await memberWithRole(t, admin.workspaceId, 'ops_plain');
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
      const denied = await client(t, notAdmin).call(method, url, body);
      expect(denied.statusCode, `${method} ${url} without admin: ${denied.body}`).toBe(403);
      const res = await client(t, ops).call(method, url, body);
      expect(res.statusCode, `${method} ${url} as ops_admin: ${res.body}`).toBe(status);
    }
    // An API key of the custom admin role, narrowed to read/write: no administration.
    const key = await client(t, ops).post('/api/v1/api-keys', { name: 'narrow', scopes: ['read', 'write'] });
    expect(key.statusCode, key.body).toBe(201);
    const narrow = await client(t, key.json().data.key).get('/api/v1/api-keys');
    expect(narrow.statusCode).toBe(403);
    expect(narrow.json().detail).toContain('"admin" scope');
  });
});
