// 1. INITIALIZATION: one tRPC instance for the agent.
// 2. ERROR SHAPE: zod issues become readable "path: message" lines; domain
//    errors keep their message and carry their code and issues in data.
// 3. PROCEDURES: public (login only), viewer (queries, subscriptions), admin
//    (mutations), realserver (real servers' reports only). @see https://trpc.io/docs/server/procedures
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { formatIssues, wordParam } from '@lvs-console/shared';
import { zodIssues } from '@lvs-console/shared/validate';
import type { AgentContext, Caller } from './context';
import { describedCauseOf, DescribedRefusal, domainCauseOf, RateLimited, toTRPCError } from './errors';

const t = initTRPC.context<AgentContext>().create({
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    const issues = zodError ? zodIssues(zodError) : (domainCauseOf(error)?.issues ?? []);
    return {
      ...shape,
      message: zodError ? formatIssues(issues) : shape.message,
      data: {
        ...shape.data,
        // Stack traces stay in the agent's log, never in responses.
        stack: undefined,
        domainCode: domainCauseOf(error)?.code ?? (zodError ? 'INVALID_INPUT' : null),
        issues,
        retryAfterSeconds: error.cause instanceof RateLimited ? error.cause.retryAfterSeconds : null,
        // The console says known messages in its own language; `message` stays the English fallback.
        ...(describedCauseOf(error) ?? {}),
      },
    };
  },
  sse: {
    // Comments keep proxies from closing idle streams; the client reconnects on its own.
    ping: { enabled: true, intervalMs: 15_000 },
    client: { reconnectAfterInactivityMs: 30_000 },
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain errors thrown anywhere below become TRPCErrors here, in one place. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  // tRPC wraps a thrown DomainError as INTERNAL_SERVER_ERROR; unwrap it to its own code.
  if (!result.ok && domainCauseOf(result.error) && result.error.code === 'INTERNAL_SERVER_ERROR') {
    throw toTRPCError(result.error.cause);
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

const authenticatedProcedure = publicProcedure.use(async ({ ctx, next, path, type }) => {
  if (!ctx.caller) {
    // Counted, never one audit line per call: these callers are anonymous.
    await ctx.agent.refusals.note(ctx.tokenPresented ? 'wrong or expired token' : 'no token', path);
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message:
        ctx.proxyUser !== null
          ? `the proxy's user "${ctx.proxyUser}" is not a user of this agent: add them with lvs-console user add on the director`
          : ctx.tokenPresented
            ? 'the token is wrong or expired: log in again with a new console link (lvs-console login-link) or check the token'
            : 'a token is required: send "Authorization: Bearer <token>" or log in with the console link',
    });
  }
  // A cookie (or an SSO proxy's login) rides along with any request to this
  // origin, even one a foreign page makes: such changes need the console's own header as well.
  if ((ctx.cookieSession !== null || ctx.proxyUser !== null) && type === 'mutation' && !ctx.consoleHeader) {
    await ctx.agent.audit.reject({
      who: ctx.caller.name,
      role: ctx.caller.role,
      what: path,
      error: 'a change by session cookie without the x-lvs-console header (cross-site request?)',
    });
    throw new TRPCError({ code: 'FORBIDDEN', message: 'changes made with the session cookie must carry the "x-lvs-console: 1" header' });
  }
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});

export const viewerProcedure = authenticatedProcedure.use(async ({ ctx, next, type, path }) => {
  if (ctx.caller.role === 'realserver') {
    const message = `token "${ctx.caller.name}" is a realserver token: it may only report a real server's settings`;
    if (type === 'mutation') await ctx.agent.audit.reject({ who: ctx.caller.name, role: ctx.caller.role, what: path, error: message });
    throw new TRPCError({ code: 'FORBIDDEN', message });
  }
  return next({ ctx });
});

/** Real servers' agents report with their own token; an admin token works too. */
export const realServerProcedure = authenticatedProcedure.use(async ({ ctx, next }) => {
  if (ctx.caller.role !== 'realserver' && ctx.caller.role !== 'admin') {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `token "${ctx.caller.name}" is a ${ctx.caller.role} token; real servers report with the realserver token`,
    });
  }
  return next({ ctx });
});

/** Refuse a caller whose role is not among `roles` (audited: the caller has a token). */
function requireRole(roles: ReadonlyArray<Caller['role']>, needs: 'needsAdmin' | 'needsOperator') {
  return viewerProcedure.use(async ({ ctx, next, path }) => {
    if (!roles.includes(ctx.caller.role)) {
      const refusal = new DescribedRefusal(needs, { name: ctx.caller.name, ...wordParam('role', ctx.caller.role) });
      await ctx.agent.audit.reject({ who: ctx.caller.name, role: ctx.caller.role, what: path, error: refusal.message });
      throw new TRPCError({ code: 'FORBIDDEN', message: refusal.message, cause: refusal });
    }
    const result = await next({ ctx });
    // Input the schemas refused never reaches the reconciler, which audits everything else.
    if (!result.ok && result.error.cause instanceof ZodError) {
      await ctx.agent.audit.reject({ who: ctx.caller.name, role: ctx.caller.role, what: path, error: formatIssues(zodIssues(result.error.cause)) });
    }
    return result;
  });
}

/** Everyday changes: weights and drains (operators and admins). */
export const operatorProcedure = requireRole(['admin', 'operator'], 'needsOperator');

/** Every other change: services, real servers, host settings, imports (admins only). */
export const adminProcedure = requireRole(['admin'], 'needsAdmin');
