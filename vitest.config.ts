import { defineConfig } from 'vitest/config';

// The suite runs once per database engine: RAPPORT_TEST_DB=embedded (PGlite) or
// postgres (the server at RAPPORT_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres).
export default defineConfig({
  test: {
    include: [
      'server/**/*.test.ts',
      'common/**/*.test.ts',
      'cli/**/*.test.ts',
      'test/**/*.test.ts',
      'web/**/*.test.ts',
    ],
    exclude: ['test/e2e/**', 'node_modules/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    // Two files at a time (vitest's default on two cores is one): most files wait on
    // their embedded database's thread, a child process or a timer about half the time.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
