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
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
