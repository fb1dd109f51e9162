import { defineConfig } from 'vitest/config';

// One run covers the pure core, the agent and the web unit tests.
// Browser (Playwright) and real-kernel suites run from scripts/test.mjs.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.{ts,tsx}'],
    testTimeout: 20_000,
    pool: 'forks',
  },
});
