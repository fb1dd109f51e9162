// Real servers' own agents report their settings here; the console lists the
// reports and can ask a real server to apply its settings at its next report.
import type { TRPCRouterRecord } from '@trpc/server';
import { DomainError } from '@lvs-console/shared';
import { realServerFixInput, realServerReportInput } from '@lvs-console/shared/api';
import { adminProcedure, realServerProcedure, viewerProcedure } from '../trpc';

export const realServersRouter = {
  /** A real server's agent reports; the answer says whether to apply its settings now. */
  report: realServerProcedure.input(realServerReportInput).mutation(({ ctx, input }) => ctx.agent.realServers.report(input)),
  list: viewerProcedure.query(({ ctx }) => ctx.agent.realServers.list()),
  requestFix: adminProcedure.input(realServerFixInput).mutation(async ({ ctx, input }) => {
    const report = ctx.agent.realServers.requestFix(input.address, ctx.caller);
    await ctx.agent.audit.append({ who: ctx.caller.name, role: ctx.caller.role, what: `realServers.requestFix ${input.address}`, result: 'ok' });
    return report;
  }),
  /** Forget a retired real server's report; a real server still running reports again. */
  forget: adminProcedure.input(realServerFixInput).mutation(async ({ ctx, input }) => {
    if (!ctx.agent.realServers.forget(input.address)) throw new DomainError('NOT_FOUND', `no report from ${input.address}`);
    await ctx.agent.audit.append({ who: ctx.caller.name, role: ctx.caller.role, what: `realServers.forget ${input.address}`, result: 'ok' });
    return { address: input.address };
  }),
} satisfies TRPCRouterRecord;
