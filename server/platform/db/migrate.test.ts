import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshEmptyDatabase } from '../../../test/helpers/empty-db';
import { openDatabase } from './database';
import { migrate, readMigrations } from './migrate';

describe('migrations', () => {
  let target: Awaited<ReturnType<typeof freshEmptyDatabase>>;
  beforeAll(async () => {
    target = await freshEmptyDatabase();
  });
  afterAll(async () => {
    await target.drop();
  });

  it('apply to an empty database, then are a no-op, and refuse an edited migration', async () => {
    const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir });
    try {
      const all = readMigrations();
      expect(all.length).toBeGreaterThan(0);
      const applied = await migrate(db.pool);
      expect(applied).toEqual(all.map((m) => m.version));
      const { rows } = await db.pool.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = 'public'`,
      );
      const tables = rows.map((r) => r.table_name);
      for (const t of ['workspaces', 'users', 'workspace_members', 'api_keys', 'invitations', 'mail_outbox']) {
        expect(tables).toContain(t);
      }
      const ext = await db.pool.query<{ extname: string }>('select extname from pg_extension');
      expect(ext.rows.map((r) => r.extname)).toEqual(
        expect.arrayContaining(['pg_trgm', 'unaccent', 'pgcrypto', 'cube', 'earthdistance']),
      );
      expect(await migrate(db.pool)).toEqual([]);
      const edited = all.map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
      await expect(migrate(db.pool, edited)).rejects.toThrow(/changed after it was applied/);
    } finally {
      await db.close();
    }
  });

  it('roll back a failing migration completely', async () => {
    const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir });
    try {
      // Only the failing one: on PGlite each test's database is a new empty one, and applying
      // every real migration again first would test nothing more (the test above does).
      const broken = [
        { version: '9999', name: 'broken', checksum: 'x', sql: 'create table half_done (id int); select 1/0;' },
      ];
      await expect(migrate(db.pool, broken)).rejects.toThrow(/9999_broken failed/);
      const { rows } = await db.pool.query(`select to_regclass('half_done') as t`);
      expect(rows[0].t).toBeNull();
      const versions = await db.pool.query('select version from schema_migrations');
      expect(versions.rows.map((r) => r.version)).not.toContain('9999');
    } finally {
      await db.close();
    }
  });
});
