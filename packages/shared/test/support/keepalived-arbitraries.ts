// fast-check generators of desired states restricted to what keepalived 2.2
// can express (see keepalived/write.ts for what becomes a comment instead):
// health with at least one check per service and rise 1, retries one
// interval apart, hex UDP payloads, regex body matches, command timeouts in
// whole seconds, sync daemons as a master/backup pair, no drains or slow start.
import fc from 'fast-check';
import type { DesiredState, Destination, HaConfig, HealthCheck, Service, ServiceHealth, ServiceKey, SyncDaemon, VrrpInstance } from '../../src/model';
import { desiredStateSchema, destinationId, serviceId, serviceSchema } from '../../src/model';
import { statusRanges } from '../../src/keepalived/values';
import { instanceAddresses } from '../../src/ha';
import { serviceArb } from './arbitraries';

function familyOf(key: ServiceKey): 'inet' | 'inet6' {
  return key.kind === 'fwmark' ? key.family : key.address.includes(':') ? 'inet6' : 'inet';
}

const timingArb = fc.integer({ min: 100, max: 600_000 }).chain((intervalMs) =>
  fc.record({
    intervalMs: fc.constant(intervalMs),
    timeoutMs: fc.integer({ min: 10, max: Math.max(10, intervalMs - 1) }),
    rise: fc.constant(1),
    fall: fc.integer({ min: 1, max: 100 }),
    warmupMs: fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: undefined }),
  }),
);

function targetArb(family: 'inet' | 'inet6'): fc.Arbitrary<HealthCheck['target']> {
  const address = family === 'inet' ? fc.constantFrom('10.9.8.7', '192.0.2.200') : fc.constantFrom('2001:db8::99', 'fd00::7');
  return fc.record({ address, port: fc.integer({ min: 1, max: 65535 }) }, { requiredKeys: [] });
}

const statusArb = fc.uniqueArray(fc.integer({ min: 100, max: 599 }), { minLength: 1, maxLength: 12 }).map(statusRanges);

const hexArb = fc.uint8Array({ maxLength: 24 }).map((bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(''));

function checkArb(family: 'inet' | 'inet6'): fc.Arbitrary<HealthCheck> {
  const drop = <T extends object>(record: T): T => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
  return fc.oneof(
    fc.tuple(timingArb, targetArb(family)).map(([timing, target]) => drop({ kind: 'tcp' as const, ...timing, target })),
    fc
      .tuple(
        timingArb,
        targetArb(family),
        fc.record({
          https: fc.boolean(),
          path: fc.constantFrom('/', '/health', '/a/b?x=1&y=2', '/status.json'),
          expectStatus: statusArb,
          host: fc.option(fc.constantFrom('www.example.com', 'api.example.org:8443'), { nil: undefined }),
          regex: fc.option(fc.constantFrom('ok', '^OK$', 'a+b', 'status: (up|ready)', 'x#y!z'), { nil: undefined }),
        }),
      )
      .map(([timing, target, r]) => {
        const fields = drop({
          ...timing,
          target,
          path: r.path,
          expectStatus: r.expectStatus,
          host: r.host,
          bodyMatch: r.regex === undefined ? undefined : { kind: 'regex' as const, text: r.regex },
        });
        return r.https ? { kind: 'https' as const, ...fields, verifyTls: false } : { kind: 'http' as const, ...fields };
      }),
    fc
      .tuple(
        timingArb,
        targetArb(family),
        hexArb,
        fc.boolean(),
        fc.option(
          hexArb.filter((h) => h !== ''),
          { nil: undefined },
        ),
      )
      .map(([timing, target, payload, requireReply, expect]) =>
        drop({
          kind: 'udp' as const,
          ...timing,
          target,
          payload: { encoding: 'hex' as const, text: payload },
          requireReply,
          expect: requireReply && expect !== undefined ? { encoding: 'hex' as const, text: expect } : undefined,
        }),
      ),
    fc
      .tuple(timingArb, targetArb(family), fc.constantFrom('www.example.com', 'ab.cd', '_srv.example.net'), fc.constantFrom('A' as const, 'AAAA' as const))
      .map(([timing, target, name, recordType]) => drop({ kind: 'dns' as const, ...timing, target, name, recordType })),
    fc
      .tuple(
        timingArb,
        fc.constantFrom('/usr/bin/true', '/usr/local/bin/check-app'),
        fc.array(fc.constantFrom('a', 'a b', "it's", 'say "hi"', '', 'back\\slash', '#1', '--port=80'), { maxLength: 4 }),
        fc.boolean(),
        fc.nat(),
      )
      .map(([timing, program, args, dynamicWeight, seed]) => {
        // Whole seconds below the interval, or unset (interval - 1 ms).
        const whole = Math.floor((timing.intervalMs - 1) / 1000);
        const timeoutMs = whole >= 1 && seed % 2 === 0 ? (1 + (seed % whole)) * 1000 : timing.intervalMs - 1;
        return drop({ kind: 'command' as const, ...timing, timeoutMs: Math.max(10, timeoutMs), target: {}, program, args, expectExitCode: 0, dynamicWeight });
      })
      .filter((check) => check.timeoutMs < check.intervalMs),
  );
}

function sorryArb(key: ServiceKey, taken: Set<string>): fc.Arbitrary<Destination | undefined> {
  const family = familyOf(key);
  const servicePort = key.kind === 'addr' ? key.port : 0;
  const address = family === 'inet' ? fc.constantFrom('203.0.113.9', '203.0.113.10') : fc.constantFrom('2001:db8:ffff::9');
  return fc.option(
    fc
      .record({ address, forwarding: fc.constantFrom('masq' as const, 'route' as const), natPort: fc.integer({ min: 1, max: 65535 }) })
      .map((r): Destination => ({
        address: r.address,
        port: r.forwarding === 'masq' ? r.natPort : servicePort,
        forwarding: r.forwarding,
        weight: 1,
        upperThreshold: 0,
        lowerThreshold: 0,
      }))
      .filter((d) => !taken.has(destinationId(d))),
    { nil: undefined },
  );
}

function healthArb(service: Service): fc.Arbitrary<ServiceHealth | undefined> {
  const ids = service.destinations.map(destinationId);
  const weightSum = service.destinations.reduce((sum, d) => sum + d.weight, 0);
  return fc.option(
    fc
      .record({
        checks: fc.array(checkArb(familyOf(service.key)), { minLength: 1, maxLength: 3 }),
        disabled: fc.subarray(ids.slice(1)),
        quiesce: fc.boolean(),
        alpha: fc.boolean(),
        quorum: fc.integer({ min: 1, max: Math.max(1, weightSum) }),
        hysteresisSeed: fc.nat(),
        sorry: sorryArb(service.key, new Set(ids)),
      })
      .map((r): ServiceHealth => {
        const health: ServiceHealth = {
          enabled: true,
          checks: r.checks,
          destinations: Object.fromEntries(r.disabled.map((id) => [id, { disabled: true }])),
          onFailure: r.quiesce ? 'quiesce' : 'remove',
          quorum: r.quorum,
          hysteresis: r.hysteresisSeed % r.quorum,
          sorryServerReplaces: true,
          alpha: r.alpha,
          historySize: 30,
          drains: {},
        };
        if (r.sorry) health.sorryServer = r.sorry;
        return health;
      }),
    { nil: undefined },
  );
}

const keepalivedServiceArb: fc.Arbitrary<Service> = serviceArb
  .map((service) => serviceSchema.parse(service))
  .filter((service) => service.destinations.length > 0)
  .chain((service) => healthArb(service).map((health) => (health ? { ...service, health } : service)));

const syncPairArb: fc.Arbitrary<SyncDaemon[]> = fc
  .option(
    fc.record({
      interface: fc.constantFrom('eth0', 'eth1'),
      syncId: fc.nat(255),
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      ttl: fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
    }),
    { nil: null },
  )
  .map((pair) => {
    if (!pair) return [];
    const options = Object.fromEntries(Object.entries(pair).filter(([, v]) => v !== undefined)) as Omit<SyncDaemon, 'state'>;
    return [
      { state: 'master' as const, ...options },
      { state: 'backup' as const, ...options },
    ];
  });

export const keepalivedStateArb: fc.Arbitrary<DesiredState> = fc
  .record({
    services: fc.uniqueArray(keepalivedServiceArb, { maxLength: 5, selector: (s) => serviceId(s.key) }),
    timeouts: fc.option(
      fc.record({ tcp: fc.integer({ min: 1, max: 86400 }), tcpFin: fc.integer({ min: 1, max: 600 }), udp: fc.integer({ min: 1, max: 3600 }) }),
      { nil: null },
    ),
    syncDaemons: syncPairArb,
    hostSettings: fc.constant([]),
  })
  .map((state) => desiredStateSchema.parse(state)); // canonical addresses, as an import gives them

const DIRECTOR_NAMES = ['lb1', 'lb2', 'lb3'] as const;

/**
 * A pair (ha) for a state's service VIPs, in the form an import gives back:
 * the first instance is the catch-all (empty address list) and every instance
 * moves at least one VIP (keepalived warns about an instance without one);
 * a sync daemon names its instance only when it is not the first.
 */
function haArb(vips: readonly string[]): fc.Arbitrary<HaConfig> {
  const directorCount = fc.integer({ min: 2, max: 3 });
  return directorCount.chain((count) => {
    const names = DIRECTOR_NAMES.slice(0, count);
    const instanceCount = Math.min(3, vips.length);
    const instanceArb = (index: number) =>
      fc
        .record({
          interface: fc.constantFrom('eth0', 'eth1'),
          priorities: fc.shuffledSubarray([100, 150, 200], { minLength: count, maxLength: count }),
          advertInterval: fc.integer({ min: 1, max: 5 }),
          preempt: fc.boolean(),
          preemptDelay: fc.integer({ min: 0, max: 30 }),
          unicast: fc.boolean(),
          password: fc.option(fc.stringMatching(/^[A-Za-z0-9!#%]{1,8}$/), { nil: undefined }),
        })
        .map((r): VrrpInstance => ({
          name: `VI_${index + 1}`,
          interface: r.interface,
          virtualRouterId: 50 + index,
          priorities: Object.fromEntries(names.map((name, i) => [name, r.priorities[i] ?? 100])),
          advertInterval: r.advertInterval,
          preempt: r.preempt,
          preemptDelay: r.preempt ? r.preemptDelay : 0,
          unicast: r.unicast,
          ...(r.password !== undefined ? { password: r.password } : {}),
          addresses: [],
        }));
    return fc
      .record({
        instances: fc.integer({ min: 1, max: instanceCount }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => instanceArb(i)))),
        // Which instance moves each VIP (0 = the catch-all).
        owners: fc.array(fc.nat(2), { minLength: vips.length, maxLength: vips.length }),
        sync: fc.option(fc.record({ interface: fc.constantFrom('eth0', 'eth1'), syncId: fc.nat(255), follows: fc.nat(2) }), { nil: undefined }),
      })
      .map(({ instances, owners, sync }): HaConfig => {
        // Every instance moves a VIP: VIP i < instances.length goes to instance i.
        const withVips = instances.map((instance, index) => ({
          ...instance,
          addresses: index === 0 ? [] : vips.filter((_, v) => v === index || (v >= instances.length && (owners[v] ?? 0) === index)),
        }));
        const follows = sync ? withVips[sync.follows % withVips.length]?.name : undefined;
        return {
          directors: names.map((name, i) => ({ name, address: `10.9.0.${i + 1}` })),
          instances: withVips,
          ...(sync
            ? {
                sync: {
                  interface: sync.interface,
                  syncId: sync.syncId,
                  ...(follows !== withVips[0]?.name && follows !== undefined ? { instance: follows } : {}),
                },
              }
            : {}),
        };
      });
  });
}

/** States with a pair of directors: services with at least one VIP, and the pair's VRRP. */
export const keepalivedPairStateArb: fc.Arbitrary<DesiredState> = keepalivedStateArb
  .filter((state) => state.services.some((service) => service.key.kind === 'addr'))
  .chain((state) => {
    const vips = [...new Set(state.services.flatMap((s) => (s.key.kind === 'addr' ? [s.key.address] : [])))];
    return haArb(vips).map((ha) => desiredStateSchema.parse({ ...state, syncDaemons: ha.sync ? [] : state.syncDaemons, ha }));
  })
  // VRRPv2 adverts carry IPv4 only: keepalived warns about an instance with no IPv4 VIP.
  .filter((state) =>
    [...instanceAddresses({ services: state.services, ha: state.ha as HaConfig }).values()].every((list) => list.some((a) => !a.includes(':'))),
  );
