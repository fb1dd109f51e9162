// The contract against the REAL kernel, through the real ipvsadm. Runs only
// inside the test VM (LVS_KERNEL_TESTS=1, as root); each backend gets its own
// fresh network namespace, so tests never see each other's tables.
import { execFileSync } from 'node:child_process';
import { afterAll, describe, it } from 'vitest';
import { IpvsadmBackend } from '../../src/kernel/ipvsadm';
import type { KernelBackend } from '../../src/kernel/backend';
import { describeKernelContract, KERNEL_CASE_TIMEOUT_MS } from './contract';

const ENABLED = process.env.LVS_KERNEL_TESTS === '1';
const namespaces: string[] = [];

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A namespace where real servers are unicast-routable: IPVS refuses real
 * servers with EINVAL in a namespace whose lo is down or has no route to them.
 */
function freshNamespace(): string {
  const name = `lvstest-${process.pid}-${namespaces.length}`;
  ip('netns', 'add', name);
  namespaces.push(name);
  ip('-n', name, 'link', 'set', 'lo', 'up');
  ip('-n', name, 'link', 'add', 'lvs0', 'type', 'dummy');
  ip('-n', name, 'link', 'set', 'lvs0', 'multicast', 'on');
  ip('-n', name, 'link', 'set', 'lvs0', 'up');
  ip('-n', name, 'addr', 'add', '198.51.100.1/24', 'dev', 'lvs0');
  ip('-n', name, 'addr', 'add', '2001:db8:100::1/64', 'dev', 'lvs0', 'nodad');
  return name;
}

afterAll(() => {
  for (const name of namespaces.splice(0)) {
    try {
      ip('netns', 'del', name);
    } catch {
      // already gone
    }
  }
});

if (ENABLED) {
  describeKernelContract('ipvsadm backend on the real kernel', (): Promise<KernelBackend> => Promise.resolve(new IpvsadmBackend({ netns: freshNamespace() })), {
    daemonInterface: 'lvs0',
    timeoutMs: KERNEL_CASE_TIMEOUT_MS,
  });
} else {
  describe('KernelBackend contract: ipvsadm backend on the real kernel', () => {
    it.skip('needs the real-kernel VM: set LVS_KERNEL_TESTS=1 (root, ipvsadm, ip_vs module, network namespaces)', () => undefined);
  });
}
