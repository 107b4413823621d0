import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildLead } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import type { Actor } from '../auth/actor';
import { systemBulkSet } from './system-bulk';

describe('systemBulkSet: the engine’s bulk path for system-derived fields', () => {
  let t: TestApp;
  let admin: SignedUp;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app);
  });
  afterAll(() => t.stop());

  it('writes only changed records, bumps their versions (not updatedAt), and records one audit row and one event', async () => {
    const as = client(t, admin.cookie);
    const [a, b, c] = [await buildLead(as), await buildLead(as), await buildLead(as)];
    const ws = admin.workspaceId;
    const actor: Actor = { kind: 'user', userId: null, workspaceId: ws, role: 'system', scopes: [] };
    const run = (ids: string[], score: number) =>
      t.database.tenant(ws, (tx) =>
        systemBulkSet(t.records, tx, actor, {
          object: 'leads',
          fields: ['score', 'grade'],
          source: sql`select id, ${score}::bigint as score, 'B'::text as grade from leads_scoped where id = any(${ids}::uuid[])`,
          reason: 'test',
        }),
      );
    const first = await run([a.id, b.id], 42);
    expect(first.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    expect(first[0]).toMatchObject({ before: { score: null, grade: null }, after: { score: 42, grade: 'B' } });
    const read = async (id: string) => (await as.get(`/api/v1/leads/${id}`)).json().data;
    // A derived value is not an edit: the version moves (ETags), updatedAt stays (and the row can be written in place).
    expect(await read(a.id)).toMatchObject({ score: 42, grade: 'B', version: a.version + 1, updatedAt: a.updatedAt });
    expect(await read(c.id)).toMatchObject({ score: null, version: c.version });
    // The same values again change nothing: no version bump, no event.
    expect(await run([a.id, b.id], 42)).toEqual([]);
    expect((await read(a.id)).version).toBe(a.version + 1);
    const { rows: events } = await sql<{ data: Record<string, unknown> }>`select data from events
      where workspace_id = ${ws} and type = 'lead.bulk_updated'`.execute(t.database.db);
    expect(events.map((e) => e.data)).toEqual([{ fields: ['score', 'grade'], count: 2, reason: 'test' }]);
    const { rows: audit } = await sql<{ n: string }>`select count(*) as n from audit_log
      where workspace_id = ${ws} and action = 'record.bulk_updated'`.execute(t.database.db);
    expect(Number(audit[0]?.n)).toBe(1);
  });

  it('refuses fields users write (only read-only, plain fields) and records of another workspace', async () => {
    const other = await signUp(t.app);
    const theirs = await buildLead(client(t, other.cookie));
    const actor: Actor = { kind: 'user', userId: null, workspaceId: admin.workspaceId, role: 'system', scopes: [] };
    await expect(
      t.database.tenant(admin.workspaceId, (tx) =>
        systemBulkSet(t.records, tx, actor, {
          object: 'leads',
          fields: ['title'],
          source: sql`select id, 'x'::text as title from leads_scoped`,
          reason: 'test',
        }),
      ),
    ).rejects.toThrow(/not a read-only field/);
    const changed = await t.database.system((tx) =>
      systemBulkSet(t.records, tx, actor, {
        object: 'leads',
        fields: ['score'],
        source: sql`select ${theirs.id}::uuid as id, 7::bigint as score`,
        reason: 'test',
      }),
    );
    expect(changed).toEqual([]);
  });
});
