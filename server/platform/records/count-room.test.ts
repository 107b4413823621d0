import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { ENGINE } from '../../../test/helpers/engine';
import { countWithRoom } from './records.service';

/**
 * A list's count runs with 32 MB of work_mem (exact bitmaps over a million rows) and leaves the
 * connection's setting as it found it, in a transaction and in a tenantRead, which runs outside
 * one (where a transaction-local setting lasted for its own statement only: the count ran at the
 * default and read 33,000 lossy pages at 1,000,000 contacts).
 */
describe(`a count's work_mem (${ENGINE})`, () => {
  let t: TestApp;
  let a: SignedUp;
  beforeAll(async () => {
    t = await createTestApp();
    a = await signUp(t.app, { workspaceName: 'Count room' });
  });
  afterAll(() => t.stop());

  const during = sql`select pg_size_bytes(current_setting('work_mem')) as n`;
  const now = (tx: Parameters<typeof countWithRoom>[0]) =>
    sql<{ w: string }>`select current_setting('work_mem') as w`.execute(tx).then((r) => r.rows[0]?.w);

  for (const how of ['tenant', 'tenantRead'] as const) {
    it(`${how}: 32 MB during the count, the setting as before after it`, async () => {
      const seen = await t.database[how](a.workspaceId, async (tx) => {
        const before = await now(tx);
        const inside = await countWithRoom(tx, during);
        return { before, inside, after: await now(tx) };
      });
      expect(seen.inside).toBe(32 * 1024 * 1024);
      expect(seen.after).toBe(seen.before);
      expect(seen.before).not.toBe('32MB');
    });
  }

  it('a failing count in a tenantRead leaves the pooled connections at their setting', async () => {
    await expect(
      t.database.tenantRead(a.workspaceId, (tx) => countWithRoom(tx, sql`select 1 / 0 as n`)),
    ).rejects.toThrow(/division by zero/);
    // Every pooled connection, not only the one that failed.
    const settings = await Promise.all(
      Array.from({ length: 4 }, () => t.database.tenantRead(a.workspaceId, (tx) => now(tx))),
    );
    expect(settings.every((s) => s !== '32MB')).toBe(true);
  });
});
