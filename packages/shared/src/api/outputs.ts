// Shapes the API returns. Plain JSON (numbers, strings, arrays) so they cross
// tRPC without a transformer; times are epoch milliseconds.
import type { DesiredState, HostSetting, MessageParams, ObservedTable, RecordedWhat } from '../model';
import type { Change } from '../plan/change';
import { mergeObservedChanges, type ObservedServiceChanges } from './observed-changes';

/** admin: everything; viewer: read; realserver: only report a real server's settings (realServers.report). */
export type Role = 'admin' | 'operator' | 'viewer' | 'realserver';

/** Who makes a request: the token's name (as the audit log records it) and its role. */
export interface Caller {
  name: string;
  role: Role;
}

/** What happened to one change of a plan (mirrors the kernel backend's ChangeResult). */
export interface ChangeOutcome {
  change: Change;
  ok: boolean;
  error?: string;
}

export interface CommitOutcome {
  /** The desired state's revision after the commit (unchanged on dry runs). */
  revision: number;
  dryRun: boolean;
  /** The kernel operations, in order. */
  changes: Change[];
  /** The same as ipvsadm lines ("these ipvsadm lines will run"). */
  lines: string[];
  /** Per-change results; empty on dry runs. */
  results: ChangeOutcome[];
  /** Warnings that do not block the change (e.g. a DR real server with a different port). */
  warnings: string[];
  durationMs: number;
  /** With a cluster: what each other director did with the new revision. */
  members?: MemberResult[];
}

/** One director's answer to a replicated revision. */
export interface MemberResult {
  director: string;
  /** Applied to its kernel (or it already had this revision). */
  ok: boolean;
  /** The director's revision after the attempt (null when unreachable). */
  revision: number | null;
  message: string;
  /** The round trip to it, its apply included, as this director measured it. */
  durationMs?: number;
}

/** What an import read, beside its plan: the web's preview and the CLI print it. */
export interface ImportSummary {
  format: 'ipvsadm' | 'json' | 'keepalived';
  /** The import replaces the whole table (replace mode, or a paste with `ipvsadm -C`). */
  replaces: boolean;
  /** Services of the current desired state the import deletes (labels); a replace needs confirmDeletes for them. */
  deletes: string[];
  /** Lines that changed the table (commands), or the services of a listing or JSON document. */
  ruleLines: number;
  source: 'commands' | 'listing' | 'json' | 'keepalived';
  /** Every other non-blank line, with its number and why it was skipped. */
  skipped: Array<{ line: number; text: string; why: string }>;
  warnings: string[];
}

export interface ImportOutcome extends CommitOutcome {
  import: ImportSummary;
}

export interface DriftReport {
  /** Changes that would make the kernel match the desired state again. */
  changes: Change[];
  /** Human lines, one per difference ("kernel has real server 10.0.0.3:80 in TCP 192.0.2.1:80 that the desired state lacks"). */
  descriptions: string[];
  /** The ipvsadm lines a revert would run. */
  lines: string[];
  /** When these differences were first seen; null when there is no drift. */
  since: number | null;
  checkedAt: number;
  mode: 'report' | 'revert';
}

export interface StateSnapshot {
  revision: number;
  updatedAt: number;
  updatedBy: string;
  desired: DesiredState;
  observed: ObservedTable | null;
  observedAt: number | null;
  /** now - observedAt, computed by the agent when answering. */
  observationAgeMs: number | null;
  /** Counts the agent's observations: a new number means a new `observed` (two may share a millisecond). */
  observationSeq: number;
}

/**
 * state.since: a StateSnapshot without what the caller already has. `desired`
 * comes only when the revision moved past sinceRevision. For the kernel table:
 * `observedChanges` holds the services whose settings or real servers changed
 * since sinceObservation (counters and rates are not a change: they come by
 * stats.onSample); `observed` (whole) comes instead when the agent cannot tell
 * what the caller holds (an observation it no longer remembers, a restart).
 * `unchanged` when nothing at all is new.
 */
export interface StateChanges {
  revision: number;
  updatedAt: number;
  updatedBy: string;
  observedAt: number | null;
  observationAgeMs: number | null;
  observationSeq: number;
  unchanged: boolean;
  desired?: DesiredState;
  observed?: ObservedTable | null;
  observedChanges?: ObservedServiceChanges;
}

/** The caller's snapshot brought up to date by a state.since answer. */
export function applyStateChanges(previous: StateSnapshot, changes: StateChanges): StateSnapshot {
  const observed =
    changes.observed !== undefined
      ? changes.observed
      : changes.observedChanges
        ? mergeObservedChanges(previous.observed, changes.observedChanges)
        : previous.observed;
  return {
    revision: changes.revision,
    updatedAt: changes.updatedAt,
    updatedBy: changes.updatedBy,
    desired: changes.desired ?? previous.desired,
    observed,
    observedAt: changes.observedAt,
    observationAgeMs: changes.observationAgeMs,
    observationSeq: changes.observationSeq,
  };
}

/** One person of users.json as the Users page lists them (never the password hash). */
export interface UserSummary {
  name: string;
  role: 'admin' | 'operator' | 'viewer';
  createdAt: number;
  /** Live console sessions of this name (password, login link or token). */
  sessions: number;
}

/**
 * `what` is the English text the agent recorded (exports and the CLI show it);
 * `whatId` with `whatParams` says it by message id for the console's language.
 * Entries recorded before ids were kept have `what` alone.
 */
export interface RecordedFields {
  what: string;
  whatId?: string;
  whatParams?: MessageParams;
}

export interface RevisionSummary extends RecordedFields {
  revision: number;
  time: number;
  who: string;
  serviceCount: number;
}

/** Who an audit entry names for a request that came without a valid token (refusals; the console says it in its language). */
export const WHO_WITHOUT_TOKEN = '(no valid token)';

export interface AuditEntry extends RecordedFields {
  seq: number;
  time: number;
  who: string;
  role: Role | 'system';
  result: 'ok' | 'rejected' | 'failed';
  error?: string;
  revision?: number;
  /** The ipvsadm lines that ran (or would have). */
  lines?: string[];
}

export interface RateSample {
  /** Connections per second. */
  cps: number;
  inPps: number;
  outPps: number;
  inBps: number;
  outBps: number;
}

export interface SeriesPoint extends RateSample {
  time: number;
  activeConns: number;
  inactiveConns: number;
  /** How many 1 s samples this point averages (windows only). */
  samples?: number;
}

export interface DestinationSeries {
  id: string;
  points: SeriesPoint[];
}

export interface ServiceSeries {
  id: string;
  points: SeriesPoint[];
  destinations: DestinationSeries[];
}

export interface LiveSample {
  time: number;
  services: Array<{
    id: string;
    rates: RateSample;
    destinations: Array<{ id: string; rates: RateSample; activeConns: number; inactiveConns: number; persistentConns: number; weight: number }>;
  }>;
}

export interface ShareRow {
  destination: string;
  weight: number;
  /** Fraction 0..1 of new connections the scheduler should send here. */
  predicted: number | null;
  /** Fraction 0..1 of new connections the kernel actually sent here over the window. */
  measured: number | null;
  connections: number;
}

/** `what` in English, with `whatId` and `whatParams` beside when the agent said it by message id. */
export type AgentEvent =
  | ({ type: 'revision'; time: number; revision: number; who: string } & RecordedWhat)
  | ({ type: 'apply'; time: number; who: string; ok: boolean; lines: string[]; error?: string } & RecordedWhat)
  | { type: 'drift'; time: number; count: number; descriptions: string[] }
  | ({ type: 'rejected'; time: number; who: string; error: string } & RecordedWhat);

/** A real server's settings as its own agent last reported them. */
export interface RealServerReport {
  address: string;
  mode: 'dr' | 'tun';
  vips: string[];
  hostname: string | null;
  rows: Array<{ setting: HostSetting; actual: string | null; ok: boolean; message: string }>;
  /** Every row holds. */
  passed: boolean;
  receivedAt: number;
  /** Seconds between this real server's reports. */
  intervalSeconds: number;
  /** No report for three intervals: the real server's agent stopped or cannot reach the director. */
  stale: boolean;
  /** An admin asked for a fix that the real server has not picked up yet. */
  fixRequested: { by: string; at: number } | null;
  /** The last fix the real server applied on request. */
  lastFix: { by: string; requestedAt: number; appliedAt: number; ok: boolean; messages: string[] } | null;
}

export interface RealServerReports {
  reports: RealServerReport[];
  /** Reports older than this are stale (three intervals of the slowest real server). */
  staleAfterMs: number;
}

/** The director's answer to a report: apply the settings now (an admin asked for it). */
export interface RealServerReportAnswer {
  apply: boolean;
}
