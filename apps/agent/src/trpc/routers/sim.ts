// Controls of the simulated kernel: traffic and failing a real server. On a
// real kernel these answer UNSUPPORTED.
import type { TRPCRouterRecord } from '@trpc/server';
import { simFailDestinationInput, simTrafficInput } from '@lvs-console/shared/api';
import { adminProcedure, viewerProcedure } from '../trpc';

export const simRouter = {
  status: viewerProcedure.query(({ ctx }) => ctx.agent.simStatus()),
  setTraffic: adminProcedure.input(simTrafficInput).mutation(({ ctx, input: { baseRevision, ...settings } }) =>
    ctx.agent.setSimTraffic(baseRevision, settings, ctx.caller)),
  failDestination: adminProcedure.input(simFailDestinationInput).mutation(({ ctx, input: { baseRevision, ...request } }) =>
    ctx.agent.failSimDestination(baseRevision, request, ctx.caller)),
} satisfies TRPCRouterRecord;
