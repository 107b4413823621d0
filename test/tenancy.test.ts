import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterWorkspace } from '../server/platform/db/database';
import { createApiKeyVia, createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';

describe('tenant isolation in the schema (row-level security through the app role)', () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  let aKeyId: string;

  beforeAll(async () => {
    t = await createTestApp();
    a = await signUp(t.app, { workspaceName: 'Workspace A' });
    b = await signUp(t.app, { workspaceName: 'Workspace B' });
    await createApiKeyVia(t.app, a.cookie, { name: 'A key' });
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: { cookie: a.cookie } });
    aKeyId = list.json().data[0].id;
  });
  afterAll(() => t.stop());

  it('a query through the app role without workspace context sees no rows', async () => {
    const counts = await t.database.db.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'rapport_app', true)`.execute(tx);
      const r = await sql<{ w: number; m: number; k: number; u: number }>`select
        (select count(*) from workspaces)::int as w, (select count(*) from workspace_members)::int as m,
        (select count(*) from api_keys)::int as k, (select count(*) from users)::int as u`.execute(tx);
      return r.rows[0];
    });
    expect(counts).toEqual({ w: 0, m: 0, k: 0, u: 0 });
    // …while the rows do exist (the owner sees them).
    const all = await sql<{ n: number }>`select count(*)::int as n from workspaces`.execute(t.database.db);
    expect(all.rows[0]?.n).toBe(2);
  });

  it('workspace B cannot read, change or delete A’s rows by SQL', async () => {
    await t.database.tenant(b.workspaceId, async (tx) => {
      const seen = await tx.selectFrom('api_keys').select('id').execute();
      expect(seen).toEqual([]);
      const ws = await tx.selectFrom('workspaces').select('id').execute();
      expect(ws.map((w) => w.id)).toEqual([b.workspaceId]);
      const upd = await tx
        .updateTable('api_keys')
        .set({ name: 'hijacked' })
        .where('id', '=', aKeyId)
        .executeTakeFirst();
      expect(Number(upd.numUpdatedRows)).toBe(0);
      const del = await tx.deleteFrom('api_keys').where('id', '=', aKeyId).executeTakeFirst();
      expect(Number(del.numDeletedRows)).toBe(0);
    });
    const still = await t.database.db.selectFrom('api_keys').select('name').where('id', '=', aKeyId).executeTakeFirst();
    expect(still?.name).toBe('A key');
  });

  it('workspace B cannot write rows into A, nor point at A’s rows', async () => {
    // Writing a row labelled with A's workspace is refused by the policy.
    await expect(
      t.database.tenant(b.workspaceId, (tx) =>
        tx
          .insertInto('invitations')
          .values({
            workspace_id: a.workspaceId,
            id: uuidv7(),
            email: 'x@example.com',
            role: 'sales_rep',
            token_hash: 'h1',
            expires_at: new Date(Date.now() + 1e6),
            invited_by: null,
          })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    // Composite foreign keys: a B membership row cannot reference a user through A's workspace.
    await expect(
      t.database.system((tx) =>
        sql`insert into api_keys (workspace_id, id, name, key_prefix, key_hash, role)
            values (${uuidv7()}, ${uuidv7()}, 'orphan', 'p', 'h', 'administrator')`.execute(tx),
      ),
    ).rejects.toThrow(/foreign key/);
  });

  it('a contact of B cannot point at an account of A, even by SQL through the app role (composite foreign key)', async () => {
    const accountA = uuidv7();
    await t.database.tenant(a.workspaceId, (tx) =>
      sql`insert into accounts (workspace_id, id, name) values (${a.workspaceId}, ${accountA}, 'A only')`.execute(tx),
    );
    await expect(
      t.database.tenant(b.workspaceId, (tx) =>
        sql`insert into contacts (workspace_id, id, last_name, account_id)
            values (${b.workspaceId}, ${uuidv7()}, 'Sneaky', ${accountA})`.execute(tx),
      ),
    ).rejects.toThrow(/foreign key/);
    // Reading or changing it from B finds nothing, through the table and through the scoped view.
    await t.database.tenant(b.workspaceId, async (tx) => {
      expect((await sql`select id from accounts where id = ${accountA}`.execute(tx)).rows).toEqual([]);
      expect((await sql`select id from accounts_scoped where id = ${accountA}`.execute(tx)).rows).toEqual([]);
      const upd = await sql`update accounts set name = 'taken' where id = ${accountA}`.execute(tx);
      expect(Number(upd.numAffectedRows)).toBe(0);
    });
    const name = await sql<{ name: string }>`select name from accounts where id = ${accountA}`.execute(t.database.db);
    expect(name.rows[0]?.name).toBe('A only');
  });

  it('connections reused across workspaces only ever see the workspace of the current request', async () => {
    for (let i = 0; i < 10; i++) {
      const ws = i % 2 === 0 ? a : b;
      const seen = await t.database.tenantRead(ws.workspaceId, async (tx) => {
        const r = await sql<{ id: string }>`select id from workspaces`.execute(tx);
        const who = await sql<{ u: string }>`select current_user as u`.execute(tx);
        return { ids: r.rows.map((x) => x.id), user: who.rows[0]?.u };
      });
      expect(seen.ids).toEqual([ws.workspaceId]);
      expect(seen.user).toBe('rapport_app');
      // A failed transaction does not leave the connection in another workspace either.
      await expect(
        t.database.tenant(ws.workspaceId, async (tx) => {
          await sql`select 1/0`.execute(tx);
        }),
      ).rejects.toThrow(/division by zero/);
    }
  });

  it('session variables do not leak from one transaction to the next', async () => {
    await t.database.tenant(a.workspaceId, async () => {});
    const after = await sql<{ role: string; ws: string | null }>`select current_user as role,
      nullif(current_setting('app.workspace_id', true), '') as ws`.execute(t.database.db);
    expect(after.rows[0]?.ws).toBeNull();
    expect(after.rows[0]?.role).not.toBe('rapport_app');
  });

  it('the app role cannot read credentials at all', async () => {
    await expect(
      t.database.db.transaction().execute(async (tx) => {
        await enterWorkspace(tx, a.workspaceId);
        await sql`select * from sessions`.execute(tx);
      }),
    ).rejects.toThrow(/permission denied/);
  });

  it('by API, B cannot see or revoke A’s API key (404, never 403)', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: { cookie: b.cookie } });
    expect(list.json().data).toEqual([]);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${aKeyId}`,
      headers: { cookie: b.cookie },
    });
    expect(del.statusCode).toBe(404);
    const row = await t.database.db
      .selectFrom('api_keys')
      .select('revoked_at')
      .where('id', '=', aKeyId)
      .executeTakeFirst();
    expect(row?.revoked_at).toBeNull();
  });

  it('by API, B cannot switch into A’s workspace with the Rapport-Workspace header', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: b.cookie, 'rapport-workspace': a.workspaceId },
    });
    expect(res.statusCode).toBe(403);
    const own = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: b.cookie, 'rapport-workspace': b.workspaceId },
    });
    expect(own.json().data.workspace.name).toBe('Workspace B');
  });
});
