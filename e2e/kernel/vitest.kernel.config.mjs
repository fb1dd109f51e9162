// Vitest config for the agent's kernel contract tests against the REAL
// kernel. Used only inside the kernel-bed guest by e2e/kernel/guest-suites.sh
// (plug-in point 3), which also sets LVS_KERNEL_TESTS=1; the host's unit run
// (vitest.config.ts) runs the same file with the variable unset, where it
// only reports a skipped case.
//
// Only the ipvsadm contract: the sim contract and the other unit tests run
// on the host already and would only cost guest time here.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['apps/agent/test/kernel/ipvsadm.contract.test.ts'],
    env: { LVS_KERNEL_TESTS: '1' },
    // TCG runs about 10x slower than the host and process starts ~70x.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    // No file watching, no coverage, plain reporter lines in the serial log.
    watch: false,
    reporters: ['default'],
  },
});
