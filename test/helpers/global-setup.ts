import pg from 'pg';
import { openDatabase } from '../../server/platform/db/database';
import { migrate } from '../../server/platform/db/migrate';
import { ENGINE, PG_ADMIN_URL, pgUrl, TEMPLATE_DB } from './engine';

/**
 * For the postgres run: build one migrated template database that every test
 * file clones (CREATE DATABASE … TEMPLATE), so each file gets a fresh database in
 * a fraction of a second. Also drops databases left behind by a killed run.
 */
export default async function setup() {
  if (ENGINE !== 'postgres') return;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const stale = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'rapport_t\\_%' or datname = $1`,
      [TEMPLATE_DB],
    );
    for (const { datname } of stale.rows) await admin.query(`drop database if exists "${datname}" with (force)`);
    await admin.query(`create database ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const db = await openDatabase({ databaseUrl: pgUrl(TEMPLATE_DB), dataDir: 'memory://', poolSize: 1 });
  try {
    await migrate(db.pool);
  } finally {
    await db.close();
  }
}
