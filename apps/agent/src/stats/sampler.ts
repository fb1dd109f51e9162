// Once a second: sample the kernel's counters, feed the counter history,
// publish the live sample to subscribers. Overlapping ticks are skipped,
// never queued, and so is a tick while a commit waits for the kernel (the
// commit's own reads come first). A sample reads every service row but only
// some destination lists (KernelBackend.sample, kernel/sampling.ts); the
// services a change touched are read again at the next sample.
import { serviceId, type ObservedTable } from '@lvs-console/shared';
import type { LiveSample } from '@lvs-console/shared/api';
import type { Clock } from '../config/clock';
import type { KernelBackend } from '../kernel/backend';
import type { CounterSample } from '../kernel/sampling';
import type { Logger } from '../log';
import { Broadcast } from '../reconcile/broadcast';
import type { StatsStore, WindowQuery, WindowResult } from './stats-store';

export interface SamplerOptions {
  backend: KernelBackend;
  store: StatsStore;
  clock: Clock;
  log: Logger;
  intervalMs?: number;
  /** Every observation is also the reconciler's "observed" view. */
  onObservation?: (table: ObservedTable, time: number) => void;
  /** Seconds spent per sample and the destination lists it read, for /metrics. */
  onDuration?: (seconds: number, destinationReads: number) => void;
  /** True while a commit waits for (or holds) the kernel: the tick is skipped. */
  yieldTo?: () => boolean;
  /** A tick skipped because of yieldTo, for /metrics. */
  onSkip?: () => void;
}

export class StatsSampler {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private lastError: string | null = null;
  private readonly live = new Broadcast<LiveSample>(5);
  private previous: CounterSample | null = null;
  /** serviceId -> when a change to its destinations was applied: read them again unless read since. */
  private readonly touched = new Map<string, number>();

  constructor(private readonly opts: SamplerOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sampleOnce(), this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Take one sample now (the timer calls this; tests call it with a moved clock). */
  async sampleOnce(): Promise<void> {
    if (this.running) return;
    if (this.opts.yieldTo?.()) {
      this.opts.onSkip?.();
      return;
    }
    this.running = true;
    try {
      const started = performance.now();
      // The time the observation began: a commit that observes later must win.
      const time = this.opts.clock.now();
      const sample = await this.opts.backend.sample(this.withoutTouched(), time);
      this.previous = sample;
      const { table } = sample;
      this.opts.store.ingest(table, time);
      this.opts.onObservation?.(table, time);
      if (this.live.size > 0) {
        const latest = this.opts.store.latest();
        if (latest) this.live.publish(latest);
      }
      this.opts.onDuration?.((performance.now() - started) / 1000, sample.destinationReads);
      if (this.lastError !== null) this.opts.log.info('sampling the kernel counters works again');
      this.lastError = null;
    } catch (error) {
      // Once per distinct failure, not once a second.
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.lastError) this.opts.log.warn({ err: error }, 'sampling the kernel counters failed');
      this.lastError = message;
    } finally {
      this.running = false;
    }
  }

  /**
   * Changes to these services' destinations were applied at `at`: the next
   * sample reads their lists again (the kept ones may predate the change,
   * and the service's counters need not move).
   */
  noteApplied(serviceIds: Iterable<string>, at: number): void {
    for (const id of serviceIds) this.touched.set(id, at);
  }

  /** The previous sample with the touched services' lists marked unread (when they were read before the change). */
  private withoutTouched(): CounterSample | null {
    const previous = this.previous;
    if (!previous || this.touched.size === 0) return previous;
    const index = new Map(previous.table.services.map((service, i) => [serviceId(service.key), i]));
    const readAt = [...previous.destinationsReadAt];
    for (const [id, at] of this.touched) {
      const i = index.get(id);
      const read = i === undefined ? undefined : readAt[i];
      // Read after the change, or gone from a table read after it (a new service is read anyway): done.
      if (read !== undefined ? read > at : previous.at > at) this.touched.delete(id);
      else if (i !== undefined) readAt[i] = Number.NEGATIVE_INFINITY;
    }
    return { ...previous, destinationsReadAt: readAt };
  }

  /** The latest sample (its per-service read times), or null before the first. */
  lastSample(): CounterSample | null {
    return this.previous;
  }

  get historySeconds(): number {
    return this.opts.store.historySeconds;
  }

  window(query: WindowQuery): WindowResult {
    return this.opts.store.window(query);
  }

  latest(): LiveSample | null {
    return this.opts.store.latest();
  }

  /** The latest sample at once, then one per second. */
  async *samples(signal?: AbortSignal): AsyncGenerator<LiveSample, void, undefined> {
    const first = this.opts.store.latest();
    if (first) yield first;
    yield* this.live.stream(signal);
  }

  connectionsPerDestination(serviceId: string, seconds: number): Map<string, number> {
    return this.opts.store.connectionsPerDestination(serviceId, seconds);
  }
}
