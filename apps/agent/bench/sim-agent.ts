// The agent as the benches run it: a real HTTP server and API over a given
// simulated kernel, no timers of its own (each bench drives its own pace).
import type { SimBackend } from '../src/kernel/sim';
import { silentLogger } from '../src/log';
import { startAgent, type RunningAgent, type ServeOptions } from '../src/server';

export function startSimAgent(stateDir: string, sim: SimBackend, adminToken: string, extra: Partial<ServeOptions> = {}): Promise<RunningAgent> {
  return startAgent({
    listen: '127.0.0.1:0',
    backend: 'sim',
    stateDir,
    demo: false,
    driftMode: 'report',
    webDir: null,
    adminToken,
    log: silentLogger,
    timers: false,
    backendOverride: { backend: sim, sim, choice: { kind: 'sim', label: 'Simulated kernel', reason: 'bench' } },
    ...extra,
  });
}
