// The directors of a pair as the console sees them: every member with its
// VRRP role, revision lag and when it was last heard from; the pair's
// settings; "fail over now".
import type { TRPCRouterRecord } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import { failoverInput, releaseHoldInput, setHaInput, setVipInterfaceInput } from '@lvs-console/shared/api';
import type { AgentContext } from '../context';
import { adminProcedure, viewerProcedure } from '../trpc';

function clusterOf(ctx: AgentContext) {
  const cluster = ctx.agent.cluster;
  if (!cluster)
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: 'this director is not in a cluster: start it with cluster.json in its state directory or --cluster/--node/--peer (see the README)',
    });
  return cluster;
}

export const clusterRouter = {
  /** Every director with its role, VIPs, revision lag, sync daemon and age; null outside a cluster. */
  members: viewerProcedure.query(({ ctx }) => {
    const cluster = ctx.agent.cluster;
    if (!cluster) return null;
    return {
      cluster: cluster.config.name,
      self: cluster.config.self,
      pollIntervalMs: cluster.config.pollIntervalMs,
      now: ctx.agent.clock.now(),
      members: cluster.members(),
    };
  }),
  /** The MASTER hands its VIPs to the other director now (audited on the director that does it). */
  failover: adminProcedure.input(failoverInput).mutation(({ ctx, input }) => clusterOf(ctx).failover(ctx.caller, input?.instance)),
  /** After a failover: let this director take the VIPs again (VRRP decides when, by priority and preempt). */
  release: adminProcedure.input(releaseHoldInput).mutation(({ ctx, input }) => clusterOf(ctx).release(ctx.caller, input.director)),
  /** Set (or clear) the pair: directors, VRRP instances, connection sync. */
  setHa: adminProcedure
    .input(setHaInput)
    .mutation(({ ctx, input: { baseRevision, ha } }) => ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'set-ha', ha }, caller: ctx.caller })),
  /** One director: the interface its VIPs go on. */
  setVipInterface: adminProcedure
    .input(setVipInterfaceInput)
    .mutation(({ ctx, input: { baseRevision, interface: name } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'set-vip-interface', interface: name }, caller: ctx.caller }),
    ),
} satisfies TRPCRouterRecord;
