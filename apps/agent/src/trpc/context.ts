// The context every procedure sees: the agent's parts (reached through ctx,
// never imported by procedures) and the caller the token identified.
import type { Caller } from '@lvs-console/shared/api';
import type { AgentParts } from '../reconcile/agent-parts';

export type { Caller };

export interface AgentContext {
  agent: AgentParts;
  caller: Caller | null;
  /** A token came with the call (so "no caller" means a wrong or expired one). */
  tokenPresented: boolean;
  /** The client's address (login attempts are counted per client). */
  client: string;
}

/** Build a context without HTTP (tests, in-process callers). */
export function createContextInner(agent: AgentParts, caller: Caller | null, client = 'in-process'): AgentContext {
  return { agent, caller, tokenPresented: caller !== null, client };
}
