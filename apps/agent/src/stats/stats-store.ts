// Counter history: one sample a second into ring buffers (typed arrays, no
// per-sample objects), per service and per destination. Rates come from
// deltas of the kernel's 64-bit counters divided by the real time between
// samples, never from the kernel's 8 s EWMA. A counter that goes down
// (ipvsadm -Z, or a destination re-created) counts from zero again.
//
// Behind the 1 s window, a coarse tier keeps 10 s averages for 24 h; each
// finished 10 s bucket also goes to a HistorySink (the on-disk archive,
// history-archive.ts), from which a restarted agent restores the coarse tier.
import { destinationId, serviceId, type Counters, type ObservedTable } from '@lvs-console/shared';
import type { LiveSample, RateSample, SeriesPoint, ServiceSeries } from '@lvs-console/shared/api';
import type { ArchivedBucket, HistorySink } from './history-archive';

/** Counter fields in storage order. */
const FIELDS = ['conns', 'inPkts', 'outPkts', 'inBytes', 'outBytes'] as const satisfies readonly (keyof Counters)[];
const FIELD_COUNT = FIELDS.length;
/** Per slot: 5 counter deltas, active and inactive connections. */
const VALUES_PER_SLOT = FIELD_COUNT + 2;
const ACTIVE = FIELD_COUNT;
const INACTIVE = FIELD_COUNT + 1;
const BYTES_PER_SLOT = VALUES_PER_SLOT * 4;
const INITIAL_SLOTS = 64;
/** The coarse tier's resolution. */
export const COARSE_MS = 10_000;

export interface StatsOptions {
  /** Seconds of 1 s history kept per series (default one hour). */
  historySeconds?: number;
  /**
   * Upper bound for the history's memory; with very many destinations the
   * history is shortened to fit rather than exhaust the director's RAM.
   */
  memoryBudgetBytes?: number;
  /** Seconds of 10 s averages kept behind the 1 s history (default 24 h). */
  coarseSeconds?: number;
  /** Receives every finished 10 s bucket (the on-disk archive). */
  archive?: HistorySink;
}

/**
 * One entity's history. Slots are addressed by global tick, stored linearly
 * until full, then as a ring. In the 1 s tier a slot holds counter deltas;
 * in the coarse tier it holds rates (both then active and inactive).
 */
class Series {
  /** Deltas as Float32: exact to 2^24 per second, plenty for rates. */
  values: Float32Array;
  capacity: number;
  readonly firstTick: number;
  lastTick: number;
  /** The previous sample's raw 64-bit counters (as doubles, exact to 2^53). */
  readonly lastCounters = new Float64Array(FIELD_COUNT);
  weight = 0;
  persistent = 0;

  constructor(
    tick: number,
    private readonly maxCapacity: number,
  ) {
    this.capacity = Math.min(INITIAL_SLOTS, maxCapacity);
    this.values = new Float32Array(this.capacity * VALUES_PER_SLOT);
    this.firstTick = tick;
    this.lastTick = tick;
  }

  slotOf(tick: number): number {
    return ((tick - this.firstTick) % this.capacity) * VALUES_PER_SLOT;
  }

  /** Grow (double) before the ring would first wrap, while under the cap. */
  ensureRoom(tick: number): void {
    const offset = tick - this.firstTick;
    if (offset < this.capacity || this.capacity >= this.maxCapacity) return;
    const grown = Math.min(this.capacity * 2, this.maxCapacity);
    const values = new Float32Array(grown * VALUES_PER_SLOT);
    values.set(this.values);
    this.values = values;
    this.capacity = grown;
  }

  /** Oldest tick whose slot still holds this series' data. */
  oldestTick(currentTick: number): number {
    return Math.max(this.firstTick, currentTick - this.capacity + 1);
  }
}

export interface WindowQuery {
  minutes: number;
  services?: string[] | undefined;
  maxPoints: number;
  /** Average over buckets aligned to multiples of this many seconds instead (see statsWindowInput). */
  stepSeconds?: number | undefined;
  includeDestinations: boolean;
}

export interface WindowResult {
  from: number;
  to: number;
  /** Seconds per point after averaging. */
  stepSeconds: number;
  /** Seconds of 1 s history the agent keeps (may be below 3600 on very large tables). */
  historySeconds: number;
  services: ServiceSeries[];
}

export class StatsStore {
  readonly historySeconds: number;
  private readonly maxHistory: number;
  private readonly memoryBudget: number;
  /** Sample times by tick (ring of historySeconds). */
  private times: Float64Array;
  private tick = -1;
  private readonly series = new Map<string, Series>();
  /** Destination series ids of each service, in kernel order. */
  private readonly layout = new Map<string, string[]>();
  private lastSampleSnapshot: LiveSample | null = null;
  private readonly coarse: CoarseTier;
  private readonly archive: HistorySink | null;
  /** Sums of the 10 s bucket being filled: VALUES_PER_SLOT rates per series, then the sample count. */
  private readonly pending = new Map<string, Float64Array>();
  private pendingBucket = Number.NaN;
  private pendingSamples = 0;

  constructor(options: StatsOptions = {}) {
    this.maxHistory = options.historySeconds ?? 3600;
    this.memoryBudget = options.memoryBudgetBytes ?? 768 * 1024 * 1024;
    this.historySeconds = this.maxHistory;
    // One extra slot: the oldest kept sample's rate needs the time of the one before it.
    this.times = new Float64Array(this.maxHistory + 1);
    this.coarse = new CoarseTier(Math.ceil(((options.coarseSeconds ?? 86_400) * 1000) / COARSE_MS));
    this.archive = options.archive ?? null;
  }

  /** Seconds the 1 s and 10 s tiers reach back together. */
  get coveredSeconds(): number {
    return Math.max(this.historySeconds, (this.coarse.slots * COARSE_MS) / 1000);
  }

  /** Coarse buckets read back from the archive (oldest first), before the first ingest. */
  restore(buckets: readonly ArchivedBucket[]): void {
    for (const bucket of buckets) this.coarse.add(bucket, this.coarseCapacityFor(bucket.ids.length));
    const last = buckets.at(-1);
    if (!last || this.tick >= 0) return;
    // Until the first sample, the services of the archive's last bucket are the ones shown.
    this.layout.clear();
    for (const id of last.ids) {
      const bar = id.indexOf('|');
      if (bar < 0) this.layout.set(id, this.layout.get(id) ?? []);
      else this.layout.get(id.slice(0, bar))?.push(id);
    }
  }

  /** Ends the 10 s bucket being filled (on shutdown), so a restart loses none of it. */
  flush(): void {
    this.finishBucket();
  }

  /** The coarse tier gets a third of the memory budget. */
  private coarseCapacityFor(seriesCount: number): number {
    const fit = Math.floor(this.memoryBudget / 3 / Math.max(1, seriesCount) / BYTES_PER_SLOT);
    return Math.max(360, Math.min(this.coarse.slots, fit));
  }

  get currentTick(): number {
    return this.tick;
  }

  get seriesCount(): number {
    return this.series.size;
  }

  /** History per series that fits the memory budget with this many series. */
  private capacityFor(seriesCount: number): number {
    const fit = Math.floor(this.memoryBudget / Math.max(1, seriesCount) / BYTES_PER_SLOT);
    return Math.max(60, Math.min(this.maxHistory, fit));
  }

  /** Record one observation taken at `time` (epoch ms). */
  ingest(table: ObservedTable, time: number): void {
    const previousTime = this.tick >= 0 ? (this.times[this.tick % this.times.length] ?? time) : time;
    if (this.tick >= 0 && time <= previousTime) return;
    const bucket = Math.floor(time / COARSE_MS) * COARSE_MS;
    if (bucket !== this.pendingBucket) this.finishBucket();
    this.pendingBucket = bucket;
    const tick = ++this.tick;
    this.times[tick % this.times.length] = time;
    const expectedSeries = table.services.reduce((n, svc) => n + 1 + svc.destinations.length, 0);
    const capacity = this.capacityFor(expectedSeries);
    this.layout.clear();
    this.lastSampleSnapshot = null;

    for (const svc of table.services) {
      const svcId = serviceId(svc.key);
      this.record(svcId, svc.stats, 0, 0, 0, 0, tick, capacity);
      const destIds: string[] = [];
      for (const dest of svc.destinations) {
        const id = `${svcId}|${destinationId(dest)}`;
        destIds.push(id);
        this.record(id, dest.stats, dest.activeConns, dest.inactiveConns, dest.persistentConns, dest.weight, tick, capacity);
      }
      this.layout.set(svcId, destIds);
    }
    // Destinations and services that disappeared lose their history.
    for (const [id, series] of this.series) {
      if (series.lastTick !== tick) this.series.delete(id);
    }
    this.addToBucket(tick);
  }

  /** Adds this tick's rates of every series to the 10 s bucket being filled. */
  private addToBucket(tick: number): void {
    this.pendingSamples++;
    const seconds = tick > 0 ? (this.timeAt(tick) - this.timeAt(tick - 1)) / 1000 : 0;
    for (const [svcId, destIds] of this.layout) {
      for (const id of [svcId, ...destIds]) {
        const series = this.series.get(id);
        if (!series) continue;
        const slot = series.slotOf(tick);
        const v = series.values;
        // A series' first sample has no rate yet.
        if (Number.isNaN(v[slot] ?? Number.NaN) || seconds <= 0) continue;
        let sums = this.pending.get(id);
        if (!sums) {
          sums = new Float64Array(VALUES_PER_SLOT + 1);
          this.pending.set(id, sums);
        }
        for (let f = 0; f < FIELD_COUNT; f++) sums[f] = (sums[f] ?? 0) + (v[slot + f] ?? 0) / seconds;
        sums[ACTIVE] = (sums[ACTIVE] ?? 0) + (v[slot + ACTIVE] ?? 0);
        sums[INACTIVE] = (sums[INACTIVE] ?? 0) + (v[slot + INACTIVE] ?? 0);
        sums[VALUES_PER_SLOT] = (sums[VALUES_PER_SLOT] ?? 0) + 1;
      }
    }
  }

  private finishBucket(): void {
    if (Number.isNaN(this.pendingBucket) || this.pending.size === 0) {
      this.pendingSamples = 0;
      return;
    }
    const ids = [...this.pending.keys()];
    const values = new Float32Array(ids.length * VALUES_PER_SLOT);
    ids.forEach((id, i) => {
      const sums = this.pending.get(id) as Float64Array;
      const n = sums[VALUES_PER_SLOT] ?? 1;
      for (let f = 0; f < VALUES_PER_SLOT; f++) values[i * VALUES_PER_SLOT + f] = (sums[f] ?? 0) / n;
    });
    const bucket: ArchivedBucket = { time: this.pendingBucket, samples: this.pendingSamples, ids, values };
    this.pending.clear();
    this.pendingSamples = 0;
    this.coarse.add(bucket, this.coarseCapacityFor(ids.length));
    this.archive?.append(bucket);
  }

  private record(id: string, counters: Counters, active: number, inactive: number, persistent: number, weight: number, tick: number, capacity: number): void {
    let series = this.series.get(id);
    const isNew = !series || series.lastTick !== tick - 1;
    if (!series || isNew) {
      series = new Series(tick, capacity);
      this.series.set(id, series);
    } else {
      series.ensureRoom(tick);
    }
    const slot = series.slotOf(tick);
    const values = series.values;
    const last = series.lastCounters;
    // A counter that went down means the kernel's counters were reset:
    // everything counted now happened since the reset.
    let reset = false;
    for (let f = 0; f < FIELD_COUNT; f++) {
      if (counters[FIELDS[f] as keyof Counters] < (last[f] ?? 0)) reset = true;
    }
    for (let f = 0; f < FIELD_COUNT; f++) {
      const value = counters[FIELDS[f] as keyof Counters];
      values[slot + f] = isNew ? Number.NaN : reset ? value : value - (last[f] ?? 0);
      last[f] = value;
    }
    values[slot + ACTIVE] = active;
    values[slot + INACTIVE] = inactive;
    series.lastTick = tick;
    series.weight = weight;
    series.persistent = persistent;
  }

  private timeAt(tick: number): number {
    return this.times[tick % this.times.length] ?? 0;
  }

  private rateAt(series: Series, tick: number): RateSample & { activeConns: number; inactiveConns: number } {
    const slot = series.slotOf(tick);
    const seconds = tick > 0 ? (this.timeAt(tick) - this.timeAt(tick - 1)) / 1000 : 1;
    const v = series.values;
    const rate = (f: number) => {
      const delta = v[slot + f] ?? Number.NaN;
      return Number.isNaN(delta) || seconds <= 0 ? 0 : delta / seconds;
    };
    return {
      cps: rate(0),
      inPps: rate(1),
      outPps: rate(2),
      inBps: rate(3),
      outBps: rate(4),
      activeConns: v[slot + ACTIVE] ?? 0,
      inactiveConns: v[slot + INACTIVE] ?? 0,
    };
  }

  /** The most recent second: rates and connection numbers of every series. */
  latest(): LiveSample | null {
    if (this.tick < 0) return null;
    if (this.lastSampleSnapshot) return this.lastSampleSnapshot;
    const tick = this.tick;
    const services: LiveSample['services'] = [];
    for (const [svcId, destIds] of this.layout) {
      const svcSeries = this.series.get(svcId);
      if (!svcSeries) continue;
      const { activeConns: _a, inactiveConns: _i, ...rates } = this.rateAt(svcSeries, tick);
      services.push({
        id: svcId,
        rates,
        destinations: destIds.flatMap((id) => {
          const series = this.series.get(id);
          if (!series) return [];
          const { activeConns, inactiveConns, ...destRates } = this.rateAt(series, tick);
          return [{ id: id.slice(svcId.length + 1), rates: destRates, activeConns, inactiveConns, persistentConns: series.persistent, weight: series.weight }];
        }),
      });
    }
    this.lastSampleSnapshot = { time: this.timeAt(tick), services };
    return this.lastSampleSnapshot;
  }

  /** Averaged points over the last `minutes`, at most maxPoints per series. */
  window(query: WindowQuery): WindowResult {
    const to = Math.max(this.tick >= 0 ? this.timeAt(this.tick) : 0, this.coarse.newestTime());
    const from = to - query.minutes * 60_000;
    const wanted = query.services ? new Set(query.services) : null;
    const services: ServiceSeries[] = [];
    for (const [svcId, destIds] of this.layout) {
      if (wanted && !wanted.has(svcId)) continue;
      if (!this.series.has(svcId) && !this.coarse.series.has(svcId)) continue;
      services.push({
        id: svcId,
        points: this.points(svcId, from, query),
        destinations: query.includeDestinations
          ? destIds.flatMap((id) =>
              this.series.has(id) || this.coarse.series.has(id) ? [{ id: id.slice(svcId.length + 1), points: this.points(id, from, query) }] : [],
            )
          : [],
      });
    }
    const span = Math.min(query.minutes * 60, this.coveredSeconds);
    const stepSeconds = query.stepSeconds ?? Math.max(1, Math.ceil(span / query.maxPoints));
    return { from, to, stepSeconds, historySeconds: this.historySeconds, services };
  }

  /**
   * A series' points since `from`: the coarse tier's 10 s averages up to where
   * its 1 s history begins, then the 1 s samples, averaged per point with each
   * 10 s bucket weighing as many samples as it averaged.
   */
  private points(id: string, from: number, query: Pick<WindowQuery, 'maxPoints' | 'stepSeconds'>): SeriesPoint[] {
    const series = this.series.get(id);
    let first = this.tick + 1;
    if (series && this.tick >= 0) {
      // Ticks older than the time ring (or the window) are skipped.
      first = Math.max(series.oldestTick(this.tick), this.tick - this.maxHistory + 1);
      while (first <= this.tick && this.timeAt(first) <= from) first++;
    }
    const fineStart = first <= this.tick ? this.timeAt(first) : Number.POSITIVE_INFINITY;
    const coarse = this.coarse.range(id, from, fineStart);
    const count = coarse.weight + Math.max(0, this.tick - first + 1);
    if (count <= 0) return [];
    // Either runs of equal weight stamped with their last sample's time, or
    // buckets aligned to whole steps stamped with the step's start time.
    const stepMs = query.stepSeconds ? query.stepSeconds * 1000 : 0;
    const perPoint = Math.max(1, Math.ceil(count / query.maxPoints));
    const points: SeriesPoint[] = [];
    let sum = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0, activeConns: 0, inactiveConns: 0 };
    let n = 0;
    let bucket = Number.NaN;
    let lastTime = 0;
    const flush = (time: number) => {
      if (n === 0) return;
      points.push({
        time,
        cps: sum.cps / n,
        inPps: sum.inPps / n,
        outPps: sum.outPps / n,
        inBps: sum.inBps / n,
        outBps: sum.outBps / n,
        activeConns: sum.activeConns / n,
        inactiveConns: sum.inactiveConns / n,
        samples: n,
      });
      sum = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0, activeConns: 0, inactiveConns: 0 };
      n = 0;
    };
    const add = (time: number, r: RateSample & { activeConns: number; inactiveConns: number }, weight: number) => {
      if (stepMs > 0) {
        const start = Math.floor(time / stepMs) * stepMs;
        if (start !== bucket) flush(bucket);
        bucket = start;
      }
      sum.cps += r.cps * weight;
      sum.inPps += r.inPps * weight;
      sum.outPps += r.outPps * weight;
      sum.inBps += r.inBps * weight;
      sum.outBps += r.outBps * weight;
      sum.activeConns += r.activeConns * weight;
      sum.inactiveConns += r.inactiveConns * weight;
      n += weight;
      lastTime = time;
      if (stepMs === 0 && n >= perPoint) flush(time);
    };
    for (const item of coarse.items) add(item.time, item.rates, item.weight);
    if (series) for (let t = first; t <= this.tick; t++) add(this.timeAt(t), this.rateAt(series, t), 1);
    flush(stepMs > 0 ? bucket : lastTime);
    return points;
  }

  /** New connections per destination of one service over the last `seconds`. */
  connectionsPerDestination(svcId: string, seconds: number): Map<string, number> {
    const result = new Map<string, number>();
    const destIds = this.layout.get(svcId) ?? [];
    const since = this.tick >= 0 ? this.timeAt(this.tick) - seconds * 1000 : 0;
    for (const id of destIds) {
      const series = this.series.get(id);
      if (!series) continue;
      let total = 0;
      for (let t = this.tick; t >= series.oldestTick(this.tick) && t > this.tick - this.maxHistory && this.timeAt(t) > since; t--) {
        const delta = series.values[series.slotOf(t)] ?? 0;
        if (!Number.isNaN(delta)) total += delta;
      }
      result.set(id.slice(svcId.length + 1), total);
    }
    return result;
  }
}

interface CoarseItem {
  time: number;
  weight: number;
  rates: RateSample & { activeConns: number; inactiveConns: number };
}

/** 10 s averages by coarse tick: a ring of bucket times and sample counts, and one Series per entity. */
class CoarseTier {
  private readonly times: Float64Array;
  private readonly samples: Uint32Array;
  private tick = -1;
  readonly series = new Map<string, Series>();
  private lastIds: readonly string[] = [];
  private lastSeries: Series[] = [];

  constructor(readonly slots: number) {
    this.times = new Float64Array(slots);
    this.samples = new Uint32Array(slots);
  }

  newestTime(): number {
    return this.tick >= 0 ? this.timeAt(this.tick) : 0;
  }

  private timeAt(tick: number): number {
    return this.times[tick % this.slots] ?? 0;
  }

  add(bucket: ArchivedBucket, capacity: number): void {
    // No coarse tier (--stats-history 0): the 1 s window is all there is.
    if (this.slots === 0) return;
    if (this.tick >= 0 && bucket.time <= this.timeAt(this.tick)) return;
    const tick = ++this.tick;
    this.times[tick % this.slots] = bucket.time;
    this.samples[tick % this.slots] = bucket.samples;
    // Buckets read from one layout record share their ids array: look the series up once.
    const sameLayout = bucket.ids === this.lastIds && this.lastSeries.length === bucket.ids.length;
    if (!sameLayout) this.lastSeries = [];
    const input = bucket.values;
    for (let i = 0; i < bucket.ids.length; i++) {
      const id = bucket.ids[i] as string;
      let series = sameLayout ? this.lastSeries[i] : this.series.get(id);
      if (!series || series.lastTick !== tick - 1) {
        series = new Series(tick, capacity);
        this.series.set(id, series);
      } else {
        series.ensureRoom(tick);
      }
      if (!sameLayout) this.lastSeries.push(series);
      const slot = series.slotOf(tick);
      const values = series.values;
      for (let f = 0; f < VALUES_PER_SLOT; f++) values[slot + f] = input[i * VALUES_PER_SLOT + f] ?? Number.NaN;
      series.lastTick = tick;
    }
    if (!sameLayout || this.series.size !== bucket.ids.length) {
      for (const [id, series] of this.series) {
        if (series.lastTick !== tick) this.series.delete(id);
      }
    }
    this.lastIds = bucket.ids;
  }

  /** Buckets of a series that start at or after `from` and end by `before`. */
  range(id: string, from: number, before: number): { items: CoarseItem[]; weight: number } {
    const series = this.series.get(id);
    const items: CoarseItem[] = [];
    let weight = 0;
    if (!series || this.tick < 0) return { items, weight };
    const oldest = Math.max(series.oldestTick(this.tick), this.tick - this.slots + 1);
    for (let t = oldest; t <= series.lastTick; t++) {
      const time = this.timeAt(t);
      if (time < from || time + COARSE_MS > before) continue;
      const v = series.values;
      const slot = series.slotOf(t);
      const at = (f: number) => v[slot + f] ?? 0;
      const samples = this.samples[t % this.slots] ?? 1;
      items.push({
        time,
        weight: samples,
        rates: { cps: at(0), inPps: at(1), outPps: at(2), inBps: at(3), outBps: at(4), activeConns: at(ACTIVE), inactiveConns: at(INACTIVE) },
      });
      weight += samples;
    }
    return { items, weight };
  }
}
