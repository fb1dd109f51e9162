// Virtual services and their real servers (destinations). Each mutation is
// one Edit of the desired state, committed through the reconciler.
import type { TRPCRouterRecord } from '@trpc/server';
import {
  addDestinationInput,
  addServiceInput,
  drainInput,
  editDestinationInput,
  editServiceInput,
  removeDestinationInput,
  removeServiceInput,
  setHealthInput,
  setPersistenceInput,
  setSchedulerInput,
  setWeightInput,
  zeroCountersInput,
} from '@lvs-console/shared/api';
import { adminProcedure, operatorProcedure } from '../trpc';
import { zeroCounters } from './zero-counters';

export const servicesRouter = {
  add: adminProcedure
    .input(addServiceInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'add-service', ...edit }, caller: ctx.caller }),
    ),
  edit: adminProcedure
    .input(editServiceInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'edit-service', ...edit }, caller: ctx.caller }),
    ),
  remove: adminProcedure
    .input(removeServiceInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'remove-service', ...edit }, caller: ctx.caller }),
    ),
  setScheduler: adminProcedure
    .input(setSchedulerInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'set-scheduler', ...edit }, caller: ctx.caller }),
    ),
  setPersistence: adminProcedure
    .input(setPersistenceInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'set-persistence', ...edit }, caller: ctx.caller }),
    ),
  setHealth: adminProcedure
    .input(setHealthInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'set-health', ...edit }, caller: ctx.caller }),
    ),
  /** ipvsadm -Z: zero the counters of one service, or of all; audited. */
  zeroCounters: adminProcedure.input(zeroCountersInput).mutation(({ ctx, input }) => zeroCounters(ctx.agent, input.service, ctx.caller)),
} satisfies TRPCRouterRecord;

export const destinationsRouter = {
  add: adminProcedure
    .input(addDestinationInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'add-destination', ...edit }, caller: ctx.caller }),
    ),
  edit: adminProcedure
    .input(editDestinationInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'edit-destination', ...edit }, caller: ctx.caller }),
    ),
  remove: adminProcedure
    .input(removeDestinationInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'remove-destination', ...edit }, caller: ctx.caller }),
    ),
  /** Operators may change weights and drain: the everyday work, no service or host changes. */
  setWeight: operatorProcedure
    .input(setWeightInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) =>
      ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'set-weight', ...edit }, caller: ctx.caller }),
    ),
  /** Weight 0: no new connections; established ones finish. */
  drain: operatorProcedure
    .input(drainInput)
    .mutation(({ ctx, input: { baseRevision, ...edit } }) => ctx.agent.reconciler.commit({ baseRevision, edit: { op: 'drain', ...edit }, caller: ctx.caller })),
} satisfies TRPCRouterRecord;
