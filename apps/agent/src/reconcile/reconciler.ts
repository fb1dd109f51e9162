// The one writer: every change goes validate -> plan against a fresh
// observation -> apply -> observe -> per-change results, one at a time, and
// only when based on the current revision. Also owns start-up (adopt the
// kernel's table, or restore the desired one after a reboot) and drift.
import {
  DomainError,
  emptyState,
  serviceId,
  formatIssues,
  type DesiredState,
  type Issue,
  type ObservedTable,
} from '@lvs-console/shared';
import { applyEdit, describeEdit, type CommitOutcome, type DriftReport, type Edit, type StateSnapshot } from '@lvs-console/shared/api';
import {
  changeServiceId,
  describeDrift,
  desiredFromObserved,
  editScope,
  planWithin,
  rollbackChanges,
  type EditScope,
} from '@lvs-console/shared/drift';
import { addedCommandChecks, COMMAND_CHECKS_FROM_THE_DIRECTOR, keepHealthWhenAdopting } from '@lvs-console/shared/health';
import { plan, type Change } from '@lvs-console/shared/plan';
import { checkState } from '@lvs-console/shared/validate';
import type { Clock } from '../config/clock';
import type { KernelBackend } from '../kernel/backend';
import type { Logger } from '../log';
import type { AuditLog } from '../store/audit-log';
import type { StateStore } from '../store/state-store';
import type { Caller } from '@lvs-console/shared/api';
import type { AgentMetrics } from './agent-metrics';
import type { EventBus } from './events';
import { Mutex } from './mutex';
import { planLines } from './plan-lines';
import type { HostPort, HostSettingResult } from './ports';

export type DriftMode = 'report' | 'revert';

export interface ReconcilerOptions {
  backend: KernelBackend;
  store: StateStore;
  audit: AuditLog;
  events: EventBus;
  clock: Clock;
  log: Logger;
  metrics: AgentMetrics;
  driftMode: DriftMode;
  host?: HostPort | null;
  /**
   * What the kernel should hold for a desired state right now: the desired
   * state with health checks, drains, slow start and the sorry server
   * applied (effectiveTable). Default: the desired state itself.
   */
  effective?: (desired: DesiredState) => DesiredState;
  /**
   * Edits may add `command` health checks: only the director's own CLI
   * (`lvs-console apply`), never the serving agent's API. Default false.
   */
  allowCommandChecks?: boolean;
}

export interface CommitRequest {
  baseRevision: number;
  edit: Edit;
  caller: Caller;
  dryRun?: boolean;
}

export interface StartOutcome {
  kind: 'adopted' | 'restored' | 'in-sync' | 'drift' | 'reverted';
  message: string;
  changes: number;
}

const SYSTEM: Caller = { name: 'agent', role: 'admin' };

/** How many ipvsadm lines an audit entry keeps (a whole-table import can be huge). */
const AUDIT_LINES = 200;

export class Reconciler {
  private readonly lock = new Mutex();
  private observation: { table: ObservedTable; at: number } | null = null;
  private driftReport: DriftReport;

  constructor(private readonly opts: ReconcilerOptions) {
    this.driftReport = { changes: [], descriptions: [], lines: [], since: null, checkedAt: 0, mode: opts.driftMode };
  }

  get driftMode(): DriftMode {
    return this.opts.driftMode;
  }

  /** The latest observation (from a commit, a drift check or the stats sampler). */
  latestObservation(): { table: ObservedTable; at: number } | null {
    return this.observation;
  }

  noteObservation(table: ObservedTable, at: number): void {
    if (!this.observation || at >= this.observation.at) this.observation = { table, at };
  }

  private desired(): DesiredState {
    return this.opts.store.current()?.state ?? emptyState();
  }

  /** The table the kernel should hold for `desired`: plans and drift compare against this. */
  private target(desired: DesiredState): DesiredState {
    return this.opts.effective ? this.opts.effective(desired) : desired;
  }

  snapshot(): StateSnapshot {
    const stored = this.opts.store.current();
    const now = this.opts.clock.now();
    return {
      revision: this.opts.store.revision,
      updatedAt: stored?.time ?? 0,
      updatedBy: stored?.who ?? '',
      desired: this.desired(),
      observed: this.observation?.table ?? null,
      observedAt: this.observation?.at ?? null,
      observationAgeMs: this.observation ? Math.max(0, now - this.observation.at) : null,
    };
  }

  drift(): DriftReport {
    return this.driftReport;
  }

  private async observe(): Promise<ObservedTable> {
    const at = this.opts.clock.now();
    const table = await this.opts.backend.observe();
    this.noteObservation(table, at);
    return table;
  }

  /**
   * First start with no state: the kernel's table becomes the desired state.
   * Empty kernel with a desired state (a reboot): apply it. Otherwise report
   * (or revert) drift. Never flushes: only planned changes ever run.
   */
  start(): Promise<StartOutcome> {
    return this.lock.run(async () => {
      const observed = await this.observe();
      const stored = this.opts.store.current();
      if (!stored) {
        const desired = desiredFromObserved(observed, { hostSettings: [], timeouts: null });
        const saved = await this.opts.store.save(desired, SYSTEM.name, 'adopted the kernel table at first start');
        await this.audit(SYSTEM, saved.what, 'ok', { revision: saved.revision });
        this.setDrift([]);
        return { kind: 'adopted', message: `no desired state yet: adopted the kernel's table (${observed.services.length} services) as revision ${saved.revision}`, changes: 0 };
      }
      const changes = plan(this.target(stored.state), observed);
      const restoring = observed.services.length === 0 && stored.state.services.length > 0;
      if (restoring || (changes.length > 0 && this.opts.driftMode === 'revert')) {
        const what = restoring ? 'restored the desired state into an empty kernel' : 'reverted drift at start';
        try {
          // A restore keeps whatever part of it worked: some traffic beats none.
          await this.applyOrThrow(changes, observed, SYSTEM, what, { rollback: false });
          await this.audit(SYSTEM, what, 'ok', { revision: stored.revision, lines: planLines(changes).slice(0, AUDIT_LINES) });
        } catch (error) {
          // The agent still starts: what could not be applied shows as drift.
          this.opts.log.error({ err: error }, 'applying the desired state at start failed');
          await this.refreshDrift();
          return { kind: 'drift', message: `applying revision ${stored.revision} at start failed: ${error instanceof Error ? error.message : String(error)}`, changes: this.driftReport.changes.length };
        }
        await this.refreshDrift();
        return restoring
          ? { kind: 'restored', message: `the kernel's table was empty: applied revision ${stored.revision} (${changes.length} changes)`, changes: changes.length }
          : { kind: 'reverted', message: `reverted ${changes.length} differences from revision ${stored.revision}`, changes: changes.length };
      }
      if (changes.length === 0) {
        this.setDrift([]);
        return { kind: 'in-sync', message: `the kernel matches revision ${stored.revision}`, changes: 0 };
      }
      this.setDrift(changes);
      return { kind: 'drift', message: `${changes.length} differences between the kernel and revision ${stored.revision} (reported, not reverted)`, changes: changes.length };
    });
  }

  /** Periodic check: observe, compare, report (and revert in revert mode). */
  checkDrift(): Promise<DriftReport> {
    return this.lock.run(async () => {
      const observed = await this.observe();
      const changes = plan(this.target(this.desired()), observed);
      this.opts.metrics.driftChecks++;
      if (changes.length > 0 && this.opts.driftMode === 'revert') {
        try {
          await this.applyOrThrow(changes, observed, SYSTEM, 'reverted drift', { rollback: false });
          await this.audit(SYSTEM, 'reverted drift (--drift revert)', 'ok', { revision: this.opts.store.revision, lines: planLines(changes).slice(0, AUDIT_LINES) });
        } catch (error) {
          this.opts.log.error({ err: error }, 'reverting drift failed');
        }
        await this.refreshDrift();
      } else {
        this.setDrift(changes);
      }
      return this.driftReport;
    });
  }

  private async refreshDrift(): Promise<void> {
    const observed = await this.observe();
    this.setDrift(plan(this.target(this.desired()), observed));
  }

  /**
   * Observe after a scoped commit and update drift only where the commit
   * reached: elsewhere nothing changed, and a whole-table plan of a large
   * table would cost more than the change itself.
   */
  private async refreshDriftWithin(scope: EditScope): Promise<void> {
    const observed = await this.observe();
    const kept = this.driftReport.changes.filter((change) => {
      const id = changeServiceId(change);
      if (id !== null) return !scope.services.has(id);
      return change.kind === 'set-timeouts' ? !scope.timeouts : !scope.syncDaemons;
    });
    this.setDrift([...kept, ...planWithin(this.target(this.desired()), observed, scope)]);
  }

  private setDrift(changes: Change[]): void {
    const now = this.opts.clock.now();
    const previous = this.driftReport;
    const lines = planLines(changes);
    const same = lines.length === previous.lines.length && lines.every((line, i) => line === previous.lines[i]);
    const descriptions = describeDrift(changes);
    this.driftReport = {
      changes,
      descriptions,
      lines,
      since: changes.length === 0 ? null : same && previous.since !== null ? previous.since : now,
      checkedAt: now,
      mode: this.opts.driftMode,
    };
    this.opts.metrics.driftCount = changes.length;
    if (!same) {
      this.opts.events.publish({ type: 'drift', time: now, count: changes.length, descriptions });
      if (changes.length) this.opts.log.warn({ drift: descriptions }, `drift: ${changes.length} differences between the kernel and the desired state`);
      else this.opts.log.info('drift resolved: the kernel matches the desired state');
    }
  }

  /** Validate, plan, apply, save, audit one edit. Dry runs stop after planning. */
  commit(request: CommitRequest): Promise<CommitOutcome> {
    const what = describeEdit(request.edit);
    return this.writer(request.caller, what, request.baseRevision, request.dryRun ?? false, (current, observed) => {
      const next = applyEdit(current, request.edit);
      if (request.edit.op === 'replace-state') return { next, changes: plan(this.target(next), observed) };
      const scope = editScope(next, current);
      return { next, changes: planWithin(this.target(next), observed, scope), scope };
    });
  }

  /** The desired state of an earlier revision becomes the next revision. */
  async undo(baseRevision: number, toRevision: number, caller: Caller): Promise<CommitOutcome> {
    const target = await this.opts.store.getRevision(toRevision);
    return this.writer(caller, `undo to revision ${toRevision}`, baseRevision, false, (_current, observed) =>
      ({ next: target.state, changes: plan(this.target(target.state), observed) }), { fromStore: true });
  }

  /** Desired := observed; the kernel is not touched. */
  adoptDrift(baseRevision: number, caller: Caller): Promise<CommitOutcome> {
    return this.writer(caller, 'adopt drift (desired := kernel)', baseRevision, false, (current, observed) =>
      ({ next: keepHealthWhenAdopting(desiredFromObserved(observed, current), current, this.target(current)), changes: [] }));
  }

  /** Apply the whole desired state over hand-made changes. */
  revertDrift(baseRevision: number, caller: Caller): Promise<CommitOutcome> {
    return this.writer(caller, 'revert drift (kernel := desired)', baseRevision, false, (current, observed) =>
      ({ next: current, changes: plan(this.target(current), observed) }), { keepRevision: true });
  }

  /**
   * Commit a state built from the current one (imports). Scoped: plan only
   * the services that differ from the current desired state; otherwise make
   * the whole kernel match.
   */
  commitParsed(
    baseRevision: number,
    caller: Caller,
    what: string,
    dryRun: boolean,
    scoped: boolean,
    build: (current: DesiredState) => DesiredState,
  ): Promise<CommitOutcome> {
    return this.writer(caller, what, baseRevision, dryRun, (current, observed) => {
      const next = build(current);
      if (!scoped) return { next, changes: plan(this.target(next), observed) };
      const scope = editScope(next, current);
      return { next, changes: planWithin(this.target(next), observed, scope), scope };
    });
  }

  /**
   * Health changed the effective table (a server failed or recovered, a
   * slow-start step, quorum): bring the health-managed services in line.
   * Services without health settings are left alone, so hand-made drift
   * there stays reported, not reverted.
   */
  applyHealth(): Promise<void> {
    return this.lock.run(async () => {
      const desired = this.desired();
      const managed = new Set(desired.services.filter((s) => s.health).map((s) => serviceId(s.key)));
      if (managed.size === 0) return;
      const observed = await this.observe();
      const scope: EditScope = { services: managed, timeouts: false, syncDaemons: false };
      const changes = planWithin(this.target(desired), observed, scope);
      if (changes.length === 0) return;
      try {
        await this.applyOrThrow(changes, observed, SYSTEM, 'health checks', { rollback: false });
        await this.audit(SYSTEM, 'health checks changed effective weights', 'ok', { revision: this.opts.store.revision, lines: planLines(changes).slice(0, AUDIT_LINES) });
      } catch (error) {
        this.opts.log.error({ err: error }, 'applying health-driven changes failed');
      }
      await this.refreshDriftWithin(scope);
    });
  }

  /** Apply the desired host settings to the host (sysctls, addresses, modules, SNAT). */
  applyHostSettings(baseRevision: number, caller: Caller): Promise<HostSettingResult[]> {
    return this.lock.run(async () => {
      await this.checkRevision(baseRevision, caller, 'apply host settings');
      const host = this.opts.host;
      if (!host) throw await this.reject(caller, 'apply host settings', new DomainError('UNSUPPORTED', 'this agent has no host settings backend'));
      const settings = this.desired().hostSettings;
      const results = await host.apply(settings);
      const failed = results.filter((r) => !r.ok);
      await this.audit(caller, `apply ${settings.length} host settings`, failed.length ? 'failed' : 'ok', {
        ...(failed.length ? { error: failed.map((r) => `${r.id}: ${r.message}`).join('; ') } : {}),
      });
      this.opts.log.info({ who: caller.name, results: results.map((r) => ({ id: r.id, ok: r.ok, changed: r.changed, message: r.message })) }, 'host settings applied');
      return results;
    });
  }

  private async checkRevision(baseRevision: number, caller: Caller, what: string): Promise<void> {
    const revision = this.opts.store.revision;
    if (baseRevision !== revision) {
      throw await this.reject(caller, what, new DomainError('CONFLICT',
        `the desired state changed since revision ${baseRevision} (it is now revision ${revision}); reload and try again`));
    }
  }

  private async reject(caller: Caller, what: string, error: DomainError): Promise<DomainError> {
    this.opts.metrics.rejected++;
    await this.opts.audit.reject({ who: caller.name, role: caller.role, what, error: error.message });
    this.opts.events.publish({ type: 'rejected', time: this.opts.clock.now(), who: caller.name, what, error: error.message });
    this.opts.log.info({ who: caller.name, what, code: error.code, error: error.message }, 'change rejected');
    return error;
  }

  private async audit(caller: Caller, what: string, result: 'ok' | 'failed', extra: { revision?: number; error?: string; lines?: string[] }): Promise<void> {
    await this.opts.audit.append({ who: caller.name, role: caller.role, what, result, ...extra });
  }

  /**
   * The shared path of every write. `build` turns the current desired state
   * and a fresh observation into the next state and the kernel changes.
   */
  private writer(
    caller: Caller,
    what: string,
    baseRevision: number,
    dryRun: boolean,
    build: (current: DesiredState, observed: ObservedTable) => { next: DesiredState; changes: Change[]; scope?: EditScope },
    /** fromStore: the state is an earlier revision (written by this director), not caller input. */
    options: { keepRevision?: boolean; fromStore?: boolean } = {},
  ): Promise<CommitOutcome> {
    const started = performance.now();
    const run = async (): Promise<CommitOutcome> => {
      if (!dryRun) await this.checkRevision(baseRevision, caller, what);
      const current = this.desired();
      const observed = await this.observe();
      let next: DesiredState;
      let changes: Change[];
      let scope: EditScope | undefined;
      try {
        ({ next, changes, scope } = build(current, observed));
        // Every part of `next` was parsed by a schema already (API input, stored
        // state, kernel observation); what is left are the cross-field rules.
        const issues = checkState(next);
        if (issues.length) throw invalid(issues);
        const added = this.opts.allowCommandChecks || options.fromStore ? [] : addedCommandChecks(current, next);
        if (added.length) throw invalid(added.map((path) => ({ path, message: COMMAND_CHECKS_FROM_THE_DIRECTOR })));
      } catch (error) {
        if (error instanceof DomainError && !dryRun) throw await this.reject(caller, what, error);
        throw error;
      }
      const lines = planLines(changes);
      if (dryRun) {
        return { revision: this.opts.store.revision, dryRun: true, changes, lines, results: [], warnings: [], durationMs: performance.now() - started };
      }
      const results = await this.applyOrThrow(changes, observed, caller, what);
      const revision = options.keepRevision ? this.opts.store.revision : (await this.opts.store.save(next, caller.name, what)).revision;
      await this.audit(caller, what, 'ok', { revision, lines: lines.slice(0, AUDIT_LINES) });
      this.opts.metrics.commitsOk++;
      const now = this.opts.clock.now();
      if (!options.keepRevision) this.opts.events.publish({ type: 'revision', time: now, revision, who: caller.name, what });
      if (scope) await this.refreshDriftWithin(scope);
      else await this.refreshDrift();
      return { revision, dryRun: false, changes, lines, results, warnings: [], durationMs: performance.now() - started };
    };
    // Previews read only; they do not wait behind writers.
    return dryRun ? run() : this.lock.run(run);
  }

  /**
   * Apply changes; when any fails, undo the ones that succeeded so the kernel
   * is as it was, and throw KERNEL_ERROR naming each failure.
   */
  private async applyOrThrow(changes: Change[], observed: ObservedTable, caller: Caller, what: string, options: { rollback?: boolean } = {}) {
    if (changes.length === 0) return [];
    const outcome = await this.opts.backend.apply(changes);
    this.opts.metrics.observeApply(outcome.durationMs / 1000);
    const lines = planLines(changes);
    outcome.results.forEach((result, i) => {
      this.opts.log.info({ who: caller.name, what, line: lines[i], ok: result.ok, error: result.error }, result.ok ? 'change applied' : 'change failed');
    });
    const failed = outcome.results.filter((r) => !r.ok);
    const ok = failed.length === 0;
    this.opts.events.publish({ type: 'apply', time: this.opts.clock.now(), who: caller.name, what, ok, lines, ...(ok ? {} : { error: failed[0]?.error ?? 'failed' }) });
    if (ok) return outcome.results;

    const applied = outcome.results.filter((r) => r.ok).map((r) => r.change);
    const rollback = options.rollback === false ? [] : rollbackChanges(applied, observed);
    let rollbackNote = '';
    if (rollback.length) {
      const undone = await this.opts.backend.apply(rollback);
      const stuck = undone.results.filter((r) => !r.ok);
      rollbackNote = stuck.length
        ? `; undoing the ${applied.length} applied changes failed too (${stuck.map((r) => r.error).join('; ')}): check drift`
        : `; the ${applied.length} changes that had been applied were undone`;
    }
    this.opts.metrics.commitsFailed++;
    const issues: Issue[] = failed.map((r) => ({ path: planLines([r.change])[0] ?? r.change.kind, message: r.error ?? 'failed' }));
    if (options.rollback === false && applied.length) rollbackNote = `; the other ${applied.length} changes stay applied`;
    const message = `the kernel refused ${failed.length} of ${changes.length} changes: ${formatIssues(issues)}${rollbackNote}`;
    await this.audit(caller, what, 'failed', { error: message, lines: lines.slice(0, AUDIT_LINES) });
    throw new DomainError('KERNEL_ERROR', message, issues);
  }
}

function invalid(issues: Issue[]): DomainError {
  return new DomainError('INVALID_INPUT', formatIssues(issues), issues);
}
