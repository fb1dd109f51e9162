// The contract against the REAL kernel over generic netlink. Runs only
// inside the test VM, in a network namespace of its own that the suite
// made for it (guest-suites.sh, suite netlink-contract: `ip netns exec
// NAME`, LVS_NETLINK_NETNS=NAME): a netlink socket lives in the namespace
// of the process that opens it, so every case shares that one namespace and
// each new backend starts from an emptied table (flush, daemons stopped,
// default timeouts). The test refuses to run anywhere else.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { serviceId } from '@lvs-console/shared';
import type { Destination } from '@lvs-console/shared';
import type { Change } from '@lvs-console/shared/plan';
import { NetlinkBackend } from '../../src/kernel/netlink/backend';
import type { KernelBackend } from '../../src/kernel/backend';
import { describeKernelContract, KERNEL_CASE_TIMEOUT_MS } from './contract';

const NETNS = process.env.LVS_NETLINK_NETNS ?? '';
const ENABLED = process.env.LVS_KERNEL_TESTS === '1' && NETNS !== '';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** A backend on an emptied table of this namespace. */
async function emptied(): Promise<NetlinkBackend> {
  const backend = await NetlinkBackend.open();
  await backend.flush();
  for (const state of ['master', 'backup'] as const) await backend.stopDaemon(state).catch(() => undefined);
  await backend.setTimeouts({ tcp: 900, tcpFin: 120, udp: 300 });
  return backend;
}

if (ENABLED) {
  beforeAll(() => {
    // Never flush a table that is not the suite's own namespace's.
    expect(ip('netns', 'identify', String(process.pid)).trim()).toBe(NETNS);
    // Real servers must be unicast-routable here (IPVS refuses them with EINVAL otherwise).
    ip('link', 'set', 'lo', 'up');
    ip('link', 'add', 'lvs0', 'type', 'dummy');
    ip('link', 'set', 'lvs0', 'multicast', 'on');
    ip('link', 'set', 'lvs0', 'up');
    ip('addr', 'add', '198.51.100.1/24', 'dev', 'lvs0');
    ip('addr', 'add', '2001:db8:100::1/64', 'dev', 'lvs0', 'nodad');
  });

  describeKernelContract('netlink backend on the real kernel', (): Promise<KernelBackend> => emptied(), {
    daemonInterface: 'lvs0',
    timeoutMs: KERNEL_CASE_TIMEOUT_MS,
  });

  describe('netlink backend: a sync daemon on a missing interface (issue 18)', () => {
    it(
      'is refused in ipvsadm\'s words ("No such device") naming the interface, alone and in a batch',
      async () => {
        const backend = await emptied();
        const daemon = { state: 'master' as const, interface: 'lvsnosuch0', syncId: 3 };
        const words = "No such device: the master sync daemon's interface lvsnosuch0 does not exist on this host";
        try {
          await expect(backend.startDaemon(daemon)).rejects.toThrow(words);
          const { results } = await backend.apply([{ kind: 'start-daemon', daemon }]);
          expect(results.map((r) => [r.ok, r.error])).toEqual([[false, words]]);
          expect((await backend.observe()).syncDaemons).toEqual([]);
        } finally {
          await backend.close();
        }
      },
      KERNEL_CASE_TIMEOUT_MS,
    );
  });

  describe('netlink backend: errors in a pipelined batch', () => {
    it(
      'a batch of 1,000 changes names exactly the changes the kernel refused, with its words',
      async () => {
        const backend = await emptied();
        try {
          const key = { kind: 'addr' as const, protocol: 'tcp' as const, address: '2001:db8::80', port: 80 };
          const missing = { kind: 'addr' as const, protocol: 'tcp' as const, address: '2001:db8::81', port: 80 };
          const dest = (i: number): Destination => ({
            address: `2001:db8:100::${(0x1000 + i).toString(16)}`,
            port: 8080,
            forwarding: 'masq',
            weight: 1 + (i % 7),
            upperThreshold: 0,
            lowerThreshold: 0,
          });
          const changes: Change[] = [{ kind: 'add-service', service: { key, scheduler: 'wrr', flags: [], persistence: null, onePacket: false } }];
          for (let i = 1; i < 1000; i++) changes.push({ kind: 'add-destination', service: key, destination: dest(i) });
          // Two refusals in the middle: a duplicate of change 100's destination, and a destination of a missing service.
          changes[500] = { kind: 'add-destination', service: key, destination: dest(100) };
          changes[800] = { kind: 'add-destination', service: missing, destination: dest(800) };
          const { results } = await backend.apply(changes);
          expect(results.map((r) => r.change)).toEqual(changes);
          const failed = results.flatMap((r, i) => (r.ok ? [] : [[i, r.error]]));
          expect(failed).toEqual([
            [500, 'Destination already exists'],
            [800, 'Service not defined'],
          ]);
          const observed = await backend.observe();
          expect(observed.services.map((s) => serviceId(s.key))).toEqual([serviceId(key)]);
          expect(observed.services[0]?.destinations).toHaveLength(997);
        } finally {
          await backend.close();
        }
      },
      KERNEL_CASE_TIMEOUT_MS,
    );
  });
} else {
  describe('KernelBackend contract: netlink backend on the real kernel', () => {
    it.skip('needs the real-kernel VM: suite netlink-contract (LVS_KERNEL_TESTS=1, LVS_NETLINK_NETNS, root, ip_vs)', () => undefined);
  });
}
