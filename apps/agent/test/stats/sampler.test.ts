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

/** A real reconciler over the simulated kernel; heldWeightChange() starts a commit that waits inside the lock until release(). */
async function simReconciler(clock: ManualClock, metrics = new AgentMetrics()) {
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
    metrics,
    driftMode: 'report',
    checkHost: async () => {
      if (holding) await gate;
      return [];
    },
  });
  await reconciler.start();
  /** A weight change on the demo's first real server, held inside the lock until release(). */
  const heldWeightChange = async () => {
    const service = (await sim.observe()).services[0];
    const destination = service?.destinations[0];
    if (!service || !destination) throw new Error('the demo table has no destination');
    holding = true;
    const commit = reconciler.commit({
      baseRevision: store.revision,
      caller: ADMIN,
      edit: { op: 'set-weight', service: service.key, destination: { address: destination.address, port: destination.port }, weight: destination.weight + 1 },
    });
    return { commit, weight: destination.weight + 1 };
  };
  return { sim, store, reconciler, heldWeightChange, release: () => release() };
}

describe('StatsSampler next to commits', () => {
  it('skips a tick while a commit waits for the kernel and samples again once it is done', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { sim, reconciler, heldWeightChange, release } = await simReconciler(clock);
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
    const { commit, weight } = await heldWeightChange();
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
    expect(sampler.lastSample()?.table.services[0]?.destinations[0]?.weight).toBe(weight);
  });
});

describe('the periodic drift check next to commits', () => {
  it('skips a tick while the previous check runs or a commit waits, and checks again after', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const metrics = new AgentMetrics();
    const { reconciler, heldWeightChange, release } = await simReconciler(clock, metrics);
    const errors: unknown[] = [];
    const tick = driftTicker(
      reconciler,
      () => null,
      (error) => errors.push(error),
    );

    // Two ticks while the first check runs: one check.
    await Promise.all([tick(), tick()]);
    expect(metrics.driftChecks).toBe(1);

    const { commit } = await heldWeightChange();
    await tick();
    expect(metrics.driftChecks).toBe(1);
    release();
    await commit;
    await tick();
    expect(metrics.driftChecks).toBe(2);
    expect(errors).toEqual([]);
  });
});

describe('the periodic drift check answered by the 1 Hz sample', () => {
  it('reads the kernel only when the sample shows something new, predates the last apply or is stale', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const metrics = new AgentMetrics();
    const { sim, store, reconciler } = await simReconciler(clock, metrics);
    const sampler = new StatsSampler({ backend: sim, store: new StatsStore(), clock, log: silentLogger });
    const tick = driftTicker(
      reconciler,
      () => sampler.lastSample(),
      (error) => {
        throw error;
      },
    );
    const fromKernel = () => metrics.driftChecks - metrics.driftChecksFromSample;

    // Kernel as desired, a fresh sample: answered without a read.
    clock.advance(1000);
    await sampler.sampleOnce();
    await tick();
    expect(metrics.driftChecksFromSample).toBe(1);
    expect(fromKernel()).toBe(0);
    expect(reconciler.drift().changes).toEqual([]);

    // A weight changed by hand: the next sample shows it, so a full read decides and reports it.
    const service = (await sim.observe()).services[0];
    const destination = service?.destinations[0];
    if (!service || !destination) throw new Error('the demo table has no destination');
    await sim.apply([{ kind: 'edit-destination', service: service.key, from: destination, to: { ...destination, weight: destination.weight + 5 } }]);
    clock.advance(1000);
    await sampler.sampleOnce();
    await tick();
    expect(fromKernel()).toBe(1);
    expect(reconciler.drift().changes).toHaveLength(1);

    // The same drift again in the next sample: nothing new, no read, still reported.
    clock.advance(1000);
    await sampler.sampleOnce();
    await tick();
    expect(metrics.driftChecksFromSample).toBe(2);
    expect(fromKernel()).toBe(1);
    expect(reconciler.drift().changes).toHaveLength(1);

    // An apply after the sample (revert): that sample cannot vouch for the kernel any more.
    await reconciler.revertDrift(store.revision, ADMIN);
    await tick();
    expect(fromKernel()).toBe(2);
    expect(reconciler.drift().changes).toEqual([]);

    // A sample taken after it is used again; one older than 3 s is not.
    clock.advance(1000);
    await sampler.sampleOnce();
    await tick();
    expect(metrics.driftChecksFromSample).toBe(3);
    clock.advance(5000);
    await tick();
    expect(fromKernel()).toBe(3);
  });
});
