// One weight change through the real HTTP API until the simulated kernel
// holds it: p50 and p99 over 200 calls (target p99 < 50 ms). Also the cost of
// sampling 1,000 services x 10 destinations once a second (target < 5% of a
// core, i.e. < 50 ms per sample), and a weight change on such a table.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zeroRates, type ObservedService, type ObservedTable } from '@lvs-console/shared';
import { systemClock } from '../src/config/clock';
import { loadDemo } from '../src/kernel/demo';
import { SimBackend } from '../src/kernel/sim';
import { silentLogger } from '../src/log';
import { startSimAgent } from './sim-agent';
import { AgentMetrics } from '../src/reconcile/agent-metrics';
import { EventBus } from '../src/reconcile/events';
import { Reconciler } from '../src/reconcile/reconciler';
import { StatsSampler } from '../src/stats/sampler';
import { AuditLog } from '../src/store/audit-log';
import { StateStore } from '../src/store/state-store';
import { StatsStore } from '../src/stats/stats-store';

interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
}

const TOKEN = 'bench-admin-token-0123456789';
const WEB = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 } as const;
const WEB1 = { address: '198.51.100.11', port: 8080 } as const;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function weightChangeLatency(): Promise<BenchResult[]> {
  const stateDir = await mkdtemp(join(tmpdir(), 'lvs-bench-'));
  const sim = new SimBackend({ clock: systemClock, seed: 3 });
  await loadDemo(sim);
  const running = await startSimAgent(stateDir, sim, TOKEN);
  try {
    let revision = running.agent.store.revision;
    const durations: number[] = [];
    for (let i = 0; i < 220; i++) {
      const weight = (i % 50) + 1;
      const started = performance.now();
      const res = await fetch(`${running.url}/trpc/destinations.setWeight`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ baseRevision: revision, service: WEB, destination: WEB1, weight }),
      });
      const body = (await res.json()) as { result?: { data: { revision: number } } };
      const table = await sim.observe();
      const live = table.services
        .find((s) => s.key.kind === 'addr' && s.key.address === WEB.address)
        ?.destinations.find((d) => d.address === WEB1.address)?.weight;
      const elapsed = performance.now() - started;
      if (!body.result || live !== weight) throw new Error(`weight change ${i} did not reach the kernel`);
      revision = body.result.data.revision;
      // The first calls warm up the JIT and the connection.
      if (i >= 20) durations.push(elapsed);
    }
    durations.sort((a, b) => a - b);
    return [
      { name: 'api-weight-change-p50', value: Number(percentile(durations, 50).toFixed(2)), unit: 'ms' },
      { name: 'api-weight-change-p99', value: Number(percentile(durations, 99).toFixed(2)), unit: 'ms', baseline: { name: 'target', value: 50, unit: 'ms' } },
    ];
  } finally {
    await running.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

function bigTable(): ObservedTable {
  const services: ObservedService[] = [];
  for (let s = 0; s < 1000; s++) {
    services.push({
      key: { kind: 'addr', protocol: 'tcp', address: `192.0.${s >> 8}.${s & 255}`, port: 80 },
      scheduler: 'wrr',
      flags: [],
      persistence: null,
      onePacket: false,
      stats: { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 },
      rates: zeroRates(),
      destinations: Array.from({ length: 10 }, (_, d) => ({
        address: `10.${s >> 8}.${s & 255}.${d + 1}`,
        port: 80,
        forwarding: 'masq' as const,
        weight: 1,
        upperThreshold: 0,
        lowerThreshold: 0,
        activeConns: 0,
        inactiveConns: 0,
        persistentConns: 0,
        stats: { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 },
        rates: zeroRates(),
      })),
    });
  }
  return { services, timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, syncDaemons: [] };
}

function samplingCost(): BenchResult[] {
  const table = bigTable();
  const stats = new StatsStore();
  const rounds = 120;
  let total = 0;
  for (let i = 0; i < rounds; i++) {
    for (const svc of table.services) {
      svc.stats.conns += 10;
      for (const dest of svc.destinations) {
        dest.stats.conns += 1;
        dest.stats.inBytes += 1500;
      }
    }
    const started = performance.now();
    stats.ingest(table, 1_700_000_000_000 + i * 1000);
    total += performance.now() - started;
  }
  const perSample = total / rounds;
  return [
    { name: 'stats-sample-1000x10-ms', value: Number(perSample.toFixed(2)), unit: 'ms' },
    {
      name: 'stats-sample-1000x10-core-share',
      value: Number(((perSample / 1000) * 100).toFixed(2)),
      unit: '%',
      baseline: { name: 'target', value: 5, unit: '%' },
    },
  ];
}

/** The whole sampler tick against the simulated kernel: observe() plus ingest. */
async function samplerTickCost(): Promise<BenchResult[]> {
  const clock = { now: () => Date.now() };
  const sim = new SimBackend({ clock, seed: 5 });
  const changes = bigTable().services.flatMap((svc) => [
    { kind: 'add-service' as const, service: { key: svc.key, scheduler: svc.scheduler, flags: [], persistence: null, onePacket: false } },
    ...svc.destinations.map((d) => ({
      kind: 'add-destination' as const,
      service: svc.key,
      destination: { address: d.address, port: d.port, forwarding: d.forwarding, weight: d.weight, upperThreshold: 0, lowerThreshold: 0 },
    })),
  ]);
  await sim.apply(changes);
  const store = new StatsStore();
  const sampler = new StatsSampler({ backend: sim, store, clock, log: silentLogger });
  const rounds = 30;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) await sampler.sampleOnce();
  const perTick = (performance.now() - started) / rounds;
  return [
    { name: 'sampler-tick-sim-1000x10-ms', value: Number(perTick.toFixed(2)), unit: 'ms', baseline: { name: 'target (5% of a core)', value: 50, unit: 'ms' } },
  ];
}

/** The same weight change through the reconciler (in-process) on a 1,000 x 10 table. */
async function bigTableCommit(): Promise<BenchResult[]> {
  const clock = { now: () => Date.now() };
  const sim = new SimBackend({ clock, seed: 9 });
  const table = bigTable();
  await sim.apply(
    table.services.flatMap((svc) => [
      { kind: 'add-service' as const, service: { key: svc.key, scheduler: svc.scheduler, flags: [], persistence: null, onePacket: false } },
      ...svc.destinations.map((d) => ({
        kind: 'add-destination' as const,
        service: svc.key,
        destination: { address: d.address, port: d.port, forwarding: d.forwarding, weight: d.weight, upperThreshold: 0, lowerThreshold: 0 },
      })),
    ]),
  );
  const dir = await mkdtemp(join(tmpdir(), 'lvs-bench-big-'));
  try {
    const store = await StateStore.open(dir, clock);
    const audit = await AuditLog.open(join(dir, 'audit.log'), clock);
    const reconciler = new Reconciler({
      backend: sim,
      store,
      audit,
      events: new EventBus(),
      clock,
      log: silentLogger,
      metrics: new AgentMetrics(),
      driftMode: 'report',
    });
    await reconciler.start();
    const key = table.services[5]?.key;
    const address = table.services[5]?.destinations[0]?.address;
    if (!key || !address) throw new Error('no service');
    const durations: number[] = [];
    for (let i = 0; i < 60; i++) {
      const started = performance.now();
      await reconciler.commit({
        baseRevision: store.revision,
        caller: { name: 'bench', role: 'admin' },
        edit: { op: 'set-weight', service: key, destination: { address, port: 80 }, weight: (i % 9) + 1 },
      });
      if (i >= 10) durations.push(performance.now() - started);
    }
    durations.sort((a, b) => a - b);
    return [
      { name: 'commit-weight-1000x10-p50', value: Number(percentile(durations, 50).toFixed(2)), unit: 'ms' },
      { name: 'commit-weight-1000x10-p99', value: Number(percentile(durations, 99).toFixed(2)), unit: 'ms' },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  return [...(await weightChangeLatency()), ...samplingCost(), ...(await samplerTickCost()), ...(await bigTableCommit())];
}
