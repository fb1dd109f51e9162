// Notifications (issue 17): webhook settings, the operator's commands (read
// only: they come from the agent's own file), a test button, the delivery
// log. Admin only; every change is audited; tokens come back masked.
import type { TRPCRouterRecord } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { notificationSettingsInputSchema } from '@lvs-console/shared/alerts';
import type { AgentContext } from '../context';
import { adminProcedure } from '../trpc';

function notificationsOf(ctx: AgentContext) {
  const service = ctx.agent.notifications;
  if (!service) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'notifications are not available in this agent' });
  return service;
}

export const notificationsRouter = {
  /** Settings (tokens and URL query strings masked), the commands from notify-commands.json, the targets. */
  settings: adminProcedure.query(({ ctx }) => {
    const service = notificationsOf(ctx);
    return { ...service.view(), targets: service.notifier.targetList(), queued: service.notifier.queued, dropped: service.notifier.dropped };
  }),
  /** Replace the settings; a webhook whose token is left out keeps its stored one. */
  update: adminProcedure.input(notificationSettingsInputSchema).mutation(({ ctx, input }) => notificationsOf(ctx).update(input, ctx.caller)),
  /** Send a test notification now (to one target, or all) and return each answer. */
  test: adminProcedure
    .input(
      z
        .object({ target: z.string().max(200).optional() })
        .strict()
        .optional(),
    )
    .mutation(({ ctx, input }) => notificationsOf(ctx).sendTest(ctx.caller, input?.target)),
  /** The newest deliveries first: what, where, the answer. */
  log: adminProcedure
    .input(
      z
        .object({ limit: z.number().int().min(1).max(200).default(100) })
        .strict()
        .optional(),
    )
    .query(({ ctx, input }) => notificationsOf(ctx).notifier.deliveryLog(input?.limit ?? 100)),
} satisfies TRPCRouterRecord;
