import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyVia, createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { ENGINE } from '../../../test/helpers/engine';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { type Runtime, startRuntime } from '../../runtime';
import { createApiKey } from './api-keys.service';
import { CREDENTIAL_CACHE_MS } from './caller-resolver';

/**
 * Issue 12.2: a demoted administrator kept administrator rights through an API key
 * they had made, and could promote themselves back with it. A key now acts with the
 * intersection of its role and its creator's CURRENT role. On the PostgreSQL server a
 * second runtime shares the database and must apply the demotion via NOTIFY, well
 * within the credential cache's lifetime.
 */
const WITHIN_MS = 2_000;
expect(WITHIN_MS).toBeLessThan(CREDENTIAL_CACHE_MS);

describe(`an API key never carries more than its creator has now (${ENGINE})`, () => {
  let t: TestApp;
  let other: Runtime;
  let owner: SignedUp;
  let second: { cookie: string; userId: string };
  let key: string;
  let ownersAccountId: string;

  const call = (server: Runtime, method: string, url: string, headers: Record<string, string>, payload?: object) =>
    client(server, null).call(method, url, payload, headers);
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

  beforeAll(async () => {
    t = await createTestApp();
    other = ENGINE === 'postgres' ? await startRuntime(t.config, { backgroundWork: false }) : t;
    owner = await signUp(t.app, { workspaceName: 'Demotion Ltd' });
    second = await memberWithRole(t, owner.workspaceId, 'administrator', 'Second Admin');
    key = await createApiKeyVia(t.app, second.cookie, { name: 'admin key', role: 'administrator' });
    const account = await call(t, 'POST', '/api/v1/accounts', { cookie: owner.cookie }, { name: 'Owner Corp' });
    expect(account.statusCode, account.body).toBe(201);
    ownersAccountId = account.json().data.id;
  });
  afterAll(async () => {
    if (other !== t) await other.close();
    await t.stop();
  });

  it('before the demotion the key administers the workspace on both servers', async () => {
    for (const server of [t, other]) {
      expect((await call(server, 'GET', '/api/v1/audit-log', bearer(key))).statusCode).toBe(200);
      const accounts = await call(server, 'GET', '/api/v1/accounts', bearer(key));
      expect(accounts.json().data.map((a: { id: string }) => a.id)).toContain(ownersAccountId);
    }
  });

  it('after the creator is demoted to sales rep, the key can do only what a sales rep can — at once', async () => {
    const demote = await call(
      t,
      'PATCH',
      `/api/v1/members/${second.userId}`,
      { cookie: owner.cookie },
      { role: 'sales_rep' },
    );
    expect(demote.statusCode, demote.body).toBe(200);

    // On the server that made the change: no waiting at all.
    const promote = await call(t, 'PATCH', `/api/v1/members/${second.userId}`, bearer(key), { role: 'administrator' });
    expect(promote.statusCode, promote.body).toBe(403);
    expect((await call(t, 'GET', '/api/v1/audit-log', bearer(key))).statusCode).toBe(403);
    expect((await call(t, 'POST', '/api/v1/api-keys', bearer(key), { name: 'another' })).statusCode).toBe(403);
    const accounts = await call(t, 'GET', '/api/v1/accounts', bearer(key));
    expect(accounts.statusCode).toBe(200);
    expect(accounts.json().data.map((a: { id: string }) => a.id)).not.toContain(ownersAccountId);
    expect((await call(t, 'GET', `/api/v1/accounts/${ownersAccountId}`, bearer(key))).statusCode).toBe(404);

    // On the other server: via NOTIFY, well before its caches would expire.
    const started = Date.now();
    while ((await call(other, 'GET', '/api/v1/audit-log', bearer(key))).statusCode !== 403) {
      if (Date.now() - started > WITHIN_MS) throw new Error('demotion not seen on the other server in time');
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(
      (await call(other, 'PATCH', `/api/v1/members/${second.userId}`, bearer(key), { role: 'administrator' }))
        .statusCode,
    ).toBe(403);
    const there = await call(other, 'GET', '/api/v1/accounts', bearer(key));
    expect(there.json().data.map((a: { id: string }) => a.id)).not.toContain(ownersAccountId);

    const members = (await call(t, 'GET', '/api/v1/members', { cookie: owner.cookie })).json().data;
    expect(members.find((m: { id: string }) => m.id === second.userId)?.role).toBe('sales_rep');
  });

  it('the key regains its rights when its creator is made administrator again', async () => {
    await call(t, 'PATCH', `/api/v1/members/${second.userId}`, { cookie: owner.cookie }, { role: 'administrator' });
    expect((await call(t, 'GET', '/api/v1/audit-log', bearer(key))).statusCode).toBe(200);
  });

  it('removing the creator ends the key; a key made with the CLI (no creator) keeps its role', async () => {
    const cli = await createApiKey(t.database, owner.workspaceId, {
      name: 'cli',
      role: 'administrator',
      createdBy: null,
    });
    expect((await call(t, 'DELETE', `/api/v1/members/${second.userId}`, { cookie: owner.cookie })).statusCode).toBe(
      204,
    );
    expect((await call(t, 'GET', '/api/v1/me', bearer(key))).statusCode).toBe(401);
    expect((await call(t, 'GET', '/api/v1/audit-log', bearer(cli.key))).statusCode).toBe(200);
  });
});
