// The Users page: admins list, add, re-role, re-password and remove the
// people of users.json, and log a person out everywhere. The same file and
// lock as `lvs-console user ...` on the director; every change is audited
// under the admin's name.
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { DomainError, describedText, wordParam, type Said } from '@lvs-console/shared';
import { addUserInput, setUserPasswordInput, setUserRoleInput, userNameInput, type UserSummary } from '@lvs-console/shared/api';
import { editUsers, hashPassword, readUsers, type User } from '../../auth/users';
import type { Agent, Caller } from '../agent';
import { adminProcedure } from '../trpc';

function find(users: User[], name: string): User {
  const user = users.find((u) => u.name === name);
  if (!user) throw new DomainError('NOT_FOUND', `no user ${name}`);
  return user;
}

/** Nobody can lock every admin out from the console (the CLI on the director still can). */
function keepAnAdmin(users: User[], name: string): void {
  if (!users.some((u) => u.role === 'admin' && u.name !== name) && users.some((u) => u.role === 'admin' && u.name === name)) {
    throw new DomainError('CONFLICT', `${name} is the last admin: add another admin first`);
  }
}

/** One change of users.json by an admin: written under the lock, seen at once, audited (also when refused). */
async function changeUsers(agent: Agent, caller: Caller, what: Said, edit: (users: User[]) => void): Promise<void> {
  try {
    await editUsers(agent.settings.stateDir, `users page (${caller.name})`, edit);
  } catch (error) {
    await agent.audit.append({ who: caller.name, role: caller.role, what, result: 'rejected', error: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    agent.auth.users.invalidate();
  }
  await agent.audit.append({ who: caller.name, role: caller.role, what, result: 'ok' });
}

export const usersRouter = {
  list: adminProcedure.query(async ({ ctx }): Promise<UserSummary[]> => {
    const users = await readUsers(ctx.agent.settings.stateDir);
    return users.map((u) => ({ name: u.name, role: u.role, createdAt: u.createdAt, sessions: ctx.agent.auth.sessions.countOf(u.name) }));
  }),
  add: adminProcedure.input(addUserInput).mutation(async ({ ctx, input }) => {
    const password = await hashPassword(input.password);
    await changeUsers(ctx.agent, ctx.caller, describedText('auditUserAdded', { name: input.name, ...wordParam('role', input.role) }), (users) => {
      if (users.some((u) => u.name === input.name)) throw new DomainError('ALREADY_EXISTS', `${input.name} already exists`);
      users.push({ name: input.name, role: input.role, password, createdAt: ctx.agent.clock.now() });
    });
  }),
  /** A new role ends the person's password sessions (they log in again under it). */
  setRole: adminProcedure.input(setUserRoleInput).mutation(async ({ ctx, input }) => {
    await changeUsers(ctx.agent, ctx.caller, describedText('auditUserRole', { name: input.name, ...wordParam('role', input.role) }), (users) => {
      const user = find(users, input.name);
      if (input.role !== 'admin') keepAnAdmin(users, input.name);
      user.role = input.role;
    });
  }),
  /** A new password ends the person's sessions, unless admins change their own. */
  setPassword: adminProcedure.input(setUserPasswordInput).mutation(async ({ ctx, input }) => {
    const password = await hashPassword(input.password);
    await changeUsers(ctx.agent, ctx.caller, describedText('auditUserPassword', { name: input.name }), (users) => {
      find(users, input.name).password = password;
    });
    if (input.name !== ctx.caller.name) await ctx.agent.auth.sessions.endAllOf(input.name);
  }),
  remove: adminProcedure.input(userNameInput).mutation(async ({ ctx, input }) => {
    if (input.name === ctx.caller.name) throw new TRPCError({ code: 'BAD_REQUEST', message: 'you cannot remove yourself' });
    await changeUsers(ctx.agent, ctx.caller, describedText('auditUserRemoved', { name: input.name }), (users) => {
      keepAnAdmin(users, input.name);
      users.splice(users.indexOf(find(users, input.name)), 1);
    });
    await ctx.agent.auth.sessions.endAllOf(input.name);
  }),
  /** Log a person out everywhere: every session of that name ends. */
  endSessions: adminProcedure.input(userNameInput).mutation(async ({ ctx, input }) => {
    const ended = await ctx.agent.auth.sessions.endAllOf(input.name);
    await ctx.agent.audit.append({
      who: ctx.caller.name,
      role: ctx.caller.role,
      what: describedText('auditLoggedOutEverywhere', { name: input.name, sessions: ended }),
      result: 'ok',
    });
    return { ended };
  }),
} satisfies TRPCRouterRecord;
