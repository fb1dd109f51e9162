// Scheduler benchmarks: decisions per second through the pure API, the mh
// remap preview. Targets are the baselines. (The sim tick is measured on the
// agent's sim, apps/agent/bench/kernel.bench.ts.)
import {
  initSchedulerState,
  populationAddresses,
  remapPreview,
  schedule,
  type SchedConnection,
  type SchedDestination,
  type SchedService,
  type SchedulerName,
  type SchedulerState,
} from '../src/schedulers';

interface Result {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
}

// performance.now() without depending on DOM or Node type packages.
const clock = (globalThis as unknown as { performance: { now(): number } }).performance;

function destinations(count: number): SchedDestination[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `10.3.${i >> 8}.${(i & 0xff) + 1}:80`,
    address: `10.3.${i >> 8}.${(i & 0xff) + 1}`,
    port: 80,
    weight: 1 + (i % 7),
    activeConns: (i * 37) % 101,
    inactConns: (i * 53) % 211,
    persistConns: 0,
    overloaded: false,
    upperThreshold: 0,
    lowerThreshold: 0,
  }));
}

function serviceOf(scheduler: SchedulerName, dests: SchedDestination[]): SchedService {
  return { scheduler, flags: [], destinations: dests, virtualService: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 } };
}

const connection: SchedConnection = { clientAddress: '198.51.100.1', clientPort: 40000, virtualAddress: '192.0.2.10', virtualPort: 80, protocol: 'tcp' };

/** Decisions per second through schedule() (clone + pick + result), best of 3 runs. */
function decisionsPerSecond(scheduler: SchedulerName, count: number): number {
  const service = serviceOf(scheduler, destinations(100));
  let best = 0;
  for (let run = 0; run < 3; run++) {
    let state: SchedulerState = initSchedulerState(service);
    let sink = 0;
    const start = clock.now();
    for (let i = 0; i < count; i++) {
      const result = schedule(state, service, connection);
      state = result.state;
      sink += result.index;
    }
    const seconds = (clock.now() - start) / 1000;
    if (sink === -1) throw new Error('unreachable');
    best = Math.max(best, count / seconds);
  }
  return Math.round(best);
}

function remapMs(): number {
  const before = serviceOf('mh', destinations(100));
  const after = { ...before, destinations: before.destinations.filter((_, i) => i !== 42) };
  const clients = populationAddresses({ count: 100_000, prefix: '198.18.0.0/15' });
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const start = clock.now();
    const preview = remapPreview(before, after, clients);
    best = Math.min(best, clock.now() - start);
    if (preview.total !== 100_000) throw new Error('unexpected total');
  }
  return Number(best.toFixed(1));
}

export async function run(): Promise<Result[]> {
  const target = (value: number, unit: string): Result['baseline'] => ({ name: 'target', value, unit });
  const results: Result[] = [
    { name: 'sched-rr-100dests', value: decisionsPerSecond('rr', 2_000_000), unit: 'decisions/s', baseline: target(5_000_000, 'decisions/s') },
    { name: 'sched-wrr-100dests', value: decisionsPerSecond('wrr', 2_000_000), unit: 'decisions/s', baseline: target(5_000_000, 'decisions/s') },
    { name: 'sched-lc-100dests', value: decisionsPerSecond('lc', 500_000), unit: 'decisions/s', baseline: target(1_000_000, 'decisions/s') },
    { name: 'sched-wlc-100dests', value: decisionsPerSecond('wlc', 500_000), unit: 'decisions/s', baseline: target(1_000_000, 'decisions/s') },
    { name: 'remap-preview-mh-100dests-100k-clients', value: remapMs(), unit: 'ms', baseline: target(200, 'ms') },
  ];
  return Promise.resolve(results);
}
