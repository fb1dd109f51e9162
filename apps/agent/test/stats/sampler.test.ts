// The 1 Hz sampler and the periodic drift check give way to commits: a tick
// while a commit waits for (or holds) the kernel is skipped, never queued.
// Simulated kernel, real reconciler, faked clock.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Caller } from '@lvs-console/shared/api';
import { ManualClock } from '../../src/config/clock';
import { loadDemo } from '../../src/kernel/demo';
import { SimBackend } from '../../src/kernel/sim';
import { silentLogger } from '../../src/log';
import { AgentMetrics } from '../../src/reconcile/agent-metrics';
import { driftTicker } from '../../src/reconcile/drift-ticker';
import { EventBus } from '../../src/reconcile/events';
import { Reconciler } from '../../src/reconcile/reconciler';
import { StatsSampler } from '../../src/stats/sampler';
import { StatsStore } from '../../src/stats/stats-store';
import { AuditLog } from '../../src/store/audit-log';
import { StateStore } from '../../src/store/state-store';

const ADMIN: Caller = { name: 'admin', role: 'admin' };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvs-sampler-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('StatsSampler next to commits', () => {
  it('skips a tick while a commit waits for the kernel and samples again once it is done', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const sim = new SimBackend({ clock });
    await loadDemo(sim);
    const store = await StateStore.open(dir, clock);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding = false;
    const reconciler = new Reconciler({
      backend: sim,
      store,
      audit: await AuditLog.open(join(dir, 'audit.log'), clock),
      events: new EventBus(),
      clock,
      log: silentLogger,
      metrics: new AgentMetrics(),
      driftMode: 'report',
      // Holds the commit inside the lock until the test lets it go.
      checkHost: async () => {
        if (holding) await gate;
        return [];
      },
    });
    await reconciler.start();
    const metrics = new AgentMetrics();
    const stats = new StatsStore();
    const sampler = new StatsSampler({
      backend: sim,
      store: stats,
      clock,
      log: silentLogger,
      yieldTo: () => reconciler.commitPending,
      onSkip: () => metrics.samplesSkipped++,
      onDuration: (_seconds, reads) => (metrics.sampleDestinationReads += reads),
    });
    const service = (await sim.observe()).services[0];
    const destination = service?.destinations[0];
    if (!service || !destination) throw new Error('the demo table has no destination');

    holding = true;
    const commit = reconciler.commit({
      baseRevision: store.revision,
      caller: ADMIN,
      edit: { op: 'set-weight', service: service.key, destination: { address: destination.address, port: destination.port }, weight: destination.weight + 1 },
    });
    expect(reconciler.commitPending).toBe(true);
    await sampler.sampleOnce();
    expect(metrics.samplesSkipped).toBe(1);
    expect(stats.latest()).toBeNull();

    release();
    await commit;
    expect(reconciler.commitPending).toBe(false);
    clock.advance(1000);
    await sampler.sampleOnce();
    expect(metrics.samplesSkipped).toBe(1);
    expect(stats.latest()).not.toBeNull();
    const observed = await sim.observe();
    expect(metrics.sampleDestinationReads).toBe(observed.services.length);
    expect(sampler.lastSample()?.table.services[0]?.destinations[0]?.weight).toBe(destination.weight + 1);
  });
});

describe('the periodic drift check next to commits', () => {
  it('skips a tick while the previous check runs or a commit waits, and checks again after', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const sim = new SimBackend({ clock });
    await loadDemo(sim);
    const store = await StateStore.open(dir, clock);
    const metrics = new AgentMetrics();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding = false;
    const reconciler = new Reconciler({
      backend: sim,
      store,
      audit: await AuditLog.open(join(dir, 'audit.log'), clock),
      events: new EventBus(),
      clock,
      log: silentLogger,
      metrics,
      driftMode: 'report',
      checkHost: async () => {
        if (holding) await gate;
        return [];
      },
    });
    await reconciler.start();
    const errors: unknown[] = [];
    const tick = driftTicker(reconciler, (error) => errors.push(error));

    // Two ticks while the first check runs: one check.
    await Promise.all([tick(), tick()]);
    expect(metrics.driftChecks).toBe(1);

    const service = (await sim.observe()).services[0];
    const destination = service?.destinations[0];
    if (!service || !destination) throw new Error('the demo table has no destination');
    holding = true;
    const commit = reconciler.commit({
      baseRevision: store.revision,
      caller: ADMIN,
      edit: { op: 'set-weight', service: service.key, destination: { address: destination.address, port: destination.port }, weight: destination.weight + 1 },
    });
    await tick();
    expect(metrics.driftChecks).toBe(1);
    release();
    await commit;
    await tick();
    expect(metrics.driftChecks).toBe(2);
    expect(errors).toEqual([]);
  });
});
