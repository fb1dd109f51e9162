// Once a second: observe the kernel, feed the counter history, publish the
// live sample to subscribers. Overlapping ticks are skipped, never queued.
import type { ObservedTable } from '@lvs-console/shared';
import type { LiveSample } from '@lvs-console/shared/api';
import type { Clock } from '../config/clock';
import type { KernelBackend } from '../kernel/backend';
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
  /** Seconds spent per sample, for /metrics. */
  onDuration?: (seconds: number) => void;
}

export class StatsSampler {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private lastError: string | null = null;
  private readonly live = new Broadcast<LiveSample>(5);

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
    this.running = true;
    try {
      const started = performance.now();
      // The time the observation began: a commit that observes later must win.
      const time = this.opts.clock.now();
      const table = await this.opts.backend.observe();
      this.opts.store.ingest(table, time);
      this.opts.onObservation?.(table, time);
      if (this.live.size > 0) {
        const sample = this.opts.store.latest();
        if (sample) this.live.publish(sample);
      }
      this.opts.onDuration?.((performance.now() - started) / 1000);
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
