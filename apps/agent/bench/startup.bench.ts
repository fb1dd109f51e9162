// Issue 16: start-up to listening with 2,000 services and 100 revisions in the
// state directory (target < 2 s), the kernel already holding the table (an
// agent restart). Also the first start after state.json was lost (restore of
// the newest revision from revisions/).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyState, type DesiredState, type Service } from '@lvs-console/shared';
import { plan } from '@lvs-console/shared/plan';
import { systemClock } from '../src/config/clock';
import { SimBackend } from '../src/kernel/sim';
import { startSimAgent } from './sim-agent';
import { StateStore } from '../src/store/state-store';

interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
}

function bigState(weight: number): DesiredState {
  const services: Service[] = [];
  for (let i = 0; i < 2000; i++) {
    services.push({
      key: { kind: 'addr', protocol: 'tcp', address: `10.${(i >> 8) & 255}.${i & 255}.1`, port: 80 },
      scheduler: 'wlc',
      flags: [],
      persistence: null,
      onePacket: false,
      destinations: [
        { address: `172.16.${(i >> 8) & 255}.${i & 255}`, port: 80, forwarding: 'masq', weight, upperThreshold: 0, lowerThreshold: 0 },
        { address: `172.17.${(i >> 8) & 255}.${i & 255}`, port: 80, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
      ],
    });
  }
  return { ...emptyState(), services };
}

async function timeStart(stateDir: string, sim: SimBackend): Promise<number> {
  const started = performance.now();
  const running = await startSimAgent(stateDir, sim, 'bench-admin-token-0123456789');
  const elapsed = performance.now() - started;
  await running.close();
  return elapsed;
}

/**
 * What a polling tab costs per second with 2,000 services carrying traffic: a full
 * state.get against state.since with nothing new, with only new counters, and
 * with one service changed (the cursor is the full answer's each time).
 */
async function pollCost(stateDir: string, sim: SimBackend): Promise<BenchResult[]> {
  const token = 'bench-admin-token-0123456789';
  const running = await startSimAgent(stateDir, sim, token);
  const get = async (path: string): Promise<{ ms: number; bytes: number; body: string }> => {
    const started = performance.now();
    const res = await fetch(`${running.url}/trpc/${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    return { ms: performance.now() - started, bytes: Buffer.byteLength(body), body };
  };
  try {
    const median = async (path: string) => {
      const runs = [];
      for (let i = 0; i < 7; i++) runs.push(await get(path));
      runs.sort((a, b) => a.ms - b.ms);
      return runs[3] ?? runs[0]!;
    };
    const full = await median('state.get');
    const held = (JSON.parse(full.body) as { result: { data: { revision: number; observationSeq: number } } }).result.data;
    const input = encodeURIComponent(JSON.stringify({ sinceRevision: held.revision, sinceObservation: held.observationSeq }));
    const since = await median(`state.since?input=${input}`);
    if (!since.body.includes('"unchanged":true')) throw new Error('state.since saw a change where there was none');
    // Once a second the sampler observes the kernel: traffic moved every counter, no service's settings changed.
    sim.advanceBy(1000);
    await running.agent.stats.sampleOnce();
    const sampled = await median(`state.since?input=${input}`);
    if (!sampled.body.includes('"changed":[]')) throw new Error('state.since sent services whose counters alone moved');
    // One service's weight changed by hand: that service alone comes.
    const [first] = (await sim.observe()).services;
    const dest = first?.destinations[0];
    if (!first || !dest) throw new Error('the bench table is empty');
    const { activeConns: _a, inactiveConns: _i, persistentConns: _p, stats: _s, rates: _r, overloaded: _o, local: _l, ...destination } = dest;
    await sim.apply([{ kind: 'edit-destination', service: first.key, from: destination, to: { ...destination, weight: destination.weight + 1 } }]);
    sim.advanceBy(1000);
    await running.agent.stats.sampleOnce();
    const oneChanged = await median(`state.since?input=${input}`);
    const changedCount = (JSON.parse(oneChanged.body) as { result: { data: { observedChanges?: { changed: unknown[] } } } }).result.data.observedChanges
      ?.changed.length;
    if (changedCount !== 1) throw new Error(`state.since sent ${String(changedCount)} services after one changed`);
    const baseline = (value: number, unit: string) => ({ name: 'state.get (full answer)', value, unit });
    const ms = (value: number) => Number(value.toFixed(2));
    return [
      { name: 'state-poll-2000-services-full-bytes', value: full.bytes, unit: 'bytes' },
      { name: 'state-poll-2000-services-full-ms', value: ms(full.ms), unit: 'ms' },
      { name: 'state-poll-2000-services-unchanged-bytes', value: since.bytes, unit: 'bytes', baseline: baseline(full.bytes, 'bytes') },
      { name: 'state-poll-2000-services-unchanged-ms', value: ms(since.ms), unit: 'ms', baseline: baseline(ms(full.ms), 'ms') },
      { name: 'state-poll-2000-services-new-counters-only-bytes', value: sampled.bytes, unit: 'bytes', baseline: baseline(full.bytes, 'bytes') },
      { name: 'state-poll-2000-services-new-counters-only-ms', value: ms(sampled.ms), unit: 'ms', baseline: baseline(ms(full.ms), 'ms') },
      { name: 'state-poll-2000-services-one-changed-bytes', value: oneChanged.bytes, unit: 'bytes', baseline: baseline(full.bytes, 'bytes') },
      { name: 'state-poll-2000-services-one-changed-ms', value: ms(oneChanged.ms), unit: 'ms', baseline: baseline(ms(full.ms), 'ms') },
    ];
  } finally {
    await running.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const stateDir = await mkdtemp(join(tmpdir(), 'lvs-bench-start-'));
  try {
    const store = await StateStore.open(stateDir, systemClock);
    let last = bigState(1);
    for (let revision = 1; revision <= 100; revision++) {
      last = bigState(revision);
      await store.save(last, 'bench', `revision ${revision}`);
    }
    const sim = new SimBackend({ clock: systemClock, seed: 3, traffic: { connectionsPerSecond: 2 } });
    await sim.apply(plan(last, await sim.observe()));
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) samples.push(await timeStart(stateDir, sim));
    samples.sort((a, b) => a - b);
    const restart = samples[1] ?? Number.NaN;
    await rm(join(stateDir, 'state.json'));
    const restored = await timeStart(stateDir, sim);
    return [
      { name: 'agent-start-2000-services-100-revisions', value: Number(restart.toFixed(1)), unit: 'ms', baseline: { name: 'target', value: 2000, unit: 'ms' } },
      { name: 'agent-start-after-state-json-lost', value: Number(restored.toFixed(1)), unit: 'ms', baseline: { name: 'target', value: 2000, unit: 'ms' } },
      ...(await pollCost(stateDir, sim)),
    ];
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}
