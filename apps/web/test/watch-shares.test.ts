// The watch view's measured share over time and its per-real-server rates.
import { describe, expect, it } from 'vitest';
import type { SeriesPoint } from '@lvs-console/shared/api';
import { bucketsFromPoints, latestRates, sharesOverTime } from '../src/features/stats/series';

const T0 = Date.parse('2026-12-06T10:00:00Z');
const point = (seconds: number, cps: number, inPps = 0): SeriesPoint => ({
  time: T0 + seconds * 1000,
  cps,
  inPps,
  outPps: 0,
  inBps: 0,
  outBps: 0,
  activeConns: 2,
  inactiveConns: 1,
});

describe('measured share over time', () => {
  const byId = new Map([
    ['10.0.0.1:80', bucketsFromPoints([point(0, 3), point(10, 0), point(20, 1, 7)], 10_000)],
    ['10.0.0.2:80', bucketsFromPoints([point(0, 1), point(10, 0), point(20, 3, 9)], 10_000)],
  ]);

  it('divides each server by the service per bucket and skips buckets without new connections', () => {
    const shares = sharesOverTime(byId);
    expect(shares.get('10.0.0.1:80')).toEqual({ times: [T0, T0 + 20_000], values: [0.75, 0.25] });
    expect(shares.get('10.0.0.2:80')?.values).toEqual([0.25, 0.75]);
  });

  it('lists the newest bucket of every server, sorted by server', () => {
    const rows = latestRates(new Map([...byId].reverse()));
    expect(rows.map((r) => [r.id, r.time, r.cps, r.inPps, r.activeConns])).toEqual([
      ['10.0.0.1:80', T0 + 20_000, 1, 7, 2],
      ['10.0.0.2:80', T0 + 20_000, 3, 9, 2],
    ]);
  });
});
