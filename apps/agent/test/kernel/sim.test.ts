// Sim-only behaviour: traffic through the real scheduler, quiescing, failing
// servers, counters, persistence. Time moves only through advanceTo().
import { describe, expect, it } from 'vitest';
import { desiredStateSchema, serviceId } from '@lvs-console/shared';
import type { DesiredStateInput, ObservedTable } from '@lvs-console/shared';
import { plan } from '@lvs-console/shared/plan';
import { ManualClock } from '../../src/config/clock';
import { DEMO_STATE, createDemoSim } from '../../src/kernel/demo';
import { SimBackend } from '../../src/kernel/sim';
import type { SimBackendOptions } from '../../src/kernel/sim';

const VIP = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 } as const;
const VIP_ID = 'tcp:192.0.2.10:80';

async function simWith(input: DesiredStateInput, options: SimBackendOptions = {}): Promise<SimBackend> {
  const sim = new SimBackend({ clock: new ManualClock(0), seed: 7, ...options });
  const { services } = desiredStateSchema.parse(input);
  const { results } = await sim.apply(plan({ services }, await sim.observe()));
  expect(results.every((r) => r.ok)).toBe(true);
  return sim;
}

function dest(table: ObservedTable, address: string) {
  const found = table.services.find((s) => serviceId(s.key) === VIP_ID)?.destinations.find((d) => d.address === address);
  if (!found) throw new Error(`no ${address} in table`);
  return found;
}

const twoServers = (scheduler: 'wrr' | 'rr' | 'wlc', weights: [number, number], extra: Record<string, unknown> = {}): DesiredStateInput => ({
  services: [
    {
      key: VIP,
      scheduler,
      ...extra,
      destinations: [
        { address: '198.51.100.11', port: 8080, forwarding: 'masq', weight: weights[0] },
        { address: '198.51.100.12', port: 8080, forwarding: 'masq', weight: weights[1] },
      ],
    },
  ],
});

describe('SimBackend traffic', () => {
  it('spreads new connections by the real wrr algorithm: 3:1 exactly under a fixed seed', async () => {
    const sim = await simWith(twoServers('wrr', [3, 1]), { traffic: { connectionsPerSecond: 40 } });
    sim.advanceTo(10_000);
    const table = await sim.observe();
    expect(dest(table, '198.51.100.11').stats.conns).toBe(300);
    expect(dest(table, '198.51.100.12').stats.conns).toBe(100);
    expect(table.services[0]?.stats.conns).toBe(400);
  });

  it('sends new connections only to VIPs this director answers for (a simulated pair: the MASTER)', async () => {
    const sim = await simWith(twoServers('wrr', [3, 1]), { traffic: { connectionsPerSecond: 40 } });
    let holdsVip = false;
    sim.setVipFilter((vip) => holdsVip && vip === '192.0.2.10');
    sim.advanceTo(10_000);
    expect((await sim.observe()).services[0]?.stats.conns).toBe(0);
    holdsVip = true;
    sim.advanceTo(20_000);
    expect((await sim.observe()).services[0]?.stats.conns).toBe(400);
    holdsVip = false;
    sim.advanceTo(30_000);
    expect((await sim.observe()).services[0]?.stats.conns).toBe(400);
  });

  it("-Z zeroes one service's counters and rates (or all), then counting starts again", async () => {
    const other = { kind: 'addr', protocol: 'tcp', address: '192.0.2.20', port: 80 } as const;
    const input = twoServers('wrr', [3, 1]);
    input.services = [
      ...(input.services ?? []),
      { key: other, scheduler: 'rr', destinations: [{ address: '198.51.100.21', port: 80, forwarding: 'masq', weight: 1 }] },
    ];
    const sim = await simWith(input, { traffic: { connectionsPerSecond: 40 } });
    sim.advanceTo(10_000);
    const before = await sim.observe();
    const otherConns = before.services.find((s) => serviceId(s.key) === serviceId(other))?.stats.conns ?? 0;
    expect(otherConns).toBeGreaterThan(0);
    await sim.zero(VIP);
    const after = await sim.observe();
    expect(after.services.find((s) => serviceId(s.key) === VIP_ID)?.stats).toEqual({ conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 });
    expect(dest(after, '198.51.100.11').stats.conns).toBe(0);
    expect(dest(after, '198.51.100.11').rates.cps).toBe(0);
    expect(after.services.find((s) => serviceId(s.key) === serviceId(other))?.stats.conns).toBe(otherConns);
    sim.advanceTo(20_000);
    expect(dest(await sim.observe(), '198.51.100.11').stats.conns).toBeGreaterThan(0);
    await sim.zero();
    expect((await sim.observe()).services.every((s) => s.stats.conns === 0)).toBe(true);
  });

  it('is deterministic under a seed and differs with another seed', async () => {
    const run = async (seed: number) => {
      const sim = await simWith(twoServers('wlc', [2, 1]), { seed, traffic: { connectionsPerSecond: 25, clients: 50 } });
      sim.advanceTo(20_000);
      return { table: await sim.observe(), conns: await sim.connections({ limit: 10_000 }) };
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(b).toEqual(a);
    expect(c.conns.entries.map((e) => e.clientAddress)).not.toEqual(a.conns.entries.map((e) => e.clientAddress));
  });

  it('weight 0 quiesces: no new connections, existing ones finish by their timeouts', async () => {
    const sim = await simWith(twoServers('wrr', [1, 1]), { traffic: { connectionsPerSecond: 20, meanDurationSeconds: 2 } });
    await sim.setTimeouts({ tcp: 900, tcpFin: 10, udp: 300 });
    sim.advanceTo(10_000);
    const before = dest(await sim.observe(), '198.51.100.12');
    expect(before.activeConns + before.inactiveConns).toBeGreaterThan(0);
    const config = desiredStateSchema.parse(twoServers('wrr', [1, 0])).services;
    const { results } = await sim.apply(plan({ services: config }, await sim.observe()));
    expect(results.map((r) => [r.change.kind, r.ok])).toEqual([['edit-destination', true]]);
    sim.advanceTo(200_000);
    const after = await sim.observe();
    const quiet = dest(after, '198.51.100.12');
    expect(quiet.weight).toBe(0);
    expect(quiet.stats.conns).toBe(before.stats.conns);
    expect(quiet.activeConns + quiet.inactiveConns).toBe(0);
    expect(dest(after, '198.51.100.11').stats.conns).toBeGreaterThan(before.stats.conns + 3000);
  });

  it('a failing real server takes connections but never answers', async () => {
    const sim = await simWith(twoServers('rr', [1, 1]), { traffic: { connectionsPerSecond: 10 } });
    sim.advanceTo(5_000);
    sim.failDestination(VIP_ID, '198.51.100.12:8080', true);
    expect(sim.isFailing(VIP_ID, '198.51.100.12:8080')).toBe(true);
    const before = dest(await sim.observe(), '198.51.100.12');
    sim.advanceTo(15_000);
    const after = dest(await sim.observe(), '198.51.100.12');
    expect(after.stats.conns).toBeGreaterThan(before.stats.conns);
    expect(after.stats.outPkts).toBe(before.stats.outPkts);
    const stuck = await sim.connections({ limit: 1000, destAddress: '198.51.100.12', state: 'SYN_RECV' });
    expect(stuck.matched).toBe(after.stats.conns - before.stats.conns);
    expect(() => sim.failDestination(VIP_ID, '198.51.100.99:8080', true)).toThrow(/no real server/);
    sim.failDestination(VIP_ID, '198.51.100.12:8080', false);
    sim.advanceTo(25_000);
    expect(dest(await sim.observe(), '198.51.100.12').stats.outPkts).toBeGreaterThan(after.stats.outPkts);
  });

  it('keeps every counter monotonic and rates non-negative', async () => {
    const sim = await simWith(twoServers('wlc', [3, 1]), { traffic: { connectionsPerSecond: 30 } });
    let previous = await sim.observe();
    for (let second = 1; second <= 60; second++) {
      sim.advanceTo(second * 1000);
      if (second === 30) {
        await sim.apply(plan({ services: desiredStateSchema.parse(twoServers('wlc', [0, 1])).services }, previous));
      }
      const current = await sim.observe();
      for (const [i, service] of current.services.entries()) {
        const old = previous.services[i];
        for (const field of ['conns', 'inPkts', 'outPkts', 'inBytes', 'outBytes'] as const) {
          expect(service.stats[field]).toBeGreaterThanOrEqual(old?.stats[field] ?? 0);
          for (const [j, d] of service.destinations.entries()) {
            expect(d.stats[field]).toBeGreaterThanOrEqual(old?.destinations[j]?.stats[field] ?? 0);
          }
        }
        expect(Object.values(service.rates).every((r) => r >= 0)).toBe(true);
      }
      previous = current;
    }
    expect(previous.services[0]?.rates.cps).toBeGreaterThan(10);
    expect(previous.services[0]?.stats.inBytes).toBeGreaterThan(0);
  });

  it('keeps a client on its server through a persistence template', async () => {
    const sim = await simWith(twoServers('rr', [1, 1], { persistence: { timeout: 60 } }), {
      traffic: { connectionsPerSecond: 20, clients: 6 },
    });
    sim.advanceTo(10_000);
    const page = await sim.connections({ limit: 10_000, includeTemplates: true });
    const templates = page.entries.filter((e) => e.template);
    expect(templates.length).toBe(6);
    expect(templates.every((t) => t.protocol === 'IP' && t.state === 'NONE')).toBe(true);
    const serverOf = new Map(templates.map((t) => [t.clientAddress, t.destAddress]));
    for (const conn of page.entries.filter((e) => !e.template)) {
      expect(conn.destAddress).toBe(serverOf.get(conn.clientAddress));
    }
    const table = await sim.observe();
    const persistent = table.services[0]?.destinations.reduce((sum, d) => sum + d.persistentConns, 0);
    expect(persistent).toBe(6);
    // Templates are hidden unless asked for.
    const plain = await sim.connections({ limit: 10_000 });
    expect(plain.entries.some((e) => e.template)).toBe(false);
    // Without traffic, templates outlive their connections by the persistence timeout, then go.
    sim.setTraffic({ connectionsPerSecond: 0 });
    sim.advanceTo(1_200_000);
    expect((await sim.connections({ limit: 10, includeTemplates: true })).total).toBe(0);
  });

  it('groups clients by the persistence netmask', async () => {
    const sim = await simWith(twoServers('rr', [1, 1], { persistence: { timeout: 60, netmaskPrefix: 16 } }), {
      traffic: { connectionsPerSecond: 20, clients: 50 },
    });
    sim.advanceTo(5_000);
    const templates = (await sim.connections({ limit: 100, includeTemplates: true })).entries.filter((e) => e.template);
    expect(templates.map((t) => t.clientAddress)).toEqual(['198.18.0.0']);
  });

  it('honours the upper threshold: an overloaded server gets nothing new', async () => {
    const sim = await simWith(
      {
        services: [
          {
            key: VIP,
            scheduler: 'wrr',
            destinations: [
              { address: '198.51.100.11', port: 8080, forwarding: 'masq', weight: 1, upperThreshold: 5 },
              { address: '198.51.100.12', port: 8080, forwarding: 'masq', weight: 1 },
            ],
          },
        ],
      },
      { traffic: { connectionsPerSecond: 20, meanDurationSeconds: 30 } },
    );
    sim.advanceTo(5_000);
    const table = await sim.observe();
    const limited = dest(table, '198.51.100.11');
    expect(limited.activeConns + limited.inactiveConns).toBe(5);
    expect(limited.overloaded).toBe(true);
    expect(dest(table, '198.51.100.12').stats.conns).toBe(100 - 5);
  });

  it('one-packet scheduling counts datagrams without keeping entries', async () => {
    const sim = await simWith(
      {
        services: [
          {
            key: { kind: 'addr', protocol: 'udp', address: '192.0.2.53', port: 53 },
            scheduler: 'rr',
            onePacket: true,
            destinations: [{ address: '198.51.100.31', port: 53, forwarding: 'masq', weight: 1 }],
          },
        ],
      },
      { traffic: { connectionsPerSecond: 50 } },
    );
    sim.advanceTo(2_000);
    expect((await sim.observe()).services[0]?.stats.conns).toBe(100);
    expect((await sim.connections({ limit: 10 })).total).toBe(0);
  });

  it('pages the connection table with offset, limit and filters', async () => {
    const sim = await simWith(twoServers('rr', [1, 1]), { traffic: { connectionsPerSecond: 20, meanDurationSeconds: 60 } });
    sim.advanceTo(10_000);
    const all = await sim.connections({ limit: 10_000 });
    expect(all.total).toBe(200);
    expect(all.matched).toBe(200);
    const page = await sim.connections({ limit: 10, offset: 5 });
    expect(page.entries).toEqual(all.entries.slice(5, 15));
    const one = await sim.connections({ limit: 3, destAddress: '198.51.100.12', state: 'ESTABLISHED' });
    expect(one.entries.length).toBe(3);
    expect(one.matched).toBe(all.entries.filter((e) => e.destAddress === '198.51.100.12' && e.state === 'ESTABLISHED').length);
    const prefix = await sim.connections({ limit: 1, clientPrefix: '198.18.0.0/16' });
    expect(prefix.matched).toBe(200);
    const noMatch = await sim.connections({ limit: 5, clientPrefix: '10.0.0.0/8' });
    expect(noMatch.matched).toBe(0);
  });

  it('schedules through the kernel algorithm of each service: sh keeps a client on one server', async () => {
    const sim = await simWith(twoServers('wrr', [1, 1]), { traffic: { connectionsPerSecond: 30, clients: 20, meanDurationSeconds: 60 } });
    const services = desiredStateSchema.parse(twoServers('wrr', [1, 1])).services.map((s) => ({ ...s, scheduler: 'sh' as const }));
    await sim.apply(plan({ services }, await sim.observe()));
    sim.advanceTo(10_000);
    const page = await sim.connections({ limit: 10_000 });
    const serverOf = new Map<string, Set<string>>();
    for (const entry of page.entries) serverOf.set(entry.clientAddress, (serverOf.get(entry.clientAddress) ?? new Set()).add(entry.destAddress));
    expect(serverOf.size).toBeGreaterThan(10);
    expect([...serverOf.values()].every((servers) => servers.size === 1)).toBe(true);
    expect(new Set(page.entries.map((e) => e.destAddress)).size).toBe(2);
  });

  it('turns an unknown scheduler into the missing-module message', async () => {
    const sim = new SimBackend({ clock: new ManualClock(0), availableSchedulers: ['rr', 'wrr', 'wlc'] });
    const services = desiredStateSchema.parse({ services: [{ key: VIP, scheduler: 'twos' }] }).services;
    const { results } = await sim.apply(plan({ services }, await sim.observe()));
    expect(results[0]?.error).toBe('the running kernel has no ip_vs_twos module (scheduler twos needs Linux 5.12 or later)');
  });

  it('keeps DR real servers on the service port, like ipvsadm', async () => {
    const sim = new SimBackend({ clock: new ManualClock(0) });
    const services = desiredStateSchema.parse({
      services: [{ key: VIP, destinations: [{ address: '198.51.100.11', port: 8080, forwarding: 'route', weight: 1 }] }],
    }).services;
    await sim.apply(plan({ services }, await sim.observe()));
    expect((await sim.observe()).services[0]?.destinations[0]?.port).toBe(80);
  });

  // Ported from the former second traffic model's suite (packages/shared/src/sim): kernel states,
  // counters and determinism, checked on the one sim the agent runs.
  it('connections are active while established, inactive while closing, and gone after tcpfin', async () => {
    const sim = await simWith(twoServers('rr', [1, 1], {}), { traffic: { connectionsPerSecond: 20, meanDurationSeconds: 3 } });
    await sim.setTimeouts({ tcp: 900, tcpFin: 120, udp: 300 });
    sim.advanceTo(1_000);
    sim.setTraffic({ connectionsPerSecond: 0 });
    const early = await sim.connections({ limit: 1000 });
    const count = early.total;
    expect(count).toBe(20);
    // Just arrived: almost all still open, and every open one counts as active.
    const open = early.entries.filter((e) => e.state === 'ESTABLISHED').length;
    const table = await sim.observe();
    const active = table.services[0]?.destinations.reduce((sum, d) => sum + d.activeConns, 0);
    const inactive = table.services[0]?.destinations.reduce((sum, d) => sum + d.inactiveConns, 0);
    expect(active).toBe(open);
    expect(inactive).toBe(count - open);
    // Long after every client closed: all wait out tcpfin, inactive.
    sim.advanceTo(60_000);
    const closing = await sim.observe();
    const waiting = await sim.connections({ limit: 1000 });
    expect(waiting.total).toBeGreaterThan(0);
    expect(waiting.entries.every((e) => e.state === 'TIME_WAIT' || e.state === 'FIN_WAIT')).toBe(true);
    expect(closing.services[0]?.destinations.every((d) => d.activeConns === 0)).toBe(true);
    expect(closing.services[0]?.destinations.reduce((sum, d) => sum + d.inactiveConns, 0)).toBe(waiting.total);
    // Every client closed within the first minute: tcpfin (120 s) later the table is empty.
    sim.advanceTo(181_000);
    expect((await sim.connections({ limit: 10 })).total).toBe(0);
    expect((await sim.observe()).services[0]?.destinations.every((d) => d.inactiveConns === 0)).toBe(true);
  });

  it('counts Conns, packets and bytes like the kernel: NAT replies out, DR none', async () => {
    const sim = await simWith(
      {
        services: [
          {
            key: VIP,
            scheduler: 'rr',
            destinations: [
              { address: '198.51.100.11', port: 80, forwarding: 'route', weight: 1 },
              { address: '198.51.100.12', port: 80, forwarding: 'masq', weight: 1 },
            ],
          },
        ],
      },
      { traffic: { connectionsPerSecond: 20 } },
    );
    sim.advanceTo(30_000);
    const table = await sim.observe();
    const route = dest(table, '198.51.100.11');
    const masq = dest(table, '198.51.100.12');
    expect(route.stats.outPkts).toBe(0);
    expect(route.stats.outBytes).toBe(0);
    expect(masq.stats.outPkts).toBeGreaterThan(0);
    expect(route.stats.inPkts).toBeGreaterThan(route.stats.conns);
    expect(Math.abs(route.stats.conns - masq.stats.conns)).toBeLessThanOrEqual(1);
    const service = table.services[0];
    for (const value of Object.values(service?.stats ?? {})) expect(Number.isInteger(value)).toBe(true);
    expect(service?.stats.conns).toBe(route.stats.conns + masq.stats.conns);
    expect(service?.stats.inBytes).toBe(route.stats.inBytes + masq.stats.inBytes);
  });

  it('gives the same result however the time is split into calls', async () => {
    const options: SimBackendOptions = { seed: 5, traffic: { connectionsPerSecond: 200, clients: 50, meanDurationSeconds: 3 } };
    const once = await simWith(twoServers('wlc', [2, 1]), options);
    once.advanceTo(20_000);
    const stepped = await simWith(twoServers('wlc', [2, 1]), options);
    for (let t = 1000; t <= 20_000; t += 1000) stepped.advanceTo(t);
    expect(await stepped.observe()).toEqual(await once.observe());
    expect(await stepped.connections({ limit: 10_000 })).toEqual(await once.connections({ limit: 10_000 }));
  });

  it('UDP flows count as inactive and expire after the udp timeout', async () => {
    const sim = await simWith(
      {
        services: [
          {
            key: { kind: 'addr', protocol: 'udp', address: '192.0.2.53', port: 53 },
            scheduler: 'rr',
            destinations: [{ address: '198.51.100.31', port: 53, forwarding: 'masq', weight: 1 }],
          },
        ],
      },
      { traffic: { connectionsPerSecond: 20, meanDurationSeconds: 1 } },
    );
    await sim.setTimeouts({ tcp: 900, tcpFin: 120, udp: 30 });
    sim.advanceTo(1_000);
    sim.setTraffic({ connectionsPerSecond: 0 });
    sim.advanceTo(25_000);
    const flows = await sim.connections({ limit: 100 });
    const server = (await sim.observe()).services[0]?.destinations[0];
    expect(flows.total).toBe(20);
    expect(flows.entries.every((e) => e.state === 'UDP' && e.protocol === 'UDP')).toBe(true);
    expect(server?.activeConns).toBe(0);
    expect(server?.inactiveConns).toBe(20);
    // Every flow ended well within a minute; 30 s after that none is left.
    sim.advanceTo(200_000);
    expect((await sim.connections({ limit: 10 })).total).toBe(0);
    expect((await sim.observe()).services[0]?.destinations[0]?.inactiveConns).toBe(0);
  });

  it('validates traffic settings at the edge', () => {
    const sim = new SimBackend({ clock: new ManualClock(0) });
    expect(() => sim.setTraffic({ connectionsPerSecond: -1 })).toThrow(/>= 0/);
    sim.setTraffic({ connectionsPerSecond: 5 }, VIP_ID);
    expect(sim.getTraffic(VIP_ID).connectionsPerSecond).toBe(5);
    expect(sim.getTraffic().connectionsPerSecond).toBe(0);
  });
});

describe('demo cluster', () => {
  it('loads the demo services with traffic already flowing', async () => {
    const clock = new ManualClock(1_000_000);
    const sim = await createDemoSim({ clock, seed: 3 });
    const table = await sim.observe();
    expect(table.services.map((s) => serviceId(s.key)).sort()).toEqual(DEMO_STATE.services.map((s) => serviceId(s.key)).sort());
    expect(plan({ services: DEMO_STATE.services }, table)).toEqual([]);
    for (const service of table.services) {
      expect(service.stats.conns).toBeGreaterThan(0);
      expect(service.rates.cps).toBeGreaterThan(0);
    }
    const web = table.services.find((s) => serviceId(s.key) === VIP_ID);
    const conns = web?.destinations.map((d) => d.stats.conns) ?? [];
    // wrr 3/2/1 across the three NAT servers.
    expect(
      conns
        .slice()
        .sort((a, b) => b - a)
        .map((c) => Math.round((c / (conns[2] ?? 1)) * 1)),
    ).toEqual([3, 2, 1]);
    expect(sim.now()).toBe(clock.now());
    // Serving mode follows the clock on a timer.
    sim.start(10);
    clock.advance(5_000);
    await sim.observe();
    expect(sim.now()).toBe(clock.now());
    await sim.close();
    expect(sim.running).toBe(false);
  });
});
