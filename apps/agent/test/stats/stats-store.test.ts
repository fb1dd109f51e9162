// Counter history: rates from 1 s deltas, counter resets, destinations that
// come and go, windows and measured shares. Time is passed in, never slept.
import { describe, expect, it } from 'vitest';
import { serviceId, zeroRates, type Counters, type ObservedService, type ObservedTable } from '@lvs-console/shared';
import { StatsStore } from '../../src/stats/stats-store';

const T0 = 1_700_000_000_000;
const SVC = 'tcp:192.0.2.1:80';

function counters(conns: number, bytes = conns * 1000): Counters {
  return { conns, inPkts: conns * 10, outPkts: conns * 10, inBytes: bytes, outBytes: bytes * 2 };
}

function table(dests: Array<{ address: string; conns: number; active?: number }>): ObservedTable {
  const total = dests.reduce((sum, d) => sum + d.conns, 0);
  const service: ObservedService = {
    key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 },
    scheduler: 'wrr',
    flags: [],
    persistence: null,
    onePacket: false,
    stats: counters(total),
    rates: zeroRates(),
    destinations: dests.map((d) => ({
      address: d.address,
      port: 80,
      forwarding: 'masq',
      weight: 1,
      upperThreshold: 0,
      lowerThreshold: 0,
      activeConns: d.active ?? 0,
      inactiveConns: 0,
      persistentConns: 0,
      stats: counters(d.conns),
      rates: zeroRates(),
    })),
  };
  return { services: [service], timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, syncDaemons: [] };
}

describe('StatsStore', () => {
  it('should compute rates from counter deltas over the real time between samples', () => {
    const stats = new StatsStore();
    stats.ingest(table([{ address: '10.0.0.1', conns: 100 }]), T0);
    stats.ingest(table([{ address: '10.0.0.1', conns: 110, active: 4 }]), T0 + 1000);
    stats.ingest(table([{ address: '10.0.0.1', conns: 130, active: 5 }]), T0 + 3000);
    const latest = stats.latest();
    const dest = latest?.services[0]?.destinations[0];
    expect(dest?.rates.cps).toBe(10);
    expect(dest?.rates.inBps).toBe(10_000);
    expect(dest?.rates.outBps).toBe(20_000);
    expect(dest?.activeConns).toBe(5);
    const window = stats.window({ minutes: 1, maxPoints: 300, includeDestinations: true });
    expect(window.services[0]?.destinations[0]?.points.map((p) => p.cps)).toEqual([0, 10, 10]);
  });

  it('should count from zero after a counter reset (ipvsadm -Z) instead of going negative', () => {
    const stats = new StatsStore();
    stats.ingest(table([{ address: '10.0.0.1', conns: 1000 }]), T0);
    stats.ingest(table([{ address: '10.0.0.1', conns: 1010 }]), T0 + 1000);
    stats.ingest(table([{ address: '10.0.0.1', conns: 3 }]), T0 + 2000);
    stats.ingest(table([{ address: '10.0.0.1', conns: 8 }]), T0 + 3000);
    const points = stats.window({ minutes: 1, maxPoints: 300, includeDestinations: true }).services[0]?.destinations[0]?.points ?? [];
    expect(points.map((p) => p.cps)).toEqual([0, 10, 3, 5]);
    expect(points.every((p) => p.cps >= 0)).toBe(true);
  });

  it('should start a fresh series for a destination that appears and drop one that disappears', () => {
    const stats = new StatsStore();
    stats.ingest(table([{ address: '10.0.0.1', conns: 10 }]), T0);
    stats.ingest(
      table([
        { address: '10.0.0.1', conns: 20 },
        { address: '10.0.0.2', conns: 500 },
      ]),
      T0 + 1000,
    );
    let sample = stats.latest();
    // The newcomer has no previous sample: no rate yet, not its whole history as one spike.
    expect(sample?.services[0]?.destinations.map((d) => [d.id, d.rates.cps])).toEqual([
      ['10.0.0.1:80', 10],
      ['10.0.0.2:80', 0],
    ]);
    stats.ingest(table([{ address: '10.0.0.2', conns: 510 }]), T0 + 2000);
    sample = stats.latest();
    expect(sample?.services[0]?.destinations.map((d) => [d.id, d.rates.cps])).toEqual([['10.0.0.2:80', 10]]);
    expect(stats.seriesCount).toBe(2);
  });

  it('should average long windows into at most maxPoints points', () => {
    const stats = new StatsStore();
    for (let i = 0; i <= 600; i++) stats.ingest(table([{ address: '10.0.0.1', conns: i * 2 }]), T0 + i * 1000);
    const window = stats.window({ minutes: 5, maxPoints: 60, includeDestinations: false });
    const points = window.services[0]?.points ?? [];
    expect(points.length).toBeLessThanOrEqual(60);
    expect(points.length).toBeGreaterThanOrEqual(59);
    expect(points.every((p) => p.cps === 2)).toBe(true);
    expect(window.services[0]?.destinations).toEqual([]);
  });

  it('should average into buckets aligned to whole steps, stamped with their start and sample count', () => {
    const stats = new StatsStore();
    // Start 7 s into a whole 15 s step so that the first bucket is partial.
    const base = Math.ceil(T0 / 15_000) * 15_000;
    const start = base + 7000;
    for (let i = 0; i <= 40; i++) stats.ingest(table([{ address: '10.0.0.1', conns: i * 3, active: i }]), start + i * 1000);
    const window = stats.window({ minutes: 1, maxPoints: 300, stepSeconds: 15, includeDestinations: true });
    expect(window.stepSeconds).toBe(15);
    const points = window.services[0]?.destinations[0]?.points ?? [];
    expect(points.map((p) => p.time)).toEqual([base, base + 15_000, base + 30_000, base + 45_000]);
    expect(points.map((p) => p.samples)).toEqual([8, 15, 15, 3]);
    // The first sample has no rate yet (0); every later one is 3 conn/s.
    expect(points[0]?.cps).toBeCloseTo((7 * 3) / 8);
    expect(points.slice(1).every((p) => p.cps === 3)).toBe(true);
    // Active connections 38, 39, 40 fall in the last bucket.
    expect(points[3]?.activeConns).toBe(39);
  });

  it('should keep one hour at 1 s and forget what is older', () => {
    const stats = new StatsStore({ historySeconds: 3600 });
    for (let i = 0; i < 4000; i++) stats.ingest(table([{ address: '10.0.0.1', conns: i }]), T0 + i * 1000);
    const points = stats.window({ minutes: 60, maxPoints: 3600, includeDestinations: true }).services[0]?.destinations[0]?.points ?? [];
    expect(points).toHaveLength(3600);
    expect(points.every((p) => p.cps === 1)).toBe(true);
  });

  it('should measure new connections per destination over the last minute', () => {
    const stats = new StatsStore();
    for (let i = 0; i <= 120; i++) {
      stats.ingest(
        table([
          { address: '10.0.0.1', conns: i * 3 },
          { address: '10.0.0.2', conns: i },
        ]),
        T0 + i * 1000,
      );
    }
    const measured = stats.connectionsPerDestination(SVC, 60);
    expect(measured.get('10.0.0.1:80')).toBe(180);
    expect(measured.get('10.0.0.2:80')).toBe(60);
  });

  it('should ignore a sample that is not newer than the last one', () => {
    const stats = new StatsStore();
    stats.ingest(table([{ address: '10.0.0.1', conns: 1 }]), T0);
    stats.ingest(table([{ address: '10.0.0.1', conns: 2 }]), T0);
    expect(stats.currentTick).toBe(0);
  });

  // Its cost (target < 5% of a core) is measured by `npm run bench` (api.bench.ts), not timed here:
  // a timed test fails on a busy machine without telling anything about the code.
  it('should keep every series of 1,000 services x 10 destinations', () => {
    const services: ObservedService[] = [];
    for (let s = 0; s < 1000; s++) {
      const svc = table(Array.from({ length: 10 }, (_, d) => ({ address: `10.${s >> 8}.${s & 255}.${d + 1}`, conns: 0 }))).services[0];
      if (!svc) throw new Error('no service');
      services.push({ ...svc, key: { kind: 'addr', protocol: 'tcp', address: `192.0.${s >> 8}.${s & 255}`, port: 80 } });
    }
    const big: ObservedTable = { services, timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, syncDaemons: [] };
    const stats = new StatsStore();
    const rounds = 30;
    for (let i = 0; i < rounds; i++) {
      for (const svc of services) for (const d of svc.destinations) d.stats.conns += 1;
      stats.ingest(big, T0 + i * 1000);
    }
    expect(stats.latest()?.services).toHaveLength(1000);
    const last = services[999];
    if (!last) throw new Error('no service');
    const perDestination = stats.connectionsPerDestination(serviceId(last.key), 60);
    expect([...perDestination.values()]).toEqual(Array.from({ length: 10 }, () => rounds - 1));
  });
});
