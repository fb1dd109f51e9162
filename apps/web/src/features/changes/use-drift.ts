// The agent's drift report: the one place the console asks for drift. Every
// screen (overview, a service's header, Changes) shows this answer; the
// browser never compares desired and observed itself, so they cannot disagree.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { driftByService, type ServiceDriftKind } from '@lvs-console/shared/drift';
import { trpc } from '../../lib/trpc';
import { msg } from '../../lib/i18n';

export function useDriftReport() {
  return useQuery({ ...trpc.state.drift.queryOptions(), refetchInterval: 3000 });
}

/** Drift per service (serviceId → kind); services the agent found in sync are absent. */
export function useServiceDrift(): ReadonlyMap<string, ServiceDriftKind> {
  const changes = useDriftReport().data?.changes;
  // The same Map until the report changes: the services list memoises its rows on it.
  return useMemo(() => (changes ? driftByService(changes) : NO_DRIFT), [changes]);
}

const NO_DRIFT: ReadonlyMap<string, ServiceDriftKind> = new Map();

export const DRIFT_TEXT: Record<ServiceDriftKind, string> = {
  'missing-in-kernel': msg('drift: not in the kernel'),
  'only-in-kernel': msg('drift: only in the kernel (added by hand)'),
  differs: msg('drift: kernel differs from desired'),
};
