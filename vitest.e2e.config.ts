import { defineConfig } from 'vitest/config';

// Browser tests (npm run test:e2e): a real Rapport on embedded PGlite, driven through
// Debian's Chromium with playwright-core. Separate from the unit suite (vitest.config.ts).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/helpers/global-setup.ts'],
    pool: 'forks',
    // Two cores: one browser and one server at a time.
    fileParallelism: false,
    // Safety nets, not expectations: every step waits for a condition with its own 60 s
    // deadline. A setup starts a server and a Chromium (up to 600 s and 180 s: at a load of
    // 25-30 on two cores a server start took over 3 minutes), and the longest test takes
    // 30 s on a quiet machine but over 140 s on a loaded one.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    teardownTimeout: 30_000,
    // expect.poll waits for a condition like `until` does: 60 s, not vitest's 5 s default,
    // which a page reload on a loaded machine can outlast.
    expect: { poll: { timeout: 60_000, interval: 100 } },
  },
});
