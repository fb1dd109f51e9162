// The contract against the REAL kernel over generic netlink. Runs only
// inside the test VM, in a network namespace of its own that the suite
// made for it (guest-suites.sh, suite netlink-contract: `ip netns exec
// NAME`, LVS_NETLINK_NETNS=NAME): a netlink socket lives in the namespace
// of the process that opens it, so every case shares that one namespace and
// each new backend starts from an emptied table (flush, daemons stopped,
// default timeouts). The test refuses to run anywhere else.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceId } from '@lvs-console/shared';
import type { Destination, ObservedTable, ServiceKey } from '@lvs-console/shared';
import type { Change } from '@lvs-console/shared/plan';
import { NetlinkBackend } from '../../src/kernel/netlink/backend';
import type { KernelBackend } from '../../src/kernel/backend';
import { DESTINATION_REREAD_SECONDS, type CounterSample } from '../../src/kernel/sampling';
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

  // Incremental 1 Hz sampling (kernel/sampling.ts) against the kernel's own
  // counters: a client namespace and a real server namespace (busybox httpd)
  // on veth links to this one, NAT through a VIP on lvs0; 20 services, the
  // first one carrying the traffic. Sample times are passed in (one second
  // apart per call), the kernel and its counters are real.
  describe('netlink backend: incremental counter sampling (issue 18)', () => {
    const CLIENT_NS = 'lvs-netlink-cl';
    const RS_NS = 'lvs-netlink-rs';
    const VIP = '198.51.100.80';
    const RS = '203.0.113.242';
    const SERVICES = 20;
    const key = (i: number): ServiceKey =>
      i === 0 ? { kind: 'addr', protocol: 'tcp', address: VIP, port: 80 } : { kind: 'addr', protocol: 'tcp', address: `198.51.100.${100 + i}`, port: 80 };
    const dest = (i: number, d: number): Destination => ({
      address: i === 0 && d === 0 ? RS : `198.51.100.${200 + d}`,
      port: 8080,
      forwarding: 'masq',
      weight: 1,
      upperThreshold: 0,
      lowerThreshold: 0,
    });
    let httpd: ChildProcess | null = null;
    let www = '';
    let backend: NetlinkBackend;
    let now = 1_700_000_000_000;
    const sampleAfter = async (previous: CounterSample | null): Promise<CounterSample> => {
      now += 1000;
      return backend.sample(previous, now);
    };
    const serviceOf = (table: ObservedTable, i: number) => table.services.find((s) => serviceId(s.key) === serviceId(key(i)));

    beforeAll(async () => {
      for (const [ns, here, there, peer] of [
        [CLIENT_NS, '192.0.2.241', '192.0.2.242', 'lvscl0'],
        [RS_NS, '203.0.113.241', RS, 'lvsrs0'],
      ] as const) {
        ip('netns', 'add', ns);
        ip('link', 'add', peer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
        ip('addr', 'add', `${here}/30`, 'dev', peer);
        ip('link', 'set', peer, 'up');
        ip('-n', ns, 'link', 'set', 'lo', 'up');
        ip('-n', ns, 'addr', 'add', `${there}/30`, 'dev', 'eth0');
        ip('-n', ns, 'link', 'set', 'eth0', 'up');
        ip('-n', ns, 'route', 'add', 'default', 'via', here);
      }
      ip('addr', 'add', `${VIP}/32`, 'dev', 'lvs0');
      execFileSync('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      www = mkdtempSync(join(tmpdir(), 'lvs-netlink-www-'));
      writeFileSync(join(www, 'index.html'), 'rs\n');
      httpd = spawn('ip', ['netns', 'exec', RS_NS, 'busybox', 'httpd', '-f', '-p', '8080', '-h', www], { stdio: 'ignore' });
      backend = await emptied();
      const changes: Change[] = [];
      for (let i = 0; i < SERVICES; i++) {
        changes.push({ kind: 'add-service', service: { key: key(i), scheduler: 'wlc', flags: [], persistence: null, onePacket: false } });
        for (let d = 0; d < 2; d++) changes.push({ kind: 'add-destination', service: key(i), destination: dest(i, d) });
      }
      // Service 0's second real server at weight 0: every connection goes to the one that answers.
      changes[2] = { kind: 'add-destination', service: key(0), destination: { ...dest(0, 1), weight: 0 } };
      const { results } = await backend.apply(changes);
      expect(results.filter((r) => !r.ok)).toEqual([]);
    }, KERNEL_CASE_TIMEOUT_MS);

    afterAll(async () => {
      httpd?.kill();
      await backend?.close();
      for (const ns of [CLIENT_NS, RS_NS]) {
        try {
          ip('netns', 'del', ns);
        } catch {
          // already gone
        }
      }
      try {
        ip('addr', 'del', `${VIP}/32`, 'dev', 'lvs0');
      } catch {
        // already gone
      }
      if (www) rmSync(www, { recursive: true, force: true });
    });

    it(
      "traffic to one service shows in its destinations' counters in the first sample whose service row shows it",
      async () => {
        let sample = await sampleAfter(null);
        expect(sample.destinationReads).toBe(SERVICES);
        // The httpd needs a moment to listen (TCG): budget by requests, not time.
        let answered = 0;
        for (let attempt = 0; attempt < 60 && answered < 5; attempt++) {
          try {
            const body = execFileSync('ip', ['netns', 'exec', CLIENT_NS, 'curl', '-s', '-m', '10', `http://${VIP}/`]).toString();
            if (body === 'rs\n') answered++;
          } catch {
            // not listening yet
          }
        }
        expect(answered).toBe(5);
        // The kernel folds counters in every 2 s: sample until the service row has them.
        for (let i = 0; i < 60; i++) {
          sample = await sampleAfter(sample);
          const service = serviceOf(sample.table, 0);
          if ((service?.stats.conns ?? 0) >= 5) break;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        const service = serviceOf(sample.table, 0);
        expect(service?.stats.conns ?? 0).toBeGreaterThanOrEqual(5);
        expect(sample.destinationsReadAt[sample.table.services.findIndex((s) => serviceId(s.key) === serviceId(key(0)))]).toBe(sample.at);
        const served = service?.destinations.find((d) => d.address === RS);
        expect(served?.stats.conns).toBe(service?.stats.conns);
        expect(served?.stats.inPkts).toBe(service?.stats.inPkts);
        expect(served?.stats.outBytes).toBe(service?.stats.outBytes);
      },
      KERNEL_CASE_TIMEOUT_MS,
    );

    it(
      "does not read an idle service's destinations every second, but every one within N s, and sees a hand edit within N s",
      async () => {
        let sample = await sampleAfter(null);
        const idle = serviceId(key(5));
        const readsOfIdle: number[] = [];
        let total = 0;
        for (let s = 0; s < 2 * DESTINATION_REREAD_SECONDS; s++) {
          sample = await sampleAfter(sample);
          total += sample.destinationReads;
          if (sample.destinationsReadAt[sample.table.services.findIndex((service) => serviceId(service.key) === idle)] === sample.at) readsOfIdle.push(s);
          expect(sample.at - Math.min(...sample.destinationsReadAt)).toBeLessThan(DESTINATION_REREAD_SECONDS * 1000);
        }
        // Read in its rotation turns (once or twice in 2 N samples, three times at most), not every second.
        expect(readsOfIdle.length).toBeGreaterThanOrEqual(1);
        expect(readsOfIdle.length).toBeLessThanOrEqual(3);
        // 20 idle services (service 0's rates may still be settling): far fewer than 20 lists a second.
        expect(total).toBeLessThan(2 * DESTINATION_REREAD_SECONDS * SERVICES);

        // A weight edited by hand, outside the agent: the service row does not move.
        const edited = dest(7, 1);
        execFileSync('ipvsadm', ['-e', '-t', '198.51.100.107:80', '-r', `${edited.address}:8080`, '-m', '-w', '9']);
        let seenAfter = -1;
        for (let s = 1; s <= DESTINATION_REREAD_SECONDS; s++) {
          sample = await sampleAfter(sample);
          if (serviceOf(sample.table, 7)?.destinations.find((d) => d.address === edited.address)?.weight === 9) {
            seenAfter = s;
            break;
          }
        }
        expect(seenAfter).toBeGreaterThan(0);
      },
      KERNEL_CASE_TIMEOUT_MS,
    );

    it(
      "observeWithin reads the scope's destinations afresh and keeps the others' from the table it is given",
      async () => {
        const base = await backend.observe();
        const inScope = dest(3, 1);
        const outside = dest(9, 1);
        execFileSync('ipvsadm', ['-e', '-t', '198.51.100.103:80', '-r', `${inScope.address}:8080`, '-m', '-w', '4']);
        execFileSync('ipvsadm', ['-e', '-t', '198.51.100.109:80', '-r', `${outside.address}:8080`, '-m', '-w', '6']);
        const scoped = await backend.observeWithin(new Set([serviceId(key(3))]), base);
        const weightOf = (table: ObservedTable, i: number, address: string) => serviceOf(table, i)?.destinations.find((d) => d.address === address)?.weight;
        expect(weightOf(scoped, 3, inScope.address)).toBe(4);
        expect(weightOf(scoped, 9, outside.address)).toBe(weightOf(base, 9, outside.address));
        expect(scoped.services.map((s) => serviceId(s.key))).toEqual(base.services.map((s) => serviceId(s.key)));
        // A full observe() still reads everything afresh.
        expect(weightOf(await backend.observe(), 9, outside.address)).toBe(6);
      },
      KERNEL_CASE_TIMEOUT_MS,
    );
  });
} else {
  describe('KernelBackend contract: netlink backend on the real kernel', () => {
    it.skip('needs the real-kernel VM: suite netlink-contract (LVS_KERNEL_TESTS=1, LVS_NETLINK_NETNS, root, ip_vs)', () => undefined);
  });
}
