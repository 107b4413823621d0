import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ENGINE, PG_ADMIN_URL, pgUrl, RUN_DB_PREFIX } from './engine';

/** A brand-new database with no migrations applied (PGlite in memory, or a new server database). */
export async function freshEmptyDatabase(): Promise<{ databaseUrl?: string; dataDir: string; drop(): Promise<void> }> {
  if (ENGINE === 'embedded') return { dataDir: 'memory://', drop: async () => {} };
  const name = `${RUN_DB_PREFIX}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    databaseUrl: pgUrl(name),
    dataDir: 'memory://', // unused: databaseUrl wins
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
