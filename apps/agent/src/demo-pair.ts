// `serve --demo --demo-pair`: a pair of simulated directors on loopback in
// one process, lb1 on the given port and lb2 on the next, forming a cluster
// with a simulated VRRP election, so a laptop (and the browser tests) can
// show the Directors view and a failover without two machines.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { HaConfig } from '@lvs-console/shared';
import { parseListen, urlHost } from './config/paths';
import { startAgent, type RunningAgent, type ServeOptions } from './server';

/** lb1 and lb2 on the demo's eth0 segment (192.0.2.0/24), lb1 preferred. */
export const DEMO_PAIR: HaConfig = {
  directors: [
    { name: 'lb1', address: '192.0.2.1' },
    { name: 'lb2', address: '192.0.2.2' },
  ],
  instances: [
    {
      name: 'VI_1',
      interface: 'eth0',
      virtualRouterId: 51,
      priorities: { lb1: 150, lb2: 100 },
      advertInterval: 1,
      preempt: true,
      preemptDelay: 0,
      unicast: false,
      addresses: [],
    },
  ],
  sync: { interface: 'eth0', syncId: 1 },
};

export interface DemoPair {
  agents: [RunningAgent, RunningAgent];
  banner: string[];
  close(): Promise<void>;
}

export async function startDemoPair(options: ServeOptions): Promise<DemoPair> {
  const listen = parseListen(options.listen);
  if (listen.port === 0) throw new Error('--demo-pair needs a fixed --listen port (lb2 listens on the next one)');
  const host = urlHost(listen.host);
  const token = randomBytes(24).toString('hex');
  const scheme = options.tlsCert ? 'https' : 'http';
  const member = (self: string, peer: string, peerPort: number) => ({
    name: 'demo-pair',
    self,
    peers: [`${peer}=${scheme}://${host}:${peerPort}`],
    tokenFromEnv: token,
  });
  const lb1 = await startAgent({ ...options, vrrp: 'sim', cluster: member('lb1', 'lb2', listen.port + 1) });
  let lb2: RunningAgent;
  try {
    lb2 = await startAgent({
      ...options,
      vrrp: 'sim',
      listen: `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port + 1}`,
      stateDir: join(options.stateDir, 'lb2'),
      cluster: member('lb2', 'lb1', listen.port),
    });
  } catch (error) {
    await lb1.close();
    throw error;
  }
  const agent = lb1.agent;
  if (!agent.store.current()?.state.ha) {
    await agent.reconciler.commit({ baseRevision: agent.store.revision, edit: { op: 'set-ha', ha: DEMO_PAIR }, caller: { name: 'demo', role: 'admin' } });
  }
  await Promise.all([lb1.agent.cluster?.poll(), lb2.agent.cluster?.poll()]);
  return {
    agents: [lb1, lb2],
    banner: [
      ...lb1.banner,
      '',
      'demo pair: lb2 (the BACKUP) serves its own console too:',
      ...lb2.banner.filter((line) => /listening|open the console/.test(line)),
    ],
    async close() {
      await lb2.close();
      await lb1.close();
    },
  };
}
