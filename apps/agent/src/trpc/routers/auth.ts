// Login: the one-time code from the start banner becomes a session token.
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { DomainError } from '@lvs-console/shared';
import { createLoginLinkInput, loginInput } from '@lvs-console/shared/api';
import { adminProcedure, publicProcedure, viewerProcedure } from '../trpc';

export const authRouter = {
  /** Exchange a one-time login code for a session token (sessionStorage in the console). No token needed. */
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input, path }) => {
    // Guesses are bounded per client before any code is compared.
    if (!ctx.agent.loginThrottle.allow(ctx.client)) {
      await ctx.agent.refusals.note('too many login attempts', path);
      throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `too many login attempts from this address; try again in ${ctx.agent.loginThrottle.retryAfterSeconds(ctx.client)} s` });
    }
    let session;
    try {
      session = ctx.agent.auth.login(input.code);
    } catch (error) {
      await ctx.agent.refusals.note('wrong or used login code', path);
      throw new TRPCError({ code: 'UNAUTHORIZED', message: error instanceof DomainError ? error.message : 'login failed' });
    }
    await ctx.agent.audit.append({ who: session.name, role: session.role, what: `logged in (from ${ctx.client})`, result: 'ok' });
    return session;
  }),
  /** Who the current token belongs to. */
  whoami: viewerProcedure.query(({ ctx }) => ({ name: ctx.caller.name, role: ctx.caller.role })),
  /** A fresh one-time login link (for a second browser). */
  createLoginLink: adminProcedure.input(createLoginLinkInput).mutation(async ({ ctx }) => {
    const link = ctx.agent.loginLink(ctx.agent.auth.createLoginCode());
    await ctx.agent.audit.append({ who: ctx.caller.name, role: ctx.caller.role, what: 'created a one-time admin login link', result: 'ok' });
    return link;
  }),
} satisfies TRPCRouterRecord;
