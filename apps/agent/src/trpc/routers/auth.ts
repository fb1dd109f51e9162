// Login: a one-time code (the start banner, `lvs-console login-link`, or
// auth.createLoginLink) becomes a session: an HttpOnly, SameSite=Strict cookie
// for the console, and the token in the answer for scripts.
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { DomainError, describedText, wordParam } from '@lvs-console/shared';
import { createLoginLinkInput, loginInput, logoutInput, passwordLoginInput } from '@lvs-console/shared/api';
import { loginLinkUrl } from '../../auth/login-codes';
import type { RefusalReason } from '../../auth/refusals';
import { SESSION_ABSOLUTE_MS, type NewSession } from '../../auth/sessions';
import type { AgentContext } from '../context';
import { RateLimited } from '../errors';
import { adminProcedure, publicProcedure, viewerProcedure } from '../trpc';

/** The shared path of both logins: throttle per client, count failures, set the cookie, audit. */
async function startSession(ctx: AgentContext, path: string, failure: RefusalReason, open: () => Promise<NewSession>): Promise<NewSession> {
  // Guesses are bounded per client before anything is compared.
  if (!ctx.agent.loginThrottle.allow(ctx.client)) {
    await ctx.agent.refusals.note('too many login attempts', path);
    const seconds = ctx.agent.loginThrottle.retryAfterSeconds(ctx.client);
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `too many login attempts from this address; try again in ${seconds} s`,
      cause: new RateLimited(seconds),
    });
  }
  let session: NewSession;
  try {
    session = await open();
  } catch (error) {
    await ctx.agent.refusals.note(failure, path);
    throw new TRPCError({ code: 'UNAUTHORIZED', message: error instanceof DomainError ? error.message : 'login failed' });
  }
  ctx.setSessionCookie(session.token, SESSION_ABSOLUTE_MS / 1000);
  await ctx.agent.audit.append({ who: session.name, role: session.role, what: describedText('auditLoggedIn', { client: ctx.client }), result: 'ok' });
  return session;
}

export const authRouter = {
  /** Exchange a one-time login code for a session (cookie, and token for scripts). No token needed. */
  login: publicProcedure
    .input(loginInput)
    .mutation(({ ctx, input, path }) => startSession(ctx, path, 'wrong or used login code', () => ctx.agent.auth.login(input.code))),
  /** Log in as a person of users.json (`lvs-console user add`) with a password. No token needed. */
  loginWithPassword: publicProcedure
    .input(passwordLoginInput)
    .mutation(({ ctx, input, path }) => startSession(ctx, path, 'wrong name or password', () => ctx.agent.auth.loginWithPassword(input.name, input.password))),
  /**
   * A console session (cookie) for the caller of an API token, sent in the
   * Authorization header: how a script or a test hands a browser its token
   * without putting it in a URL.
   */
  startSession: viewerProcedure.mutation(async ({ ctx }) => {
    if (ctx.bearer === null) throw new TRPCError({ code: 'BAD_REQUEST', message: 'send the API token in the Authorization header to start a session from it' });
    const session = await ctx.agent.auth.sessions.create(ctx.caller);
    ctx.setSessionCookie(session.token, SESSION_ABSOLUTE_MS / 1000);
    await ctx.agent.audit.append({
      who: ctx.caller.name,
      role: ctx.caller.role,
      what: describedText('auditTokenSession', { client: ctx.client }),
      result: 'ok',
    });
    return { name: session.name, role: session.role, expiresAt: session.expiresAt };
  }),
  /** Who the current token belongs to. */
  whoami: viewerProcedure.query(({ ctx }) => ({ name: ctx.caller.name, role: ctx.caller.role })),
  /** End this session (or, with everywhere, every session of this person). */
  logout: viewerProcedure.input(logoutInput).mutation(async ({ ctx, input }) => {
    const sessions = ctx.agent.auth.sessions;
    const token = ctx.cookieSession ?? ctx.bearer;
    const ended = input?.everywhere ? await sessions.endAllOf(ctx.caller.name) : token !== null && (await sessions.end(token)) ? 1 : 0;
    ctx.setSessionCookie(null);
    await ctx.agent.audit.append({
      who: ctx.caller.name,
      role: ctx.caller.role,
      what: input?.everywhere ? describedText('auditLoggedOutAll', { sessions: ended }) : describedText('auditLoggedOut'),
      result: 'ok',
    });
    return { ended };
  }),
  /** A fresh one-time login link (for a second browser, or another person with a role). */
  createLoginLink: adminProcedure.input(createLoginLinkInput).mutation(async ({ ctx, input }) => {
    const role = input?.role ?? 'admin';
    const name = input?.for ?? 'console';
    const code = await ctx.agent.auth.createLoginCode({ name, role });
    const link = { url: loginLinkUrl(ctx.agent.settings.listenUrl, code), code };
    await ctx.agent.audit.append({
      who: ctx.caller.name,
      role: ctx.caller.role,
      what: describedText('auditLoginLink', { ...wordParam('role', role), name }),
      result: 'ok',
    });
    return link;
  }),
} satisfies TRPCRouterRecord;
