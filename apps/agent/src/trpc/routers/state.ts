// Desired + observed state, drift, revisions, undo, import and whole-state apply.
import type { TRPCRouterRecord } from '@trpc/server';
import {
  driftActionInput,
  importInput,
  previewInput,
  replaceStateInput,
  revisionGetInput,
  revisionsListInput,
  stateSinceInput,
  undoInput,
} from '@lvs-console/shared/api';
import type { StateChanges, StateSnapshot } from '@lvs-console/shared/api';
import { adminProcedure, viewerProcedure } from '../trpc';
import type { Reconciler } from '../../reconcile/reconciler';
import { importText } from './import';

export const stateRouter = {
  /** Desired state with its revision, the latest kernel observation and its age. */
  get: viewerProcedure.query(({ ctx }) => {
    ctx.agent.reconciler.trackObservedChanges();
    return ctx.agent.reconciler.snapshot();
  }),
  /**
   * What changed since the caller's state.get (its revision and observation):
   * every tab polls this each second, so the answer holds the desired state
   * only after a change and, of the kernel table, only the services whose
   * settings changed (counters and rates come by stats.onSample).
   */
  since: viewerProcedure.input(stateSinceInput).query(({ ctx, input }) => stateChangesSince(ctx.agent.reconciler.snapshot(), input, ctx.agent.reconciler)),
  /** Differences between the kernel and the desired state, as changes and human lines. */
  drift: viewerProcedure.query(({ ctx }) => ctx.agent.reconciler.drift()),
  revisions: viewerProcedure.input(revisionsListInput).query(({ ctx, input }) => ctx.agent.store.revisions(input?.limit ?? 100)),
  revision: viewerProcedure.input(revisionGetInput).query(({ ctx, input }) => ctx.agent.store.getRevision(input.revision)),
  /** "These ipvsadm lines will run": the plan of any edit, without applying it. */
  preview: viewerProcedure
    .input(previewInput)
    .query(({ ctx, input }) => ctx.agent.reconciler.commit({ baseRevision: input.baseRevision, edit: input.edit, caller: ctx.caller, dryRun: true })),
  /** Make a whole desired state live (GitOps); dryRun returns the plan only. */
  replace: adminProcedure.input(replaceStateInput).mutation(({ ctx, input }) =>
    ctx.agent.reconciler.commit({
      baseRevision: input.baseRevision,
      edit: { op: 'replace-state', state: input.state },
      caller: ctx.caller,
      dryRun: input.dryRun,
    }),
  ),
  /** Import ipvsadm-save text or desired-state JSON; dryRun (the default) previews. */
  import: adminProcedure.input(importInput).mutation(({ ctx, input }) => importText(ctx.agent, input, ctx.caller)),
  /** Make an earlier revision's state the desired state again (as a new revision). */
  undo: adminProcedure.input(undoInput).mutation(({ ctx, input }) => ctx.agent.reconciler.undo(input.baseRevision, input.toRevision, ctx.caller)),
  /** Desired := observed: accept what someone changed by hand. */
  adoptDrift: adminProcedure.input(driftActionInput).mutation(({ ctx, input }) => ctx.agent.reconciler.adoptDrift(input.baseRevision, ctx.caller)),
  /** Apply the desired state over hand-made kernel changes. */
  revertDrift: adminProcedure.input(driftActionInput).mutation(({ ctx, input }) => ctx.agent.reconciler.revertDrift(input.baseRevision, ctx.caller)),
} satisfies TRPCRouterRecord;

function stateChangesSince(snapshot: StateSnapshot, since: { sinceRevision: number; sinceObservation: number }, reconciler: Reconciler): StateChanges {
  const { desired, observed, ...rest } = snapshot;
  const desiredChanged = snapshot.revision !== since.sinceRevision;
  const observedChanged = snapshot.observationSeq !== since.sinceObservation;
  // Per service when the caller's observation is one the log knows; else the whole table.
  const observedChanges = observedChanged ? reconciler.observedChangesSince(since.sinceObservation) : null;
  return {
    ...rest,
    unchanged: !desiredChanged && !observedChanged,
    ...(desiredChanged ? { desired } : {}),
    ...(observedChanged ? (observedChanges ? { observedChanges } : { observed }) : {}),
  };
}
