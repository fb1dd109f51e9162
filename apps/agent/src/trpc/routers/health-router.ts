// The health and drain procedures, as a factory so the lead mounts them with
// the agent's own procedure builders (viewer for queries, admin for
// mutations) and this file depends on none of the API's internals:
//   health: createHealthRouter({ viewer: viewerProcedure, admin: adminProcedure }, deps).health
//   drain:  ....drain
// Thin: inputs validated by zod, work done by the HealthManager and pure edits.
import type { DesiredState } from '@lvs-console/shared';
import { DomainError, destinationId, serviceId } from '@lvs-console/shared';
import {
  cancelDrain,
  drainCancelInput,
  drainStartInput,
  drainStatusInput,
  healthStatusInput,
  markSimFailingInput,
  startDrain,
} from '@lvs-console/shared/health';
import type { TRPCProcedureBuilder, TRPCUnsetMarker, inferProcedureBuilderResolverOptions } from '@trpc/server';
import { hasHealthProblem, type DesiredStateEdit, type HealthManager } from '../../health/manager';

/** A procedure builder before .input(): what viewerProcedure / adminProcedure are. */
export type BaseProcedureBuilder<TContext, TMeta, TContextOverrides, TErrorShape> = TRPCProcedureBuilder<
  TContext,
  TMeta,
  TContextOverrides,
  TRPCUnsetMarker,
  TRPCUnsetMarker,
  TRPCUnsetMarker,
  TRPCUnsetMarker,
  false,
  TErrorShape
>;

/** SimBackend has this method; absent on a real kernel. */
export interface SimFailureControl {
  failDestination(serviceId: string, destId: string, failing: boolean): void;
}

/**
 * What the procedures need, reached through each request's context (the
 * router is built once, at module load, for its type to reach the console).
 */
export interface HealthRouterDeps<TContext, TCommit> {
  manager: (ctx: TContext) => HealthManager;
  /**
   * Commit an edit of the desired state through the agent's normal change
   * path: refused as a CONFLICT when the state has moved past baseRevision,
   * then validated, revisioned, audited and reconciled.
   */
  submit: (ctx: TContext, edit: DesiredStateEdit, request: { author: string; baseRevision: number; description: string }) => Promise<TCommit>;
  /** The caller's name for audit and the drain's "by" (e.g. ctx.caller.name). */
  authorOf: (ctx: TContext) => string;
  /** The sim backend's failure switch; null on a real kernel. */
  sim: (ctx: TContext) => SimFailureControl | null;
}

/** Viewer and admin builders must give handlers the same context shape (the admin check adds no fields). */
export function createHealthRouter<TContext, TMeta, TOverrides, TErrorShape, TCommit>(
  procedures: {
    viewer: BaseProcedureBuilder<TContext, TMeta, TOverrides, TErrorShape>;
    admin: BaseProcedureBuilder<TContext, TMeta, TOverrides, TErrorShape>;
    /** Drains are an operator's everyday work; defaults to admin. */
    operator?: BaseProcedureBuilder<TContext, TMeta, TOverrides, TErrorShape>;
  },
  deps: HealthRouterDeps<inferProcedureBuilderResolverOptions<BaseProcedureBuilder<TContext, TMeta, TOverrides, TErrorShape>>['ctx'], TCommit>,
) {
  const { viewer, admin } = procedures;
  const operator = procedures.operator ?? admin;
  return {
    health: {
      /** Per service and destination: health state, checks, history strip, flaps, drain progress and why-no-traffic explanations. */
      status: viewer.input(healthStatusInput).query(({ ctx, input }) => {
        const view = deps.manager(ctx).status(input?.service ? { service: input.service } : undefined);
        return input?.problems ? { ...view, services: view.services.filter(hasHealthProblem) } : view;
      }),
      /** Sim backend only: mark a real server failing (or healthy again) and probe it at once. */
      markSimFailing: admin.input(markSimFailingInput).mutation(({ ctx, input }) => {
        const sim = deps.sim(ctx);
        if (!sim)
          throw new DomainError(
            'UNSUPPORTED',
            'marking a real server failing is only possible with the sim backend; on a real kernel, stop the server or fail its health check',
          );
        const service = serviceId(input.service);
        const destination = destinationId(input.destination);
        sim.failDestination(service, destination, input.failing);
        deps.manager(ctx).probeNow(service, destination);
        return { service, destination, failing: input.failing };
      }),
    },
    drain: {
      /** Drain a real server: weight 0 in the kernel (configured weight kept), connections watched to zero. */
      start: operator.input(drainStartInput).mutation(({ ctx, input }) => {
        const author = deps.authorOf(ctx);
        const destId = destinationId(input.destination);
        const now = deps.manager(ctx).now();
        const edit = (state: DesiredState): DesiredState =>
          startDrain(
            state,
            input.service,
            destId,
            {
              removeWhenDrained: input.removeWhenDrained,
              expireQuiescentTemplate: input.expireQuiescentTemplate,
              by: author,
              ...(input.deadlineSeconds !== undefined ? { deadline: now + input.deadlineSeconds * 1000 } : {}),
            },
            now,
          );
        return deps.submit(ctx, edit, { author, baseRevision: input.baseRevision, description: `drain ${destId} in ${serviceId(input.service)}` });
      }),
      /** Stop draining: the configured weight comes back (with slow start if the service has it). */
      cancel: operator.input(drainCancelInput).mutation(({ ctx, input }) => {
        const destId = destinationId(input.destination);
        return deps.submit(ctx, (state) => cancelDrain(state, input.service, destId), {
          author: deps.authorOf(ctx),
          baseRevision: input.baseRevision,
          description: `cancel drain of ${destId} in ${serviceId(input.service)}`,
        });
      }),
      /** Every running drain with its progress and explanation. */
      status: viewer.input(drainStatusInput).query(({ ctx, input }) => {
        const view = deps.manager(ctx).status(input?.service ? { service: input.service } : undefined);
        return {
          time: view.time,
          observedAt: view.observedAt,
          drains: view.services.flatMap((service) =>
            service.destinations
              .filter((dest) => dest.admin === 'draining')
              .map((dest) => ({ service: service.id, destination: dest.id, progress: dest.drain, explanation: dest.explanation })),
          ),
        };
      }),
    },
  };
}
