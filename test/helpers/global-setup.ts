import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../../server/platform/db/database';
import { migrate } from '../../server/platform/db/migrate';
import { ENGINE, PG_ADMIN_URL, pgUrl } from './engine';

/** Databases of runs started longer ago than this are leftovers of killed runs. */
const STALE_AFTER_S = 6 * 3600;

/**
 * For the postgres run: build one migrated template database that every test
 * file clones (CREATE DATABASE … TEMPLATE), so each file gets a fresh database in
 * a fraction of a second. The template's name is this run's own, so concurrent
 * runs on one server never touch each other's databases; leftovers of old runs
 * (by the start time in their names) are dropped, and this run's on teardown.
 */
export default async function setup() {
  if (ENGINE !== 'postgres') return;
  const started = Math.floor(Date.now() / 1000);
  const template = `rapport_tpl_${started}_${randomBytes(3).toString('hex')}`;
  process.env.RAPPORT_TEST_TEMPLATE = template; // workers are forked after this, with this environment
  const runPrefix = template.replace(/^rapport_tpl_/, 'rapport_t_');
  await withAdmin(async (admin) => {
    const stale = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname ~ '^rapport_(t|tpl)_[0-9]+_' or datname = 'rapport_test_template'`,
    );
    for (const { datname } of stale.rows) {
      const at = Number(/^rapport_(?:t|tpl)_(\d+)_/.exec(datname)?.[1] ?? 0);
      if (started - at > STALE_AFTER_S) await admin.query(`drop database if exists "${datname}" with (force)`);
    }
    await admin.query(`create database ${template}`);
  });
  const db = await openDatabase({ databaseUrl: pgUrl(template), dataDir: 'memory://', poolSize: 1 });
  try {
    await migrate(db.pool);
  } finally {
    await db.close();
  }
  return async () => {
    await withAdmin(async (admin) => {
      const mine = await admin.query<{ datname: string }>(
        'select datname from pg_database where datname = $1 or starts_with(datname, $2)',
        [template, `${runPrefix}_`],
      );
      for (const { datname } of mine.rows) await admin.query(`drop database if exists "${datname}" with (force)`);
    });
  };
}

async function withAdmin(fn: (admin: pg.Client) => Promise<void>): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await fn(admin);
  } finally {
    await admin.end();
  }
}
