// Counter history: one sample a second into ring buffers (typed arrays, no
// per-sample objects), per service and per destination. Rates come from
// deltas of the kernel's 64-bit counters divided by the real time between
// samples, never from the kernel's 8 s EWMA. A counter that goes down
// (ipvsadm -Z, or a destination re-created) counts from zero again.
import { destinationId, serviceId, type Counters, type ObservedTable } from '@lvs-console/shared';
import type { LiveSample, RateSample, SeriesPoint, ServiceSeries } from '@lvs-console/shared/api';

/** Counter fields in storage order. */
const FIELDS = ['conns', 'inPkts', 'outPkts', 'inBytes', 'outBytes'] as const satisfies readonly (keyof Counters)[];
const FIELD_COUNT = FIELDS.length;
/** Per slot: 5 counter deltas, active and inactive connections. */
const VALUES_PER_SLOT = FIELD_COUNT + 2;
const ACTIVE = FIELD_COUNT;
const INACTIVE = FIELD_COUNT + 1;
const BYTES_PER_SLOT = VALUES_PER_SLOT * 4;
const INITIAL_SLOTS = 64;

export interface StatsOptions {
  /** Seconds of 1 s history kept per series (default one hour). */
  historySeconds?: number;
  /**
   * Upper bound for the history's memory; with very many destinations the
   * history is shortened to fit rather than exhaust the director's RAM.
   */
  memoryBudgetBytes?: number;
}

/** One entity's history. Slots are addressed by global tick, stored linearly until full, then as a ring. */
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

  constructor(tick: number, private readonly maxCapacity: number) {
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

  constructor(options: StatsOptions = {}) {
    this.maxHistory = options.historySeconds ?? 3600;
    this.memoryBudget = options.memoryBudgetBytes ?? 768 * 1024 * 1024;
    this.historySeconds = this.maxHistory;
    // One extra slot: the oldest kept sample's rate needs the time of the one before it.
    this.times = new Float64Array(this.maxHistory + 1);
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
  }

  private record(
    id: string,
    counters: Counters,
    active: number,
    inactive: number,
    persistent: number,
    weight: number,
    tick: number,
    capacity: number,
  ): void {
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
      cps: rate(0), inPps: rate(1), outPps: rate(2), inBps: rate(3), outBps: rate(4),
      activeConns: v[slot + ACTIVE] ?? 0, inactiveConns: v[slot + INACTIVE] ?? 0,
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
    const to = this.tick >= 0 ? this.timeAt(this.tick) : 0;
    const from = to - query.minutes * 60_000;
    const wanted = query.services ? new Set(query.services) : null;
    const services: ServiceSeries[] = [];
    for (const [svcId, destIds] of this.layout) {
      if (wanted && !wanted.has(svcId)) continue;
      const svcSeries = this.series.get(svcId);
      if (!svcSeries) continue;
      services.push({
        id: svcId,
        points: this.points(svcSeries, from, query),
        destinations: query.includeDestinations
          ? destIds.flatMap((id) => {
            const series = this.series.get(id);
            return series ? [{ id: id.slice(svcId.length + 1), points: this.points(series, from, query) }] : [];
          })
          : [],
      });
    }
    const span = Math.min(query.minutes * 60, this.historySeconds);
    const stepSeconds = query.stepSeconds ?? Math.max(1, Math.ceil(span / query.maxPoints));
    return { from, to, stepSeconds, historySeconds: this.historySeconds, services };
  }

  private points(series: Series, from: number, query: Pick<WindowQuery, 'maxPoints' | 'stepSeconds'>): SeriesPoint[] {
    if (this.tick < 0) return [];
    let first = series.oldestTick(this.tick);
    // Ticks older than the time ring (or the window) are skipped.
    first = Math.max(first, this.tick - this.maxHistory + 1);
    while (first <= this.tick && this.timeAt(first) <= from) first++;
    const count = this.tick - first + 1;
    if (count <= 0) return [];
    // Either runs of equal length stamped with their last tick's time, or
    // buckets aligned to whole steps stamped with the step's start time.
    const stepMs = query.stepSeconds ? query.stepSeconds * 1000 : 0;
    const perPoint = Math.max(1, Math.ceil(count / query.maxPoints));
    const points: SeriesPoint[] = [];
    let sum = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0, activeConns: 0, inactiveConns: 0 };
    let n = 0;
    let bucket = Number.NaN;
    const flush = (time: number) => {
      if (n === 0) return;
      points.push({
        time,
        cps: sum.cps / n, inPps: sum.inPps / n, outPps: sum.outPps / n, inBps: sum.inBps / n, outBps: sum.outBps / n,
        activeConns: sum.activeConns / n, inactiveConns: sum.inactiveConns / n,
        samples: n,
      });
      sum = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0, activeConns: 0, inactiveConns: 0 };
      n = 0;
    };
    for (let t = first; t <= this.tick; t++) {
      const time = this.timeAt(t);
      if (stepMs > 0) {
        const start = Math.floor(time / stepMs) * stepMs;
        if (start !== bucket) flush(bucket);
        bucket = start;
      }
      const r = this.rateAt(series, t);
      sum.cps += r.cps; sum.inPps += r.inPps; sum.outPps += r.outPps; sum.inBps += r.inBps; sum.outBps += r.outBps;
      sum.activeConns += r.activeConns; sum.inactiveConns += r.inactiveConns;
      n++;
      if (stepMs === 0 && (n === perPoint || t === this.tick)) flush(time);
    }
    flush(bucket);
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
