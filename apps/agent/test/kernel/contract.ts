// One contract for every KernelBackend: the sim must behave like the kernel,
// and the ipvsadm backend must report the kernel faithfully. Run against the
// sim on every machine and against the real kernel inside the test VM.
import { afterEach, describe, expect, it as vitestIt } from 'vitest';
import { SCHEDULERS, configOfService, desiredStateSchema, emptyState, serviceId } from '@lvs-console/shared';
import type { DesiredStateInput, ObservedDestination, ObservedService, ObservedTable, Service, ServiceInput } from '@lvs-console/shared';
import { plan, settingsOf } from '@lvs-console/shared/plan';
import { planWithin } from '@lvs-console/shared/drift';
import type { Change } from '@lvs-console/shared/plan';
import type { KernelBackend } from '../../src/kernel/backend';
import { DESTINATION_REREAD_SECONDS, type CounterSample } from '../../src/kernel/sampling';

/**
 * One contract case on the real kernel in the TCG guest: 5-15 s on an idle
 * host, 40-70 s seen with both host cores loaded (about 25 runnable
 * processes), so the deadline only catches a hang.
 */
export const KERNEL_CASE_TIMEOUT_MS = 300_000;

export interface KernelContractOptions {
  /** An interface the sync daemon may bind to (the VM creates a dummy one). */
  daemonInterface?: string;
  /** Per-test time limit: a backend that starts a program per call needs more than the default. */
  timeoutMs?: number;
  /**
   * Let `ms` of traffic pass between two counter samples (the sim moves its
   * synthetic clients; on the real kernel nothing sends, the counters stay).
   */
  passTraffic?: (backend: KernelBackend, ms: number) => Promise<void>;
}

function desired(input: DesiredStateInput): Service[] {
  return desiredStateSchema.parse(input).services;
}

function svc(input: ServiceInput): Service {
  return desired({ services: [input] })[0] as Service;
}

/** Config only, sorted, so two tables compare by what an operator configured. */
export function configView(services: readonly Service[]): Service[] {
  return services
    .map((s) => {
      const config = 'stats' in s ? configOfService(s as ObservedTable['services'][number]) : s;
      return {
        ...config,
        flags: [...config.flags].sort(),
        destinations: [...config.destinations].sort((a, b) => `${a.address}|${a.port}`.localeCompare(`${b.address}|${b.port}`)),
      };
    })
    .sort((a, b) => serviceId(a.key).localeCompare(serviceId(b.key)));
}

/** Apply the plan that turns the backend's table into `services`; all changes must succeed. */
async function converge(backend: KernelBackend, services: Service[]): Promise<Change[]> {
  const changes = plan({ services }, await backend.observe());
  const { results } = await backend.apply(changes);
  expect(results.map((r) => [r.change.kind, r.ok, r.error ?? ''])).toEqual(changes.map((c) => [c.kind, true, '']));
  return changes;
}

async function expectTable(backend: KernelBackend, services: Service[]): Promise<void> {
  const observed = await backend.observe();
  // The plan from observed to desired is empty exactly when they agree on config.
  expect(plan({ services }, observed)).toEqual([]);
  expect(observed.services.map((s) => serviceId(s.key)).sort()).toEqual(services.map((s) => serviceId(s.key)).sort());
  for (const service of configView(services)) {
    const seen = configView(observed.services).find((s) => serviceId(s.key) === serviceId(service.key));
    expect(seen?.destinations.length, serviceId(service.key)).toBe(service.destinations.length);
  }
}

const WEB = svc({
  key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
  scheduler: 'wrr',
  destinations: [
    { address: '198.51.100.11', port: 8080, forwarding: 'masq', weight: 3 },
    { address: '198.51.100.12', port: 8080, forwarding: 'masq', weight: 0 },
    { address: '198.51.100.13', port: 8081, forwarding: 'masq', weight: 65535, upperThreshold: 1000, lowerThreshold: 600 },
  ],
});

const ALL_KINDS: Service[] = desired({
  services: [
    WEB,
    {
      key: { kind: 'addr', protocol: 'udp', address: '192.0.2.53', port: 53 },
      scheduler: 'rr',
      onePacket: true,
      destinations: [{ address: '198.51.100.31', port: 53, forwarding: 'route', weight: 1 }],
    },
    {
      key: { kind: 'addr', protocol: 'sctp', address: '192.0.2.20', port: 3868 },
      scheduler: 'lc',
      destinations: [{ address: '198.51.100.41', port: 3868, forwarding: 'masq', weight: 2 }],
    },
    {
      key: { kind: 'fwmark', fwmark: 7, family: 'inet' },
      scheduler: 'wlc',
      persistence: { timeout: 600, netmaskPrefix: 24 },
      destinations: [
        { address: '198.51.100.51', port: 0, forwarding: 'route', weight: 1 },
        { address: '198.51.100.52', port: 0, forwarding: 'route', weight: 1 },
      ],
    },
    {
      // Below 2^31: ipvsadm 1.31 as released prints larger marks as negative numbers.
      key: { kind: 'fwmark', fwmark: 2147483647, family: 'inet6' },
      scheduler: 'sh',
      flags: ['sh-port'],
      destinations: [{ address: '2001:db8:100::61', port: 0, forwarding: 'route', weight: 5 }],
    },
    {
      key: { kind: 'addr', protocol: 'tcp', address: '2001:db8::10', port: 443 },
      scheduler: 'sh',
      flags: ['sh-fallback', 'sh-port'],
      persistence: { timeout: 120, netmaskPrefix: 64 },
      destinations: [
        { address: '2001:db8:100::11', port: 443, forwarding: 'route', weight: 10 },
        { address: '2001:db8:100::12', port: 8443, forwarding: 'masq', weight: 20 },
      ],
    },
    {
      key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.30', port: 0 },
      scheduler: 'wlc',
      persistence: { timeout: 300 },
      destinations: [{ address: '198.51.100.71', port: 0, forwarding: 'route', weight: 1 }],
    },
  ],
});

const TUNNELS = svc({
  key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.40', port: 80 },
  scheduler: 'wlc',
  destinations: [
    { address: '198.51.100.81', port: 80, forwarding: 'tunnel', weight: 1 },
    { address: '198.51.100.82', port: 80, forwarding: 'tunnel', weight: 1, tunnel: { type: 'ipip' } },
    { address: '198.51.100.83', port: 80, forwarding: 'tunnel', weight: 1, tunnel: { type: 'gue', port: 6080, checksum: 'csum' } },
    { address: '198.51.100.84', port: 80, forwarding: 'tunnel', weight: 1, tunnel: { type: 'gre', checksum: 'csum' } },
  ],
});

/** A destination's place in a table: service and real server. */
function destinationId(service: ObservedService, dest: ObservedDestination): string {
  return `${serviceId(service.key)} ${dest.address}|${dest.port}`;
}

/** What every counter sample promises, whichever backend took it. */
function expectWellFormed(sample: CounterSample, at: number): void {
  const count = sample.table.services.length;
  expect(sample.at).toBe(at);
  expect(sample.destinationsReadAt).toHaveLength(count);
  expect(sample.changedAt).toHaveLength(count);
  expect(sample.destinationReads).toBeGreaterThanOrEqual(0);
  expect(sample.destinationReads).toBeLessThanOrEqual(count);
  // Every list was read within the promised bound, none in the future.
  for (const readAt of sample.destinationsReadAt) {
    expect(readAt).toBeLessThanOrEqual(at);
    expect(at - readAt).toBeLessThan(DESTINATION_REREAD_SECONDS * 1000);
  }
}

/** Counters of every destination in both samples (but those named) only ever grow. */
function expectCountersKept(before: CounterSample, after: CounterSample, edited: ReadonlySet<string>): void {
  const earlier = new Map<string, ObservedDestination['stats']>();
  for (const service of before.table.services) for (const dest of service.destinations) earlier.set(destinationId(service, dest), dest.stats);
  for (const service of after.table.services) {
    for (const dest of service.destinations) {
      const id = destinationId(service, dest);
      const then = earlier.get(id);
      if (!then || edited.has(id)) continue;
      for (const field of ['conns', 'inPkts', 'outPkts', 'inBytes', 'outBytes'] as const) {
        expect(dest.stats[field], `${id} ${field}`).toBeGreaterThanOrEqual(then[field]);
      }
    }
  }
}

export function describeKernelContract(name: string, makeBackend: () => Promise<KernelBackend>, options: KernelContractOptions = {}): void {
  describe(`KernelBackend contract: ${name}`, () => {
    const open: KernelBackend[] = [];
    const fresh = async (): Promise<KernelBackend> => {
      const backend = await makeBackend();
      open.push(backend);
      return backend;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });
    const it = (title: string, body: () => Promise<void>): void => {
      vitestIt(title, body, options.timeoutMs);
    };

    it('describes itself and reports IPVS info', async () => {
      const backend = await fresh();
      expect(await backend.describe()).toMatch(/\S/);
      const info = await backend.info();
      expect(info.ipvsVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(info.connTableSize).toBeGreaterThan(0);
      const schedulers = await backend.availableSchedulers();
      for (const scheduler of schedulers) expect(SCHEDULERS as readonly string[]).toContain(scheduler);
      expect(schedulers).toContain('wlc');
    });

    it('starts empty', async () => {
      const backend = await fresh();
      const table = await backend.observe();
      expect(table.services).toEqual([]);
      expect(table.syncDaemons).toEqual([]);
    });

    it('adds services of every kind (tcp, udp, sctp, fwmark, IPv6) and observes exactly them', async () => {
      const backend = await fresh();
      await converge(backend, ALL_KINDS);
      await expectTable(backend, ALL_KINDS);
      const observed = await backend.observe();
      const web = observed.services.find((s) => serviceId(s.key) === serviceId(WEB.key));
      expect(web?.destinations.map((d) => d.weight).sort((a, b) => a - b)).toEqual([0, 3, 65535]);
      const limited = web?.destinations.find((d) => d.address === '198.51.100.13');
      expect([limited?.upperThreshold, limited?.lowerThreshold]).toEqual([1000, 600]);
      for (const dest of web?.destinations ?? []) {
        expect(dest.activeConns).toBe(0);
        expect(dest.stats.conns).toBe(0);
      }
      const fwmark = observed.services.find((s) => s.key.kind === 'fwmark' && s.key.fwmark === 7);
      expect(fwmark?.persistence).toEqual({ timeout: 600, netmaskPrefix: 24 });
      const v6 = observed.services.find((s) => s.key.kind === 'addr' && s.key.address === '2001:db8::10');
      expect([...(v6?.flags ?? [])].sort()).toEqual(['sh-fallback', 'sh-port']);
    });

    it('adds tunnelled real servers of each tunnel type', async () => {
      const backend = await fresh();
      await converge(backend, [TUNNELS]);
      await expectTable(backend, [TUNNELS]);
      const observed = (await backend.observe()).services[0];
      const types = observed?.destinations.map((d) => d.tunnel?.type ?? 'ipip').sort();
      expect(types).toEqual(['gre', 'gue', 'ipip', 'ipip']);
      const gue = observed?.destinations.find((d) => d.tunnel?.type === 'gue');
      expect(gue?.tunnel).toMatchObject({ port: 6080, checksum: 'csum' });
    });

    it('edits and deletes services and real servers', async () => {
      const backend = await fresh();
      await converge(backend, ALL_KINDS);
      const edited = ALL_KINDS.map((s) => structuredClone(s));
      const web = edited[0] as Service;
      web.scheduler = 'wlc';
      web.persistence = { timeout: 60 };
      web.destinations = web.destinations
        .filter((d) => d.address !== '198.51.100.12')
        .map((d) => (d.address === '198.51.100.11' ? { ...d, weight: 7, upperThreshold: 50, lowerThreshold: 10 } : d));
      const withoutSctp = edited.filter((s) => !(s.key.kind === 'addr' && s.key.protocol === 'sctp'));
      const changes = await converge(backend, withoutSctp);
      expect(changes.map((c) => c.kind).sort()).toEqual(['delete-destination', 'delete-service', 'edit-destination', 'edit-service']);
      await expectTable(backend, withoutSctp);
      await converge(backend, []);
      await expectTable(backend, []);
    });

    it('reports a failing change in the middle of a plan per change; the others still apply', async () => {
      const backend = await fresh();
      const missing = svc({ key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.99', port: 80 } });
      const dest = { address: '198.51.100.11', port: 8080, forwarding: 'masq' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 };
      const changes: Change[] = [
        { kind: 'add-service', service: settingsOf(WEB) },
        { kind: 'add-destination', service: missing.key, destination: dest },
        { kind: 'add-destination', service: WEB.key, destination: dest },
        { kind: 'add-service', service: settingsOf(WEB) },
        { kind: 'add-destination', service: WEB.key, destination: dest },
        { kind: 'delete-service', service: settingsOf(missing) },
        { kind: 'edit-destination', service: WEB.key, from: dest, to: { ...dest, address: '198.51.100.250' } },
        { kind: 'add-destination', service: WEB.key, destination: { ...dest, address: '198.51.100.12', weight: 4 } },
      ];
      const { results } = await backend.apply(changes);
      expect(results.map((r) => r.change)).toEqual(changes);
      expect(results.map((r) => r.ok)).toEqual([true, false, true, false, false, false, false, true]);
      expect(results.map((r) => r.error ?? '')).toEqual([
        '',
        'Service not defined',
        '',
        'Service already exists',
        'Destination already exists',
        'No such service',
        'No such destination',
        '',
      ]);
      // The observed table is what the results say.
      const observed = await backend.observe();
      expect(observed.services.map((s) => serviceId(s.key))).toEqual([serviceId(WEB.key)]);
      expect(observed.services[0]?.destinations.map((d) => [d.address, d.weight]).sort()).toEqual([
        ['198.51.100.11', 1],
        ['198.51.100.12', 4],
      ]);
    });

    it('apply with the table read before and observeAfter returns the table as the kernel holds it after', async () => {
      const backend = await fresh();
      await converge(backend, ALL_KINDS);
      const before = await backend.observe();
      const edited = ALL_KINDS.map((s) => structuredClone(s));
      const web = edited[0] as Service;
      web.destinations = web.destinations.map((d) => (d.address === '198.51.100.11' ? { ...d, weight: 9 } : d));
      const v6 = edited.find((s) => s.key.kind === 'addr' && s.key.address === '2001:db8::10') as Service;
      v6.destinations = v6.destinations.slice(1);
      const changes = plan({ services: edited }, before);
      expect(changes.map((c) => c.kind).sort()).toEqual(['delete-destination', 'edit-destination']);
      const outcome = await backend.apply(changes, { before, observeAfter: true });
      expect(outcome.results.every((r) => r.ok)).toBe(true);
      const after = outcome.observed as ObservedTable;
      // Touched and untouched services alike: what was asked for, and what a fresh read says.
      expect(plan({ services: edited }, after)).toEqual([]);
      expect(configView(after.services)).toEqual(configView((await backend.observe()).services));
    });

    it('names the missing module when a scheduler is not in the running kernel', async () => {
      const backend = await fresh();
      const available = await backend.availableSchedulers();
      const absent = SCHEDULERS.find((s) => !available.includes(s));
      if (!absent) return; // this kernel has them all
      const service = svc({ key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.77', port: 80 }, scheduler: absent });
      const { results } = await backend.apply([{ kind: 'add-service', service: settingsOf(service) }]);
      expect(results[0]?.ok).toBe(false);
      expect(results[0]?.error).toContain(`the running kernel has no ip_vs_${absent} module`);
      expect((await backend.observe()).services).toEqual([]);
    });

    it("refuses a zero port without persistence with ipvsadm's words", async () => {
      const backend = await fresh();
      const service = svc({ key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.78', port: 0 } });
      const { results } = await backend.apply([{ kind: 'add-service', service: settingsOf(service) }]);
      expect(results[0]).toMatchObject({ ok: false, error: 'Zero port specified for non-persistent service' });
      expect((await backend.observe()).services).toEqual([]);
    });

    it('sets timeouts and reads them back; 0 keeps a value', async () => {
      const backend = await fresh();
      await backend.setTimeouts({ tcp: 901, tcpFin: 121, udp: 301 });
      expect((await backend.observe()).timeouts).toEqual({ tcp: 901, tcpFin: 121, udp: 301 });
      await backend.setTimeouts({ tcp: 0, tcpFin: 0, udp: 45 });
      expect((await backend.observe()).timeouts).toEqual({ tcp: 901, tcpFin: 121, udp: 45 });
      const { results } = await backend.apply([{ kind: 'set-timeouts', from: null, to: { tcp: 900, tcpFin: 120, udp: 300 } }]);
      expect(results[0]?.ok).toBe(true);
      expect((await backend.observe()).timeouts).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
    });

    it('zeroes the counters of one service or of all; an unknown service is refused', async () => {
      const backend = await fresh();
      await converge(backend, [WEB]);
      await backend.zero(WEB.key);
      await backend.zero();
      const observed = await backend.observe();
      for (const service of observed.services) {
        expect(service.stats.conns).toBe(0);
        for (const dest of service.destinations) expect(dest.stats).toEqual({ conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 });
      }
      await expect(backend.zero({ kind: 'addr', protocol: 'tcp', address: '192.0.2.254', port: 1 })).rejects.toThrow(/No such service/);
      await expectTable(backend, [WEB]);
    });

    it('starts and stops a sync daemon', async () => {
      const backend = await fresh();
      const daemon = { state: 'backup' as const, interface: options.daemonInterface ?? 'eth0', syncId: 9 };
      await backend.startDaemon(daemon);
      const running = (await backend.observe()).syncDaemons;
      expect(running.map((d) => [d.state, d.interface, d.syncId])).toEqual([['backup', daemon.interface, 9]]);
      await expect(backend.startDaemon(daemon)).rejects.toThrow(/Daemon has already run/);
      await backend.stopDaemon('backup');
      expect((await backend.observe()).syncDaemons).toEqual([]);
      await expect(backend.stopDaemon('backup')).rejects.toThrow(/No daemon is running/);
    });

    it('lists connections within the requested bounds', async () => {
      const backend = await fresh();
      await converge(backend, [WEB]);
      const page = await backend.connections({ limit: 5 });
      expect(page.entries.length).toBeLessThanOrEqual(5);
      expect(page.matched).toBeLessThanOrEqual(page.total);
      const none = await backend.connections({ limit: 0 });
      expect(none.entries).toEqual([]);
      expect(none.total).toBe(page.total);
      const filtered = await backend.connections({ limit: 10, virtualAddress: '192.0.2.250' });
      expect(filtered.entries).toEqual([]);
      expect(filtered.matched).toBe(0);
    });

    // 1 Hz counter samples (KernelBackend.sample): the sample times are the
    // test's own, one second apart; the backends may keep a destination list
    // from the sample before, but never longer than DESTINATION_REREAD_SECONDS.
    const SAMPLED_AT = 1_700_000_000_000;

    it('samples an empty table: no services, no destination lists read', async () => {
      const backend = await fresh();
      const reads = backend.destinationListsRead;
      const first = await backend.sample(null, SAMPLED_AT);
      expectWellFormed(first, SAMPLED_AT);
      expect(first.table.services).toEqual([]);
      expect(first.destinationReads).toBe(0);
      const second = await backend.sample(first, SAMPLED_AT + 1000);
      expectWellFormed(second, SAMPLED_AT + 1000);
      expect(second.table.services).toEqual([]);
      expect(second.destinationReads).toBe(0);
      expect(second.table.timeouts).toEqual((await backend.observe()).timeouts);
      expect(backend.destinationListsRead).toBe(reads);
    });

    it(`samples show a weight change, a new and a removed real server within ${DESTINATION_REREAD_SECONDS} samples; counters never go backwards`, async () => {
      const backend = await fresh();
      await converge(backend, ALL_KINDS);
      let now = SAMPLED_AT;
      const readsBefore = backend.destinationListsRead;
      let sample = await backend.sample(null, now);
      expectWellFormed(sample, now);
      // The first sample has nothing to keep: every list is read.
      expect(sample.destinationReads).toBe(ALL_KINDS.length);
      expect(backend.destinationListsRead - readsBefore).toBe(ALL_KINDS.length);
      expect(configView(sample.table.services)).toEqual(configView(ALL_KINDS));
      // Real servers whose counters a change may legitimately restart.
      const edited = new Set<string>();
      const next = async (): Promise<CounterSample> => {
        await options.passTraffic?.(backend, 1000);
        now += 1000;
        const reads = backend.destinationListsRead;
        const taken = await backend.sample(sample, now);
        expectWellFormed(taken, now);
        // What the sample says it read is what the backend counts.
        expect(backend.destinationListsRead - reads).toBe(taken.destinationReads);
        expectCountersKept(sample, taken, edited);
        sample = taken;
        return taken;
      };
      for (let s = 0; s < 2; s++) await next();

      const after = ALL_KINDS.map((s) => structuredClone(s));
      const web = after[0] as Service;
      web.destinations = web.destinations.map((d) => (d.address === '198.51.100.11' ? { ...d, weight: 9 } : d));
      const dns = after[1] as Service;
      dns.destinations = [...dns.destinations, { address: '198.51.100.32', port: 53, forwarding: 'route', weight: 2, upperThreshold: 0, lowerThreshold: 0 }];
      const v6 = after.find((s) => s.key.kind === 'addr' && s.key.address === '2001:db8::10') as Service;
      v6.destinations = v6.destinations.slice(1);
      edited.add(`${serviceId(web.key)} 198.51.100.11|8080`);
      const changes = await converge(backend, after);
      expect(changes.map((c) => c.kind).sort()).toEqual(['add-destination', 'delete-destination', 'edit-destination']);
      let seenAfter = 0;
      for (let s = 1; s <= DESTINATION_REREAD_SECONDS && seenAfter === 0; s++) {
        if (plan({ services: after }, (await next()).table).length === 0) seenAfter = s;
      }
      expect(seenAfter).toBeGreaterThan(0);
      // Once seen, it stays (a kept list is never older than the one read).
      for (let s = 0; s < 2; s++) expect(plan({ services: after }, (await next()).table)).toEqual([]);
      if (options.passTraffic) {
        // The traffic moved counters, so "never backwards" compared real numbers.
        const web = sample.table.services.find((s) => serviceId(s.key) === serviceId(WEB.key));
        expect(web?.destinations.some((d) => d.stats.conns > 0)).toBe(true);
      }
    });

    it('a service deleted between two samples is gone from the next one; the others keep their destinations', async () => {
      const backend = await fresh();
      await converge(backend, ALL_KINDS);
      const first = await backend.sample(null, SAMPLED_AT);
      const second = await backend.sample(first, SAMPLED_AT + 1000);
      expectWellFormed(second, SAMPLED_AT + 1000);
      const rest = ALL_KINDS.filter((s) => serviceId(s.key) !== serviceId(WEB.key));
      expect((await converge(backend, rest)).map((c) => c.kind)).toEqual(['delete-service']);
      const third = await backend.sample(second, SAMPLED_AT + 2000);
      expectWellFormed(third, SAMPLED_AT + 2000);
      expect(third.table.services.map((s) => serviceId(s.key)).sort()).toEqual(rest.map((s) => serviceId(s.key)).sort());
      // Lists kept from the sample before still belong to their own services.
      expect(configView(third.table.services)).toEqual(configView(rest));
      expectCountersKept(second, third, new Set());
    });

    it('observeWithin reads every service row and the scope afresh: a plan within the scope is the one a full read gives', async () => {
      const backend = await fresh();
      await converge(backend, ALL_KINDS);
      const base = await backend.observe();
      const added = svc({
        key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.90', port: 443 },
        destinations: [{ address: '198.51.100.91', port: 443, forwarding: 'masq', weight: 1 }],
      });
      const after = [...ALL_KINDS.map((s) => structuredClone(s)).filter((s) => !(s.key.kind === 'addr' && s.key.protocol === 'sctp')), added];
      const web = after[0] as Service;
      web.destinations = web.destinations.map((d) => (d.address === '198.51.100.12' ? { ...d, weight: 5 } : d));
      const dns = after[1] as Service;
      dns.destinations = dns.destinations.map((d) => ({ ...d, weight: 4 }));
      await converge(backend, after);
      // The scope: WEB (edited) and a service base lacks; DNS changed too but is outside it.
      const scope = { services: new Set([serviceId(WEB.key), serviceId(added.key)]), timeouts: false, syncDaemons: false };
      const reads = backend.destinationListsRead;
      const scoped = await backend.observeWithin(scope.services, base);
      const read = backend.destinationListsRead - reads;
      // At least the scope's lists, at most every service's.
      expect(read).toBeGreaterThanOrEqual(scope.services.size);
      expect(read).toBeLessThanOrEqual(after.length);
      expect(scoped.services.map((s) => serviceId(s.key)).sort()).toEqual(after.map((s) => serviceId(s.key)).sort());
      const full = await backend.observe();
      expect(planWithin({ ...emptyState(), services: ALL_KINDS }, scoped, scope)).toEqual(planWithin({ ...emptyState(), services: ALL_KINDS }, full, scope));
      expect(configView(scoped.services.filter((s) => scope.services.has(serviceId(s.key))))).toEqual(
        configView(full.services.filter((s) => scope.services.has(serviceId(s.key)))),
      );
      // Outside the scope: the list as base had it or as it is now, nothing else.
      const dnsNow = configView(scoped.services).find((s) => serviceId(s.key) === serviceId(dns.key));
      const dnsWas = configView(base.services).find((s) => serviceId(s.key) === serviceId(dns.key));
      expect([dnsWas, configView([dns])[0]]).toContainEqual(dnsNow);
    });
  });
}
