// Which destination lists a 1 Hz sample reads again: service rows as the
// kernel's GET_SERVICE dump gives them, time passed in.
import { describe, expect, it } from 'vitest';
import { serviceId, zeroCounters, zeroRates, type ObservedService, type ObservedTable } from '@lvs-console/shared';
import { DESTINATION_REREAD_SECONDS, SETTLE_MS, planDestinationReads, touchedServiceIds, type CounterSample } from '../../src/kernel/sampling';

const T0 = 1_700_000_000_000;

function row(i: number, conns = 0): ObservedService {
  return {
    key: { kind: 'addr', protocol: 'tcp', address: `198.18.${i >> 8}.${i & 255}`, port: 80 },
    scheduler: 'wlc',
    flags: [],
    persistence: null,
    onePacket: false,
    stats: { ...zeroCounters(), conns },
    rates: zeroRates(),
    destinations: [],
  };
}

function rows(count: number): ObservedService[] {
  return Array.from({ length: count }, (_, i) => row(i));
}

/** What a backend does with a plan: kept lists stay, the others are "read" (a marker list with the read time). */
function take(previous: CounterSample | null, services: ObservedService[], now: number): CounterSample {
  const plan = planDestinationReads(previous, services, now);
  const table: ObservedTable = {
    services: services.map((service, i) => ({
      ...service,
      destinations: plan.kept.get(i) ?? [
        {
          address: '198.51.100.1',
          port: 80,
          forwarding: 'masq',
          weight: now % 1000,
          upperThreshold: 0,
          lowerThreshold: 0,
          activeConns: 0,
          inactiveConns: 0,
          persistentConns: 0,
          stats: zeroCounters(),
          rates: zeroRates(),
        },
      ],
    })),
    timeouts: { tcp: 900, tcpFin: 120, udp: 300 },
    syncDaemons: [],
  };
  return { at: now, table, changedAt: plan.changedAt, destinationsReadAt: plan.destinationsReadAt, destinationReads: plan.reread.length };
}

describe('planDestinationReads', () => {
  it('reads every list at the first sample', () => {
    const first = take(null, rows(10), T0);
    expect(first.destinationReads).toBe(10);
    expect(first.destinationsReadAt).toEqual(Array(10).fill(T0));
  });

  it('on an idle table reads a 1/N share per second, and every list at least every N seconds', () => {
    let sample = take(null, rows(1000), T0);
    const readsPerSecond: number[] = [];
    for (let s = 1; s <= 4 * DESTINATION_REREAD_SECONDS; s++) {
      const now = T0 + s * 1000;
      sample = take(sample, rows(1000), now);
      readsPerSecond.push(sample.destinationReads);
      const oldest = Math.min(...sample.destinationsReadAt);
      expect(now - oldest).toBeLessThan(DESTINATION_REREAD_SECONDS * 1000);
    }
    expect(readsPerSecond).toEqual(Array(4 * DESTINATION_REREAD_SECONDS).fill(1000 / DESTINATION_REREAD_SECONDS));
  });

  it('keeps the list of an unchanged service as it was read', () => {
    const first = take(null, rows(10), T0);
    const second = take(first, rows(10), T0 + 1000);
    const keptIndexes = second.destinationsReadAt.flatMap((at, i) => (at === T0 ? [i] : []));
    expect(keptIndexes).toHaveLength(8);
    for (const i of keptIndexes) expect(second.table.services[i]?.destinations).toEqual(first.table.services[i]?.destinations);
    // The lists read now carry this sample's marker.
    for (const [i, at] of second.destinationsReadAt.entries())
      if (at !== T0) expect(second.table.services[i]?.destinations[0]?.weight).toBe((T0 + 1000) % 1000);
  });

  it('reads a service whose counters moved at once, and again while the estimator may still fold its destinations', () => {
    let sample = take(null, rows(100), T0);
    for (let s = 1; s <= 10; s++) sample = take(sample, rows(100), T0 + s * 1000);
    // Counters move at second 11, then stay.
    const moved = rows(100);
    moved[42] = row(42, 5);
    const readsOfBusy: number[] = [];
    for (let s = 11; s <= 20; s++) {
      const now = T0 + s * 1000;
      sample = take(sample, moved, now);
      if (sample.destinationsReadAt[42] === now) readsOfBusy.push(s);
    }
    // Read at the change and for SETTLE_MS after it; later only in its rotation turn.
    const settleSamples = Math.floor(SETTLE_MS / 1000);
    expect(readsOfBusy.slice(0, settleSamples + 1)).toEqual(Array.from({ length: settleSamples + 1 }, (_, i) => 11 + i));
    expect(readsOfBusy.length).toBeLessThan(10);
  });

  it('reads no more than its share per second of time when samples come late (a slow sample is not followed by a burst)', () => {
    let sample = take(null, rows(1000), T0);
    for (let s = 1; s <= 20; s++) {
      // Every sample 1.5 s after the one before.
      const now = T0 + s * 1500;
      sample = take(sample, rows(1000), now);
      expect(sample.destinationReads).toBe(300);
      expect(now - Math.min(...sample.destinationsReadAt)).toBeLessThan(DESTINATION_REREAD_SECONDS * 1000);
    }
  });

  it('follows a service whose place in the dump moved (a service added before it)', () => {
    const first = take(null, rows(10), T0);
    const moved = [row(99), ...rows(10)];
    const plan = planDestinationReads(first, moved, T0 + 1000);
    // The new one is read; the others keep their lists unless picked by the rotation.
    expect(plan.reread).toContain(0);
    for (const [i, destinations] of plan.kept) expect(destinations).toBe(first.table.services[i - 1]?.destinations);
    expect(plan.kept.size).toBe(11 - Math.ceil(11 / DESTINATION_REREAD_SECONDS));
  });

  it('reads a service whose rates or config changed, and a service new to the table', () => {
    const first = take(null, rows(20), T0);
    const next = rows(21);
    (next[3] as ObservedService).rates = { ...zeroRates(), inPps: 1 };
    (next[4] as ObservedService).scheduler = 'rr';
    const plan = planDestinationReads(first, next, T0 + 1000);
    expect(plan.reread).toEqual(expect.arrayContaining([3, 4, 20]));
    expect(plan.kept.has(3) || plan.kept.has(4) || plan.kept.has(20)).toBe(false);
  });

  it('reads a list again once it is N seconds old even when the rotation share is used up by busy services', () => {
    let sample = take(null, rows(10), T0);
    const busy = (s: number) => rows(10).map((r, i) => (i < 5 ? row(i, s) : r));
    for (let s = 1; s <= 3 * DESTINATION_REREAD_SECONDS; s++) {
      const now = T0 + s * 1000;
      sample = take(sample, busy(s), now);
      for (const at of sample.destinationsReadAt) expect(now - at).toBeLessThan(DESTINATION_REREAD_SECONDS * 1000);
    }
  });
});

describe('touchedServiceIds', () => {
  it("names a change's service as the kernel prints its address", () => {
    const key = { kind: 'addr', protocol: 'tcp', address: '2001:DB8:0:0::10', port: 80 } as const;
    const ids = touchedServiceIds([
      { kind: 'edit-destination', service: key, from: {} as never, to: {} as never },
      { kind: 'set-timeouts', timeouts: { tcp: 1, tcpFin: 1, udp: 1 } },
    ] as never);
    expect([...ids]).toEqual([serviceId({ ...key, address: '2001:db8::10' })]);
  });
});
