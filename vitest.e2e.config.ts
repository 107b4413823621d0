import { defineConfig } from 'vitest/config';

// Browser tests (npm run test:e2e): a real Rapport on embedded PGlite, driven through
// Debian's Chromium with playwright-core. Separate from the unit suite (vitest.config.ts).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/helpers/global-setup.ts'],
    pool: 'forks',
    // A worker runs file after file: no fresh process, vitest and playwright load per file, and
    // one Chromium per worker, each file's sessions being fresh contexts of it (helpers/browser.ts).
    isolate: false,
    // Two files at a time, each with its own server and Chromium. The browser pass is bound by
    // waiting (page loads, the server's database thread, animations turned off but frames still
    // drawn), not by CPU: one file at a time used about a third of two cores (10 CPU-minutes in
    // 27 files), so two at once nearly halve it. Every wait is for a condition, so a busier
    // machine makes tests slower, not flaky (npm run test:e2e:soak checks that).
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
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
