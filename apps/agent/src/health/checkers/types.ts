// A checker probes one target once. It never throws: every failure is a
// result with a message an operator can act on ("connection refused",
// "HTTP 503", "timed out after 2000 ms").
import { describedText, messageText, nestedParams, type HealthCheck, type MessageId, type MessageParams } from '@lvs-console/shared';

export interface ProbeTarget {
  address: string;
  port: number;
}

/** A text with, when the agent knows it, its message id and parameters (the console translates it). */
export interface ProbeText {
  message: string;
  messageId?: MessageId;
  params?: MessageParams;
}

export interface ProbeOutcome extends ProbeText {
  ok: boolean;
  /** Dynamic-weight command checks: the weight the exit code set (null = configured weight). */
  dynamicWeight?: number | null;
}

/** An outcome said by message id: the English text and the id travel together. */
export function outcome(ok: boolean, id: MessageId, params: MessageParams = {}): ProbeOutcome {
  return { ok, ...describedText(id, params) };
}

/** An outcome whose text wraps a reason (a timeout, a socket error): the reason's id goes along as `reasonId`. */
export function outcomeBecause(ok: boolean, id: MessageId, reason: ProbeText, params: MessageParams = {}): ProbeOutcome {
  return outcome(ok, id, nestedParams('reason', reason, params));
}

/** The manager's timeout, as the abort reason of a probe's signal. */
export class ProbeTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(messageText('probeTimedOutAfter', { ms: timeoutMs }));
  }
}

/** Runs one probe; must settle soon after `signal` aborts (the manager's timeout). */
export type Checker<Check extends HealthCheck = HealthCheck> = (check: Check, target: ProbeTarget, signal: AbortSignal) => Promise<ProbeOutcome>;

const SOCKET_ERROR_IDS: Record<string, MessageId> = {
  ECONNREFUSED: 'probeConnectionRefused',
  ECONNRESET: 'probeConnectionReset',
  EHOSTUNREACH: 'probeHostUnreachable',
  ENETUNREACH: 'probeNetworkUnreachable',
  ETIMEDOUT: 'probeConnectionTimedOut',
  EADDRNOTAVAIL: 'probeAddressNotAvailable',
  EPIPE: 'probeClosedWhileSending',
};

/** Words for a socket error: "connection refused" rather than "ECONNREFUSED". */
export function describeSocketError(error: unknown): ProbeText {
  const code = (error as { code?: unknown } | null)?.code;
  const id = typeof code === 'string' ? SOCKET_ERROR_IDS[code] : undefined;
  if (id) return describedText(id);
  return { message: error instanceof Error ? error.message : String(error) };
}

/** Why a probe's signal aborted: the manager's timeout, or another reason's own words. */
export function abortReason(signal: AbortSignal): ProbeText {
  const reason: unknown = signal.reason;
  if (reason instanceof ProbeTimeout) return describedText('probeTimedOutAfter', { ms: reason.timeoutMs });
  return reason instanceof Error ? { message: reason.message } : describedText('probeTimedOut');
}

/** A failed probe that ended because its signal aborted. */
export function abortedOutcome(signal: AbortSignal): ProbeOutcome {
  return { ok: false, ...abortReason(signal) };
}
