// The up/down state machine of one destination's checks. Pure: results and
// times come in, a new state comes out. The agent's HealthManager holds one
// DestinationHealthState per destination and feeds it probe results.
import type { CheckKind, HealthCheck } from '../model/health';
import type { MessageId, MessageParams } from '../model/messages';

/**
 * up: serving. down: `fall` consecutive failures. pending: alpha mode, no
 * success yet. unchecked: health checks are off for this destination.
 */
export type HealthStatus = 'up' | 'down' | 'pending' | 'unchecked';

/** What one probe found. */
export interface ProbeResult {
  ok: boolean;
  /** When the probe finished (epoch ms). */
  time: number;
  latencyMs: number;
  /** "connected", "HTTP 503", "connection refused", "timed out after 2000 ms", ... */
  message: string;
  /** The message's id and parameters: the console says it in its language (`message` is the English fallback). */
  messageId?: MessageId;
  params?: MessageParams;
  /** Command checks with dynamicWeight: the weight the exit code set; null = the configured weight. */
  dynamicWeight?: number | null;
}

export interface HistoryEntry extends ProbeResult {
  /** Index of the check among the destination's checks. */
  check: number;
  kind: CheckKind;
}

export interface CheckState {
  kind: CheckKind;
  status: Exclude<HealthStatus, 'unchecked'>;
  consecutiveOk: number;
  consecutiveFail: number;
  /** When the status last changed (or the check started). */
  since: number;
  lastResult: ProbeResult | null;
  /** Last failed probe, kept after recovery for the console. */
  lastFailure: ProbeResult | null;
  dynamicWeight: number | null;
}

export interface DestinationHealthState {
  status: HealthStatus;
  /** When `status` was entered. */
  since: number;
  checks: CheckState[];
  /** Newest last; at most the service's historySize entries. */
  history: HistoryEntry[];
  /** Transitions between up and down (either way), not counting the first alpha success. */
  flaps: number;
  /** When the destination last came up from down/pending: the start of a slow-start ramp. */
  recoveredAt: number | null;
  /** The weight a dynamic-weight command check set; null = the configured weight. */
  dynamicWeight: number | null;
}

export interface CheckThresholds {
  rise: number;
  fall: number;
}

export function initialCheckState(kind: CheckKind, alpha: boolean, now: number): CheckState {
  return {
    kind,
    status: alpha ? 'pending' : 'up',
    consecutiveOk: 0,
    consecutiveFail: 0,
    since: now,
    lastResult: null,
    lastFailure: null,
    dynamicWeight: null,
  };
}

export function initialDestinationState(checks: readonly Pick<HealthCheck, 'kind'>[], alpha: boolean, now: number): DestinationHealthState {
  const checkStates = checks.map((check) => initialCheckState(check.kind, alpha, now));
  return {
    status: combinedStatus(checkStates),
    since: now,
    checks: checkStates,
    history: [],
    flaps: 0,
    recoveredAt: null,
    dynamicWeight: null,
  };
}

/** One probe result applied to one check: rise/fall counting, alpha's first success. */
export function nextCheckState(state: CheckState, result: ProbeResult, thresholds: CheckThresholds): CheckState {
  const dynamicWeight = result.ok ? (result.dynamicWeight ?? null) : state.dynamicWeight;
  if (result.ok) {
    const consecutiveOk = state.consecutiveOk + 1;
    const comesUp = state.status === 'pending' || (state.status === 'down' && consecutiveOk >= thresholds.rise);
    return {
      ...state,
      status: comesUp ? 'up' : state.status,
      since: comesUp ? result.time : state.since,
      consecutiveOk,
      consecutiveFail: 0,
      lastResult: result,
      dynamicWeight,
    };
  }
  const consecutiveFail = state.consecutiveFail + 1;
  const goesDown = state.status === 'up' && consecutiveFail >= thresholds.fall;
  return {
    ...state,
    status: goesDown ? 'down' : state.status,
    since: goesDown ? result.time : state.since,
    consecutiveOk: 0,
    consecutiveFail,
    lastResult: result,
    lastFailure: result,
    dynamicWeight,
  };
}

/** Every check must be up (keepalived: any failing checker takes the server down). */
export function combinedStatus(checks: readonly CheckState[]): HealthStatus {
  if (checks.length === 0) return 'unchecked';
  if (checks.some((c) => c.status === 'down')) return 'down';
  if (checks.some((c) => c.status === 'pending')) return 'pending';
  return 'up';
}

/** The lowest weight any dynamic check set (null when none set one). */
function combinedDynamicWeight(checks: readonly CheckState[]): number | null {
  let weight: number | null = null;
  for (const check of checks) {
    if (check.dynamicWeight !== null) weight = weight === null ? check.dynamicWeight : Math.min(weight, check.dynamicWeight);
  }
  return weight;
}

/**
 * A destination's state after one probe of check `checkIndex`. Results for a
 * check index the state does not have are ignored (the config changed under
 * a probe in flight).
 */
export function recordProbe(
  state: DestinationHealthState,
  checkIndex: number,
  result: ProbeResult,
  thresholds: CheckThresholds,
  historySize: number,
): DestinationHealthState {
  const check = state.checks[checkIndex];
  if (!check) return state;
  const checks = state.checks.slice();
  checks[checkIndex] = nextCheckState(check, result, thresholds);
  const status = combinedStatus(checks);
  const history = [...state.history, { ...result, check: checkIndex, kind: check.kind }];
  if (history.length > historySize) history.splice(0, history.length - historySize);
  const changed = status !== state.status;
  const wasServing = state.status === 'up' || state.status === 'unchecked';
  const isServing = status === 'up';
  const flapped = changed && ((wasServing && status === 'down') || (state.status === 'down' && isServing));
  return {
    status,
    since: changed ? result.time : state.since,
    checks,
    history,
    flaps: state.flaps + (flapped ? 1 : 0),
    recoveredAt: changed && isServing ? result.time : state.recoveredAt,
    dynamicWeight: combinedDynamicWeight(checks),
  };
}

/** The most recent failed probe of any check, for "failing since" explanations. */
export function lastFailure(state: DestinationHealthState): ProbeResult | null {
  let latest: ProbeResult | null = null;
  for (const check of state.checks) {
    if (check.lastFailure && (!latest || check.lastFailure.time > latest.time)) latest = check.lastFailure;
  }
  return latest;
}

/** Flaps among the kept history: changes of ok between consecutive results of the same check. */
export function historyFlaps(history: readonly HistoryEntry[]): number {
  const lastOk = new Map<number, boolean>();
  let flaps = 0;
  for (const entry of history) {
    const previous = lastOk.get(entry.check);
    if (previous !== undefined && previous !== entry.ok) flaps++;
    lastOk.set(entry.check, entry.ok);
  }
  return flaps;
}
