// The agent's health view (states, probe history, effective weights, drains,
// "why no traffic"), polled every second like the state snapshot.
import { useQuery } from '@tanstack/react-query';
import { trpc, type RouterOutputs } from '../../lib/trpc';
import { msg, t } from '../../lib/i18n';
import { formatNumber } from '../../lib/format-number';

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

/**
 * Only the services with a failing check or a lost quorum (the services
 * list's warnings): at 1,000 healthy services the whole status is a megabyte
 * a second to parse, this a few bytes.
 */
export function useHealthProblems() {
  return useQuery({ ...trpc.health.status.queryOptions({ problems: true }), refetchInterval: 1000 });
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
  'configured-zero': msg('configured 0'),
  draining: msg('draining'),
  'check-failing': msg('check failing'),
  'removed-on-failure': msg('removed while failing'),
  'alpha-pending': msg('alpha: no success yet'),
  'dynamic-weight': msg('set by check command'),
  'quorum-lost': msg('quorum lost'),
  'slow-start': msg('slow start'),
};

/** Why the kernel's weight differs from the configured one, in a few words. */
export function effectiveWeightReason(view: DestinationHealthView): string | null {
  for (const reason of view.explanation?.reasons ?? []) {
    if (reason.severity === 'note') continue;
    const short = SHORT_REASON[reason.code];
    if (short) return t(short);
  }
  return null;
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return t('{{count}} s', { count: Math.round(seconds) });
  if (seconds < 5400) return t('{{count}} min', { count: Math.round(seconds / 60) });
  return t('{{hours}} h', { hours: formatNumber(seconds / 3600, 1) });
}
