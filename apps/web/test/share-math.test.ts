import { describe, expect, it } from 'vitest';
import { formatShare, measuredShares, parseWeight, sliderMax, steadyStateShares, weightIgnoredReason } from '../src/features/weights/share-math';
import { clientsMoved, predictedShares, type PredictInput } from '../src/features/schedulers/predict';
import { SCHEDULER_CATALOG } from '../src/features/schedulers/catalog';
import type { ObservedTable } from '@lvs-console/shared';
import { overlayLiveSample } from '@lvs-console/shared/api';
import { linePath, niceMax } from '../src/features/stats/line-chart';
import { addSample, bucketSeconds, bucketsFromPoints, NO_BUCKETS, pointsPerSeries, totalsOf } from '../src/features/stats/series';
import { loginCodeFromHash, loginCodeFromInput } from '../src/lib/session';

const dests = [
  { id: 'a', weight: 3 },
  { id: 'b', weight: 2 },
  { id: 'c', weight: 1 },
];

describe('steadyStateShares', () => {
  it('splits by weight for wrr and equally for rr; weight 0 and failing get nothing', () => {
    const wrr = steadyStateShares('wrr', dests);
    expect(wrr.get('a')).toBeCloseTo(0.5);
    expect(wrr.get('c')).toBeCloseTo(1 / 6);
    const rr = steadyStateShares('rr', [...dests, { id: 'd', weight: 0 }, { id: 'e', weight: 5, unavailable: true }]);
    expect(rr.get('a')).toBeCloseTo(1 / 3);
    expect(rr.get('d')).toBe(0);
    expect(rr.get('e')).toBe(0);
  });
  it('sends everything to the highest weight for fo', () => {
    expect(steadyStateShares('fo', dests).get('a')).toBe(1);
  });
});

describe('predictedShares (packages/shared models)', () => {
  const base: PredictInput = {
    key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
    scheduler: 'wrr',
    flags: [],
    persistence: null,
    destinations: [
      { address: '10.0.0.1', port: 80, forwarding: 'masq', weight: 3, upperThreshold: 0, lowerThreshold: 0 },
      { address: '10.0.0.2', port: 80, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
    ],
  };
  it('predicts wrr exactly and applies slider drafts', () => {
    expect(predictedShares(base)?.shares.get('10.0.0.1:80')).toBeCloseTo(0.75);
    expect(predictedShares({ ...base, weights: new Map([['10.0.0.2:80', 3]]) })?.shares.get('10.0.0.1:80')).toBeCloseTo(0.5);
  });
  it('says when the scheduler ignores weights', () => {
    const rr = predictedShares({ ...base, scheduler: 'rr' });
    expect(rr?.weightsMatter).toBe(false);
    expect(rr?.shares.get('10.0.0.1:80')).toBeCloseTo(0.5);
    expect(weightIgnoredReason('rr')).toMatch(/ignores weights/);
    expect(weightIgnoredReason('wlc')).toBeNull();
  });
  it('counts clients that move when an mh server is drained', () => {
    const mh: PredictInput = {
      ...base,
      scheduler: 'mh',
      destinations: [...base.destinations, { address: '10.0.0.3', port: 80, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
    };
    const moved = clientsMoved(mh, { ...mh, weights: new Map([['10.0.0.3:80', 0]]) });
    expect(moved).not.toBeNull();
    // Only the drained server's clients move (about a fifth), not everyone.
    expect(moved?.fraction ?? 1).toBeGreaterThan(0.05);
    expect(moved?.fraction ?? 1).toBeLessThan(0.4);
    expect(clientsMoved(base, { ...base, scheduler: 'sh' })).toBeNull();
  });
});

describe('measuredShares and formatting', () => {
  it('turns counts into fractions, null when nothing was counted', () => {
    expect(
      measuredShares(
        new Map([
          ['a', 30],
          ['b', 10],
        ]),
      )?.get('a'),
    ).toBeCloseTo(0.75);
    expect(measuredShares(new Map([['a', 0]]))).toBeNull();
    expect(formatShare(0.3333)).toBe('33.3%');
    expect(formatShare(null)).toBe('—');
  });
  it('reads typed weights with messages a person can act on', () => {
    expect(parseWeight('42')).toEqual({ ok: true, weight: 42 });
    expect(parseWeight('65535')).toEqual({ ok: true, weight: 65535 });
    expect(parseWeight('65536')).toEqual({ ok: false, message: 'the largest weight is 65535' });
    expect(parseWeight('1.5').ok).toBe(false);
    expect(parseWeight('').ok).toBe(false);
  });
  it('scales the slider above the largest weight', () => {
    expect(sliderMax([1, 2, 3])).toBe(10);
    expect(sliderMax([60])).toBe(200);
    expect(sliderMax([40000])).toBe(65535);
  });
  it('lists all 14 kernel schedulers once', () => {
    expect(SCHEDULER_CATALOG.map((s) => s.name).sort()).toEqual([
      'dh',
      'fo',
      'lblc',
      'lblcr',
      'lc',
      'mh',
      'nq',
      'ovf',
      'rr',
      'sed',
      'sh',
      'twos',
      'wlc',
      'wrr',
    ]);
  });
});

describe('rates and series', () => {
  it("lays the stats stream's rates and connection counts over the held kernel table (services the sample lacks stay as they are)", () => {
    const zero = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };
    const counters = { conns: 5, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
    const dest = {
      address: '10.0.0.7',
      port: 80,
      forwarding: 'masq' as const,
      weight: 1,
      upperThreshold: 0,
      lowerThreshold: 0,
      activeConns: 1,
      inactiveConns: 2,
      persistentConns: 0,
      stats: counters,
      rates: zero,
    };
    const service = (port: number) => ({
      key: { kind: 'addr' as const, protocol: 'tcp' as const, address: '192.0.2.1', port },
      scheduler: 'wlc',
      flags: [],
      persistence: null,
      destinations: [dest],
      stats: counters,
      rates: zero,
    });
    const table = { services: [service(80), service(443)], timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, syncDaemons: [] };
    const rates = { cps: 12, inPps: 3, outPps: 4, inBps: 5, outBps: 6 };
    const sample = {
      time: 1,
      services: [
        { id: 'tcp:192.0.2.1:80', rates, destinations: [{ id: '10.0.0.7:80', rates, activeConns: 40, inactiveConns: 9, persistentConns: 3, weight: 1 }] },
      ],
    };
    const live = overlayLiveSample(table as unknown as ObservedTable, sample);
    expect(live.services[0]?.rates.cps).toBe(12);
    expect(live.services[0]?.destinations[0]).toMatchObject({ activeConns: 40, inactiveConns: 9, persistentConns: 3, rates: { cps: 12 }, weight: 1 });
    expect(live.services[1]).toBe(table.services[1]);
    expect(overlayLiveSample(table as unknown as ObservedTable, null)).toBe(table);
  });
  const point = (time: number, cps: number) => ({ time, cps, inPps: 0, outPps: 0, inBps: 0, outBps: 0, activeConns: cps, inactiveConns: 0 });
  const avg = (points: ReadonlyArray<{ cps: number }>) => points.reduce((sum, p) => sum + p.cps, 0) / points.length;
  it('averages samples into aligned buckets and keeps only the window', () => {
    let buckets = NO_BUCKETS;
    for (let t = 0; t <= 10_000; t += 1000) buckets = addSample(buckets, point(t, t / 1000), 2000, 5000);
    // Buckets start on whole 2 s steps; the newest holds one sample so far.
    expect(buckets.times).toEqual([4000, 6000, 8000, 10_000]);
    expect(buckets.counts).toEqual([2, 2, 2, 1]);
    expect(buckets.values.cps).toEqual([4.5, 6.5, 8.5, 10]);
    const before = buckets;
    buckets = addSample(buckets, point(11_000, 20), 2000, 5000);
    expect(buckets.values.cps.at(-1)).toBe(15);
    // The arrays on screen are not changed underneath a render.
    expect(before.values.cps.at(-1)).toBe(10);
    // A sample older than the newest bucket is ignored.
    expect(addSample(buckets, point(1000, 99), 2000, 5000)).toBe(buckets);
  });
  it("continues the agent's aligned buckets with live samples as if all had been 1 s samples", () => {
    const raw = Array.from({ length: 40 }, (_, i) => point(7000 + i * 1000, i % 7));
    const fromAgent = [
      { ...point(0, 0), cps: avg(raw.slice(0, 8)), samples: 8 },
      { ...point(15_000, 0), cps: avg(raw.slice(8, 23)), samples: 15 },
      { ...point(30_000, 0), cps: avg(raw.slice(23, 38)), samples: 15 },
      { ...point(45_000, 0), cps: avg(raw.slice(38, 40)), samples: 2 },
    ];
    let live = bucketsFromPoints(fromAgent, 15_000);
    let direct = bucketsFromPoints(raw, 15_000);
    for (let t = 47_000; t < 70_000; t += 1000) {
      live = addSample(live, point(t, t % 5), 15_000, 900_000);
      direct = addSample(direct, point(t, t % 5), 15_000, 900_000);
    }
    expect(live.times).toEqual(direct.times);
    expect(live.counts).toEqual(direct.counts);
    live.values.cps.forEach((v, i) => expect(v).toBeCloseTo(direct.values.cps[i] ?? NaN, 9));
  });
  it('bounds the points a chart draws for many series', () => {
    expect(pointsPerSeries(100)).toBe(60);
    expect(pointsPerSeries(4)).toBe(300);
    // 50 destinations, two series each, over 15 minutes: 15 s buckets, 60 points.
    expect(bucketSeconds(15, 100)).toBe(15);
    expect(bucketSeconds(1, 100)).toBe(1);
    expect(bucketSeconds(60, 4)).toBe(12);
  });
  it('draws a series as an SVG path scaled to the plot, skipping points before the window', () => {
    expect(linePath([0, 1000, 2000, 3000], [9, 0, 5, 10], 1000, 3000, 10, 200, 100)).toBe('M0,100L100,50L200,0');
    expect(linePath([0, 1000], [1, 1], 1500, 3000, 10, 200, 100)).toBe('');
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7.3)).toBe(8);
    expect(niceMax(1234)).toBe(1500);
  });
  it('sums the service total per bucket', () => {
    const a = bucketsFromPoints([point(0, 1), point(1000, 3)], 1000);
    const b = bucketsFromPoints([point(1000, 5)], 1000);
    expect(totalsOf([a, b])).toEqual([
      { time: 0, cps: 1, activeConns: 1 },
      { time: 1000, cps: 8, activeConns: 8 },
    ]);
  });
});

describe('login codes', () => {
  it('reads the banner URL fragment, a pasted URL or a bare code', () => {
    expect(loginCodeFromHash('#login=abc_DEF-1')).toBe('abc_DEF-1');
    expect(loginCodeFromInput('http://127.0.0.1:8080/#login=XYZ')).toBe('XYZ');
    expect(loginCodeFromInput('XYZ')).toBe('XYZ');
    expect(loginCodeFromInput('not a code!')).toBeNull();
  });
});
