import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeAuditLog } from '../server/platform/access/access.service';
import { addMember, createUser } from '../server/platform/workspaces/identity.service';
import {
  createTestApp,
  type SignedUp,
  STRONG_PASSWORD,
  sessionCookie,
  signUp,
  type TestApp,
  uniqueEmail,
} from './helpers/app';
import { buildAccount, buildContact } from './helpers/factories';
import { client } from './helpers/http';

type Action = 'create' | 'read' | 'update' | 'delete' | 'export';
const ACTIONS: Action[] = ['create', 'read', 'update', 'delete', 'export'];
const OBJECTS = ['accounts', 'contacts'] as const;

/** The standard roles' permissions, written out by hand: the server must match every cell. */
const EXPECTED: Record<string, Record<Action, boolean>> = {
  administrator: { create: true, read: true, update: true, delete: true, export: true },
  sales_rep: { create: true, read: true, update: true, delete: true, export: false },
  marketing_manager: { create: true, read: true, update: true, delete: false, export: true },
  service_rep: { create: true, read: true, update: true, delete: false, export: false },
  data_analyst: { create: false, read: true, update: false, delete: false, export: true },
};

const bodyFor = (object: string, n: string) =>
  object === 'accounts' ? { name: `Acc ${n}` } : { lastName: `Con ${n}` };

describe('roles and permissions through the HTTP API', () => {
  let t: TestApp;
  let admin: SignedUp;
  const cookies: Record<string, string> = {};
  const userIds: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Perm Co' });
    cookies.administrator = admin.cookie;
    userIds.administrator = admin.userId;
    for (const role of Object.keys(EXPECTED).filter((r) => r !== 'administrator')) {
      const email = uniqueEmail(role.replace('_', ''));
      const { userId } = await createUser(
        { database: t.database, auth: t.auth },
        { name: role, email, password: STRONG_PASSWORD },
        {},
      );
      await addMember(t.database, admin.workspaceId, userId, role);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email, password: STRONG_PASSWORD },
      });
      cookies[role] = sessionCookie(res);
      userIds[role] = userId;
    }
  });
  afterAll(() => t.stop());

  describe.each(Object.keys(EXPECTED))('%s', (role) => {
    it.each(OBJECTS.flatMap((o) => ACTIONS.map((a) => [o, a] as const)))('%s: %s', async (object, action) => {
      const cookie = cookies[role] as string;
      const allowed = EXPECTED[role]?.[action];
      // The record acted on: owned by the caller (so scope does not interfere), made by the administrator.
      const own = (
        await client(t, admin).post(`/api/v1/${object}`, {
          ...bodyFor(object, `${role}-${action}`),
          ownerId: userIds[role],
        })
      ).json().data;
      let res: LightMyRequestResponse;
      switch (action) {
        case 'create':
          res = await client(t, cookie).post(`/api/v1/${object}`, bodyFor(object, `new-${role}`));
          expect(res.statusCode, res.body).toBe(allowed ? 201 : 403);
          break;
        case 'read':
          res = await client(t, cookie).get(`/api/v1/${object}/${own.id}`);
          expect(res.statusCode).toBe(allowed ? 200 : 403);
          break;
        case 'update':
          res = await client(t, cookie).patch(
            `/api/v1/${object}/${own.id}`,
            object === 'accounts' ? { name: 'Renamed' } : { title: 'Renamed' },
          );
          expect(res.statusCode, res.body).toBe(allowed ? 200 : 403);
          break;
        case 'delete':
          res = await client(t, cookie).del(`/api/v1/${object}/${own.id}`);
          expect(res.statusCode).toBe(allowed ? 204 : 403);
          break;
        case 'export':
          res = await client(t, cookie).get(`/api/v1/${object}/export`);
          expect(res.statusCode).toBe(allowed ? 200 : 403);
          if (allowed) expect(res.headers['content-type']).toMatch(/text\/csv/);
          break;
      }
      if (!allowed) expect(res.json().code).toBe('forbidden');
      // A refused write changed nothing.
      const after = (await client(t, admin).get(`/api/v1/${object}/${own.id}`)).json().data;
      if (!allowed && action !== 'read' && action !== 'export') expect(after).toEqual(own);
    });
  });

  it('only administrators manage roles, members, teams and read the audit log', async () => {
    for (const role of Object.keys(EXPECTED)) {
      const cookie = cookies[role] as string;
      const expected = role === 'administrator' ? 200 : 403;
      expect((await client(t, cookie).get('/api/v1/roles')).statusCode, role).toBe(expected);
      expect((await client(t, cookie).get('/api/v1/audit-log')).statusCode, role).toBe(expected);
      const team = await client(t, cookie).post('/api/v1/teams', { name: `Team of ${role}` });
      expect(team.statusCode, role).toBe(role === 'administrator' ? 201 : 403);
      const change = await client(t, cookie).patch(`/api/v1/members/${userIds.data_analyst}`, { role: 'data_analyst' });
      expect(change.statusCode, role).toBe(expected);
    }
  });
});

describe('record scope, sharing and row rules', () => {
  let t: TestApp;
  let admin: SignedUp;
  let rep: { cookie: string; userId: string };
  let rep2: { cookie: string; userId: string };

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
    admin = await signUp(t.app, { workspaceName: 'Scope Co' });
    rep = await member('sales_rep');
    rep2 = await member('sales_rep');
  });
  afterAll(() => t.stop());

  it('a sales rep sees only their own records, everywhere: get, list, count, search, embeds, relation filters, references', async () => {
    const mine = await buildAccount(client(t, rep), { name: 'Zyxwv Mine' });
    const theirs = await buildAccount(client(t, admin), { name: 'Zyxwv Theirs' });
    await client(t, admin).post('/api/v1/contacts', { lastName: 'Qwertz Hidden', accountId: mine.id });
    const myContact = await buildContact(client(t, rep), { lastName: 'Qwertz Visible', accountId: mine.id });

    expect((await client(t, rep).get(`/api/v1/accounts/${theirs.id}`)).statusCode).toBe(404);
    expect((await client(t, rep).patch(`/api/v1/accounts/${theirs.id}`, { name: 'x' })).statusCode).toBe(404);
    expect((await client(t, rep).del(`/api/v1/accounts/${theirs.id}`)).statusCode).toBe(404);
    const list = (await client(t, rep).get('/api/v1/accounts?count=true')).json();
    expect(list.data.map((a: { id: string }) => a.id)).toEqual([mine.id]);
    expect(list.total).toBe(1);
    const search = (await client(t, rep).get('/api/v1/search?q=zyxwv')).json().data;
    expect(search.map((h: { id: string }) => h.id)).toEqual([mine.id]);
    const qwertz = (await client(t, rep).get('/api/v1/search?q=qwertz')).json().data;
    expect(qwertz.map((h: { id: string }) => h.id)).toEqual([myContact.id]);
    const embedded = (await client(t, rep).get(`/api/v1/accounts/${mine.id}?include=contacts`)).json().data;
    expect(embedded.contacts.map((c: { id: string }) => c.id)).toEqual([myContact.id]);
    // A relation filter cannot probe an account the rep cannot see.
    // Even for the rep's own contact linked (by the admin) to the admin's account.
    await client(t, admin).post('/api/v1/contacts', {
      lastName: 'Linked',
      accountId: theirs.id,
      ownerId: rep.userId,
    });
    const probe = encodeURIComponent(JSON.stringify({ field: 'account.name', op: 'eq', value: 'Zyxwv Theirs' }));
    expect((await client(t, rep).get(`/api/v1/contacts?filter=${probe}`)).json().data).toEqual([]);
    expect((await client(t, admin).get(`/api/v1/contacts?filter=${probe}`)).json().data).toHaveLength(1);
    // Nor point a record at it.
    const ref = await client(t, rep).post('/api/v1/contacts', { lastName: 'Ref', accountId: theirs.id });
    expect(ref.statusCode).toBe(422);
    expect(ref.json().errors[0]).toEqual({ path: 'accountId', message: 'points to a record that does not exist' });
    // The administrator sees everything.
    expect((await client(t, admin).get('/api/v1/accounts?count=true')).json().total).toBe(2);
  });

  it('sharing a record lets a colleague read it (read share) or change it (edit share)', async () => {
    const acc = await buildAccount(client(t, rep), { name: 'Shared Ltd' });
    expect((await client(t, rep2).get(`/api/v1/accounts/${acc.id}`)).statusCode).toBe(404);
    const share = await client(t, rep).post(`/api/v1/accounts/${acc.id}/shares`, {
      userId: rep2.userId,
      access: 'read',
    });
    expect(share.statusCode, share.body).toBe(201);
    expect((await client(t, rep2).get(`/api/v1/accounts/${acc.id}`)).statusCode).toBe(200);
    expect((await client(t, rep2).patch(`/api/v1/accounts/${acc.id}`, { name: 'Edited' })).statusCode).toBe(404);
    // rep2 cannot share what they cannot change.
    expect(
      (await client(t, rep2).post(`/api/v1/accounts/${acc.id}/shares`, { userId: rep2.userId, access: 'edit' }))
        .statusCode,
    ).toBe(404);
    await client(t, admin)
      .post(`/api/v1/accounts/${acc.id}/shares`, { userId: rep2.userId, access: 'edit' })
      .then((r) => expect(r.statusCode).toBe(409));
  });

  it('team scope: a custom role sees its team’s records', async () => {
    const role = await client(t, admin).post('/api/v1/roles', {
      key: 'team_rep',
      name: 'Team rep',
      permissions: {
        objects: { '*': { create: true, read: true, update: true, delete: false, export: false, scope: 'team' } },
      },
    });
    expect(role.statusCode, role.body).toBe(201);
    const lead = await member('team_rep');
    const team = (await client(t, admin).post('/api/v1/teams', { name: 'West' })).json().data;
    expect((await client(t, admin).put(`/api/v1/teams/${team.id}/members/${lead.userId}`)).statusCode).toBe(204);
    expect((await client(t, admin).put(`/api/v1/teams/${team.id}/members/${rep.userId}`)).statusCode).toBe(204);
    const byTeammate = await buildAccount(client(t, rep), { name: 'Teammate Account' });
    const outsider = await buildAccount(client(t, rep2), { name: 'Outsider Account' });
    const teamTagged = await buildAccount(client(t, admin), { name: 'Tagged Team', teamId: team.id });
    const seen = (await client(t, lead).get('/api/v1/accounts?limit=100')).json().data.map((a: { id: string }) => a.id);
    expect(seen).toContain(byTeammate.id);
    expect(seen).toContain(teamTagged.id);
    expect(seen).not.toContain(outsider.id);
  });

  it('sales reps never see supplier accounts, even their own', async () => {
    const sup = await buildAccount(client(t, admin), {
      name: 'Supplies Inc',
      type: 'supplier',
      ownerId: rep.userId,
    });
    expect((await client(t, rep).get(`/api/v1/accounts/${sup.id}`)).statusCode).toBe(404);
    const filter = encodeURIComponent(JSON.stringify({ field: 'type', op: 'eq', value: 'supplier' }));
    expect((await client(t, rep).get(`/api/v1/accounts?filter=${filter}`)).json().data).toEqual([]);
    expect((await client(t, rep).get('/api/v1/search?q=supplies')).json().data).toEqual([]);
  });
});

describe('hidden and read-only fields never leak', () => {
  let t: TestApp;
  let admin: SignedUp;
  let viewer: { cookie: string; userId: string };
  let contact: { id: string; email: string };
  let account: { id: string };
  const SECRET = 'secret.person@hidden.example';

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Leak Co' });
    await client(t, admin).post('/api/v1/roles', {
      key: 'restricted',
      name: 'Restricted',
      permissions: {
        objects: {
          '*': { create: true, read: true, update: true, delete: false, export: true, scope: 'all' },
          contacts: { fields: { email: 'hidden', title: 'readOnly' } },
        },
      },
    });
    const email = uniqueEmail('restricted');
    const { userId } = await createUser(
      { database: t.database, auth: t.auth },
      { name: 'Restricted', email, password: STRONG_PASSWORD },
      {},
    );
    await addMember(t.database, admin.workspaceId, userId, 'restricted');
    viewer = {
      cookie: sessionCookie(
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          payload: { email, password: STRONG_PASSWORD },
        }),
      ),
      userId,
    };
    account = await buildAccount(client(t, admin), { name: 'Leaky Ltd' });
    contact = await buildContact(client(t, admin), {
      firstName: 'Hidden',
      lastName: 'Person',
      email: SECRET,
      title: 'CFO',
      accountId: account.id,
    });
  });
  afterAll(() => t.stop());

  it('not in records, lists, embeds, search results or exports', async () => {
    const one = await client(t, viewer).get(`/api/v1/contacts/${contact.id}`);
    expect(one.json().data).not.toHaveProperty('email');
    expect(one.body).not.toContain(SECRET);
    const list = await client(t, viewer).get('/api/v1/contacts');
    expect(list.body).not.toContain(SECRET);
    const embed = await client(t, viewer).get(`/api/v1/accounts/${account.id}?include=contacts`);
    expect(embed.json().data.contacts[0]).not.toHaveProperty('email');
    const byEmail = await client(t, viewer).get(`/api/v1/search?q=${encodeURIComponent('secret.person')}`);
    expect(byEmail.json().data).toEqual([]);
    const byName = await client(t, viewer).get('/api/v1/search?q=hidden');
    expect(byName.json().data.map((h: { id: string }) => h.id)).toEqual([contact.id]);
    expect(byName.body).not.toContain(SECRET);
    const csv = await client(t, viewer).get('/api/v1/contacts/export');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain(SECRET);
    expect(csv.body.split('\r\n')[0]?.split(',')).not.toContain('Email'); // headers are labels
    const meta = await client(t, viewer).get('/api/v1/objects/contacts');
    expect(meta.json().data.fields.map((f: { name: string }) => f.name)).not.toContain('email');
  });

  it('cannot be filtered, sorted, counted on or written, and errors do not reveal it', async () => {
    for (const op of ['eq', 'startsWith', 'isNotEmpty']) {
      const filter = encodeURIComponent(JSON.stringify({ field: 'email', op, value: 'secret' }));
      const res = await client(t, viewer).get(`/api/v1/contacts?count=true&filter=${filter}`);
      expect(res.statusCode).toBe(422);
      expect(res.body).not.toContain(SECRET);
      expect(res.json().errors[0].path).toBe('filter.field');
    }
    expect((await client(t, viewer).get('/api/v1/contacts?sort=email')).statusCode).toBe(422);
    const write = await client(t, viewer).patch(`/api/v1/contacts/${contact.id}`, { email: 'new@x.example' });
    expect(write.statusCode).toBe(422);
    expect(write.body).not.toContain(SECRET);
    const readOnly = await client(t, viewer).patch(`/api/v1/contacts/${contact.id}`, { title: 'CEO' });
    expect(readOnly.json().errors).toEqual([{ path: 'title', message: 'is read-only' }]);
    const ok = await client(t, viewer).patch(`/api/v1/contacts/${contact.id}`, { firstName: 'Still' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().data.title).toBe('CFO');
    const stored = (await client(t, admin).get(`/api/v1/contacts/${contact.id}`)).json().data;
    expect(stored).toMatchObject({ email: SECRET, title: 'CFO', firstName: 'Still' });
  });
});

describe('audit log', () => {
  let t: TestApp;
  let admin: SignedUp;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Audit Co' });
  });
  afterAll(() => t.stop());

  it('records changes (who, what, from → to), sign-ins, exports, role changes; searchable and exportable', async () => {
    const c = await buildContact(client(t, admin), { lastName: 'Audited', title: 'Buyer' });
    await client(t, admin).patch(`/api/v1/contacts/${c.id}`, { title: 'Head buyer' });
    await client(t, admin).post('/api/v1/contacts/batch', {
      mode: 'update',
      records: [{ id: c.id, title: 'Chief buyer' }],
    });
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: admin.email, password: 'wrong password entirely' },
    });
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: admin.email, password: STRONG_PASSWORD },
    });
    await client(t, admin).get('/api/v1/contacts/export');
    await client(t, admin).patch('/api/v1/roles/sales_rep', {
      permissions: { objects: { '*': { read: true, scope: 'own' } } },
    });
    const entries = (await client(t, admin).get(`/api/v1/audit-log?object=contacts&recordId=${c.id}`)).json().data;
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      'record.updated',
      'record.updated',
      'record.created',
    ]);
    expect(entries[0]).toMatchObject({ actorUserId: admin.userId, changes: { title: ['Head buyer', 'Chief buyer'] } });
    expect(entries[1].changes.title).toEqual(['Buyer', 'Head buyer']);
    expect(entries[1].requestId).toBeTruthy();
    const all = (await client(t, admin).get('/api/v1/audit-log?limit=1000'))
      .json()
      .data.map((e: { action: string }) => e.action);
    for (const action of ['auth.sign_in', 'auth.sign_in_failed', 'records.exported', 'role.changed'])
      expect(all).toContain(action);
    const csv = await client(t, admin).get('/api/v1/audit-log/export?action=record.updated');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\r\n').filter(Boolean)).toHaveLength(3); // header + two updates
    const after = (await client(t, admin).get('/api/v1/audit-log?action=audit_log.exported')).json().data;
    expect(after).toHaveLength(1);
  });

  it('keeps entries for the workspace’s retention period, then the purge removes them', async () => {
    const bad = await client(t, admin).patch('/api/v1/workspace/settings', { auditRetentionDays: 5 });
    expect(bad.statusCode).toBe(422);
    expect((await client(t, admin).patch('/api/v1/workspace/settings', { auditRetentionDays: 30 })).statusCode).toBe(
      200,
    );
    // Age some entries past 30 days (as the owner, with the purge flag the trigger allows for deletes only:
    // back-dating is done by inserting old entries).
    await sql`insert into audit_log (workspace_id, action, at) values (${admin.workspaceId}, 'old.entry', now() - interval '31 days'),
      (${admin.workspaceId}, 'recent.entry', now() - interval '29 days')`.execute(t.database.db);
    expect(await purgeAuditLog(t.database)).toBe(1);
    const actions = (await client(t, admin).get('/api/v1/audit-log?limit=1000'))
      .json()
      .data.map((e: { action: string }) => e.action);
    expect(actions).not.toContain('old.entry');
    expect(actions).toContain('recent.entry');
    expect(actions).toContain('workspace.settings_changed');
  });

  it('is append-only: nobody can change or delete entries, not even the table owner', async () => {
    await expect(
      t.database.tenant(admin.workspaceId, (tx) => sql`update audit_log set action = 'forged'`.execute(tx)),
    ).rejects.toThrow(/permission denied/);
    await expect(t.database.tenant(admin.workspaceId, (tx) => sql`delete from audit_log`.execute(tx))).rejects.toThrow(
      /permission denied/,
    );
    await expect(sql`update audit_log set action = 'forged'`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(t.database.db)).rejects.toThrow(/append-only/);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'forged'`.execute(
      t.database.db,
    );
    expect(rows[0]?.n).toBe(0);
  });
});
