// Login: the one-time code from the start banner becomes a session token.
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { DomainError } from '@lvs-console/shared';
import { createLoginLinkInput, loginInput } from '@lvs-console/shared/api';
import { adminProcedure, publicProcedure, viewerProcedure } from '../trpc';

export const authRouter = {
  /** Exchange a one-time login code for a session token (sessionStorage in the console). No token needed. */
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    try {
      return ctx.agent.auth.login(input.code);
    } catch (error) {
      const message = error instanceof DomainError ? error.message : 'login failed';
      await ctx.agent.audit.reject({ who: '(login code)', role: 'system', what: 'auth.login', error: message });
      throw new TRPCError({ code: 'UNAUTHORIZED', message });
    }
  }),
  /** Who the current token belongs to. */
  whoami: viewerProcedure.query(({ ctx }) => ({ name: ctx.caller.name, role: ctx.caller.role })),
  /** A fresh one-time login link (for a second browser). */
  createLoginLink: adminProcedure.input(createLoginLinkInput).mutation(({ ctx }) => ctx.agent.loginLink(ctx.agent.auth.createLoginCode())),
} satisfies TRPCRouterRecord;
