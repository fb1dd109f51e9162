// HealthManager: runs every destination's checks on their own timers, feeds
// the results to the pure state machines, keeps quorum and drain progress,
// and tells the reconcile loop when the table the kernel should hold has
// changed. It never touches the kernel itself: the loop asks for
// effectiveTable(desired, manager.snapshot(), now) and plans against it.
import {
  destinationId,
  serviceId,
  serviceLabel,
  type DesiredState,
  type Destination,
  type HealthCheck,
  type ObservedService,
  type ObservedTable,
  type Service,
  type ServiceKey,
} from '@lvs-console/shared';
import {
  checksFor,
  checkTarget,
  drainRemovalDue,
  effectiveTable,
  evaluateService,
  explainService,
  withServiceBlocker,
  type Reason,
  historyFlaps,
  initialDestinationState,
  nextDrainProgress,
  nextSlowStartChangeAt,
  recordProbe,
  removeDrainedDestination,
  type DestinationExplanation,
  type DestinationHealthState,
  type DrainProgress,
  type HealthSnapshot,
  type HistoryEntry,
  type ProbeResult,
  type ServiceHealthRuntime,
} from '@lvs-console/shared/health';
import type { HealthFigures } from '@lvs-console/shared/metrics';
import type { Logger } from '../log';
import { runCheck, type ProbeOutcome, type ProbeTarget } from './checkers';
import { outcome as describedOutcome, ProbeTimeout } from './checkers/types';
import { systemTimers, type HealthTimers, type TimerHandle } from './timers';

/** The simulated kernel's failing flags (SimBackend has these methods). */
export interface SimFailureSource {
  isFailing(serviceId: string, destId: string): boolean;
}

export type DesiredStateEdit = (state: DesiredState) => DesiredState;

/**
 * Submits a change of the desired state through the agent's normal path
 * (validate, revision, audit, reconcile). Used for automatic removal of
 * drained destinations; the edit is applied to the latest state.
 */
export type SubmitEdit = (edit: DesiredStateEdit, author: string) => Promise<void>;

export interface HealthManagerOptions {
  timers?: HealthTimers;
  /** 0..1; spreads first probes over the warmup window. Inject a seeded one for reproducible runs. */
  random?: () => number;
  /**
   * Sim mode: a destination whose checks are the default (none configured)
   * is probed by reading the sim's failing flag instead of a TCP connect,
   * because the demo cluster's addresses do not exist on any network.
   * Configured checks always run for real.
   */
  simulatedDefaultProbe?: SimFailureSource;
  /** Where drain progress comes from; polled every drainPollMs while a drain runs. */
  observe?: () => Promise<ObservedTable>;
  drainPollMs?: number;
  submitEdit?: SubmitEdit;
  logger?: Logger;
  /** A reason no destination of the service gets traffic (its VIP is missing), or null. */
  serviceBlocker?: (serviceIdText: string) => Reason | null;
}

interface ProbeSlot {
  readonly index: number;
  readonly check: HealthCheck;
  readonly target: ProbeTarget;
  readonly simulated: boolean;
  timer: TimerHandle | null;
  running: Promise<void> | null;
  abort: AbortController | null;
  stopped: boolean;
}

interface DestinationEntry {
  readonly id: string;
  destination: Destination;
  configKey: string;
  state: DestinationHealthState;
  slots: ProbeSlot[];
}

interface ServiceEntry {
  readonly id: string;
  service: Service;
  destinations: Map<string, DestinationEntry>;
  quorumLost: boolean;
  quorumChangedAt: number | null;
  drains: Map<string, DrainProgress>;
  /** Drained destinations whose removal was submitted (not submitted twice). */
  removalsSubmitted: Set<string>;
}

export interface CheckView {
  index: number;
  kind: HealthCheck['kind'];
  target: string;
  simulated: boolean;
  intervalMs: number;
  status: DestinationHealthState['checks'][number]['status'];
  consecutiveOk: number;
  consecutiveFail: number;
  lastResult: ProbeResult | null;
  lastFailure: ProbeResult | null;
}

export interface DestinationHealthView {
  id: string;
  status: DestinationHealthState['status'];
  since: number;
  admin: 'active' | 'draining';
  configuredWeight: number;
  effectiveWeight: number | 'removed';
  flaps: number;
  /** Flaps within the kept history (the strip the console draws). */
  recentFlaps: number;
  checks: CheckView[];
  history: HistoryEntry[];
  drain: DrainProgress | null;
  explanation: DestinationExplanation | null;
}

export interface ServiceHealthView {
  id: string;
  label: string;
  enabled: boolean;
  quorum: {
    required: number;
    healthyWeight: number;
    lost: boolean;
    since: number | null;
    sorryServer: string | null;
    sorryServerActive: boolean;
  };
  destinations: DestinationHealthView[];
  /** The sorry server's explanation while it is active. */
  sorryServer: DestinationExplanation | null;
}

/** A failing check on some real server, or a lost quorum: what the services list warns about. */
export function hasHealthProblem(view: ServiceHealthView): boolean {
  return view.quorum.lost || view.destinations.some((dest) => dest.status === 'down');
}

export interface HealthStatusView {
  time: number;
  /** When the kernel was last observed (drain counts, overload flags); null if never. */
  observedAt: number | null;
  services: ServiceHealthView[];
}

function formatTarget(target: ProbeTarget): string {
  return target.address.includes(':') ? `[${target.address}]:${target.port}` : `${target.address}:${target.port}`;
}

export class HealthManager {
  private readonly timers: HealthTimers;
  private readonly random: () => number;
  private readonly sim: SimFailureSource | undefined;
  private readonly observeKernel: (() => Promise<ObservedTable>) | undefined;
  private readonly drainPollMs: number;
  private readonly submitEdit: SubmitEdit | undefined;
  private readonly logger: Logger | undefined;
  private readonly services = new Map<string, ServiceEntry>();
  private readonly listeners = new Set<() => void>();
  private desired: DesiredState = { services: [], timeouts: null, syncDaemons: [], hostSettings: [] };
  private observed: ObservedTable | null = null;
  private observedAt: number | null = null;
  private rampTimer: TimerHandle | null = null;
  private rampAt: number | null = null;
  private drainTimer: TimerHandle | null = null;
  private drainPoll: Promise<void> | null = null;
  private emitQueued = false;
  private stopped = false;
  private readonly serviceBlocker: ((serviceIdText: string) => Reason | null) | undefined;

  constructor(options: HealthManagerOptions = {}) {
    this.timers = options.timers ?? systemTimers;
    this.random = options.random ?? Math.random;
    this.sim = options.simulatedDefaultProbe;
    this.observeKernel = options.observe;
    this.drainPollMs = options.drainPollMs ?? 1000;
    this.submitEdit = options.submitEdit;
    this.logger = options.logger;
    this.serviceBlocker = options.serviceBlocker;
  }

  // ---- configuration ------------------------------------------------------

  /** Follow a new desired state: start, keep or stop probes so they match it. Cheap when nothing changed. */
  setDesired(desired: DesiredState): void {
    if (this.stopped) return;
    this.desired = desired;
    const now = this.timers.now();
    const seen = new Set<string>();
    for (const service of desired.services) {
      if (!service.health) continue;
      const id = serviceId(service.key);
      seen.add(id);
      let entry = this.services.get(id);
      if (!entry) {
        entry = { id, service, destinations: new Map(), quorumLost: false, quorumChangedAt: null, drains: new Map(), removalsSubmitted: new Set() };
        this.services.set(id, entry);
      }
      entry.service = service;
      this.syncDestinations(entry, now);
      for (const drainedId of [...entry.drains.keys()]) {
        if (!service.health.drains[drainedId]) entry.drains.delete(drainedId);
      }
      for (const removed of [...entry.removalsSubmitted]) {
        if (!service.destinations.some((d) => destinationId(d) === removed)) entry.removalsSubmitted.delete(removed);
      }
      this.updateQuorum(entry, now);
    }
    for (const [id, entry] of this.services) {
      if (seen.has(id)) continue;
      for (const dest of entry.destinations.values()) this.stopSlots(dest);
      this.services.delete(id);
    }
    this.scheduleRamp();
    this.scheduleDrainPoll();
    this.queueEmit();
  }

  private syncDestinations(entry: ServiceEntry, now: number): void {
    const health = entry.service.health ?? null;
    const present = new Set<string>();
    for (const destination of entry.service.destinations) {
      const id = destinationId(destination);
      present.add(id);
      const checks = checksFor(health, destination);
      const override = health?.destinations[id];
      const simulated = this.sim !== undefined && (health?.checks.length ?? 0) === 0 && !override?.checks;
      const configKey = JSON.stringify({ checks, alpha: health?.alpha ?? false, simulated });
      const existing = entry.destinations.get(id);
      if (existing && existing.configKey === configKey) {
        existing.destination = destination;
        continue;
      }
      if (existing) this.stopSlots(existing);
      const fresh = initialDestinationState(checks, health?.alpha ?? false, now);
      const dest: DestinationEntry = {
        id,
        destination,
        configKey,
        // The strip and flap count survive a change of checks; the state machine starts over.
        state: existing ? { ...fresh, history: existing.state.history, flaps: existing.state.flaps } : fresh,
        slots: checks.map((check, index) => ({
          index,
          check,
          target: checkTarget(check, destination),
          simulated,
          timer: null,
          running: null,
          abort: null,
          stopped: false,
        })),
      };
      entry.destinations.set(id, dest);
      for (const slot of dest.slots) {
        const warmup = slot.check.warmupMs ?? slot.check.intervalMs;
        this.schedule(entry.id, dest, slot, Math.floor(this.random() * warmup));
      }
    }
    for (const [id, dest] of entry.destinations) {
      if (present.has(id)) continue;
      this.stopSlots(dest);
      entry.destinations.delete(id);
    }
  }

  // ---- probing ------------------------------------------------------------

  private schedule(serviceIdText: string, dest: DestinationEntry, slot: ProbeSlot, delayMs: number): void {
    if (slot.stopped || this.stopped) return;
    slot.timer = this.timers.setTimeout(() => {
      slot.timer = null;
      this.runSlot(serviceIdText, dest, slot);
    }, delayMs);
  }

  private runSlot(serviceIdText: string, dest: DestinationEntry, slot: ProbeSlot): void {
    if (slot.running || slot.stopped) return;
    const startedAt = this.timers.now();
    const run = this.probe(serviceIdText, dest, slot).then((outcome) => {
      slot.running = null;
      if (slot.stopped || this.stopped) return;
      this.record(serviceIdText, dest, slot, outcome);
      // Fixed rate: the next probe starts one interval after this one started.
      this.schedule(serviceIdText, dest, slot, Math.max(0, startedAt + slot.check.intervalMs - this.timers.now()));
    });
    slot.running = run;
  }

  private async probe(serviceIdText: string, dest: DestinationEntry, slot: ProbeSlot): Promise<ProbeResult> {
    const controller = new AbortController();
    slot.abort = controller;
    const timeoutMs = slot.check.timeoutMs;
    const timeout = this.timers.setTimeout(() => controller.abort(new ProbeTimeout(timeoutMs)), timeoutMs);
    const started = performance.now();
    let outcome: ProbeOutcome;
    try {
      outcome =
        slot.simulated && this.sim ? this.simulatedOutcome(this.sim, serviceIdText, dest.id) : await runCheck(slot.check, slot.target, controller.signal);
    } catch (error) {
      // Checkers report failures as values; this is a bug guard, not a path.
      outcome = describedOutcome(false, 'probeUnexpected', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      this.timers.clearTimeout(timeout);
      slot.abort = null;
    }
    const result: ProbeResult = {
      ok: outcome.ok,
      time: this.timers.now(),
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      message: outcome.message,
    };
    if (outcome.messageId) {
      result.messageId = outcome.messageId;
      result.params = outcome.params ?? {};
    }
    if (outcome.dynamicWeight !== undefined) result.dynamicWeight = outcome.dynamicWeight;
    return result;
  }

  private simulatedOutcome(sim: SimFailureSource, serviceIdText: string, destId: string): ProbeOutcome {
    return sim.isFailing(serviceIdText, destId) ? describedOutcome(false, 'probeSimFailing') : describedOutcome(true, 'probeSimHealthy');
  }

  private record(serviceIdText: string, dest: DestinationEntry, slot: ProbeSlot, result: ProbeResult): void {
    const entry = this.services.get(serviceIdText);
    const health = entry?.service.health;
    if (!entry || !health || entry.destinations.get(dest.id) !== dest) return;
    const before = dest.state;
    dest.state = recordProbe(before, slot.index, result, slot.check, health.historySize);
    const after = dest.state;
    if (before.status === after.status && before.dynamicWeight === after.dynamicWeight) return;
    this.logger?.info(
      {
        service: serviceIdText,
        destination: dest.id,
        from: before.status,
        to: after.status,
        dynamicWeight: after.dynamicWeight,
        message: result.message,
      },
      `health: ${dest.id} in ${serviceLabel(entry.service.key)} is ${after.status}`,
    );
    this.updateQuorum(entry, result.time);
    this.scheduleRamp();
    this.queueEmit();
  }

  private stopSlots(dest: DestinationEntry): void {
    for (const slot of dest.slots) {
      slot.stopped = true;
      if (slot.timer) this.timers.clearTimeout(slot.timer);
      slot.timer = null;
      slot.abort?.abort(new Error('check stopped'));
    }
  }

  /** Probe a destination now (e.g. after the operator marked a sim server failing). */
  probeNow(serviceIdText: string, destId: string): boolean {
    const dest = this.services.get(serviceIdText)?.destinations.get(destId);
    if (!dest) return false;
    for (const slot of dest.slots) {
      if (slot.running) continue;
      if (slot.timer) this.timers.clearTimeout(slot.timer);
      slot.timer = null;
      this.runSlot(serviceIdText, dest, slot);
    }
    return true;
  }

  // ---- quorum, slow start, change notification ----------------------------

  private runtimeOf(entry: ServiceEntry): ServiceHealthRuntime {
    const destinations: Record<string, DestinationHealthState> = {};
    for (const [id, dest] of entry.destinations) destinations[id] = dest.state;
    const drains: Record<string, DrainProgress> = {};
    for (const [id, progress] of entry.drains) drains[id] = progress;
    return { quorumLost: entry.quorumLost, quorumChangedAt: entry.quorumChangedAt, destinations, drains };
  }

  private updateQuorum(entry: ServiceEntry, now: number): void {
    const evaluation = evaluateService(entry.service, this.runtimeOf(entry), now);
    if (evaluation.quorumLost === entry.quorumLost) return;
    entry.quorumLost = evaluation.quorumLost;
    entry.quorumChangedAt = now;
    const sorry = evaluation.sorryServer ? ` (sorry server ${destinationId(evaluation.sorryServer)})` : '';
    this.logger?.warn(
      { service: entry.id, healthyWeight: evaluation.healthyWeight, quorum: evaluation.quorum, lost: evaluation.quorumLost },
      `health: quorum ${evaluation.quorumLost ? 'lost' : 'regained'} in ${serviceLabel(entry.service.key)}${sorry}`,
    );
  }

  /** One timer for the next slow-start step anywhere: the table changes then. */
  private scheduleRamp(): void {
    const now = this.timers.now();
    let next: number | null = null;
    for (const entry of this.services.values()) {
      const slowStart = entry.service.health?.slowStart ?? null;
      if (!slowStart) continue;
      for (const dest of entry.destinations.values()) {
        const at = nextSlowStartChangeAt(slowStart, dest.state.recoveredAt, now);
        if (at !== null && (next === null || at < next)) next = at;
      }
    }
    if (next === this.rampAt) return;
    if (this.rampTimer) this.timers.clearTimeout(this.rampTimer);
    this.rampTimer = null;
    this.rampAt = next;
    if (next === null || this.stopped) return;
    this.rampTimer = this.timers.setTimeout(
      () => {
        this.rampTimer = null;
        this.rampAt = null;
        this.queueEmit();
        this.scheduleRamp();
      },
      Math.max(0, next - now),
    );
  }

  /** Coalesce many state changes (a whole rack failing) into one notification. */
  private queueEmit(): void {
    if (this.emitQueued || this.stopped) return;
    this.emitQueued = true;
    queueMicrotask(() => {
      this.emitQueued = false;
      for (const listener of this.listeners) {
        try {
          listener();
        } catch (error) {
          this.logger?.error({ err: error }, 'health: change listener failed');
        }
      }
    });
  }

  /**
   * Called whenever the table the kernel should hold may have changed (a
   * destination went up or down, a slow-start step, quorum). The listener
   * should re-plan against effectiveTable(). Returns an unsubscribe function.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- drains ---------------------------------------------------------------

  private hasDrains(): boolean {
    for (const entry of this.services.values()) {
      if (Object.keys(entry.service.health?.drains ?? {}).length > 0) return true;
    }
    return false;
  }

  private scheduleDrainPoll(): void {
    if (!this.observeKernel || this.drainTimer || this.drainPoll || this.stopped || !this.hasDrains()) return;
    const observe = this.observeKernel;
    this.drainTimer = this.timers.setTimeout(() => {
      this.drainTimer = null;
      this.drainPoll = observe()
        .then(
          (table) => this.noteObservation(table),
          (error: unknown) => this.logger?.warn({ err: error }, 'health: observing the kernel for drain progress failed'),
        )
        .finally(() => {
          this.drainPoll = null;
          this.scheduleDrainPoll();
        });
    }, this.drainPollMs);
  }

  /**
   * A fresh observation of the kernel (the reconcile loop may pass its own, so
   * the table is not read twice): drain progress, overload flags for the
   * explanations, and automatic removal of drained destinations.
   */
  noteObservation(table: ObservedTable): void {
    const now = this.timers.now();
    this.observed = table;
    this.observedAt = now;
    const observedById = new Map<string, ObservedService>();
    for (const service of table.services) observedById.set(serviceId(service.key), service);
    for (const entry of this.services.values()) {
      const drains = entry.service.health?.drains ?? {};
      const observedService = observedById.get(entry.id);
      for (const [destId, drain] of Object.entries(drains)) {
        const observedDest = observedService?.destinations.find((d) => destinationId(d) === destId) ?? null;
        const progress = nextDrainProgress(entry.drains.get(destId) ?? null, drain, observedDest, now);
        const wasSafe = entry.drains.get(destId)?.safeToRemove ?? false;
        entry.drains.set(destId, progress);
        if (progress.safeToRemove && !wasSafe) {
          this.logger?.info(
            { service: entry.id, destination: destId },
            `drain: ${destId} in ${serviceLabel(entry.service.key)} has no connections left; safe to remove`,
          );
          // Listeners (notifications: "drain finished") hear of it now, not at the next health change.
          this.queueEmit();
        }
        const due = drainRemovalDue(progress, drain);
        if (due && this.submitEdit && !entry.removalsSubmitted.has(destId)) this.submitRemoval(entry, destId, due);
      }
    }
  }

  private submitRemoval(entry: ServiceEntry, destId: string, reason: 'drained' | 'deadline'): void {
    const submit = this.submitEdit;
    if (!submit) return;
    entry.removalsSubmitted.add(destId);
    const key: ServiceKey = entry.service.key;
    const author = reason === 'drained' ? 'health: drain complete' : 'health: drain deadline';
    this.logger?.info({ service: entry.id, destination: destId, reason }, `drain: removing ${destId} from ${serviceLabel(key)} (${reason})`);
    submit((state) => removeDrainedDestination(state, key, destId), author).catch((error: unknown) => {
      // Try again on a later observation.
      entry.removalsSubmitted.delete(destId);
      this.logger?.warn({ err: error, service: entry.id, destination: destId }, 'drain: automatic removal failed');
    });
  }

  // ---- views ----------------------------------------------------------------

  /** What effectiveTable needs: health state, quorum and drain progress per service. */
  snapshot(): HealthSnapshot {
    const services: HealthSnapshot['services'] = {};
    for (const [id, entry] of this.services) services[id] = this.runtimeOf(entry);
    return { services };
  }

  /** effectiveTable(desired, snapshot(), now) for the desired state the manager follows (or the one given). */
  effectiveTable(desired: DesiredState = this.desired): DesiredState {
    return effectiveTable(desired, this.snapshot(), this.timers.now());
  }

  now(): number {
    return this.timers.now();
  }

  /**
   * The figures /metrics writes: health, weights, drains, quorum. Lighter than
   * status() (no explanations or history), since a scrape asks for all of it.
   */
  figures(): HealthFigures {
    const now = this.timers.now();
    const services: HealthFigures['services'] = [];
    for (const service of this.desired.services) {
      if (!service.health) continue;
      const id = serviceId(service.key);
      const entry = this.services.get(id);
      const evaluation = evaluateService(service, entry ? this.runtimeOf(entry) : undefined, now);
      services.push({
        service: id,
        quorumUp: !evaluation.quorumLost,
        quorumChangedAt: entry?.quorumChangedAt ?? null,
        sorryServer: evaluation.sorryServer ? destinationId(evaluation.sorryServer) : null,
        sorryServerActive: evaluation.sorryServerActive,
        destinations: evaluation.destinations.map((row) => {
          const drain = row.admin === 'draining' ? (entry?.drains.get(row.id) ?? null) : null;
          return {
            destination: row.id,
            status: row.health,
            since: row.state.since,
            configuredWeight: row.destination.weight,
            effectiveWeight: row.effective === 'removed' ? null : row.effective,
            draining: row.admin === 'draining',
            drainFraction: drain ? drain.fractionDone : null,
            drainConnections: drain?.current ? drain.current.active + drain.current.inactive : null,
          };
        }),
      });
    }
    return { services };
  }

  /** Per service and destination: states, checks, history, drains and explanations. */
  status(filter?: { service?: string }): HealthStatusView {
    const now = this.timers.now();
    const observedById = new Map<string, ObservedService>();
    for (const service of this.observed?.services ?? []) observedById.set(serviceId(service.key), service);
    const services: ServiceHealthView[] = [];
    for (const service of this.desired.services) {
      const id = serviceId(service.key);
      if (filter?.service && filter.service !== id) continue;
      const entry = this.services.get(id);
      const runtime = entry ? this.runtimeOf(entry) : undefined;
      const evaluation = evaluateService(service, runtime, now);
      const explanations = withServiceBlocker(explainService(service, runtime, observedById.get(id), now), this.serviceBlocker?.(id) ?? null);
      const explanationById = new Map(explanations.filter((e) => !e.sorryServer).map((e) => [e.destination, e]));
      services.push({
        id,
        label: serviceLabel(service.key),
        enabled: service.health?.enabled ?? false,
        quorum: {
          required: evaluation.quorum,
          healthyWeight: evaluation.healthyWeight,
          lost: evaluation.quorumLost,
          since: entry?.quorumChangedAt ?? null,
          sorryServer: evaluation.sorryServer ? destinationId(evaluation.sorryServer) : null,
          sorryServerActive: evaluation.sorryServerActive,
        },
        destinations: evaluation.destinations.map((row) => {
          const dest = entry?.destinations.get(row.id);
          return {
            id: row.id,
            status: row.health,
            since: row.state.since,
            admin: row.admin,
            configuredWeight: row.destination.weight,
            effectiveWeight: row.effective,
            flaps: row.state.flaps,
            recentFlaps: historyFlaps(row.state.history),
            checks: (dest?.slots ?? []).map((slot) => {
              const check = row.state.checks[slot.index];
              return {
                index: slot.index,
                kind: slot.check.kind,
                target: formatTarget(slot.target),
                simulated: slot.simulated,
                intervalMs: slot.check.intervalMs,
                status: check?.status ?? 'up',
                consecutiveOk: check?.consecutiveOk ?? 0,
                consecutiveFail: check?.consecutiveFail ?? 0,
                lastResult: check?.lastResult ?? null,
                lastFailure: check?.lastFailure ?? null,
              };
            }),
            history: row.state.history,
            drain: entry?.drains.get(row.id) ?? null,
            explanation: explanationById.get(row.id) ?? null,
          };
        }),
        sorryServer: explanations.find((e) => e.sorryServer) ?? null,
      });
    }
    return { time: now, observedAt: this.observedAt, services };
  }

  /** Resolves when no probe or drain observation is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const running: Promise<void>[] = [];
      for (const entry of this.services.values()) {
        for (const dest of entry.destinations.values()) for (const slot of dest.slots) if (slot.running) running.push(slot.running);
      }
      if (this.drainPoll) running.push(this.drainPoll);
      if (running.length === 0) break;
      await Promise.all(running);
    }
    // Let queued change notifications run.
    await Promise.resolve();
  }

  /** Stop every probe and timer; in-flight probes are aborted. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const entry of this.services.values()) for (const dest of entry.destinations.values()) this.stopSlots(dest);
    if (this.rampTimer) this.timers.clearTimeout(this.rampTimer);
    if (this.drainTimer) this.timers.clearTimeout(this.drainTimer);
    this.rampTimer = null;
    this.drainTimer = null;
    await this.idle();
    this.listeners.clear();
  }
}
