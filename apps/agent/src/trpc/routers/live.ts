// Read-mostly views: system info, stats, shares, connections, audit, and the
// two live streams (SSE subscriptions).
import type { TRPCRouterRecord } from '@trpc/server';
import { auditListInput, connectionsInput, sampleSubscriptionInput, sharesInput, statsWindowInput } from '@lvs-console/shared/api';
import { viewerProcedure } from '../trpc';
import { connections } from './connections';
import { shares } from './shares';
import { systemInfo } from './system-info';

export const systemRouter = {
  /** Agent version, live backend (with a plain label and why it was chosen), host, drift mode, caller. */
  info: viewerProcedure.query(({ ctx }) => systemInfo(ctx.agent, ctx.caller)),
} satisfies TRPCRouterRecord;

export const statsRouter = {
  /** Rates from 1 s counter deltas over the last 1/5/15/60 minutes, per service and destination. */
  window: viewerProcedure.input(statsWindowInput).query(({ ctx, input }) => ctx.agent.stats.window(input)),
  /** Predicted (scheduler model) vs measured (last minute) share of new connections per destination. */
  shares: viewerProcedure.input(sharesInput).query(({ ctx, input }) => shares(ctx.agent, input.service, input.seconds)),
  /** One message per second: rates and connection numbers of every (or the chosen) service. */
  onSample: viewerProcedure.input(sampleSubscriptionInput).subscription(async function* ({ ctx, input, signal }) {
    const wanted = input?.services ? new Set(input.services) : null;
    for await (const sample of ctx.agent.stats.samples(signal)) {
      yield wanted ? { ...sample, services: sample.services.filter((s) => wanted.has(s.id)) } : sample;
    }
  }),
} satisfies TRPCRouterRecord;

export const connectionsRouter = {
  /** Entries of the kernel's connection table, filtered and paged (at most 1000 per page). */
  list: viewerProcedure.input(connectionsInput).query(({ ctx, input }) => connections(ctx.agent, input)),
} satisfies TRPCRouterRecord;

export const auditRouter = {
  list: viewerProcedure.input(auditListInput).query(({ ctx, input }) => ctx.agent.audit.list(input?.limit ?? 100, input?.beforeSeq)),
} satisfies TRPCRouterRecord;

export const eventsRouter = {
  /** Revisions, applies, drift and rejected attempts as they happen. */
  onEvent: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    for await (const event of ctx.agent.events.stream(signal)) yield event;
  }),
} satisfies TRPCRouterRecord;
