// Shapes the API returns. Plain JSON (numbers, strings, arrays) so they cross
// tRPC without a transformer; times are epoch milliseconds.
import type { DesiredState, ObservedTable } from '../model';
import type { Change } from '../plan/change';

export type Role = 'admin' | 'viewer';

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
}

export interface RevisionSummary {
  revision: number;
  time: number;
  who: string;
  what: string;
  serviceCount: number;
}

export interface AuditEntry {
  seq: number;
  time: number;
  who: string;
  role: Role | 'system';
  what: string;
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

export type AgentEvent =
  | { type: 'revision'; time: number; revision: number; who: string; what: string }
  | { type: 'apply'; time: number; who: string; what: string; ok: boolean; lines: string[]; error?: string }
  | { type: 'drift'; time: number; count: number; descriptions: string[] }
  | { type: 'rejected'; time: number; who: string; what: string; error: string };
