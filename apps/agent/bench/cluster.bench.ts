// A change made through one director of a pair until the other director's
// (simulated) kernel holds it: p50 and p99 over 200 weight changes, both
// agents on loopback (target p99 < 100 ms). Baseline: the same change on a
// director on its own, measured in the same run.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/config/clock';
import { loadDemo } from '../src/kernel/demo';
import { SimBackend } from '../src/kernel/sim';
import type { RunningAgent } from '../src/server';
import { startSimAgent } from './sim-agent';

interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
}

const TOKEN = 'bench-admin-token-0123456789';
const CLUSTER_TOKEN = 'bench-cluster-token-0123456789';
const WEB = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 } as const;
const WEB1 = { address: '198.51.100.11', port: 8080 } as const;
const CHANGES = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function agent(stateDir: string, port: number, sim: SimBackend, cluster?: { self: string; peer: string; peerPort: number }): Promise<RunningAgent> {
  return startSimAgent(stateDir, sim, TOKEN, {
    listen: `127.0.0.1:${port}`,
    ...(cluster
      ? { cluster: { name: 'bench', self: cluster.self, peers: [`${cluster.peer}=http://127.0.0.1:${cluster.peerPort}`], tokenFromEnv: CLUSTER_TOKEN } }
      : {}),
  });
}

/** Milliseconds from the API call on `entry` until `watched`'s kernel has the weight, per change. */
async function propagation(entry: RunningAgent, watched: SimBackend): Promise<number[]> {
  let revision = entry.agent.store.revision;
  const durations: number[] = [];
  for (let i = 0; i < CHANGES + 20; i++) {
    const weight = (i % 50) + 1;
    const started = performance.now();
    const res = await fetch(`${entry.url}/trpc/destinations.setWeight`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ baseRevision: revision, service: WEB, destination: WEB1, weight }),
    });
    const body = (await res.json()) as { result?: { data: { revision: number } } };
    if (!body.result) throw new Error(`weight change failed: ${JSON.stringify(body)}`);
    revision = body.result.data.revision;
    for (let polls = 0; ; polls++) {
      const table = await watched.observe();
      const live = table.services
        .find((s) => s.key.kind === 'addr' && s.key.address === WEB.address)
        ?.destinations.find((d) => d.address === WEB1.address)?.weight;
      if (live === weight) break;
      if (polls > 10_000) throw new Error('the peer never got the change');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    if (i >= 20) durations.push(performance.now() - started);
  }
  return durations.sort((a, b) => a - b);
}

export async function run(): Promise<BenchResult[]> {
  const dirs = await Promise.all(['lb1', 'lb2', 'single'].map((name) => mkdtemp(join(tmpdir(), `lvs-bench-${name}-`))));
  const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
  const sims = [0, 1, 2].map(() => new SimBackend({ clock: systemClock, seed: 3 }));
  for (const sim of sims) await loadDemo(sim);
  const lb1 = await agent(dirs[0]!, p1, sims[0]!, { self: 'lb1', peer: 'lb2', peerPort: p2 });
  const lb2 = await agent(dirs[1]!, p2, sims[1]!, { self: 'lb2', peer: 'lb1', peerPort: p1 });
  const single = await agent(dirs[2]!, p3, sims[2]!);
  try {
    // Both adopted the same demo table as revision 1; the first change from lb1 makes revision 2 on both.
    const baseline = await propagation(single, sims[2]!);
    const pair = await propagation(lb1, sims[1]!);
    const base = { name: 'weight-change-single-director', unit: 'ms' };
    return [
      {
        name: 'cluster-propagation-p50',
        value: Number(percentile(pair, 50).toFixed(1)),
        unit: 'ms',
        baseline: { ...base, value: Number(percentile(baseline, 50).toFixed(1)) },
      },
      {
        name: 'cluster-propagation-p99',
        value: Number(percentile(pair, 99).toFixed(1)),
        unit: 'ms',
        baseline: { ...base, value: Number(percentile(baseline, 99).toFixed(1)) },
      },
    ];
  } finally {
    await Promise.all([lb1.close(), lb2.close(), single.close()]);
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
