// fast-check generators of VALID desired states: every generated state passes
// validateState, so properties exercise the plan and the text round trip, not
// the guard rails.
import fc from 'fast-check';
import type { DesiredState, Destination, Persistence, SchedFlag, SchedulerName, Service, ServiceKey } from '../../src/model';
import { SCHEDULERS, destinationId, serviceId } from '../../src/model';

const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((parts) => parts.join('.'));
const ipv6 = fc
  .tuple(fc.integer({ min: 1, max: 0xffff }), fc.nat(0xffff), fc.nat(3))
  .map(([a, b, c]) => `2001:db8:${a.toString(16)}:${b.toString(16)}::${c + 1}`);

const port = fc.integer({ min: 1, max: 65535 });

export const serviceKeyArb: fc.Arbitrary<ServiceKey> = fc.oneof(
  fc.record({ kind: fc.constant('addr' as const), protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const), address: ipv4, port }),
  fc.record({ kind: fc.constant('addr' as const), protocol: fc.constantFrom('tcp' as const, 'udp' as const), address: ipv6, port }),
  fc.record({
    kind: fc.constant('fwmark' as const),
    fwmark: fc.integer({ min: 1, max: 0xffffffff }),
    family: fc.constantFrom('inet' as const, 'inet6' as const),
  }),
);

function flagsFor(scheduler: SchedulerName): fc.Arbitrary<SchedFlag[]> {
  if (scheduler === 'sh') return fc.subarray(['sh-fallback', 'sh-port'] as SchedFlag[]);
  if (scheduler === 'mh') return fc.subarray(['mh-fallback', 'mh-port'] as SchedFlag[]);
  return fc.constant([]);
}

function destinationArb(key: ServiceKey): fc.Arbitrary<Destination> {
  const family = key.kind === 'fwmark' ? key.family : key.address.includes(':') ? 'inet6' : 'inet';
  const servicePort = key.kind === 'addr' ? key.port : 0;
  const address = family === 'inet' ? ipv4 : ipv6;
  return fc
    .record({
      address,
      forwarding: fc.constantFrom('masq' as const, 'route' as const, 'tunnel' as const),
      weight: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(65535)),
      upperThreshold: fc.integer({ min: 0, max: 65535 }),
      lowerSeed: fc.nat(65535),
      natPort: port,
      tunnelType: fc.constantFrom('ipip' as const, 'gue' as const, 'gre' as const),
      tunnelPort: port,
    })
    .map((r) => {
      const dest: Destination = {
        address: r.address,
        port: r.forwarding === 'masq' ? r.natPort : servicePort,
        forwarding: r.forwarding,
        weight: r.weight,
        upperThreshold: r.upperThreshold,
        lowerThreshold: r.upperThreshold === 0 ? 0 : r.lowerSeed % (r.upperThreshold + 1),
      };
      if (r.forwarding === 'tunnel' && r.tunnelType !== 'ipip') {
        dest.tunnel = r.tunnelType === 'gue' ? { type: 'gue', port: r.tunnelPort, checksum: 'csum' } : { type: 'gre', checksum: 'csum' };
      }
      return dest;
    });
}

export const serviceArb: fc.Arbitrary<Service> = serviceKeyArb.chain((key) => {
  const family = key.kind === 'fwmark' ? key.family : key.address.includes(':') ? 'inet6' : 'inet';
  const persistence: fc.Arbitrary<Persistence | null> = fc.option(
    fc.record({
      timeout: fc.integer({ min: 1, max: 86400 }),
      netmaskPrefix: family === 'inet' ? fc.integer({ min: 8, max: 32 }) : fc.integer({ min: 16, max: 128 }),
    }),
    { nil: null },
  );
  return fc.constantFrom(...SCHEDULERS).chain((scheduler) =>
    fc.record({
      key: fc.constant(key),
      scheduler: fc.constant(scheduler),
      flags: flagsFor(scheduler),
      persistence,
      onePacket: key.kind === 'fwmark' || key.protocol === 'udp' ? fc.boolean() : fc.constant(false),
      destinations: fc.uniqueArray(destinationArb(key), { maxLength: 5, selector: destinationId }),
    }),
  );
});

export const stateArb: fc.Arbitrary<DesiredState> = fc.record({
  services: fc.uniqueArray(serviceArb, { maxLength: 6, selector: (s) => serviceId(s.key) }),
  timeouts: fc.option(
    fc.record({ tcp: fc.integer({ min: 1, max: 86400 }), tcpFin: fc.integer({ min: 1, max: 600 }), udp: fc.integer({ min: 1, max: 3600 }) }),
    { nil: null },
  ),
  syncDaemons: fc.constant([]),
  hostSettings: fc.constant([]),
});

/**
 * Order-insensitive canonical form for comparing tables by content, with the
 * defaults written the way the kernel lists them: a full-width persistence
 * netmask is not shown, a tunnel destination always shows its type (ipip
 * when none was given).
 */
export function canonicalize(state: Pick<DesiredState, 'services'>): unknown {
  return [...state.services]
    .map((s) => ({
      ...s,
      flags: [...s.flags].sort(),
      persistence: listedPersistence(s),
      destinations: [...s.destinations].map(listedDestination).sort((a, b) => destinationId(a).localeCompare(destinationId(b))),
    }))
    .sort((a, b) => serviceId(a.key).localeCompare(serviceId(b.key)));
}

function listedPersistence(service: Service): Persistence | null {
  const persistence = service.persistence;
  if (!persistence) return null;
  const family = service.key.kind === 'fwmark' ? service.key.family : service.key.address.includes(':') ? 'inet6' : 'inet';
  const full = family === 'inet' ? 32 : 128;
  const { netmaskPrefix, ...rest } = persistence;
  return netmaskPrefix === undefined || netmaskPrefix === full ? rest : { ...rest, netmaskPrefix };
}

function listedDestination(dest: Destination): Destination {
  if (dest.forwarding !== 'tunnel' || dest.tunnel) return dest;
  return { ...dest, tunnel: { type: 'ipip' } };
}
