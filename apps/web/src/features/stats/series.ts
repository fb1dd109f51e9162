// Time series kept for the watch view. The agent averages its history into
// buckets aligned to whole steps (stats.window with stepSeconds); the view
// keeps those buckets per destination and folds each live 1 s sample into the
// newest one. A chart therefore never holds more than a few thousand points,
// and neither the first draw nor a 1 Hz update re-averages the whole window.
import type { SeriesPoint } from '@lvs-console/shared/api';

export const METRICS = ['activeConns', 'inactiveConns', 'cps', 'inPps', 'outPps', 'inBps', 'outBps'] as const;
export type Metric = (typeof METRICS)[number];

/** Points per series such that the busiest chart stays under `budget` points. */
export function pointsPerSeries(seriesCount: number, budget = 6000, min = 60, max = 300): number {
  if (seriesCount <= 0) return max;
  return Math.max(min, Math.min(max, Math.floor(budget / seriesCount)));
}

/** Whole seconds per bucket for a window, so that each series has at most pointsPerSeries points. */
export function bucketSeconds(windowMinutes: number, seriesCount: number): number {
  return Math.max(1, Math.ceil((windowMinutes * 60) / pointsPerSeries(seriesCount)));
}

/** One destination's buckets: start times, averages per metric, samples per bucket. */
export interface Buckets {
  readonly times: readonly number[];
  readonly counts: readonly number[];
  readonly values: Readonly<Record<Metric, readonly number[]>>;
}

export const NO_BUCKETS: Buckets = { times: [], counts: [], values: emptyValues() };

function emptyValues(): Record<Metric, number[]> {
  return { activeConns: [], inactiveConns: [], cps: [], inPps: [], outPps: [], inBps: [], outBps: [] };
}

/**
 * Buckets from points, each weighted by its `samples` (1 when absent). Points
 * falling in the same bucket are merged, so both the agent's aligned buckets
 * and raw 1 s points give the same result.
 */
export function bucketsFromPoints(points: readonly SeriesPoint[], bucketMs: number): Buckets {
  const times: number[] = [];
  const counts: number[] = [];
  const values = emptyValues();
  for (const p of points) {
    const start = Math.floor(p.time / bucketMs) * bucketMs;
    const weight = p.samples ?? 1;
    const last = times.length - 1;
    if (last >= 0 && times[last] === start) {
      const n = counts[last] ?? 0;
      for (const m of METRICS) values[m][last] = ((values[m][last] ?? 0) * n + p[m] * weight) / (n + weight);
      counts[last] = n + weight;
    } else if (last < 0 || start > (times[last] ?? 0)) {
      times.push(start);
      counts.push(weight);
      for (const m of METRICS) values[m].push(p[m]);
    }
  }
  return { times, counts, values };
}

/**
 * Fold one 1 s sample into the newest bucket (or open a new one) and drop
 * buckets that ended before `horizonMs` ago. Returns new arrays: the caller's
 * old ones may still be on screen.
 */
export function addSample(buckets: Buckets, point: SeriesPoint, bucketMs: number, horizonMs: number): Buckets {
  const start = Math.floor(point.time / bucketMs) * bucketMs;
  const lastIndex = buckets.times.length - 1;
  const lastStart = buckets.times[lastIndex];
  if (lastStart !== undefined && start < lastStart) return buckets;
  const cutoff = point.time - horizonMs - bucketMs;
  let drop = 0;
  while (drop < buckets.times.length && (buckets.times[drop] ?? 0) < cutoff) drop++;
  const times = buckets.times.slice(drop);
  const counts = buckets.counts.slice(drop);
  const values = emptyValues();
  for (const m of METRICS) values[m] = buckets.values[m].slice(drop);
  const last = times.length - 1;
  if (last >= 0 && times[last] === start) {
    const n = counts[last] ?? 0;
    for (const m of METRICS) values[m][last] = ((values[m][last] ?? 0) * n + point[m]) / (n + 1);
    counts[last] = n + 1;
  } else {
    times.push(start);
    counts.push(1);
    for (const m of METRICS) values[m].push(point[m]);
  }
  return { times, counts, values };
}

export interface TotalsRow {
  time: number;
  cps: number;
  activeConns: number;
}

/** The service's total per bucket: new connections per second and active connections. */
export function totalsOf(series: Iterable<Buckets>): TotalsRow[] {
  const byTime = new Map<number, TotalsRow>();
  for (const buckets of series) {
    for (let i = 0; i < buckets.times.length; i++) {
      const time = buckets.times[i] ?? 0;
      let row = byTime.get(time);
      if (!row) {
        row = { time, cps: 0, activeConns: 0 };
        byTime.set(time, row);
      }
      row.cps += buckets.values.cps[i] ?? 0;
      row.activeConns += buckets.values.activeConns[i] ?? 0;
    }
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

/** One destination's share of the service's new connections per bucket. */
export interface ShareSeries {
  times: number[];
  values: number[];
}

/**
 * Measured share over time: each destination's new connections per second
 * divided by the service's, bucket by bucket. Buckets in which the service
 * took no new connection have no share and are skipped.
 */
export function sharesOverTime(byId: ReadonlyMap<string, Buckets>): Map<string, ShareSeries> {
  const totals = new Map<number, number>();
  for (const buckets of byId.values()) {
    for (let i = 0; i < buckets.times.length; i++) {
      const time = buckets.times[i] ?? 0;
      totals.set(time, (totals.get(time) ?? 0) + (buckets.values.cps[i] ?? 0));
    }
  }
  const shares = new Map<string, ShareSeries>();
  for (const [id, buckets] of byId) {
    const series: ShareSeries = { times: [], values: [] };
    for (let i = 0; i < buckets.times.length; i++) {
      const time = buckets.times[i] ?? 0;
      const total = totals.get(time) ?? 0;
      if (total <= 0) continue;
      series.times.push(time);
      series.values.push((buckets.values.cps[i] ?? 0) / total);
    }
    shares.set(id, series);
  }
  return shares;
}

/** A real server's rates in the newest bucket. */
export interface RateRow {
  id: string;
  time: number;
  cps: number;
  inPps: number;
  outPps: number;
  inBps: number;
  outBps: number;
  activeConns: number;
  inactiveConns: number;
}

/** The newest bucket of every destination, by id. */
export function latestRates(byId: ReadonlyMap<string, Buckets>): RateRow[] {
  const rows: RateRow[] = [];
  for (const [id, buckets] of byId) {
    const last = buckets.times.length - 1;
    if (last < 0) continue;
    const at = (metric: Metric) => buckets.values[metric][last] ?? 0;
    rows.push({
      id,
      time: buckets.times[last] ?? 0,
      cps: at('cps'),
      inPps: at('inPps'),
      outPps: at('outPps'),
      inBps: at('inBps'),
      outBps: at('outBps'),
      activeConns: at('activeConns'),
      inactiveConns: at('inactiveConns'),
    });
  }
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}
