// Health checks and drains: the health module's procedures, mounted with the
// agent's viewer/admin builders and reaching the agent through ctx.
import { createHealthRouter } from './health-router';
import { adminProcedure, operatorProcedure, viewerProcedure } from '../trpc';

const healthRouters = createHealthRouter(
  { viewer: viewerProcedure, admin: adminProcedure, operator: operatorProcedure },
  {
    manager: (ctx) => ctx.agent.health,
    authorOf: (ctx) => ctx.caller.name,
    sim: (ctx) => ctx.agent.sim,
    // Drains are edits of the desired state: the normal audited, revisioned path.
    submit: (ctx, edit, request) => ctx.agent.reconciler.commitParsed(request.baseRevision, ctx.caller, request.description, false, true, edit),
  },
);

export const healthRouter = healthRouters.health;
export const drainRouter = healthRouters.drain;
