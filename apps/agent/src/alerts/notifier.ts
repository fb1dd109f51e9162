// The agent's notifications: takes alert snapshots when something may have
// changed, derives events (shared/alerts), groups them, and delivers each
// notification to every target with retries and exponential back-off.
// A bounded queue and a bounded delivery log (kept in the state directory
// when given one) keep it finite whatever a receiver does.
import {
  AlertGrouper,
  DEFAULT_RETRY_POLICY,
  deriveAlertEvents,
  emptyAlertSnapshot,
  retryDelayMs,
  testEvent,
  type AlertEvent,
  type AlertSnapshot,
  type Notification,
  type NotificationSettings,
  type NotificationSource,
  type RetryPolicy,
} from '@lvs-console/shared/alerts';
import type { RecordedWhat } from '@lvs-console/shared';
import type { Logger } from '../log';
import type { HealthTimers, TimerHandle } from '../health/timers';
import type { DeliveryAnswer, DeliveryTarget } from './targets';

export interface DeliveryLogEntry {
  id: number;
  time: number;
  targetId: string;
  target: string;
  type: DeliveryTarget['type'];
  where: string;
  group: string;
  /** The alerts' kinds and summaries, as sent. */
  kinds: string[];
  what: string;
  /** Each alert's summary by message id too (the console says them in its language); absent in entries logged before. */
  whatParts?: RecordedWhat[];
  attempt: number;
  ok: boolean;
  status: number | null;
  answer: string;
  /** Next try, when this attempt failed and attempts are left; null otherwise. */
  retryAt: number | null;
  durationMs: number;
}

interface Job {
  target: DeliveryTarget;
  notification: Notification;
  attempt: number;
  dueAt: number;
}

export interface NotifierOptions {
  timers: HealthTimers;
  snapshot: () => AlertSnapshot;
  source: () => NotificationSource;
  logger?: Logger;
  retry?: RetryPolicy;
  /** Jobs waiting (first tries and retries); beyond it the oldest are dropped and logged. */
  maxQueue?: number;
  maxLog?: number;
  /** Deliveries running at once. */
  concurrency?: number;
  /** Where the delivery log is kept across restarts (the state directory); without it, memory only. */
  persisted?: { entries(): DeliveryLogEntry[]; append(entry: DeliveryLogEntry): void };
}

export const DEFAULT_MAX_QUEUE = 500;
export const DEFAULT_MAX_LOG = 200;
/** Alerts of one notification the delivery log says one by one (a whole rack failing is one notification). */
const MAX_WHAT_PARTS = 20;

export class Notifier {
  private readonly timers: HealthTimers;
  private readonly grouper: AlertGrouper;
  private settings: NotificationSettings;
  private targets: DeliveryTarget[] = [];
  private previous: AlertSnapshot | null = null;
  private readonly queue: Job[] = [];
  private readonly log: DeliveryLogEntry[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private wakeTimer: TimerHandle | null = null;
  private wakeAt: number | null = null;
  private nextId = 1;
  private stopped = false;
  /** Notifications dropped because the queue was full (for the console and tests). */
  dropped = 0;

  constructor(
    private readonly opts: NotifierOptions,
    settings: NotificationSettings,
  ) {
    this.timers = opts.timers;
    this.settings = settings;
    this.grouper = new AlertGrouper(settings);
    const earlier = opts.persisted?.entries() ?? [];
    this.log.push(...earlier.slice(-(opts.maxLog ?? DEFAULT_MAX_LOG)));
    this.nextId = Math.max(0, ...earlier.map((e) => e.id)) + 1;
  }

  private get retry(): RetryPolicy {
    return this.opts.retry ?? DEFAULT_RETRY_POLICY;
  }

  configure(settings: NotificationSettings, targets: DeliveryTarget[]): void {
    this.settings = settings;
    this.grouper.setPolicy(settings);
    this.targets = targets;
  }

  /** Start from the current state: what is already down when the agent starts is not news. */
  start(): void {
    this.previous = this.opts.snapshot();
  }

  /** Something may have changed: compare with the last snapshot and send what did. */
  check(): void {
    if (this.stopped) return;
    const next = this.opts.snapshot();
    const events = deriveAlertEvents(this.previous ?? emptyAlertSnapshot(), next, this.timers.now());
    this.previous = next;
    this.publish(events);
  }

  /** Events that are not state transitions (an apply that failed). */
  publish(events: AlertEvent[]): void {
    if (this.stopped || events.length === 0 || !this.settings.enabled) return;
    this.grouper.add(events, this.timers.now());
    this.pump();
  }

  /** Sends one test notification to every target (or one) now, past grouping; resolves with each first answer. */
  async sendTest(who: string, targetId?: string): Promise<DeliveryLogEntry[]> {
    const targets = this.targets.filter((t) => targetId === undefined || t.id === targetId);
    const now = this.timers.now();
    const notification: Notification = { group: 'test', time: now, alerts: [{ ...testEvent(now, who), transitions: 1 }] };
    return Promise.all(targets.map((target) => this.attempt({ target, notification, attempt: 1, dueAt: now })));
  }

  deliveryLog(limit = DEFAULT_MAX_LOG): DeliveryLogEntry[] {
    return this.log.slice(-limit).reverse();
  }

  targetList(): Array<Pick<DeliveryTarget, 'id' | 'type' | 'name' | 'where' | 'kinds'>> {
    return this.targets.map(({ id, type, name, where, kinds }) => ({ id, type, name, where, kinds }));
  }

  get queued(): number {
    return this.queue.length;
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    while (this.queue.length > (this.opts.maxQueue ?? DEFAULT_MAX_QUEUE)) {
      const lost = this.queue.shift();
      if (!lost) break;
      this.dropped++;
      this.record(lost, { ok: false, status: null, message: 'dropped: the delivery queue is full' }, null, 0);
    }
  }

  private pump(): void {
    if (this.stopped) return;
    const now = this.timers.now();
    for (const notification of this.grouper.take(now)) {
      for (const target of this.targets) {
        const alerts = target.kinds.length === 0 ? notification.alerts : notification.alerts.filter((a) => target.kinds.includes(a.kind));
        if (alerts.length) this.enqueue({ target, notification: { ...notification, alerts }, attempt: 1, dueAt: now });
      }
    }
    const limit = this.opts.concurrency ?? 4;
    this.queue.sort((a, b) => a.dueAt - b.dueAt);
    while (this.inFlight.size < limit) {
      const head = this.queue[0];
      if (!head || head.dueAt > now) break;
      this.queue.shift();
      const run: Promise<void> = this.attempt(head).then(() => {
        this.inFlight.delete(run);
        this.pump();
      });
      this.inFlight.add(run);
    }
    this.scheduleWake();
  }

  private scheduleWake(): void {
    const candidates = [this.grouper.nextDueAt(), this.inFlight.size < (this.opts.concurrency ?? 4) ? (this.queue[0]?.dueAt ?? null) : null].filter(
      (t): t is number => t !== null,
    );
    const next = candidates.length ? Math.min(...candidates) : null;
    if (next === this.wakeAt) return;
    if (this.wakeTimer) this.timers.clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.wakeAt = next;
    if (next === null || this.stopped) return;
    this.wakeTimer = this.timers.setTimeout(
      () => {
        this.wakeTimer = null;
        this.wakeAt = null;
        this.pump();
      },
      Math.max(0, next - this.timers.now()),
    );
  }

  private async attempt(job: Job): Promise<DeliveryLogEntry> {
    const started = performance.now();
    let answer: DeliveryAnswer;
    try {
      answer = await job.target.deliver(job.notification, this.opts.source(), this.abort.signal);
    } catch (error) {
      answer = { ok: false, status: null, message: error instanceof Error ? error.message : String(error) };
    }
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    let retryAt: number | null = null;
    if (!answer.ok && job.notification.group !== 'test' && !this.stopped) {
      const delay = retryDelayMs(job.attempt, this.retry);
      if (delay !== null) {
        retryAt = this.timers.now() + delay;
        this.enqueue({ ...job, attempt: job.attempt + 1, dueAt: retryAt });
      }
    }
    if (!answer.ok)
      this.opts.logger?.warn({ target: job.target.id, attempt: job.attempt, answer: answer.message }, `notification to ${job.target.name} failed`);
    return this.record(job, answer, retryAt, durationMs);
  }

  private record(job: Job, answer: DeliveryAnswer, retryAt: number | null, durationMs: number): DeliveryLogEntry {
    const entry: DeliveryLogEntry = {
      id: this.nextId++,
      time: this.timers.now(),
      targetId: job.target.id,
      target: job.target.name,
      type: job.target.type,
      where: job.target.where,
      group: job.notification.group,
      kinds: job.notification.alerts.map((a) => a.kind),
      what: job.notification.alerts
        .map((a) => a.summary)
        .join('; ')
        .slice(0, 300),
      whatParts: job.notification.alerts.slice(0, MAX_WHAT_PARTS).map((a) => ({
        what: a.summary,
        ...(a.summaryId ? { whatId: a.summaryId, whatParams: a.summaryParams ?? {} } : {}),
      })),
      attempt: job.attempt,
      ok: answer.ok,
      status: answer.status,
      answer: answer.message,
      retryAt,
      durationMs,
    };
    this.log.push(entry);
    this.opts.persisted?.append(entry);
    if (this.log.length > (this.opts.maxLog ?? DEFAULT_MAX_LOG)) this.log.splice(0, this.log.length - (this.opts.maxLog ?? DEFAULT_MAX_LOG));
    return entry;
  }

  /** Resolves when no delivery runs (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.wakeTimer) this.timers.clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.abort.abort(new Error('the agent is stopping'));
    await this.idle();
  }
}
