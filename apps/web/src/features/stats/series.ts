// Time series kept for the watch view: 1 s samples per destination in a
// bounded buffer, and the downsampling that keeps charts cheap to draw
// (a chart never holds more than a few thousand points in total).
import type { SeriesPoint } from '@lvs-console/shared/api';

export const METRICS = ['activeConns', 'inactiveConns', 'cps', 'inPps', 'outPps', 'inBps', 'outBps'] as const;
export type Metric = (typeof METRICS)[number];

/** Points per series such that the busiest chart stays under `budget` points. */
export function pointsPerSeries(seriesCount: number, budget = 6000, min = 60, max = 300): number {
  if (seriesCount <= 0) return max;
  return Math.max(min, Math.min(max, Math.floor(budget / seriesCount)));
}

/** Append a point, dropping those older than `horizonMs` before the newest. */
export function appendBounded(points: SeriesPoint[], point: SeriesPoint, horizonMs: number): SeriesPoint[] {
  const last = points[points.length - 1];
  if (last && point.time <= last.time) return points;
  const next = points.concat(point);
  const cutoff = point.time - horizonMs;
  let start = 0;
  while (start < next.length && (next[start]?.time ?? 0) < cutoff) start++;
  return start > 0 ? next.slice(start) : next;
}

/** Average points into buckets of `bucketMs`; each bucket keeps its first time. */
export function downsample(points: readonly SeriesPoint[], bucketMs: number): SeriesPoint[] {
  if (bucketMs <= 1000 || points.length === 0) return points.slice();
  const out: SeriesPoint[] = [];
  let bucket = -1;
  let sum: SeriesPoint | null = null;
  let n = 0;
  const flush = () => {
    if (!sum || n === 0) return;
    const avg = { ...sum };
    for (const m of METRICS) avg[m] = sum[m] / n;
    out.push(avg);
  };
  for (const p of points) {
    const b = Math.floor(p.time / bucketMs);
    if (b !== bucket) {
      flush();
      bucket = b;
      sum = { ...p, time: b * bucketMs };
      n = 1;
    } else if (sum) {
      for (const m of METRICS) sum[m] += p[m];
      n++;
    }
  }
  flush();
  return out;
}

export type ChartRow = { time: number } & Record<string, number>;

/**
 * Rows for a Recharts chart: one row per time, one column per series key
 * (`${destinationId}|${metric}`). Missing values stay absent (gaps).
 */
export function chartRows(series: ReadonlyMap<string, readonly SeriesPoint[]>, metrics: readonly Metric[], bucketMs: number): ChartRow[] {
  const rows = new Map<number, ChartRow>();
  for (const [id, points] of series) {
    for (const p of downsample(points, bucketMs)) {
      let row = rows.get(p.time);
      if (!row) {
        row = { time: p.time };
        rows.set(p.time, row);
      }
      for (const m of metrics) row[`${id}|${m}`] = p[m];
    }
  }
  return [...rows.values()].sort((a, b) => a.time - b.time);
}
