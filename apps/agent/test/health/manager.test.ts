// The HealthManager against real TCP servers on 127.0.0.1 and the real sim
// kernel: failures quiesce in the kernel, recovery ramps, quorum switches to
// the sorry server, drains complete. Time is injected; only sockets are real.
import { afterEach, describe, expect, it } from 'vitest';
import { desiredStateSchema, type DesiredState, type ServiceHealthInput } from '@lvs-console/shared';
import { startDrain } from '@lvs-console/shared/health';
import { HealthHarness } from './harness';
import { httpServer, LOOPBACK, tcpServer, type Restartable } from './servers';

const VIP = { kind: 'addr' as const, protocol: 'tcp' as const, address: '192.0.2.10', port: 80 };
const FAST = { intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3 };

let servers: Restartable[] = [];
let harness: HealthHarness | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

async function threeServers(): Promise<Restartable[]> {
  servers = await Promise.all([tcpServer(), tcpServer(), tcpServer()]);
  return servers;
}

function desiredWith(ports: number[], health: ServiceHealthInput, weights = [10, 20, 30]): DesiredState {
  return desiredStateSchema.parse({
    services: [
      {
        key: VIP,
        scheduler: 'wlc',
        destinations: ports.map((port, i) => ({ address: LOOPBACK, port, forwarding: 'masq', weight: weights[i] ?? 1 })),
        health,
      },
    ],
  });
}

describe('HealthManager with real TCP servers and the sim kernel', () => {
  it('quiesces a stopped server after `fall` failures, explains why, and restores it with a slow-start ramp', async () => {
    const [a, b, c] = await threeServers();
    if (!a || !b || !c) throw new Error('servers');
    const B = `${LOOPBACK}:${b.port}`;
    harness = new HealthHarness(
      desiredWith([a.port, b.port, c.port], {
        checks: [{ kind: 'tcp', ...FAST }],
        slowStart: { durationMs: 10_000, steps: 5 },
      }),
    );
    await harness.start();
    await harness.advance(0);
    expect((await harness.kernelDestinations())[B]).toBe(20);

    await b.stop();
    await harness.advance(1000);
    await harness.advance(1000);
    expect((await harness.kernelDestinations())[B]).toBe(20);
    await harness.advance(1000);
    // Third consecutive failure: down, weight 0 in the kernel; the desired weight is untouched.
    expect(await harness.kernelDestinations()).toEqual({ [`${LOOPBACK}:${a.port}`]: 10, [B]: 0, [`${LOOPBACK}:${c.port}`]: 30 });
    expect(harness.desired.services[0]?.destinations[1]?.weight).toBe(20);
    const down = harness.manager.status().services[0]?.destinations.find((d) => d.id === B);
    expect(down?.status).toBe('down');
    expect(down?.explanation?.summary).toBe('health check failing for 0 s: connection refused');
    expect(down?.history.map((h) => h.ok)).toEqual([true, false, false, false]);
    expect(down?.flaps).toBe(1);

    await b.start();
    await harness.advance(1000);
    expect((await harness.kernelDestinations())[B]).toBe(0);
    await harness.advance(1000);
    // Up again (rise 2): the ramp starts at the first step, 20 × 1/5.
    expect((await harness.kernelDestinations())[B]).toBe(4);
    expect(harness.manager.status().services[0]?.destinations.find((d) => d.id === B)?.explanation?.summary).toBe('slow start: weight 4 of 20, full in 10 s');
    const ramp: number[] = [];
    for (let i = 0; i < 5; i++) {
      await harness.advance(2000);
      ramp.push((await harness.kernelDestinations())[B] ?? -1);
    }
    expect(ramp).toEqual([8, 12, 16, 20, 20]);
  });

  it('switches to the sorry server when quorum is lost and back when it returns', async () => {
    const [a, b, c] = await threeServers();
    if (!a || !b || !c) throw new Error('servers');
    const ids = [a, b, c].map((s) => `${LOOPBACK}:${s.port}`);
    harness = new HealthHarness(
      desiredWith([a.port, b.port, c.port], {
        checks: [{ kind: 'tcp', ...FAST, rise: 1, fall: 1 }],
        quorum: 40,
        sorryServer: { address: '10.0.9.9', port: 80, forwarding: 'masq', weight: 1 },
      }),
    );
    await harness.start();
    await harness.advance(0);
    expect(Object.keys(await harness.kernelDestinations()).sort()).toEqual([...ids].sort());

    await c.stop();
    await harness.advance(1000);
    // 10 + 20 < 40: the sorry server replaces every real server (quiesced, as inhibit_on_failure would).
    expect(await harness.kernelDestinations()).toEqual({ [ids[0] as string]: 0, [ids[1] as string]: 0, [ids[2] as string]: 0, '10.0.9.9:80': 1 });
    const view = harness.manager.status().services[0];
    expect(view?.quorum).toMatchObject({ lost: true, healthyWeight: 30, required: 40, sorryServerActive: true });
    expect(view?.destinations[0]?.explanation?.summary).toBe('quorum lost (healthy weight 30 < 40): sorry server 10.0.9.9:80 has replaced the real servers');
    expect(view?.sorryServer?.receivesNewConnections).toBe(true);

    await c.start();
    await harness.advance(1000);
    expect(await harness.kernelDestinations()).toEqual({ [ids[0] as string]: 10, [ids[1] as string]: 20, [ids[2] as string]: 30 });
    expect(harness.manager.status().services[0]?.quorum.lost).toBe(false);
  });

  it('alpha: destinations start at 0 and join on their first success', async () => {
    const [a, b] = await threeServers();
    if (!a || !b) throw new Error('servers');
    await b.stop();
    harness = new HealthHarness(desiredWith([a.port, b.port], { checks: [{ kind: 'tcp', ...FAST }], alpha: true }));
    await harness.start();
    expect(Object.values(await harness.kernelDestinations())).toEqual([0, 0]);
    expect(harness.manager.status().services[0]?.destinations[0]?.explanation?.reasons[0]?.code).toBe('alpha-pending');
    await harness.advance(0);
    expect(await harness.kernelDestinations()).toEqual({ [`${LOOPBACK}:${a.port}`]: 10, [`${LOOPBACK}:${b.port}`]: 0 });
  });

  it('per-destination target override: a health port separate from the service port', async () => {
    const [healthPort] = await threeServers();
    if (!healthPort) throw new Error('servers');
    const desired = desiredStateSchema.parse({
      services: [
        {
          key: VIP,
          destinations: [{ address: '10.0.0.1', port: 80, forwarding: 'masq', weight: 5 }],
          health: { destinations: { '10.0.0.1:80': { checks: [{ kind: 'tcp', ...FAST, fall: 1, target: { address: LOOPBACK, port: healthPort.port } }] } } },
        },
      ],
    });
    harness = new HealthHarness(desired);
    await harness.start();
    await harness.advance(0);
    expect(await harness.kernelDestinations()).toEqual({ '10.0.0.1:80': 5 });
    expect(harness.manager.status().services[0]?.destinations[0]?.checks[0]?.target).toBe(`${LOOPBACK}:${healthPort.port}`);
    await healthPort.stop();
    await harness.advance(1000);
    expect(await harness.kernelDestinations()).toEqual({ '10.0.0.1:80': 0 });
  });
});

describe('timing', () => {
  it('a probe that hangs fails at its timeout on the injected clock, and the next one starts one interval after the last start', async () => {
    const silent = await httpServer(() => undefined);
    servers = [silent];
    harness = new HealthHarness(desiredWith([silent.port], { checks: [{ kind: 'http', intervalMs: 2000, timeoutMs: 500, rise: 1, fall: 1 }] }));
    await harness.start();
    await harness.timers.advance(0);
    await harness.timers.advance(499);
    expect(harness.manager.status().services[0]?.destinations[0]?.history).toEqual([]);
    await harness.timers.advance(1);
    await harness.settle();
    const row = harness.manager.status().services[0]?.destinations[0];
    expect(row?.history.map((h) => [h.ok, h.message, h.time - harness!.timers.now()])).toEqual([[false, 'timed out after 500 ms', 0]]);
    expect(row?.status).toBe('down');
    expect(await harness.kernelDestinations()).toEqual({ [`${LOOPBACK}:${silent.port}`]: 0 });
    // Next probe at 2000 ms after the first started (t0), i.e. 1500 ms from now.
    await harness.timers.advance(1499);
    expect(harness.timers.pending).toBe(1);
    await harness.timers.advance(1);
    await harness.timers.advance(500);
    await harness.settle();
    expect(harness.manager.status().services[0]?.destinations[0]?.history).toHaveLength(2);
  });

  it('spreads first probes over the warmup window with the injected random source', async () => {
    const [a, b, c] = await threeServers();
    if (!a || !b || !c) throw new Error('servers');
    const draws = [0.1, 0.5, 0.9];
    harness = new HealthHarness(desiredWith([a.port, b.port, c.port], { checks: [{ kind: 'tcp', ...FAST, warmupMs: 1000 }] }), {
      random: () => draws.shift() ?? 0,
    });
    await harness.start();
    const seen = (): number => harness!.manager.status().services[0]?.destinations.filter((d) => d.history.length > 0).length ?? 0;
    await harness.advance(100);
    expect(seen()).toBe(1);
    await harness.advance(400);
    expect(seen()).toBe(2);
    await harness.advance(400);
    expect(seen()).toBe(3);
  });
});

describe('sim mode', () => {
  it('default checks read the sim failing flag; configured checks stay real', async () => {
    const desired = desiredStateSchema.parse({
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
    let simHarness: HealthHarness | null = null;
    const backendRef = { isFailing: (service: string, dest: string) => simHarness?.backend.isFailing(service, dest) ?? false };
    simHarness = new HealthHarness(desired, { simulatedDefaultProbe: backendRef });
    harness = simHarness;
    await harness.start();
    await harness.advance(0);
    harness.backend.failDestination('tcp:192.0.2.10:80', '10.0.0.2:80', true);
    await harness.advance(15_000);
    expect(await harness.kernelDestinations()).toEqual({ '10.0.0.1:80': 5, '10.0.0.2:80': 0 });
    const row = harness.manager.status().services[0]?.destinations[1];
    expect(row?.checks[0]).toMatchObject({ simulated: true, kind: 'tcp' });
    expect(row?.explanation?.summary).toMatch(/simulated: marked failing in the sim backend/);
  });
});

describe('drain', () => {
  it('reaches "safe to remove" when the last connection ends, then removes the destination when asked', async () => {
    const desired = desiredStateSchema.parse({
      services: [
        {
          key: VIP,
          scheduler: 'rr',
          destinations: [
            { address: '10.0.0.1', port: 80, forwarding: 'masq', weight: 5 },
            { address: '10.0.0.2', port: 80, forwarding: 'masq', weight: 5 },
          ],
        },
      ],
    });
    const submitted: string[] = [];
    let drainHarness: HealthHarness | null = null;
    drainHarness = new HealthHarness(desired, {
      drainPollMs: 1000,
      observe: () => (drainHarness as HealthHarness).backend.observe(),
      submitEdit: async (edit, author) => {
        submitted.push(author);
        const h = drainHarness as HealthHarness;
        h.desired = edit(h.desired);
        h.manager.setDesired(h.desired);
        await h.sync();
      },
    });
    harness = drainHarness;
    await harness.start();
    harness.backend.setTraffic({ connectionsPerSecond: 40, meanDurationSeconds: 5 });
    await harness.advance(10_000);
    const before = (await harness.backend.observe()).services[0]?.destinations[0];
    expect((before?.activeConns ?? 0) + (before?.inactiveConns ?? 0)).toBeGreaterThan(0);

    const start = harness.timers.now();
    await harness.setDesired(startDrain(harness.desired, VIP, '10.0.0.1:80', { by: 'alice' }, start));
    expect(await harness.kernelDestinations()).toEqual({ '10.0.0.1:80': 0, '10.0.0.2:80': 5 });
    // Traffic goes on to the other server; the drained one's connections end on their own
    // (closed ones linger as inactive TIME_WAIT entries for the kernel's 2 minutes).
    const left: number[] = [];
    let safeAt: number | null = null;
    for (let second = 0; second < 400 && safeAt === null; second += 5) {
      await harness.advance(5000);
      const drain = harness.manager.status().services[0]?.destinations[0]?.drain;
      if (drain?.current) left.push(drain.current.active + drain.current.inactive);
      if (drain?.safeToRemove) safeAt = harness.timers.now();
    }
    expect(left[0]).toBeGreaterThan(0);
    expect(left.at(-1)).toBe(0);
    expect(safeAt).not.toBeNull();
    // Counts only fall once the weight is 0 (new connections go elsewhere).
    for (let i = 1; i < left.length; i++) expect(left[i]).toBeLessThanOrEqual(left[i - 1] as number);
    const row = harness.manager.status().services[0]?.destinations[0];
    expect(row?.explanation?.summary).toBe('drained by the operator (alice): drained: no connections left; safe to remove');
    expect(submitted).toEqual([]);

    // Asking for automatic removal now removes it on the next observation.
    await harness.setDesired(startDrain(harness.desired, VIP, '10.0.0.1:80', { by: 'alice', removeWhenDrained: true }, harness.timers.now()));
    await harness.advance(1000);
    expect(submitted).toEqual(['health: drain complete']);
    expect(await harness.kernelDestinations()).toEqual({ '10.0.0.2:80': 5 });
    expect(harness.desired.services[0]?.health?.drains).toEqual({});
  });

  it('shows progress with rate and estimate while connections fall, and the explanation says "drained by the operator"', async () => {
    const desired = desiredStateSchema.parse({
      services: [{ key: VIP, destinations: [{ address: '10.0.0.1', port: 80, forwarding: 'masq', weight: 5 }] }],
    });
    let progressHarness: HealthHarness | null = null;
    progressHarness = new HealthHarness(desired, { drainPollMs: 5000, observe: () => (progressHarness as HealthHarness).backend.observe() });
    harness = progressHarness;
    await harness.start();
    harness.backend.setTraffic({ connectionsPerSecond: 50, meanDurationSeconds: 20 });
    await harness.advance(30_000);
    await harness.setDesired(startDrain(harness.desired, VIP, '10.0.0.1:80', {}, harness.timers.now()));
    // Past the TIME_WAIT plateau, while connections are still falling.
    await harness.advance(150_000);
    const row = harness.manager.status().services[0]?.destinations[0];
    expect(row?.admin).toBe('draining');
    expect(row?.drain?.ratePerSecond).toBeGreaterThan(0);
    expect(row?.drain?.estimatedSecondsLeft).toBeGreaterThan(0);
    expect(row?.explanation?.reasons[0]?.code).toBe('draining');
    expect(row?.explanation?.summary).toMatch(/^drained by the operator: draining: \d+ → \d+ connections, [\d.]+\/s, about .* left$/);
  });
});
