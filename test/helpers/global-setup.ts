import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildBundle } from '../../cli/server-bundle.js';
import { openDatabase } from '../../server/platform/db/database';
import { startEmbedded } from '../../server/platform/db/embedded';
import { migrate, migrateDatabase } from '../../server/platform/db/migrate';
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
  // Every `rapport` a test starts runs the server bundle when it matches the sources
  // (cli/server-bundle.js): built here if they changed since, so those starts stay fast.
  await buildBundle();
  if (ENGINE !== 'postgres') return embeddedTemplate();
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
    await migrateDatabase(db);
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

/**
 * For the embedded run: migrate one in-memory PGlite and dump its data directory;
 * every in-memory database of the run (test apps, `rapport serve` children, which
 * inherit the environment) starts from that dump instead of initdb plus migrations.
 * The migration tests start from an empty database (freshEmptyDatabase) regardless.
 */
export async function embeddedTemplate() {
  const file = path.join(tmpdir(), `rapport-test-template-${process.pid}-${randomBytes(3).toString('hex')}.pgdata`);
  const server = await startEmbedded('memory://');
  try {
    const pool = new pg.Pool({ host: server.host, port: server.port, user: 'postgres', database: 'postgres', max: 1 });
    try {
      await migrate(pool);
    } finally {
      await pool.end();
    }
    await server.dump(file);
  } finally {
    await server.stop();
  }
  process.env.RAPPORT_EMBEDDED_TEMPLATE = file; // workers are forked after this, with this environment
  return () => rmSync(file, { force: true });
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
