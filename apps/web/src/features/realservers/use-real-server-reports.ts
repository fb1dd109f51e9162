// Reports real servers' own agents send the director (serve --role realserver
// --report-to), and an admin's request that one of them fixes its settings.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { trpc } from '../../lib/trpc';

export function useRealServerReports() {
  return useQuery({ ...trpc.realServers.list.queryOptions(), refetchInterval: 5000 });
}

/** The real server applies at its next report; the list then shows the request until it does. */
export function useRequestRealServerFix() {
  const queryClient = useQueryClient();
  return useMutation(
    trpc.realServers.requestFix.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.realServers.list.queryKey() }),
    }),
  );
}

/** Drop a retired real server's report; one still running reports again. */
export function useForgetRealServerReport() {
  const queryClient = useQueryClient();
  return useMutation(
    trpc.realServers.forget.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.realServers.list.queryKey() }),
    }),
  );
}
