// The health/drain sub-router mounted on a tRPC instance of its own, with
// viewer/admin procedure builders like the agent's.
import { initTRPC, TRPCError } from '@trpc/server';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError, desiredStateSchema, type DesiredState } from '@lvs-console/shared';
import { createHealthRouter } from '../../src/trpc/routers/health-router';
import { HealthHarness } from './harness';

interface Context {
  caller: { name: string; role: 'admin' | 'viewer' } | null;
}

const t = initTRPC.context<Context>().create();
const viewer = t.procedure.use(({ ctx, next }) => {
  if (!ctx.caller) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'a token is required' });
  return next({ ctx: { caller: ctx.caller } });
});
const admin = viewer.use(({ ctx, next }) => {
  if (ctx.caller.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'changes need an admin token' });
  return next({ ctx });
});

const VIP = { kind: 'addr' as const, protocol: 'tcp' as const, address: '192.0.2.10', port: 80 };

let harness: HealthHarness | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
});

function setup(options: { sim: boolean }) {
  const desired: DesiredState = desiredStateSchema.parse({
    services: [
      {
        key: VIP,
        destinations: [
          { address: '10.0.0.1', port: 80, forwarding: 'masq', weight: 5 },
          { address: '10.0.0.2', port: 80, forwarding: 'masq', weight: 5 },
        ],
        health: {},
      },
    ],
  });
  let revision = 1;
  const authors: string[] = [];
  let h: HealthHarness | null = null;
  h = new HealthHarness(desired, { simulatedDefaultProbe: { isFailing: (s, d) => (h as HealthHarness).backend.isFailing(s, d) } });
  const current = h;
  const health = createHealthRouter(
    { viewer, admin },
    {
      manager: () => current.manager,
      authorOf: (ctx) => ctx.caller.name,
      sim: () => (options.sim ? current.backend : null),
      // A stand-in for the agent's commit path: revision check, apply, reconcile.
      submit: async (_ctx, edit, request) => {
        if (request.baseRevision !== revision) throw new DomainError('CONFLICT', `the state is at revision ${revision}, not ${request.baseRevision}`);
        authors.push(`${request.author}: ${request.description}`);
        await current.setDesired(edit(current.desired));
        revision++;
        return { revision };
      },
    },
  );
  const appRouter = t.router({ health: health.health, drain: health.drain });
  const caller = (role: 'admin' | 'viewer') => t.createCallerFactory(appRouter)({ caller: { name: role === 'admin' ? 'alice' : 'bob', role } });
  return { harness: current, appRouter, caller, authors };
}

describe('health router', () => {
  it('health.status lists states, checks and explanations', async () => {
    const { harness: h, caller } = setup({ sim: true });
    harness = h;
    await h.start();
    await h.advance(0);
    const status = await caller('viewer').health.status();
    expect(status.services[0]).toMatchObject({ id: 'tcp:192.0.2.10:80', enabled: true, quorum: { lost: false, required: 1 } });
    expect(status.services[0]?.destinations.map((d) => [d.id, d.status, d.effectiveWeight])).toEqual([
      ['10.0.0.1:80', 'up', 5],
      ['10.0.0.2:80', 'up', 5],
    ]);
    expect((await caller('viewer').health.status({ service: 'tcp:192.0.2.99:80' })).services).toEqual([]);
  });

  it('health.status with problems: only the services whose check fails (the services list asks nothing more)', async () => {
    const { harness: h, caller } = setup({ sim: true });
    harness = h;
    await h.start();
    await h.advance(0);
    expect((await caller('viewer').health.status({ problems: true })).services).toEqual([]);
    await caller('admin').health.markSimFailing({ service: VIP, destination: { address: '10.0.0.2', port: 80 }, failing: true });
    // Probes until the check has failed often enough to count as down (its fall count), bounded.
    for (let step = 0; step < 60 && (await caller('viewer').health.status({ problems: true })).services.length === 0; step++) await h.advance(1000);
    const problems = await caller('viewer').health.status({ problems: true });
    expect(problems.services.map((s) => s.id)).toEqual(['tcp:192.0.2.10:80']);
    expect(problems.services[0]?.destinations.find((d) => d.id === '10.0.0.2:80')?.status).toBe('down');
    await expect(caller('viewer').health.status({ problems: 'yes' } as never)).rejects.toThrow();
  });

  it('drain.start / status / cancel go through the commit path with the caller as author', async () => {
    const { harness: h, caller, authors } = setup({ sim: true });
    harness = h;
    await h.start();
    await expect(caller('viewer').drain.start({ baseRevision: 1, service: VIP, destination: { address: '10.0.0.1', port: 80 } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await caller('admin').drain.start({ baseRevision: 1, service: VIP, destination: { address: '10.0.0.1', port: 80 }, deadlineSeconds: 600 });
    expect(authors).toEqual(['alice: drain 10.0.0.1:80 in tcp:192.0.2.10:80']);
    expect(h.desired.services[0]?.health?.drains['10.0.0.1:80']).toMatchObject({ by: 'alice', deadline: h.timers.now() + 600_000 });
    expect(await h.kernelDestinations()).toEqual({ '10.0.0.1:80': 0, '10.0.0.2:80': 5 });
    h.manager.noteObservation(await h.backend.observe());
    const drains = await caller('viewer').drain.status();
    expect(drains.drains).toEqual([expect.objectContaining({ service: 'tcp:192.0.2.10:80', destination: '10.0.0.1:80' })]);
    expect(drains.drains[0]?.progress?.safeToRemove).toBe(true);
    await expect(caller('admin').drain.cancel({ baseRevision: 1, service: VIP, destination: { address: '10.0.0.1', port: 80 } })).rejects.toThrow(
      /revision 2, not 1/,
    );
    await caller('admin').drain.cancel({ baseRevision: 2, service: VIP, destination: { address: '10.0.0.1', port: 80 } });
    expect(await h.kernelDestinations()).toEqual({ '10.0.0.1:80': 5, '10.0.0.2:80': 5 });
  });

  it('validates input with zod', async () => {
    const { harness: h, caller } = setup({ sim: true });
    harness = h;
    await expect(caller('admin').drain.start({ baseRevision: 1, service: VIP, destination: { address: 'web1', port: 80 } })).rejects.toThrow(/hostname/);
    await expect(
      caller('admin').drain.start({ baseRevision: 1, service: VIP, destination: { address: '10.0.0.1', port: 80 }, deadlineSeconds: 0 }),
    ).rejects.toThrow(/deadline must be at least 1 second/);
  });

  it('health.markSimFailing fails a sim destination and probes it at once; refused on a real kernel', async () => {
    const { harness: h, caller } = setup({ sim: true });
    harness = h;
    await h.start();
    await h.advance(0);
    await caller('admin').health.markSimFailing({ service: VIP, destination: { address: '10.0.0.2', port: 80 }, failing: true });
    expect(h.backend.isFailing('tcp:192.0.2.10:80', '10.0.0.2:80')).toBe(true);
    await h.settle();
    const row = (await caller('viewer').health.status()).services[0]?.destinations[1];
    expect(row?.checks[0]?.consecutiveFail).toBe(1);
    const real = setup({ sim: false });
    await expect(real.caller('admin').health.markSimFailing({ service: VIP, destination: { address: '10.0.0.2', port: 80 }, failing: true })).rejects.toThrow(
      /only possible with the sim backend/,
    );
    await real.harness.stop();
  });
});
