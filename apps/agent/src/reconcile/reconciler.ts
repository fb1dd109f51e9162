// The one writer: every change goes validate -> plan against a fresh
// observation -> apply -> observe -> per-change results, one at a time, and
// only when based on the current revision. Also owns start-up (adopt the
// kernel's table, or restore the desired one after a reboot) and drift.
import {
  DomainError,
  describedText,
  emptyState,
  formatIssues,
  isMessageId,
  nestedParams,
  recordedWhat,
  saidText,
  serviceId,
  type DesiredState,
  type HostSetting,
  type Issue,
  type ObservedTable,
  type Said,
} from '@lvs-console/shared';
import {
  applyEdit,
  describedEdit,
  type CommitOutcome,
  type DriftReport,
  type Edit,
  type ObservedServiceChanges,
  type StateSnapshot,
} from '@lvs-console/shared/api';
import { changeServiceId, describeDrift, desiredFromObserved, editScope, planWithin, rollbackChanges, type EditScope } from '@lvs-console/shared/drift';
import { addedCommandChecks, COMMAND_CHECKS_FROM_THE_DIRECTOR, keepHealthWhenAdopting } from '@lvs-console/shared/health';
import { directorVipSettings, hostSettingId, mergeHostSettings } from '@lvs-console/shared/host';
import { plan, type Change } from '@lvs-console/shared/plan';
import { checkState } from '@lvs-console/shared/validate';
import type { Clock } from '../config/clock';
import type { ApplyResult, ChangeResult, KernelBackend } from '../kernel/backend';
import { touchedServiceIds } from '../kernel/sampling';
import type { Logger } from '../log';
import type { AuditLog } from '../store/audit-log';
import type { StateStore, StoredState } from '../store/state-store';
import type { Caller, MemberResult } from '@lvs-console/shared/api';
import type { AgentMetrics } from './agent-metrics';
import type { EventBus } from './events';
import { Mutex } from './mutex';
import { ObservedChangeLog } from './observed-change-log';
import { planLines } from './plan-lines';
import type { HostChangePlanRow, HostPort, HostSettingResult } from './ports';

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
  /**
   * Checks of a change against this director's host that a pure check cannot
   * make (a pair's VIP in a subnet of its VRRP interface). Issues refuse the change.
   */
  checkHost?: (current: DesiredState, next: DesiredState) => Promise<Array<{ path: string; message: string }>>;
}

/**
 * The other directors of a cluster, as the writer sees them: asked before a
 * change (so two directors writing from one base revision cannot both win)
 * and told after it.
 */
export interface ReplicationPort {
  /** Throws CONFLICT when another director has taken the next revision. */
  prepare(baseRevision: number, what: string): Promise<void>;
  /** Send the saved revision to every peer; their answers, one per director. */
  publish(stored: StoredState): Promise<MemberResult[]>;
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

/** A 1 Hz sample older than this (sampling stalled or failing) cannot answer a drift check. */
const SAMPLE_TRUSTED_MS = 3000;

export class Reconciler {
  private readonly lock = new Mutex();
  private observation: { table: ObservedTable; at: number } | null = null;
  /**
   * Starts at the clock's milliseconds, not 0, so a tab holding an observation
   * from before an agent restart holds a number older than any of this run's.
   */
  private observationSeq: number;
  private readonly observedLog = new ObservedChangeLog();
  private driftReport: DriftReport;
  private replication: ReplicationPort | null = null;
  /** Commits waiting for or holding the lock (dry runs not counted): the sampler gives way to them. */
  private commitsPending = 0;
  private appliedListener: ((serviceIds: Set<string>, at: number) => void) | null = null;
  /** When the last apply (or its rollback) returned: a sample taken before it cannot vouch for the kernel. */
  private lastApplyEndedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: ReconcilerOptions) {
    this.observationSeq = Math.max(0, Math.floor(opts.clock.now()));
    this.driftReport = { changes: [], descriptions: [], lines: [], since: null, checkedAt: 0, mode: opts.driftMode };
  }

  /** Join a cluster: every later change is prepared with and published to the peers. */
  setReplication(port: ReplicationPort | null): void {
    this.replication = port;
  }

  /** True while a commit waits for or holds the kernel: a 1 Hz sample would only delay it. */
  get commitPending(): boolean {
    return this.commitsPending > 0;
  }

  /** Told after every apply which services' destinations it may have changed (the sampler reads them again). */
  onApplied(listener: ((serviceIds: Set<string>, at: number) => void) | null): void {
    this.appliedListener = listener;
  }

  get driftMode(): DriftMode {
    return this.opts.driftMode;
  }

  /** The latest observation (from a commit, a drift check or the stats sampler). */
  latestObservation(): { table: ObservedTable; at: number } | null {
    return this.observation;
  }

  noteObservation(table: ObservedTable, at: number): void {
    if (!this.observation || at >= this.observation.at) {
      this.observation = { table, at };
      this.observationSeq++;
    }
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
      observationSeq: this.observationSeq,
    };
  }

  /** state.since: the observed services changed after observation `since`, or null when only the whole table will do. */
  observedChangesSince(since: number): ObservedServiceChanges | null {
    if (!this.observation) return null;
    this.trackObservedChanges();
    return this.observedLog.changesSince(since, this.observation.table);
  }

  /** Fingerprint the current observation (state.get does, so its callers' next poll can be answered per service). */
  trackObservedChanges(): void {
    if (this.observation) this.observedLog.update(this.observationSeq, this.observation.table);
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
   * The table a scoped commit plans against: every service row afresh, the
   * scope's destinations afresh, the other services' destinations from the
   * latest observation (the plan does not look at them). Without a scope or
   * an earlier observation: a full read.
   */
  private async observeForPlan(scope: EditScope | null): Promise<ObservedTable> {
    const base = this.observation?.table;
    if (!scope || !base) return this.observe();
    const at = this.opts.clock.now();
    const table = await this.opts.backend.observeWithin(scope.services, base);
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
        const adopted = describedText('auditAdoptedAtStart');
        const saved = await this.opts.store.save(desired, SYSTEM.name, adopted);
        await this.audit(SYSTEM, adopted, 'ok', { revision: saved.revision });
        this.setDrift([]);
        return {
          kind: 'adopted',
          message: `no desired state yet: adopted the kernel's table (${observed.services.length} services) as revision ${saved.revision}`,
          changes: 0,
        };
      }
      const changes = plan(this.target(stored.state), observed);
      const restoring = observed.services.length === 0 && stored.state.services.length > 0;
      if (restoring || (changes.length > 0 && this.opts.driftMode === 'revert')) {
        const what = describedText(restoring ? 'auditRestoredEmpty' : 'auditRevertedAtStart');
        try {
          // A restore keeps whatever part of it worked: some traffic beats none.
          const { after } = await this.applyOrThrow(changes, observed, SYSTEM, what, { rollback: false });
          await this.audit(SYSTEM, what, 'ok', { revision: stored.revision, lines: planLines(changes).slice(0, AUDIT_LINES) });
          await this.refreshDrift(after);
        } catch (error) {
          // The agent still starts: what could not be applied shows as drift.
          this.opts.log.error({ err: error }, 'applying the desired state at start failed');
          await this.refreshDrift();
          return {
            kind: 'drift',
            message: `applying revision ${stored.revision} at start failed: ${error instanceof Error ? error.message : String(error)}`,
            changes: this.driftReport.changes.length,
          };
        }
        return restoring
          ? {
              kind: 'restored',
              message: `the kernel's table was empty: applied revision ${stored.revision} (${changes.length} changes)`,
              changes: changes.length,
            }
          : { kind: 'reverted', message: `reverted ${changes.length} differences from revision ${stored.revision}`, changes: changes.length };
      }
      if (changes.length === 0) {
        this.setDrift([]);
        return { kind: 'in-sync', message: `the kernel matches revision ${stored.revision}`, changes: 0 };
      }
      this.setDrift(changes);
      return {
        kind: 'drift',
        message: `${changes.length} differences between the kernel and revision ${stored.revision} (reported, not reverted)`,
        changes: changes.length,
      };
    });
  }

  /**
   * The periodic check, given the 1 Hz sampler's latest table. When that
   * table was read after the last apply ended and it shows exactly the drift
   * already reported (usually none), that is the answer, with no read of its
   * own: on a large table the full read was the agent's biggest cost. Any
   * other verdict is decided by a fresh full read (checkDrift), because a
   * sample keeps an idle service's destination list for up to
   * DESTINATION_REREAD_SECONDS: good enough to say "nothing new", too old
   * to report or revert on.
   */
  checkDriftFromSample(sample: { table: ObservedTable; at: number } | null): Promise<DriftReport> {
    return this.lock.run(async () => {
      const now = this.opts.clock.now();
      if (sample && sample.at > this.lastApplyEndedAt && now - sample.at <= SAMPLE_TRUSTED_MS) {
        const changes = plan(this.target(this.desired()), sample.table);
        const lines = planLines(changes);
        const known = this.driftReport.lines;
        if (lines.length === known.length && lines.every((line, i) => line === known[i])) {
          this.opts.metrics.driftChecks++;
          this.opts.metrics.driftChecksFromSample++;
          this.setDrift(changes);
          return this.driftReport;
        }
      }
      return this.checkDriftLocked();
    });
  }

  /** Periodic check: observe, compare, report (and revert in revert mode). */
  checkDrift(): Promise<DriftReport> {
    return this.lock.run(() => this.checkDriftLocked());
  }

  private async checkDriftLocked(): Promise<DriftReport> {
    // The target is taken before reading the kernel: health may change the
    // effective table while the read runs, and its re-apply is queued behind
    // this check; comparing the newer target with the older kernel would
    // report (and notify) a drift nobody made.
    const target = this.target(this.desired());
    const observed = await this.observe();
    const changes = plan(target, observed);
    this.opts.metrics.driftChecks++;
    if (changes.length > 0 && this.opts.driftMode === 'revert') {
      await this.refreshDrift(
        await this.applyOnItsOwn(changes, observed, {
          what: describedText('auditRevertedDrift'),
          audited: describedText('auditRevertedDriftMode'),
          failed: 'reverting drift failed',
        }),
      );
    } else {
      this.setDrift(changes);
    }
    return this.driftReport;
  }

  /**
   * A change the agent makes on its own (drift revert, health): no rollback,
   * audited when it worked, logged when it did not. Returns the table read
   * after it, or null when it failed (then drift reads afresh).
   */
  private async applyOnItsOwn(changes: Change[], observed: ObservedTable, words: { what: Said; audited: Said; failed: string }): Promise<ObservedTable | null> {
    try {
      const { after } = await this.applyOrThrow(changes, observed, SYSTEM, words.what, { rollback: false });
      await this.audit(SYSTEM, words.audited, 'ok', { revision: this.opts.store.revision, lines: planLines(changes).slice(0, AUDIT_LINES) });
      return after;
    } catch (error) {
      this.opts.log.error({ err: error }, words.failed);
      return null;
    }
  }

  /** Drift against `observed` when the caller has just read the table, else against a fresh read. */
  private async refreshDrift(observed: ObservedTable | null = null): Promise<void> {
    this.setDrift(plan(this.target(this.desired()), observed ?? (await this.observe())));
  }

  /**
   * Observe after a scoped commit and update drift only where the commit
   * reached: elsewhere nothing changed, and a whole-table plan of a large
   * table would cost more than the change itself.
   */
  private async refreshDriftWithin(scope: EditScope, fresh: ObservedTable | null = null, target?: DesiredState): Promise<void> {
    const observed = fresh ?? (await this.observe());
    const kept = this.driftReport.changes.filter((change) => {
      const id = changeServiceId(change);
      if (id !== null) return !scope.services.has(id);
      return change.kind === 'set-timeouts' ? !scope.timeouts : !scope.syncDaemons;
    });
    this.setDrift([...kept, ...planWithin(target ?? this.target(this.desired()), observed, scope)]);
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
    const what = describedEdit(request.edit);
    const scoped = request.edit.op !== 'replace-state';
    return this.writer(
      request.caller,
      what,
      request.baseRevision,
      request.dryRun ?? false,
      (current, observed) => {
        const next = applyEdit(current, request.edit);
        if (!scoped) return { next, changes: plan(this.target(next), observed) };
        const scope = editScope(next, current);
        return { next, changes: planWithin(this.target(next), observed, scope), scope };
      },
      {
        // What the plan will look at, known before reading: a bad edit reads everything and fails in build.
        readScope: (current) => {
          if (!scoped) return null;
          try {
            return editScope(applyEdit(current, request.edit), current);
          } catch {
            return null;
          }
        },
      },
    );
  }

  /** The desired state of an earlier revision becomes the next revision. */
  async undo(baseRevision: number, toRevision: number, caller: Caller): Promise<CommitOutcome> {
    const target = await this.opts.store.getRevision(toRevision);
    return this.writer(
      caller,
      describedText('auditUndo', { revision: toRevision }),
      baseRevision,
      false,
      (_current, observed) => ({ next: target.state, changes: plan(this.target(target.state), observed) }),
      { fromStore: true },
    );
  }

  /**
   * After a split (two members made the same revision apart): this director's
   * desired state becomes the next revision unchanged, so every member takes it.
   */
  reaffirm(baseRevision: number, caller: Caller, what: Said): Promise<CommitOutcome> {
    return this.writer(caller, what, baseRevision, false, (current, observed) => ({ next: current, changes: plan(this.target(current), observed) }), {
      fromStore: true,
    });
  }

  /** Desired := observed; the kernel is not touched. */
  adoptDrift(baseRevision: number, caller: Caller): Promise<CommitOutcome> {
    return this.writer(caller, describedText('auditAdoptDrift'), baseRevision, false, (current, observed) => ({
      next: keepHealthWhenAdopting(desiredFromObserved(observed, current), current, this.target(current)),
      changes: [],
    }));
  }

  /** Apply the whole desired state over hand-made changes. */
  revertDrift(baseRevision: number, caller: Caller): Promise<CommitOutcome> {
    return this.writer(
      caller,
      describedText('auditRevertDrift'),
      baseRevision,
      false,
      (current, observed) => ({ next: current, changes: plan(this.target(current), observed) }),
      { keepRevision: true },
    );
  }

  /**
   * Commit a state built from the current one (imports). Scoped: plan only
   * the services that differ from the current desired state, reading only
   * their destinations (and every service row); otherwise make the whole
   * kernel match, from a full read (a replace deletes services it does not
   * name, wherever the kernel has them).
   */
  commitParsed(
    baseRevision: number,
    caller: Caller,
    what: Said,
    dryRun: boolean,
    scoped: boolean,
    build: (current: DesiredState) => DesiredState,
  ): Promise<CommitOutcome> {
    // Built once per state it is built on: the read needs the scope before the plan needs the state.
    let built: { from: DesiredState; next: DesiredState; scope: EditScope } | null = null;
    const buildOn = (current: DesiredState): { next: DesiredState; scope: EditScope } => {
      if (built?.from !== current) {
        const next = build(current);
        built = { from: current, next, scope: editScope(next, current) };
      }
      return built;
    };
    return this.writer(
      caller,
      what,
      baseRevision,
      dryRun,
      (current, observed) => {
        if (!scoped) {
          const next = build(current);
          return { next, changes: plan(this.target(next), observed) };
        }
        const { next, scope } = buildOn(current);
        return { next, changes: planWithin(this.target(next), observed, scope), scope };
      },
      scoped
        ? {
            // A text that does not parse reads everything and fails in the plan, with its words.
            readScope: (current) => {
              try {
                return buildOn(current).scope;
              } catch {
                return null;
              }
            },
          }
        : {},
    );
  }

  /**
   * Health changed the effective table (a server failed or recovered, a
   * slow-start step, quorum): bring the health-managed services in line.
   * Services without health settings are left alone, so hand-made drift
   * there stays reported, not reverted.
   */
  applyHealth(): Promise<void> {
    const managed = new Set(
      this.desired()
        .services.filter((s) => s.health)
        .map((s) => serviceId(s.key)),
    );
    if (managed.size === 0) return Promise.resolve();
    return this.reapply({ services: managed, timeouts: false, syncDaemons: false }, describedText('auditHealthApply'), describedText('auditHealthReapply'));
  }

  /**
   * The VRRP role changed: the sync daemon follows it (master on the
   * MASTER, backup otherwise). Nothing else in the kernel is touched.
   */
  applySyncRole(): Promise<void> {
    return this.reapply({ services: new Set(), timeouts: false, syncDaemons: true }, describedText('auditSyncApply'), describedText('auditSyncReapply'));
  }

  /** Bring one part of the kernel in line with the effective table; the rest stays as it is. */
  private reapply(scope: EditScope, what: Said, auditWhat: Said): Promise<void> {
    return this.lock.run(async () => {
      const target = this.target(this.desired());
      const observed = await this.observe();
      const changes = planWithin(target, observed, scope);
      if (changes.length === 0) return;
      // Drift is measured against the target just applied: a health change
      // meanwhile has its own re-apply queued behind this one.
      await this.refreshDriftWithin(
        scope,
        await this.applyOnItsOwn(changes, observed, { what, audited: auditWhat, failed: `applying ${saidText(what)} changes failed` }),
        target,
      );
    });
  }

  /**
   * A revision another director of the cluster made: keep it under its own
   * number and author, then make this kernel match. Older or equal revisions
   * are not taken (the same content is fine; different content is a conflict
   * the operator must see).
   */
  receiveReplicated(stored: StoredState, from: string, digestOf: (state: DesiredState) => string): Promise<{ ok: boolean; revision: number; message: string }> {
    return this.lock.run(async () => {
      const mine = this.opts.store.current();
      if (mine && stored.revision <= mine.revision) {
        const same = stored.revision === mine.revision && digestOf(stored.state) === digestOf(mine.state);
        return {
          ok: same,
          revision: mine.revision,
          message: same
            ? `already at revision ${mine.revision}`
            : `has revision ${mine.revision} already ("${mine.what}" by ${mine.who}); revision ${stored.revision} from ${from} was not taken`,
        };
      }
      const issues = checkState(stored.state);
      if (issues.length)
        return { ok: false, revision: this.opts.store.revision, message: `revision ${stored.revision} from ${from} is invalid here: ${formatIssues(issues)}` };
      const caller: Caller = { name: stored.who, role: 'admin' };
      const made = { message: stored.what, ...(isMessageId(stored.whatId) ? { messageId: stored.whatId, params: stored.whatParams ?? {} } : {}) };
      const what = describedText('auditReplicated', nestedParams('what', made, { revision: stored.revision, from }));
      const saved = await this.opts.store.saveReplicated(stored);
      this.opts.events.publish({ type: 'revision', time: this.opts.clock.now(), revision: saved.revision, who: stored.who, ...recordedWhat(what) });
      const observed = await this.observe();
      const changes = plan(this.target(saved.state), observed);
      let message = `applied revision ${saved.revision} (${changes.length} changes)`;
      let ok = true;
      let after: ObservedTable | null = changes.length === 0 ? observed : null;
      try {
        // Keep what worked: the desired state is the cluster's; what this kernel refused shows as drift.
        ({ after } = await this.applyOrThrow(changes, observed, caller, what, { rollback: false }));
        await this.audit(caller, what, 'ok', { revision: saved.revision, lines: planLines(changes).slice(0, AUDIT_LINES) });
      } catch (error) {
        ok = false;
        message = `revision ${saved.revision} saved, but this kernel refused part of it: ${error instanceof Error ? error.message : String(error)}`;
      }
      await this.refreshDrift(after);
      return { ok, revision: saved.revision, message };
    });
  }

  /** The desired host settings plus rows about to be added, and a single director's VIPs (derived from its services). */
  private hostSettingsToApply(adding: readonly HostSetting[]): HostSetting[] {
    const desired = this.desired();
    return mergeHostSettings([...desired.hostSettings, ...adding, ...directorVipSettings(desired)]);
  }

  /**
   * A dry run of applyHostSettings after `adding` joins the desired host
   * settings: each row's state on this host and the lines the apply would run.
   */
  async planHostSettings(adding: readonly HostSetting[]): Promise<HostChangePlanRow[]> {
    const host = this.opts.host;
    if (!host) throw new DomainError('UNSUPPORTED', 'this agent has no host settings backend');
    return host.plan(this.hostSettingsToApply(adding));
  }

  /** Apply the desired host settings to the host (sysctls, addresses, modules, SNAT). */
  applyHostSettings(baseRevision: number, caller: Caller): Promise<HostSettingResult[]> {
    return this.lock.run(async () => {
      const applying = describedText('auditApplyHostSettings');
      await this.checkRevision(baseRevision, caller, applying);
      const host = this.opts.host;
      if (!host) throw await this.reject(caller, applying, new DomainError('UNSUPPORTED', 'this agent has no host settings backend'));
      const settings = this.hostSettingsToApply([]);
      const results = await host.apply(settings);
      const failed = results.filter((r) => !r.ok);
      await this.audit(caller, describedText('auditHostSettings', { settings: settings.length }), failed.length ? 'failed' : 'ok', {
        lines: results.flatMap((r) => r.lines).slice(0, AUDIT_LINES),
        ...(failed.length ? { error: failed.map((r) => `${r.id}: ${r.message}`).join('; ') } : {}),
      });
      this.opts.log.info(
        { who: caller.name, results: results.map((r) => ({ id: r.id, ok: r.ok, changed: r.changed, message: r.message })) },
        'host settings applied',
      );
      return results;
    });
  }

  /**
   * A director on its own owns its VIPs: add the ones its services now need
   * and delete the ones no service uses any more. Failures are warnings:
   * the setup checklist and "why no traffic" show a missing VIP.
   */
  private async followVips(previous: DesiredState, next: DesiredState): Promise<string[]> {
    const host = this.opts.host;
    if (!host) return [];
    const wanted = directorVipSettings(next);
    const wantedIds = new Set(wanted.map(hostSettingId));
    const gone = directorVipSettings(previous).filter((row) => !wantedIds.has(hostSettingId(row)));
    if (wanted.length === 0 && gone.length === 0) return [];
    const results = [...(wanted.length ? await host.apply(wanted) : []), ...(gone.length ? await host.remove(gone) : [])];
    return results.filter((r) => !r.ok).map((r) => `VIP ${r.id}: ${r.message}`);
  }

  /** A stale base revision is a CONFLICT, refused and audited like every other refusal. */
  async checkRevision(baseRevision: number, caller: Caller, what: Said): Promise<void> {
    const revision = this.opts.store.revision;
    if (baseRevision !== revision) {
      throw await this.reject(caller, what, DomainError.described('CONFLICT', 'revisionConflict', { base: baseRevision, current: revision }));
    }
  }

  private async reject(caller: Caller, what: Said, error: DomainError): Promise<DomainError> {
    this.opts.metrics.rejected++;
    await this.opts.audit.reject({ who: caller.name, role: caller.role, what, error: error.message });
    this.opts.events.publish({ type: 'rejected', time: this.opts.clock.now(), who: caller.name, ...recordedWhat(what), error: error.message });
    this.opts.log.info({ who: caller.name, what: saidText(what), code: error.code, error: error.message }, 'change rejected');
    return error;
  }

  private async audit(caller: Caller, what: Said, result: 'ok' | 'failed', extra: { revision?: number; error?: string; lines?: string[] }): Promise<void> {
    await this.opts.audit.append({ who: caller.name, role: caller.role, what, result, ...extra });
  }

  /**
   * The shared path of every write. `build` turns the current desired state
   * and a fresh observation into the next state and the kernel changes.
   */
  private writer(
    caller: Caller,
    what: Said,
    baseRevision: number,
    dryRun: boolean,
    build: (current: DesiredState, observed: ObservedTable) => { next: DesiredState; changes: Change[]; scope?: EditScope },
    /**
     * fromStore: the state is an earlier revision (written by this director), not caller input.
     * readScope: the services the plan will look at (a scoped edit); the others' destinations are not read.
     */
    options: { keepRevision?: boolean; fromStore?: boolean; readScope?: (current: DesiredState) => EditScope | null } = {},
  ): Promise<CommitOutcome> {
    const started = performance.now();
    const run = async (): Promise<CommitOutcome> => {
      if (!dryRun) await this.checkRevision(baseRevision, caller, what);
      const current = this.desired();
      const observed = await this.observeForPlan(options.readScope?.(current) ?? null);
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
        const onHost = this.opts.checkHost ? await this.opts.checkHost(current, next) : [];
        if (onHost.length) throw invalid(onHost);
      } catch (error) {
        if (error instanceof DomainError && !dryRun) throw await this.reject(caller, what, error);
        throw error;
      }
      const lines = planLines(changes);
      if (dryRun) {
        return { revision: this.opts.store.revision, dryRun: true, changes, lines, results: [], warnings: [], durationMs: performance.now() - started };
      }
      // Only a valid change asks the peers for the next revision (a refused one would hold their promise).
      const replication = options.keepRevision ? null : this.replication;
      if (replication) {
        try {
          await replication.prepare(baseRevision, saidText(what));
        } catch (error) {
          if (error instanceof DomainError) throw await this.reject(caller, what, error);
          throw error;
        }
      }
      const { results, after } = await this.applyOrThrow(changes, observed, caller, what);
      const saved = options.keepRevision ? null : await this.opts.store.save(next, caller.name, what);
      const revision = saved?.revision ?? this.opts.store.revision;
      const warnings = saved ? await this.followVips(current, next) : [];
      await this.audit(caller, what, 'ok', { revision, lines: lines.slice(0, AUDIT_LINES) });
      this.opts.metrics.commitsOk++;
      const now = this.opts.clock.now();
      if (!options.keepRevision) this.opts.events.publish({ type: 'revision', time: now, revision, who: caller.name, ...recordedWhat(what) });
      // Nothing applied: the table read for the plan is still the kernel's.
      const table = changes.length === 0 ? observed : after;
      if (scope) await this.refreshDriftWithin(scope, table);
      else await this.refreshDrift(table);
      const members = saved && replication ? await replication.publish(saved) : undefined;
      return { revision, dryRun: false, changes, lines, results, warnings, durationMs: performance.now() - started, ...(members ? { members } : {}) };
    };
    // Previews read only; they do not wait behind writers.
    if (dryRun) return run();
    this.commitsPending++;
    return this.lock.run(run).finally(() => {
      this.commitsPending--;
    });
  }

  /**
   * Apply changes; when any fails, undo the ones that succeeded so the kernel
   * is as it was, and throw KERNEL_ERROR naming each failure.
   */
  private async applyOrThrow(
    changes: Change[],
    observed: ObservedTable,
    caller: Caller,
    what: Said,
    options: { rollback?: boolean } = {},
  ): Promise<{ results: ChangeResult[]; after: ObservedTable | null }> {
    if (changes.length === 0) return { results: [], after: null };
    // The kernel is read once before planning (observed) and once after applying (outcome.observed).
    let outcome: ApplyResult;
    try {
      outcome = await this.opts.backend.apply(changes, { before: observed, observeAfter: true });
    } finally {
      this.lastApplyEndedAt = this.opts.clock.now();
    }
    this.appliedListener?.(touchedServiceIds(changes), this.opts.clock.now());
    if (outcome.observed) this.noteObservation(outcome.observed, this.opts.clock.now());
    this.opts.metrics.observeApply(outcome.durationMs / 1000);
    const lines = planLines(changes);
    outcome.results.forEach((result, i) => {
      this.opts.log.info(
        { who: caller.name, what: saidText(what), line: lines[i], ok: result.ok, error: result.error },
        result.ok ? 'change applied' : 'change failed',
      );
    });
    const failed = outcome.results.filter((r) => !r.ok);
    const ok = failed.length === 0;
    this.opts.metrics.lastApply = { ok, at: this.opts.clock.now() };
    this.opts.events.publish({
      type: 'apply',
      time: this.opts.clock.now(),
      who: caller.name,
      ...recordedWhat(what),
      ok,
      lines,
      ...(ok ? {} : { error: failed[0]?.error ?? 'failed' }),
    });
    if (ok) return { results: outcome.results, after: outcome.observed ?? null };

    const applied = outcome.results.filter((r) => r.ok).map((r) => r.change);
    const rollback = options.rollback === false ? [] : rollbackChanges(applied, observed);
    let rollbackNote = '';
    if (rollback.length) {
      const undone = await this.opts.backend.apply(rollback, outcome.observed ? { before: outcome.observed } : {}).finally(() => {
        this.lastApplyEndedAt = this.opts.clock.now();
      });
      this.appliedListener?.(touchedServiceIds(rollback), this.opts.clock.now());
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
