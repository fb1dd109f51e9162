// One agent (sim backend, demo cluster, seed 1) for every spec; its address
// reaches the workers through environment variables.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, repoRoot, startAgent } from './agent';

export const AGENT_FILE = join(repoRoot, 'e2e/.cache/agent.json');

export default async function globalSetup(): Promise<() => Promise<void>> {
  ensureBuilt();
  const agent = await startAgent();
  process.env.LVS_E2E_BASE_URL = agent.baseURL;
  process.env.LVS_E2E_LOGIN_URL = agent.loginUrl;
  mkdirSync(join(repoRoot, 'e2e/.cache'), { recursive: true });
  writeFileSync(AGENT_FILE, JSON.stringify({ baseURL: agent.baseURL, loginUrl: agent.loginUrl, pid: agent.child.pid }));
  const { stopAgent } = await import('./agent');
  return async () => {
    await stopAgent(agent, { removeState: agent.stateDir });
  };
}
