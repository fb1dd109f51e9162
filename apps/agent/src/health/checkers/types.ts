// A checker probes one target once. It never throws: every failure is a
// result with a message an operator can act on ("connection refused",
// "HTTP 503", "timed out after 2000 ms").
import type { HealthCheck } from '@lvs-console/shared';

export interface ProbeTarget {
  address: string;
  port: number;
}

export interface ProbeOutcome {
  ok: boolean;
  message: string;
  /** Dynamic-weight command checks: the weight the exit code set (null = configured weight). */
  dynamicWeight?: number | null;
}

/** Runs one probe; must settle soon after `signal` aborts (the manager's timeout). */
export type Checker<Check extends HealthCheck = HealthCheck> = (check: Check, target: ProbeTarget, signal: AbortSignal) => Promise<ProbeOutcome>;

/** Words for a socket error: "connection refused" rather than "ECONNREFUSED". */
export function describeSocketError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by peer';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EADDRNOTAVAIL':
      return 'address not available';
    case 'EPIPE':
      return 'connection closed while sending';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

export function abortMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : 'timed out';
}
