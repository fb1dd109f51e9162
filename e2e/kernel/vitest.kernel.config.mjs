// Vitest config for suites that need the real IPVS kernel. Used only inside
// the kernel-bed guest by e2e/kernel/guest-suites.sh (plug-in point 3); the
// host's unit run (vitest.config.ts) never includes these files.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['apps/agent/test-kernel/**/*.test.ts'],
    // TCG runs about 10x slower than the host and process starts ~70x.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
