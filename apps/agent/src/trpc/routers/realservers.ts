// Real servers' own agents report their settings here; the console lists the
// reports and can ask a real server to apply its settings at its next report.
import type { TRPCRouterRecord } from '@trpc/server';
import { DomainError, describedText } from '@lvs-console/shared';
import { realServerFixInput, realServerReportInput } from '@lvs-console/shared/api';
import type { Agent } from '../agent';
import { adminProcedure, realServerProcedure, viewerProcedure } from '../trpc';

/** A destination address of some service in the desired state (who a realserver token may speak for). */
function isConfiguredRealServer(agent: Agent, address: string): boolean {
  return agent.store.current()?.state.services.some((service) => service.destinations.some((d) => d.address === address)) ?? false;
}

export const realServersRouter = {
  /**
   * A real server's agent reports; the answer says whether to apply its settings now.
   * A realserver token speaks only for real servers the desired state names.
   */
  report: realServerProcedure.input(realServerReportInput).mutation(async ({ ctx, input }) => {
    if (ctx.caller.role === 'realserver' && !isConfiguredRealServer(ctx.agent, input.address)) {
      throw new DomainError(
        'NOT_FOUND',
        `${input.address} is not a real server of any service in the desired state; a realserver token reports only for those`,
      );
    }
    const { news, ...answer } = ctx.agent.realServers.report(input);
    if (news) {
      await ctx.agent.audit.append({
        who: ctx.caller.name,
        role: ctx.caller.role,
        result: 'ok',
        what: describedText(
          news.first ? (news.passed ? 'auditRsFirstHolds' : 'auditRsFirstFails') : news.passed ? 'auditRsChangeHolds' : 'auditRsChangeFails',
          { address: news.address },
        ),
      });
    }
    return answer;
  }),
  list: viewerProcedure.query(({ ctx }) => ctx.agent.realServers.list()),
  requestFix: adminProcedure.input(realServerFixInput).mutation(async ({ ctx, input }) => {
    const report = ctx.agent.realServers.requestFix(input.address, ctx.caller);
    await ctx.agent.audit.append({
      who: ctx.caller.name,
      role: ctx.caller.role,
      what: describedText('auditRsRequestFix', { address: input.address }),
      result: 'ok',
    });
    return report;
  }),
  /** Forget a retired real server's report; a real server still running reports again. */
  forget: adminProcedure.input(realServerFixInput).mutation(async ({ ctx, input }) => {
    if (!ctx.agent.realServers.forget(input.address)) throw new DomainError('NOT_FOUND', `no report from ${input.address}`);
    await ctx.agent.audit.append({
      who: ctx.caller.name,
      role: ctx.caller.role,
      what: describedText('auditRsForget', { address: input.address }),
      result: 'ok',
    });
    return { address: input.address };
  }),
} satisfies TRPCRouterRecord;
