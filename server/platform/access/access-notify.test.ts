import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  type SignedUp,
  STRONG_PASSWORD,
  sessionCookie,
  signUp,
  type TestApp,
  uniqueEmail,
} from '../../../test/helpers/app';
import { ENGINE } from '../../../test/helpers/engine';
import { buildAccount } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { type Runtime, startRuntime } from '../../runtime';
import { CREDENTIAL_CACHE_MS } from '../auth/caller-resolver';
import { addMember, createUser } from '../workspaces/identity.service';

/**
 * A change made through one app server must hold on every other one at once, not
 * after the caches expire (roles 30 s, memberships and teams 5 s). On the PostgreSQL
 * server two runtimes share one database and hear each other's NOTIFY; an embedded
 * database belongs to one process, so there the second "server" is the first one and
 * this checks the local invalidation.
 */
const WITHIN_MS = 2_000;
expect(WITHIN_MS).toBeLessThan(CREDENTIAL_CACHE_MS);

describe(`role, membership, team and share changes reach every app server at once (${ENGINE})`, () => {
  let a: TestApp;
  let b: Runtime;
  let admin: SignedUp;
  let rep: { cookie: string; userId: string };
  /** Polls `check` on server B until it holds; fails if that takes longer than WITHIN_MS. */
  const seenOnB = async (what: string, check: () => Promise<boolean>) => {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > WITHIN_MS)
        throw new Error(`${what}: not seen on the other server within ${WITHIN_MS} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  beforeAll(async () => {
    a = await createTestApp();
    b = ENGINE === 'postgres' ? await startRuntime(a.config, { backgroundWork: false }) : a;
    admin = await signUp(a.app, { workspaceName: 'Two Servers Ltd' });
    const email = uniqueEmail('rep');
    const { userId } = await createUser(
      { database: a.database, auth: a.auth },
      { name: 'Rep', email, password: STRONG_PASSWORD },
      {},
    );
    await addMember(a.database, admin.workspaceId, userId, 'sales_rep');
    const res = await a.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: STRONG_PASSWORD },
    });
    rep = { cookie: sessionCookie(res), userId };
  });
  afterAll(async () => {
    if (b !== a) await b.close();
    await a.stop();
  });

  it('a role’s new field rules', async () => {
    const created = await client(a, admin).post('/api/v1/roles', {
      key: 'field_rep',
      name: 'Field rep',
      permissions: { objects: { '*': { read: true, create: true, update: true, scope: 'all' } } },
    });
    expect(created.statusCode, created.body).toBe(201);
    await client(a, admin).patch(`/api/v1/members/${rep.userId}`, { role: 'field_rep' });
    const phoneVisible = async () =>
      (await client(b, rep).get('/api/v1/objects/contacts'))
        .json()
        .data.fields.some((f: { name: string }) => f.name === 'phone');
    await seenOnB('the new role', phoneVisible); // B now holds the role in its cache
    const hide = await client(a, admin).patch('/api/v1/roles/field_rep', {
      permissions: {
        objects: { '*': { read: true, create: true, update: true, scope: 'all', fields: { phone: 'hidden' } } },
      },
    });
    expect(hide.statusCode, hide.body).toBe(200);
    await seenOnB('phone hidden', async () => !(await phoneVisible()));
  });

  it('a member’s new role', async () => {
    const role = async () => (await client(b, rep).get('/api/v1/me')).json().data.role;
    expect(await role()).toBe('field_rep');
    await client(a, admin).patch(`/api/v1/members/${rep.userId}`, { role: 'data_analyst' });
    await seenOnB('role data_analyst', async () => (await role()) === 'data_analyst');
    expect((await client(b, rep).post('/api/v1/accounts', { name: 'Refused' })).statusCode).toBe(403);
    await client(a, admin).patch(`/api/v1/members/${rep.userId}`, { role: 'sales_rep' });
    await seenOnB('role sales_rep', async () => (await role()) === 'sales_rep');
  });

  it('team membership and record shares', async () => {
    const team = (await client(a, admin).post('/api/v1/teams', { name: 'East' })).json().data;
    const teams = async () => (await client(b, rep).get('/api/v1/me/permissions')).json().data.teamIds;
    expect(await teams()).toEqual([]);
    await client(a, admin).put(`/api/v1/teams/${team.id}/members/${rep.userId}`);
    await seenOnB('added to the team', async () => (await teams()).includes(team.id));
    await client(a, admin).del(`/api/v1/teams/${team.id}/members/${rep.userId}`);
    await seenOnB('removed from the team', async () => (await teams()).length === 0);

    const account = await buildAccount(client(a, admin), { name: 'Shared Corp' });
    const visible = async () => (await client(b, rep).get(`/api/v1/accounts/${account.id}`)).statusCode === 200;
    expect(await visible()).toBe(false);
    const share = await client(a, admin).post(`/api/v1/accounts/${account.id}/shares`, {
      userId: rep.userId,
      access: 'read',
    });
    expect(share.statusCode, share.body).toBe(201);
    await seenOnB('the shared account', visible);
  });

  it('removal from the workspace', async () => {
    expect((await client(b, rep).get('/api/v1/accounts')).statusCode).toBe(200);
    expect((await client(a, admin).del(`/api/v1/members/${rep.userId}`)).statusCode).toBe(204);
    await seenOnB('access ended', async () => (await client(b, rep).get('/api/v1/accounts')).statusCode === 403);
  });
});
