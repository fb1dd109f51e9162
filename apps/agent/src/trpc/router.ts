// The agent's API. Only `AppRouter` (a type) crosses to the console.
// Procedure names are a published contract: see docs/api.md before renaming.
import { authRouter } from './routers/auth';
import { clusterRouter } from './routers/cluster';
import { drainRouter, healthRouter } from './routers/health';
import { hostRouter } from './routers/host';
import { notificationsRouter } from './routers/notifications';
import { auditRouter, connectionsRouter, eventsRouter, statsRouter, systemRouter } from './routers/live';
import { realServersRouter } from './routers/realservers';
import { simRouter } from './routers/sim';
import { destinationsRouter, servicesRouter } from './routers/services';
import { stateRouter } from './routers/state';
import { usersRouter } from './routers/users';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  auth: authRouter,
  system: systemRouter,
  state: stateRouter,
  services: servicesRouter,
  destinations: destinationsRouter,
  host: hostRouter,
  stats: statsRouter,
  connections: connectionsRouter,
  audit: auditRouter,
  events: eventsRouter,
  sim: simRouter,
  health: healthRouter,
  drain: drainRouter,
  realServers: realServersRouter,
  cluster: clusterRouter,
  notifications: notificationsRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;

/** In-process caller for tests and the CLI. */
export const createCaller = createCallerFactory(appRouter);
