import { useQuery } from '@tanstack/react-query';
import { trpc } from '../../lib/trpc';
import { useSystemInfo } from '../../lib/agent';

export function useSimStatus() {
  const info = useSystemInfo();
  return useQuery({ ...trpc.sim.status.queryOptions(), refetchInterval: 2000, enabled: info.data?.backend.kind === 'sim' });
}

/** Destinations the sim has failed, for one service: destinationId set. */
export function useFailingDestinations(serviceIdValue: string): ReadonlySet<string> {
  const status = useSimStatus();
  return new Set((status.data?.failed ?? []).filter((f) => f.service === serviceIdValue).map((f) => f.destination));
}
