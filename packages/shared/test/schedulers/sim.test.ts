// The sim traffic model: states, timeouts, counters, thresholds, persistence,
// determinism, with explicit times.
import { describe, expect, it } from 'vitest';
import {
  advance,
  connectionCount,
  createSimState,
  listConnections,
  observe,
  type SimConfig,
  type SimServiceConfig,
} from '../../src/sim';

function svc(extra: Partial<SimServiceConfig> = {}): SimServiceConfig {
  return {
    id: 'tcp:192.0.2.10:80',
    protocol: 'tcp',
    address: '192.0.2.10',
    port: 80,
    scheduler: 'rr',
    destinations: [
      { id: '10.0.0.2:80', address: '10.0.0.2', port: 80, weight: 1, forwarding: 'masq' },
      { id: '10.0.0.1:80', address: '10.0.0.1', port: 80, weight: 1, forwarding: 'masq' },
    ],
    traffic: { arrivalsPerSec: 50, clients: { count: 200, prefix: '198.51.100.0/24' }, duration: { kind: 'fixed', seconds: 5 } },
    ...extra,
  };
}

function config(service: SimServiceConfig, extra: Partial<SimConfig> = {}): SimConfig {
  return { seed: 7, services: [service], ...extra };
}

function totals(state: ReturnType<typeof createSimState>): { active: number; inact: number; persist: number; conns: number } {
  const service = observe(state)[0];
  const dests = service?.destinations ?? [];
  return {
    active: dests.reduce((s, d) => s + d.activeConns, 0),
    inact: dests.reduce((s, d) => s + d.inactConns, 0),
    persist: dests.reduce((s, d) => s + d.persistConns, 0),
    conns: service?.stats.conns ?? 0,
  };
}

describe('sim traffic model', () => {
  it('connections are active while established, inactive in FIN_WAIT, and gone after tcpfin', () => {
    const running = config(svc());
    const state = createSimState(running, 0);
    advance(state, running, 0, 1000);
    const stopped = config(svc({ traffic: { ...svc().traffic!, arrivalsPerSec: 0 } }));
    advance(state, stopped, 1000, 3000);
    const early = totals(state);
    expect(early.conns).toBeGreaterThan(25);
    expect(early.conns).toBeLessThan(80);
    // All arrived in [0, 1 s]: at 3 s every one is ESTABLISHED (they close at arrival + 5.001 s).
    expect(early.active).toBe(early.conns);
    expect(early.inact).toBe(0);
    // At 10 s all closed and wait in FIN_WAIT (inactive).
    advance(state, stopped, 3000, 10_000);
    expect(totals(state)).toEqual({ active: 0, inact: early.conns, persist: 0, conns: early.conns });
    expect(listConnections(state).every((c) => c.state === 'FIN_WAIT')).toBe(true);
    // FIN_WAIT lasts tcpfin = 120 s: the last close was before 6.001 s, so all are gone at 126.01 s.
    advance(state, stopped, 10_000, 125_000);
    expect(totals(state).inact).toBeGreaterThan(0);
    advance(state, stopped, 125_000, 126_010);
    expect(connectionCount(state)).toBe(0);
    expect(totals(state).inact).toBe(0);
  });

  it('counts Conns, packets and bytes like the kernel: NAT replies out, DR none', () => {
    const dr = svc({
      destinations: [
        { id: '10.0.0.2:80', address: '10.0.0.2', port: 80, weight: 1, forwarding: 'route' },
        { id: '10.0.0.1:80', address: '10.0.0.1', port: 80, weight: 1, forwarding: 'masq' },
      ],
    });
    const state = createSimState(config(dr), 0);
    advance(state, config(dr), 0, 30_000);
    const [service] = observe(state);
    const [route, masq] = service?.destinations ?? [];
    expect(route?.stats.outPkts).toBe(0);
    expect(route?.stats.outBytes).toBe(0);
    expect(masq?.stats.outPkts).toBeGreaterThan(0);
    expect(route?.stats.inPkts).toBeGreaterThan(route?.stats.conns ?? 0);
    // rr alternates: conns differ by at most one.
    expect(Math.abs((route?.stats.conns ?? 0) - (masq?.stats.conns ?? 0))).toBeLessThanOrEqual(1);
    for (const value of Object.values(service?.stats ?? {})) expect(Number.isInteger(value)).toBe(true);
    expect(service?.stats.conns).toBe((route?.stats.conns ?? 0) + (masq?.stats.conns ?? 0));
    expect(service?.stats.inBytes).toBe((route?.stats.inBytes ?? 0) + (masq?.stats.inBytes ?? 0));
  });

  it('gives the same result however the time is split into ticks', () => {
    const cfg = config(svc({ scheduler: 'wlc', traffic: { arrivalsPerSec: 200, clients: { count: 50, prefix: '198.51.100.0/24' }, duration: { kind: 'exponential', meanSeconds: 3 } } }));
    const once = createSimState(cfg, 0);
    advance(once, cfg, 0, 20_000);
    const ticked = createSimState(cfg, 0);
    for (let t = 0; t < 20_000; t += 1000) advance(ticked, cfg, t, t + 1000);
    const a = observe(once);
    const b = observe(ticked);
    expect(b.map((s) => s.destinations.map((d) => [d.activeConns, d.inactConns, d.stats.conns, d.stats.inPkts])))
      .toEqual(a.map((s) => s.destinations.map((d) => [d.activeConns, d.inactConns, d.stats.conns, d.stats.inPkts])));
    const bytesA = a[0]?.stats.inBytes ?? 0;
    expect(Math.abs((b[0]?.stats.inBytes ?? 0) - bytesA)).toBeLessThanOrEqual(2);
  });

  it('a different seed gives different traffic', () => {
    const a = createSimState(config(svc()), 0);
    advance(a, config(svc()), 0, 5000);
    const other = { ...config(svc()), seed: 8 };
    const b = createSimState(other, 0);
    advance(b, other, 0, 5000);
    expect(totals(a).conns).not.toBe(totals(b).conns);
  });

  it('UDP flows count as inactive and expire after the udp timeout', () => {
    const udp = svc({ protocol: 'udp', traffic: { arrivalsPerSec: 20, clients: { count: 10, prefix: '198.51.100.0/24' }, duration: { kind: 'fixed', seconds: 2 } } });
    const state = createSimState(config(udp, { timeouts: { tcp: 900, tcpFin: 120, udp: 30 } }), 0);
    advance(state, config(udp, { timeouts: { tcp: 900, tcpFin: 120, udp: 30 } }), 0, 1000);
    const stopped = config(svc({ ...udp, traffic: { ...udp.traffic!, arrivalsPerSec: 0 } }), { timeouts: { tcp: 900, tcpFin: 120, udp: 30 } });
    advance(state, stopped, 1000, 31_000);
    const t = totals(state);
    expect(t.active).toBe(0);
    expect(t.inact).toBe(t.conns);
    expect(listConnections(state)[0]?.state).toBe('UDP');
    // Last flow ended by 3 s; 3 s + 30 s = 33 s.
    advance(state, stopped, 31_000, 33_001);
    expect(connectionCount(state)).toBe(0);
  });

  it('sets OVERLOAD at the upper threshold and sends new connections elsewhere', () => {
    const limited = svc({
      scheduler: 'wrr',
      destinations: [
        { id: '10.0.0.2:80', address: '10.0.0.2', port: 80, weight: 10, forwarding: 'masq', upperThreshold: 5 },
        { id: '10.0.0.1:80', address: '10.0.0.1', port: 80, weight: 1, forwarding: 'masq' },
      ],
      traffic: { arrivalsPerSec: 100, clients: { count: 100, prefix: '198.51.100.0/24' }, duration: { kind: 'fixed', seconds: 60 } },
    });
    const state = createSimState(config(limited), 0);
    advance(state, config(limited), 0, 5000);
    const [heavy, light] = observe(state)[0]?.destinations ?? [];
    expect(heavy?.overloaded).toBe(true);
    expect((heavy?.activeConns ?? 0) + (heavy?.inactConns ?? 0)).toBe(5);
    expect(light?.stats.conns).toBeGreaterThan(400);
  });

  it('persistence templates hold clients, count as persistent, and expire after their connections', () => {
    const sticky = svc({
      persistence: { timeoutSec: 10 },
      traffic: { arrivalsPerSec: 20, clients: { count: 1, prefix: '198.51.100.7/32' }, duration: { kind: 'fixed', seconds: 1 } },
    });
    const timeouts = { tcp: 900, tcpFin: 2, udp: 300 };
    const state = createSimState(config(sticky, { timeouts }), 0);
    advance(state, config(sticky, { timeouts }), 0, 2000);
    const [a, b] = observe(state)[0]?.destinations ?? [];
    // One client: one template, every connection on the same server.
    expect([a?.persistConns, b?.persistConns].sort()).toEqual([0, 1]);
    expect(Math.min(a?.stats.conns ?? 0, b?.stats.conns ?? 0)).toBe(0);
    expect(listConnections(state).filter((c) => c.template)).toHaveLength(1);
    const stopped = config({ ...sticky, traffic: { ...sticky.traffic!, arrivalsPerSec: 0 } }, { timeouts });
    // Last use < 2 s: connections gone by 5.01 s; the template fires at last use + 10 s < 12 s.
    advance(state, stopped, 2000, 11_000);
    expect(totals(state).persist).toBe(1);
    advance(state, stopped, 11_000, 12_000);
    expect(totals(state).persist).toBe(0);
    expect(connectionCount(state)).toBe(0);
  });

  it('a refusing NAT server gets connections that never become active and close after 10 s', () => {
    const failing = svc({
      destinations: [
        { id: '10.0.0.2:80', address: '10.0.0.2', port: 80, weight: 1, forwarding: 'masq', failure: 'refuse' },
        { id: '10.0.0.1:80', address: '10.0.0.1', port: 80, weight: 1, forwarding: 'masq' },
      ],
    });
    const state = createSimState(config(failing), 0);
    advance(state, config(failing), 0, 1000);
    const stopped = config({ ...failing, traffic: { ...failing.traffic!, arrivalsPerSec: 0 } });
    advance(state, stopped, 1000, 2000);
    const [bad, good] = observe(state)[0]?.destinations ?? [];
    expect(bad?.activeConns).toBe(0);
    expect(bad?.inactConns).toBe(bad?.stats.conns);
    expect(good?.activeConns).toBe(good?.stats.conns);
    expect(listConnections(state).filter((c) => c.destination === '10.0.0.2:80').every((c) => c.state === 'CLOSE')).toBe(true);
    advance(state, stopped, 2000, 11_010);
    expect(observe(state)[0]?.destinations[0]?.inactConns).toBe(0);
  });

  it('weight 0 stops new connections while existing ones drain', () => {
    const cfg = config(svc({ traffic: { arrivalsPerSec: 50, clients: { count: 100, prefix: '198.51.100.0/24' }, duration: { kind: 'fixed', seconds: 30 } } }));
    const state = createSimState(cfg, 0);
    advance(state, cfg, 0, 2000);
    const drained = config({
      ...cfg.services[0]!,
      destinations: cfg.services[0]!.destinations.map((d, i) => (i === 0 ? { ...d, weight: 0 } : d)),
    });
    const before = observe(state)[0]?.destinations[0]?.stats.conns ?? 0;
    advance(state, drained, 2000, 10_000);
    const [quiesced, other] = observe(state)[0]?.destinations ?? [];
    expect(quiesced?.stats.conns).toBe(before);
    expect(quiesced?.activeConns).toBe(before);
    expect(other?.stats.conns).toBeGreaterThan(before);
  });
});
