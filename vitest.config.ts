import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

const ROOTS = ['server', 'common', 'cli', 'test', 'web'];

/**
 * Test files that cannot touch a database: they import neither the test database helpers
 * (test/helpers: app, db, engine, …) nor the database layer (a db/ module, the runtime,
 * pg, PGlite). Their result cannot depend on the engine, so they run in the embedded pass
 * only; the postgres pass runs the rest.
 */
const DB_IMPORT =
  /helpers\/(app|crash-testbed|db|empty-db|engine|members|permission-matrix|server-process|workflow-testbed)['/]|\/db\/|\/runtime['/]|from '(pg|@electric-sql\/[^']+)'/;
/** Every unit test file (the browser tests under test/e2e are another config's). */
function unitTestFiles(): string[] {
  return ROOTS.flatMap((root) =>
    readdirSync(root, { recursive: true, encoding: 'utf8' })
      .map((f) => path.join(root, f).split(path.sep).join('/'))
      .filter((f) => f.endsWith('.test.ts') && !f.startsWith('test/e2e/')),
  );
}
export function engineIndependentFiles(): string[] {
  return unitTestFiles().filter((f) => !DB_IMPORT.test(readFileSync(f, 'utf8')));
}

/**
 * The crash and restart tests (SIGKILL mid-work, then a restart that must lose and duplicate
 * nothing). `npm test` runs them on embedded PGlite, where a process owns its data directory;
 * on the PostgreSQL server they run in `npm run faults` with the system-level fault scenarios
 * (issue 24: the fault suite is part of `npm test` where it fits in the time budget, the rest
 * in `npm run faults`). `npm run test:postgres:all` runs them too.
 */
const FAULT_FILES = /^test\/([a-z-]+-crash|inbound-mail-restart)\.test\.ts$/;
export function faultFiles(): string[] {
  return unitTestFiles().filter((f) => FAULT_FILES.test(f));
}

/**
 * Database tests whose outcome can differ between the engines run on both. Embedded PGlite is
 * the same PostgreSQL compiled to WebAssembly, so SQL means the same on both; what differs is
 * around it: one connection and serialised transactions instead of a pool (the database layer,
 * events, jobs, tenant scoping), a data directory a process owns (restarts, crashes, the CLI,
 * backups, the demo seed), contrib extensions built for WebAssembly (search, trigram
 * duplicates, earthdistance geo) and DDL seen by other connections (custom fields). The other
 * database tests (modules' behaviour through the record engine and HTTP) run on the PostgreSQL
 * server, the production engine with real concurrency; the browser pass drives every module
 * end to end on embedded PGlite. `npm run test:embedded:all` runs every file on embedded.
 */
const BOTH_ENGINES = [
  /^server\/platform\/(db|events|jobs|crypto)\//,
  /^server\/platform\/records\/(search|custom-fields|schema-drift|records)\.test\.ts$/,
  /^server\/platform\/workspaces\/account-security\.test\.ts$/,
  /^server\/modules\/(geo|duplicates|demo)\//,
  /^server\/modules\/tasks\/reminders\.test\.ts$/,
  /^cli\//,
  /^test\/(process|backup|tenancy|tenant-isolation-endpoints)\.test\.ts$/,
  FAULT_FILES,
];

/** Database test files that run on PostgreSQL only (see BOTH_ENGINES). */
export function postgresOnlyFiles(): string[] {
  const independent = new Set(engineIndependentFiles());
  return unitTestFiles().filter((f) => !independent.has(f) && !BOTH_ENGINES.some((re) => re.test(f)));
}

// The suite runs once per database engine: RAPPORT_TEST_DB=embedded (PGlite) or
// postgres (the server at RAPPORT_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres).
export default defineConfig({
  test: {
    include: ROOTS.map((root) => `${root}/**/*.test.ts`),
    exclude: [
      'test/e2e/**',
      'node_modules/**',
      ...(process.env.RAPPORT_TEST_DB === 'postgres' ? engineIndependentFiles() : []),
      // npm test's PostgreSQL pass: the crash tests run in `npm run faults` (FAULT_FILES).
      ...(process.env.RAPPORT_TEST_DB === 'postgres' && process.env.RAPPORT_TEST_ENGINES === 'split'
        ? faultFiles()
        : []),
      // npm test's embedded pass: the files that run on PostgreSQL only are left out.
      ...(process.env.RAPPORT_TEST_DB !== 'postgres' && process.env.RAPPORT_TEST_ENGINES === 'split'
        ? postgresOnlyFiles()
        : []),
    ],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    // Files share their worker's module graph instead of importing the server again each
    // (collect fell from ~130 s to ~16 s summed, CPU by a fifth). Safe because process-wide
    // state is registration-only and idempotent (module rules, schema caches keyed by
    // workspace), every file opens its own app and database, and no test stubs globals,
    // mocks modules or changes process.env (test/isolation-lint.test.ts keeps it so).
    isolate: false,
    // Two files at a time (vitest's default on two cores is one): most files wait on
    // their embedded database's thread, a child process or a timer about half the time.
    // Three was tried (the cores were about 60% busy at two) but vitest 3.2 then aborted
    // runs with "Terminating worker thread" from its pool: kept at two.
    maxWorkers: 2,
    minWorkers: 1,
    // Safety nets, not expectations (tests wait for conditions): a test that takes 2 s on a
    // quiet machine takes over 30 s on two cores shared by a dozen processes.
    testTimeout: 120_000,
    hookTimeout: 900_000,
    teardownTimeout: 30_000,
  },
});
