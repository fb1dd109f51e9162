// The console's one way to change the desired state. A change is an Edit
// (the very object state.preview plans, so a preview and its apply cannot
// differ) or a whole-revision action (undo, adopt or revert drift). useCommit
// sends it with the revision it is based on, re-bases a relative edit once
// when another change got in first, notes the new revision and refetches
// what a change can affect.
import { useMutation } from '@tanstack/react-query';
import type { EditInput } from '@lvs-console/shared/api';
import type { DrainCancelInput, DrainStartInput } from '@lvs-console/shared/health';
import { noteRevision, useInvalidateAfterChange, useRevision } from './agent';
import { isConflict, queryClient, trpc, trpcClient } from './trpc';
import type { CommitOutcome } from './types';

/** Changes that are not one Edit: tracked drains (health runtime) and whole-revision actions. */
export type RevisionAction =
  | ({ op: 'start-drain' } & Omit<DrainStartInput, 'baseRevision'>)
  | ({ op: 'cancel-drain' } & Omit<DrainCancelInput, 'baseRevision'>)
  | { op: 'undo'; toRevision: number }
  | { op: 'adopt-drift' }
  | { op: 'revert-drift' };

export type Commit = EditInput | RevisionAction;

/** The procedure that commits each change (the agent checks the caller's role there: weights are an operator's, services an admin's). */
export function sendCommit(commit: Commit, baseRevision: number): Promise<CommitOutcome> {
  switch (commit.op) {
    case 'add-service':
      return trpcClient.services.add.mutate({ baseRevision, service: commit.service });
    case 'edit-service':
      return trpcClient.services.edit.mutate({ baseRevision, service: commit.service, patch: commit.patch });
    case 'remove-service':
      return trpcClient.services.remove.mutate({ baseRevision, service: commit.service });
    case 'set-scheduler':
      return trpcClient.services.setScheduler.mutate({ baseRevision, service: commit.service, scheduler: commit.scheduler, flags: commit.flags });
    case 'set-persistence':
      return trpcClient.services.setPersistence.mutate({ baseRevision, service: commit.service, persistence: commit.persistence });
    case 'set-health':
      return trpcClient.services.setHealth.mutate({ baseRevision, service: commit.service, health: commit.health });
    case 'add-destination':
      return trpcClient.destinations.add.mutate({ baseRevision, service: commit.service, destination: commit.destination });
    case 'edit-destination':
      return trpcClient.destinations.edit.mutate({ baseRevision, service: commit.service, destination: commit.destination, patch: commit.patch });
    case 'remove-destination':
      return trpcClient.destinations.remove.mutate({ baseRevision, service: commit.service, destination: commit.destination });
    case 'set-weight':
      return trpcClient.destinations.setWeight.mutate({ baseRevision, service: commit.service, destination: commit.destination, weight: commit.weight });
    case 'drain':
      return trpcClient.destinations.drain.mutate({ baseRevision, service: commit.service, destination: commit.destination });
    case 'set-timeouts':
      return trpcClient.host.setTimeouts.mutate({ baseRevision, timeouts: commit.timeouts });
    case 'set-sync-daemons':
      return trpcClient.host.setSyncDaemons.mutate({ baseRevision, daemons: commit.daemons });
    case 'set-host-settings':
      return trpcClient.host.setSettings.mutate({ baseRevision, settings: commit.settings });
    case 'set-sysctl':
      return trpcClient.host.setSysctl.mutate({ baseRevision, name: commit.name, value: commit.value, reason: commit.reason });
    case 'replace-state':
      return trpcClient.state.replace.mutate({ baseRevision, state: commit.state });
    case 'set-vip-interface':
      return trpcClient.cluster.setVipInterface.mutate({ baseRevision, interface: commit.interface });
    case 'set-ha':
      return trpcClient.cluster.setHa.mutate({ baseRevision, ha: commit.ha });
    case 'start-drain': {
      const { op: _op, ...input } = commit;
      return trpcClient.drain.start.mutate({ baseRevision, ...input });
    }
    case 'cancel-drain':
      return trpcClient.drain.cancel.mutate({ baseRevision, service: commit.service, destination: commit.destination });
    case 'undo':
      return trpcClient.state.undo.mutate({ baseRevision, toRevision: commit.toRevision });
    case 'adopt-drift':
      return trpcClient.state.adoptDrift.mutate({ baseRevision });
    case 'revert-drift':
      return trpcClient.state.revertDrift.mutate({ baseRevision });
  }
}

/**
 * Never re-based: whole-state changes (the operator saw a plan against the old
 * revision; replaying it would undo whatever got in first) and a service's
 * health settings (they carry its drains, which may have changed meanwhile).
 */
const WHOLE_STATE: ReadonlySet<Commit['op']> = new Set(['replace-state', 'undo', 'adopt-drift', 'revert-drift', 'set-health']);

/** Send once; on a CONFLICT send a relative edit again on the agent's newest revision. */
export async function commitWithRetry(commit: Commit, baseRevision: number): Promise<CommitOutcome> {
  try {
    return await sendCommit(commit, baseRevision);
  } catch (error) {
    if (!isConflict(error) || WHOLE_STATE.has(commit.op)) throw error;
    const fresh = await queryClient.fetchQuery({ ...trpc.state.get.queryOptions(), staleTime: 0 });
    return sendCommit(commit, fresh.revision);
  }
}

/**
 * Preview a change's plan (dry run) against the revision the console holds.
 * A whole state goes as a dry-run POST: in a GET query string it would pass
 * the URL limit with a large table.
 */
export function usePreviewPlan() {
  const revision = useRevision();
  return (edit: EditInput) =>
    edit.op === 'replace-state'
      ? trpcClient.state.replace.mutate({ baseRevision: revision(), state: edit.state, dryRun: true })
      : trpcClient.state.preview.query({ baseRevision: revision(), edit });
}

export interface CommitCallbacks<V> {
  onMutate?: (variables: V) => void;
  /** After the new revision is noted and the caches refetched. */
  onSuccess?: (outcome: CommitOutcome, variables: V) => void | Promise<void>;
  onError?: (error: unknown, variables: V) => void;
}

/**
 * The mutation every change in the console goes through. `toCommit` turns the
 * caller's variables into the change (identity when they are already one).
 */
export function useCommit<V = Commit>(toCommit: (variables: V) => Commit = (v) => v as unknown as Commit, callbacks: CommitCallbacks<V> = {}) {
  const revision = useRevision();
  const invalidate = useInvalidateAfterChange();
  return useMutation({
    mutationFn: (variables: V) => commitWithRetry(toCommit(variables), revision()),
    onMutate: callbacks.onMutate,
    onSuccess: async (outcome, variables) => {
      noteRevision(outcome.revision);
      await invalidate();
      await callbacks.onSuccess?.(outcome, variables);
    },
    onError: (error, variables) => callbacks.onError?.(error, variables),
  });
}
