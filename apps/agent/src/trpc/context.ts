// The context every procedure sees: the agent's parts (a plain object,
// reached through ctx, never imported by procedures) and the caller the
// token identified.
import type { Agent, Caller } from './agent';

export type { Caller };

export interface AgentContext {
  agent: Agent;
  caller: Caller | null;
  /** A token came with the call (so "no caller" means a wrong or expired one). */
  tokenPresented: boolean;
  /** The client's address (login attempts are counted per client). */
  client: string;
  /** The bearer token of this call (Authorization header), if any. */
  bearer: string | null;
  /** The session token of this call when it came in the cookie (cookie calls need the CSRF header for changes). */
  cookieSession: string | null;
  /** The name a trusted SSO proxy sent (--trust-proxy-user), when that identified the call. */
  proxyUser: string | null;
  /** The call carried the console's x-lvs-console header (a cross-origin page cannot send it). */
  consoleHeader: boolean;
  /** Set or clear the session cookie in this call's answer. */
  setSessionCookie: (token: string | null, maxAgeSeconds?: number) => void;
}

/** Build a context without HTTP (tests, in-process callers). */
export function createContextInner(agent: Agent, caller: Caller | null, client = 'in-process'): AgentContext {
  return {
    agent,
    caller,
    tokenPresented: caller !== null,
    client,
    bearer: null,
    cookieSession: null,
    proxyUser: null,
    consoleHeader: false,
    setSessionCookie: () => undefined,
  };
}
