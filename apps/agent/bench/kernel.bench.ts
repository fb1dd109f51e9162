// Kernel backend speed: observing a large table, and the cost of sampling
// counters once a second (what the stats poller does), with the sim backend.
import { cpuUsage } from 'node:process';
import type { Change } from '@lvs-console/shared/plan';
import { ManualClock } from '../src/config/clock';
import { SimBackend } from '../src/kernel/sim';

interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
}

function tableChanges(services: number, destsPerService: number): Change[] {
  const changes: Change[] = [];
  for (let s = 0; s < services; s++) {
    const key = { kind: 'addr' as const, protocol: 'tcp' as const, address: `10.${(s >> 8) & 0xff}.${s & 0xff}.1`, port: 80 };
    changes.push({ kind: 'add-service', service: { key, scheduler: 'wlc', flags: [], persistence: null, onePacket: false } });
    for (let d = 0; d < destsPerService; d++) {
      changes.push({
        kind: 'add-destination',
        service: key,
        destination: { address: `172.16.${d}.${(s % 250) + 1}`, port: 8080, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
      });
    }
  }
  return changes;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function observeLargeTable(): Promise<BenchResult> {
  const sim = new SimBackend({ clock: new ManualClock(0) });
  const { results } = await sim.apply(tableChanges(10_000, 10));
  if (results.some((r) => !r.ok)) throw new Error('setup failed');
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const table = await sim.observe();
    times.push(performance.now() - started);
    if (table.services.length !== 10_000) throw new Error('wrong table size');
  }
  return {
    name: 'sim observe 10,000 services x 10 destinations',
    value: Number(median(times).toFixed(1)),
    unit: 'ms',
    baseline: { name: 'target', value: 1000, unit: 'ms' },
  };
}

async function samplingCost(): Promise<BenchResult[]> {
  const clock = new ManualClock(0);
  const sim = new SimBackend({ clock, seed: 1, traffic: { connectionsPerSecond: 2, meanDurationSeconds: 5 } });
  await sim.apply(tableChanges(1_000, 10));
  sim.advanceTo(30_000);
  const samples = 30;
  let sampleCpuUs = 0;
  let simCpuUs = 0;
  for (let second = 1; second <= samples; second++) {
    const simStart = cpuUsage();
    sim.advanceTo(30_000 + second * 1000);
    const simUsed = cpuUsage(simStart);
    simCpuUs += simUsed.user + simUsed.system;
    const start = cpuUsage();
    const table = await sim.observe();
    const used = cpuUsage(start);
    sampleCpuUs += used.user + used.system;
    if (table.services.length !== 1_000) throw new Error('wrong table size');
  }
  const perSampleMs = sampleCpuUs / samples / 1000;
  return [
    { name: 'sim counter sample 1,000 x 10: CPU per sample', value: Number(perSampleMs.toFixed(2)), unit: 'ms' },
    {
      name: 'sim counter sampling 1,000 x 10 at 1/s: share of one core',
      value: Number(((perSampleMs / 1000) * 100).toFixed(2)),
      unit: '%',
      baseline: { name: 'target', value: 5, unit: '%' },
    },
    { name: 'sim traffic model 1,000 services at 2 conn/s each: CPU per simulated second', value: Number((simCpuUs / samples / 1000).toFixed(2)), unit: 'ms' },
  ];
}

/** One simulated second of a busy service: 2,000 new connections/s over 10 wlc servers, at steady state. */
async function busyServiceTick(): Promise<BenchResult> {
  const sim = new SimBackend({ clock: new ManualClock(0), seed: 1, traffic: { connectionsPerSecond: 2000, clients: 10_000, meanDurationSeconds: 10 } });
  const key = { kind: 'addr' as const, protocol: 'tcp' as const, address: '192.0.2.10', port: 80 };
  const { results } = await sim.apply([
    { kind: 'add-service', service: { key, scheduler: 'wlc', flags: [], persistence: null, onePacket: false } },
    ...Array.from({ length: 10 }, (_, i): Change => ({
      kind: 'add-destination',
      service: key,
      destination: { address: `10.4.0.${i + 1}`, port: 80, forwarding: 'masq', weight: 1 + (i % 3), upperThreshold: 0, lowerThreshold: 0 },
    })),
  ]);
  if (results.some((r) => !r.ok)) throw new Error('setup failed');
  sim.advanceTo(150_000); // steady state: closing connections wait tcpfin (120 s)
  const times: number[] = [];
  for (let t = 151_000; t <= 160_000; t += 1000) {
    const started = performance.now();
    sim.advanceTo(t);
    times.push(performance.now() - started);
  }
  return { name: 'sim-tick-2000cps-wlc', value: Number(median(times).toFixed(2)), unit: 'ms' };
}

export async function run(): Promise<BenchResult[]> {
  return [await observeLargeTable(), ...(await samplingCost()), await busyServiceTick()];
}
