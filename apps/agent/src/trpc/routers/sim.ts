// Controls of the simulated kernel: traffic and failing a real server. On a
// real kernel these answer UNSUPPORTED.
import type { TRPCRouterRecord } from '@trpc/server';
import { simFailDestinationInput, simTrafficInput } from '@lvs-console/shared/api';
import { adminProcedure, viewerProcedure } from '../trpc';
import { failSimDestination, setSimTraffic, simStatus } from './sim-controls';

export const simRouter = {
  status: viewerProcedure.query(({ ctx }) => simStatus(ctx.agent)),
  setTraffic: adminProcedure
    .input(simTrafficInput)
    .mutation(({ ctx, input: { baseRevision, ...settings } }) => setSimTraffic(ctx.agent, baseRevision, settings, ctx.caller)),
  failDestination: adminProcedure
    .input(simFailDestinationInput)
    .mutation(({ ctx, input: { baseRevision, ...request } }) => failSimDestination(ctx.agent, baseRevision, request, ctx.caller)),
} satisfies TRPCRouterRecord;
