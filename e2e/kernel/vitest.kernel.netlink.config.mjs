// Vitest config for the netlink backend's KernelBackend contract against the
// REAL kernel: the ipvsadm one's settings with the netlink test file. Used
// only inside the kernel-bed guest by guest-suites.sh (suite
// netlink-contract), which runs it inside a network namespace of its own.
import base from './vitest.kernel.config.mjs';

export default { ...base, test: { ...base.test, include: ['apps/agent/test/kernel/netlink.contract.test.ts'] } };
