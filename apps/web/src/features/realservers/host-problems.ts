// Host-setting problems the agent knows about, per service ("arp_ignore not
// set on 10.0.0.7"), for warnings in the overview and on the diagram.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { trpc } from '../../lib/trpc';
import { t } from '../../lib/i18n';

export interface HostSettingStatusLike {
  id: string;
  description: string;
  ok: boolean;
  actual?: string | null;
  message?: string | null;
}

export function problemText(status: HostSettingStatusLike): string {
  return status.message
    ? status.message
    : status.actual
      ? t('{{setting}} missing (now {{actual}})', { setting: status.description, actual: status.actual })
      : t('{{setting}} missing', { setting: status.description });
}

export function useHostStatus() {
  return useQuery({ ...trpc.host.status.queryOptions(), refetchInterval: 10_000 });
}

/** serviceId -> problem lines; the same Map until the status changes (the services list memoises on it). */
export function useHostProblems(): ReadonlyMap<string, string[]> {
  const data = useHostStatus().data;
  return useMemo(() => {
    const map = new Map<string, string[]>();
    if (!data?.available) return map;
    for (const svc of data.services) {
      const problems = svc.settings.filter((s) => !s.ok).map(problemText);
      if (problems.length) map.set(svc.service, problems);
    }
    return map;
  }, [data]);
}
