// Host-setting problems the agent knows about, per service ("arp_ignore not
// set on 10.0.0.7"), for warnings in the overview and on the diagram.
import { useQuery } from '@tanstack/react-query';
import type { HostSetting, MessageParams } from '@lvs-console/shared';
import { useMemo } from 'react';
import { trpc } from '../../lib/trpc';
import { t } from '../../lib/i18n';
import { localHostMessage, localHostSetting } from './host-messages';

export interface HostSettingStatusLike {
  id: string;
  description: string;
  ok: boolean;
  actual?: string | null;
  message?: string | null;
  setting?: HostSetting;
  messageId?: unknown;
  params?: MessageParams;
}

/** A failing row in the console's language (the agent's message by its id). */
export function problemText(status: HostSettingStatusLike): string {
  const description = status.setting ? localHostSetting(status.setting) : status.description;
  return status.message
    ? localHostMessage({ ...status, message: status.message })
    : status.actual
      ? t('{{setting}} missing (now {{actual}})', { setting: description, actual: status.actual })
      : t('{{setting}} missing', { setting: description });
}

export function useHostStatus() {
  return useQuery({ ...trpc.host.status.queryOptions(), refetchInterval: 10_000 });
}

/**
 * serviceId -> problem lines; the same Map until the status changes (the services list memoises on it).
 * Asks only for the failing rows: the whole status of 1,000 services is most of a megabyte.
 */
export function useHostProblems(): ReadonlyMap<string, string[]> {
  const data = useQuery({ ...trpc.host.status.queryOptions({ problems: true }), refetchInterval: 10_000 }).data;
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
