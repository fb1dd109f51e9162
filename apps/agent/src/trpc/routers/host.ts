// Director-wide settings: timeouts, sync daemons, sysctls, VIP addresses,
// modules, SNAT rows; status of each per service and forwarding method.
import type { TRPCRouterRecord } from '@trpc/server';
import {
  applyHostSettingsInput,
  hostStatusInput,
  planHostSettingsInput,
  setHostSettingsInput,
  setSyncDaemonsInput,
  setSysctlInput,
  setTimeoutsInput,
} from '@lvs-console/shared/api';
import { adminProcedure, viewerProcedure } from '../trpc';
import { hostStatus } from './host-status';

export const hostRouter = {
  /** Each required/desired host setting with whether this host has it, grouped per service. */
  status: viewerProcedure.input(hostStatusInput).query(({ ctx, input }) => hostStatus(ctx.agent, { problems: input?.problems ?? false })),
  setTimeouts: adminProcedure
    .input(setTimeoutsInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'set-timeouts', ...edit }, caller: ctx.caller }),
    ),
  setSyncDaemons: adminProcedure
    .input(setSyncDaemonsInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'set-sync-daemons', ...edit }, caller: ctx.caller }),
    ),
  setSysctl: adminProcedure
    .input(setSysctlInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'set-sysctl', ...edit }, caller: ctx.caller }),
    ),
  setSettings: adminProcedure
    .input(setHostSettingsInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'set-host-settings', ...edit }, caller: ctx.caller }),
    ),
  /** A dry run of apply: each row's state and the lines apply would run (the console's confirmation). Admin: it names the host's commands. */
  plan: adminProcedure.input(planHostSettingsInput).query(({ ctx, input }) => ctx.agent.reconciler.planHostSettings(input.adding)),
  /** Apply the desired host settings to this host now; returns per-setting results with the lines that ran. */
  apply: adminProcedure.input(applyHostSettingsInput).mutation(({ ctx, input }) => ctx.agent.reconciler.applyHostSettings(input.baseRevision, ctx.caller)),
} satisfies TRPCRouterRecord;
