// The agent's health view (states, probe history, effective weights, drains,
// "why no traffic"), polled every second like the state snapshot.
import { useQuery } from '@tanstack/react-query';
import { trpc, type RouterOutputs } from '../../lib/trpc';

export type HealthStatusView = RouterOutputs['health']['status'];
export type ServiceHealthView = HealthStatusView['services'][number];
export type DestinationHealthView = ServiceHealthView['destinations'][number];
export type HealthReason = NonNullable<DestinationHealthView['explanation']>['reasons'][number];
export type ProbeHistoryEntry = DestinationHealthView['history'][number];
export type DrainProgressView = NonNullable<DestinationHealthView['drain']>;

/** One service (by id), or every service when no id is given. */
export function useHealthStatus(serviceIdValue?: string) {
  return useQuery({
    ...trpc.health.status.queryOptions(serviceIdValue ? { service: serviceIdValue } : undefined),
    refetchInterval: 1000,
  });
}

/** The states the console names; "rising" and "ramping" are read from the checks and reasons. */
export type HealthLabel = 'up' | 'down' | 'rising' | 'alpha' | 'ramping' | 'draining' | 'no checks';

export function healthLabel(view: DestinationHealthView): HealthLabel {
  if (view.admin === 'draining') return 'draining';
  if (view.status === 'unchecked') return 'no checks';
  if (view.status === 'pending') return 'alpha';
  if (view.status === 'down') return view.checks.some((check) => check.consecutiveOk > 0) ? 'rising' : 'down';
  if (view.explanation?.reasons.some((reason) => reason.code === 'slow-start')) return 'ramping';
  return 'up';
}

/** Every configured check is answered by the sim's failing flag, not a real probe. */
export function isSimulated(view: DestinationHealthView): boolean {
  return view.checks.length > 0 && view.checks.every((check) => check.simulated);
}

const SHORT_REASON: Partial<Record<HealthReason['code'], string>> = {
  'configured-zero': 'configured 0',
  draining: 'draining',
  'check-failing': 'check failing',
  'removed-on-failure': 'removed while failing',
  'alpha-pending': 'alpha: no success yet',
  'dynamic-weight': 'set by check command',
  'quorum-lost': 'quorum lost',
  'slow-start': 'slow start',
};

/** Why the kernel's weight differs from the configured one, in a few words. */
export function effectiveWeightReason(view: DestinationHealthView): string | null {
  for (const reason of view.explanation?.reasons ?? []) {
    if (reason.severity === 'note') continue;
    const short = SHORT_REASON[reason.code];
    if (short) return short;
  }
  return null;
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
