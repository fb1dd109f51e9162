// The context every procedure sees: the agent's parts (reached through ctx,
// never imported by procedures) and the caller the token identified.
import type { Caller } from '@lvs-console/shared/api';
import type { AgentParts } from '../reconcile/agent-parts';

export type { Caller };

export interface AgentContext {
  agent: AgentParts;
  caller: Caller | null;
}

/** Build a context without HTTP (tests, in-process callers). */
export function createContextInner(agent: AgentParts, caller: Caller | null): AgentContext {
  return { agent, caller };
}
