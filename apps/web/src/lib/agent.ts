// Hooks every screen shares: the desired + observed snapshot (1 s), who we
// are, what backend is live, and invalidation after a change.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ObservedService, Service, StateSnapshot } from './types';
import { serviceId } from '@lvs-console/shared';
import { applyStateChanges, overlayLiveSample, type LiveSample } from '@lvs-console/shared/api';
import { useLiveSample } from './live-sample';
import { trpc, trpcClient } from './trpc';

/**
 * The snapshot, polled each second. After the first full state.get, each poll
 * asks state.since for what changed since the revision and observation this
 * tab holds (usually nothing, or a few services) and merges it, so the cache
 * always holds a whole StateSnapshot under state.get's key. The numbers that
 * move every second (rates, connection counts) come from the stats stream and
 * are laid over the kernel table.
 */
export function useSnapshot() {
  const queryClient = useQueryClient();
  const options = trpc.state.get.queryOptions();
  const query = useQuery({
    ...options,
    queryFn: async (): Promise<StateSnapshot> => {
      const held = queryClient.getQueryData(options.queryKey);
      if (!held) return trpcClient.state.get.query();
      const changes = await trpcClient.state.since.query({ sinceRevision: held.revision, sinceObservation: held.observationSeq });
      return applyStateChanges(held, changes);
    },
    refetchInterval: 1000,
  });
  const data = withLiveNumbers(query.data, useLiveSample());
  return { ...query, data };
}

// One overlay per (snapshot, sample) pair, however many screens ask for it.
let overlaid: { snapshot: StateSnapshot; sample: LiveSample | null; result: StateSnapshot } | null = null;

function withLiveNumbers(snapshot: StateSnapshot | undefined, sample: LiveSample | null): StateSnapshot | undefined {
  if (!snapshot?.observed || !sample) return snapshot;
  if (overlaid?.snapshot !== snapshot || overlaid.sample !== sample) {
    overlaid = { snapshot, sample, result: { ...snapshot, observed: overlayLiveSample(snapshot.observed, sample) } };
  }
  return overlaid.result;
}

export function useSystemInfo() {
  return useQuery({ ...trpc.system.info.queryOptions(), refetchInterval: 10_000 });
}

export function useWhoami() {
  return useQuery({ ...trpc.auth.whoami.queryOptions(), staleTime: 60_000 });
}

/** Viewers see no edit controls; the agent refuses their changes anyway. */
export function useIsAdmin(): boolean {
  return useWhoami().data?.role === 'admin';
}

/** The revision a change is based on; a stale one comes back as a CONFLICT. */
export function useBaseRevision(): number {
  return useSnapshot().data?.revision ?? 0;
}

/** Refetch everything a change can affect. */
export function useInvalidateAfterChange(): () => Promise<void> {
  const queryClient = useQueryClient();
  return async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.state.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.host.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.sim.pathKey() }),
      // Drains and health settings change what health.status reports.
      queryClient.invalidateQueries({ queryKey: trpc.health.pathKey() }),
    ]);
  };
}

export interface ServiceView {
  id: string;
  desired: Service | null;
  observed: ObservedService | null;
}

/** Desired and observed services side by side, by id (either may be missing: drift). */
export function serviceViews(snapshot: StateSnapshot | undefined): ServiceView[] {
  if (!snapshot) return [];
  const byId = new Map<string, ServiceView>();
  for (const svc of snapshot.desired.services) byId.set(serviceId(svc.key), { id: serviceId(svc.key), desired: svc, observed: null });
  for (const svc of snapshot.observed?.services ?? []) {
    const id = serviceId(svc.key);
    const view = byId.get(id);
    if (view) view.observed = svc;
    else byId.set(id, { id, desired: null, observed: svc });
  }
  return [...byId.values()];
}

// The newest revision this tab knows: a commit answers with its revision
// before the next 1 s snapshot arrives, and quick successive edits (two
// sliders) must not be refused as stale.
let newestRevision = 0;

export function noteRevision(revision: number): void {
  if (revision > newestRevision) newestRevision = revision;
}

export function useRevision(): () => number {
  const snapshotRevision = useSnapshot().data?.revision ?? 0;
  return () => Math.max(snapshotRevision, newestRevision);
}
