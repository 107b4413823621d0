import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../../server/platform/db/database';
import { migrateDatabase } from '../../server/platform/db/migrate';
import { ENGINE, PG_ADMIN_URL, pgUrl, RUN_DB_PREFIX, TEMPLATE_DB } from './engine';

export interface TestDatabase {
  /** Connection settings for a Rapport config: databaseUrl (postgres) or dataDir (embedded). */
  databaseUrl?: string;
  dataDir: string;
  /** Embedded: the run's migrated template (see global-setup.ts). */
  embeddedTemplate?: string;
  /** Drops the database (postgres); the embedded one lives in memory. */
  drop(): Promise<void>;
}

/** A fresh, migrated, empty database on this run's engine. */
export async function freshDatabase(): Promise<TestDatabase> {
  if (ENGINE === 'embedded') {
    return { dataDir: 'memory://', embeddedTemplate: process.env.RAPPORT_EMBEDDED_TEMPLATE, drop: async () => {} };
  }
  const name = `${RUN_DB_PREFIX}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name} template ${TEMPLATE_DB}`);
  return {
    databaseUrl: pgUrl(name),
    dataDir: 'memory://', // unused: databaseUrl wins
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    // Cloning a template fails while another clone is being made; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(sql);
        return;
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 + attempt * 50));
      }
    }
  } finally {
    await admin.end();
  }
}

/** Opens a fresh migrated database directly (no app), for database-level tests. */
export async function openTestDatabase(): Promise<Database & { drop(): Promise<void> }> {
  const target = await freshDatabase();
  const database = await openDatabase({
    databaseUrl: target.databaseUrl,
    dataDir: target.dataDir,
    embeddedTemplate: target.embeddedTemplate,
    poolSize: 4,
  });
  await migrateDatabase(database);
  return Object.assign(database, {
    async drop() {
      await database.close();
      await target.drop();
    },
  });
}
