import { describe, expect, it } from 'vitest';
import type { HostSetting, ServiceKey } from '@lvs-console/shared';
import { edgeWidth, layoutTopology, serverState, topologyMethod, type TopologyServerInput } from '../src/features/topology/layout';

const VIP: ServiceKey = { kind: 'addr', protocol: 'tcp', address: '172.25.254.100', port: 80 };

function server(address: string, forwarding: 'masq' | 'route' | 'tunnel', extra: Partial<TopologyServerInput> = {}): TopologyServerInput {
  return { destination: { address, port: 80, weight: 1, forwarding }, cps: 0, activeConns: 0, ...extra };
}

describe('topologyMethod', () => {
  it('names the method from the destinations, FULLNAT when a NAT service has a SNAT row', () => {
    expect(topologyMethod(VIP, ['route', 'route'])).toBe('DR');
    expect(topologyMethod(VIP, ['masq'])).toBe('NAT');
    expect(topologyMethod(VIP, ['tunnel'])).toBe('TUN');
    expect(topologyMethod(VIP, ['masq', 'route'])).toBe('MIXED');
    expect(topologyMethod(VIP, [])).toBe('NONE');
    const snat: HostSetting = { kind: 'snat', service: VIP, sourceAddress: '10.0.0.1', reason: '' };
    expect(topologyMethod(VIP, ['masq'], [snat])).toBe('FULLNAT');
  });
});

describe('layoutTopology', () => {
  it('names the diagram for screen readers and labels VIP, DIP and every RIP', () => {
    const layout = layoutTopology({ serviceKey: VIP, servers: [server('172.25.254.2', 'route'), server('172.25.254.3', 'route')], dip: '172.25.254.1' });
    expect(layout.accessibleName).toBe('DR topology of 172.25.254.100:80');
    expect(layout.vipLabel).toBe('172.25.254.100:80');
    expect(layout.dipLabel).toBe('DIP 172.25.254.1');
    expect(layout.servers.map((s) => s.label)).toEqual(['172.25.254.2:80', '172.25.254.3:80']);
    expect(layout.servers.every((s) => s.vipInterface === 'lo')).toBe(true);
  });

  it('DR and TUN replies bypass the director; NAT replies return through it', () => {
    const dr = layoutTopology({ serviceKey: VIP, servers: [server('10.0.0.2', 'route')] });
    const nat = layoutTopology({ serviceKey: VIP, servers: [server('10.0.0.2', 'masq')] });
    const tun = layoutTopology({ serviceKey: VIP, servers: [server('10.0.0.2', 'tunnel')] });
    const replyEnd = (d: string) => d.trim().split(' ').at(-1);
    const drReply = dr.paths.find((p) => p.id === 'reply-10.0.0.2:80');
    const natReply = nat.paths.find((p) => p.id === 'reply-10.0.0.2:80');
    // DR ends at the client; NAT ends at the director (and a director->client reply exists).
    expect(replyEnd(drReply?.d ?? '')).toBe(`${dr.client.x + 20},${dr.client.y + 18}`);
    expect(replyEnd(natReply?.d ?? '')).toBe(`${nat.director.x + 40},${nat.director.y + 10}`);
    expect(nat.paths.some((p) => p.id === 'director-client' && p.kind === 'reply')).toBe(true);
    expect(dr.paths.some((p) => p.id === 'director-client')).toBe(false);
    expect(tun.servers[0]?.vipInterface).toBe('tunl0');
    expect(tun.segments).toHaveLength(1);
    expect(dr.segments[0]?.label).toBe('same L2 segment');
  });

  it('sizes each director-to-server edge by its live rate', () => {
    const layout = layoutTopology({ serviceKey: VIP, servers: [server('10.0.0.2', 'masq', { cps: 30 }), server('10.0.0.3', 'masq', { cps: 10 }), server('10.0.0.4', 'masq', { cps: 0 })] });
    const widths = layout.servers.map((s) => s.edgeWidth);
    expect(widths[0]).toBeGreaterThan(widths[1] ?? 0);
    expect(widths[1]).toBeGreaterThan(widths[2] ?? 0);
    expect(edgeWidth(0, 0)).toBe(1.5);
    expect(edgeWidth(10, 10)).toBe(9);
  });

  it('colours servers by state: failing beats overloaded beats draining', () => {
    expect(serverState(server('a', 'masq'))).toBe('serving');
    expect(serverState({ ...server('a', 'masq'), destination: { address: 'a', port: 80, weight: 0, forwarding: 'masq' } })).toBe('draining');
    expect(serverState(server('a', 'masq', { overloaded: true }))).toBe('overloaded');
    expect(serverState(server('a', 'masq', { overloaded: true, failing: true }))).toBe('failing');
  });

  it('keeps 50 servers inside the drawing and stacked without overlap', () => {
    const servers = Array.from({ length: 50 }, (_, i) => server(`10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`, 'route'));
    const layout = layoutTopology({ serviceKey: VIP, servers });
    const ys = layout.servers.map((s) => s.y);
    for (let i = 1; i < ys.length; i++) expect((ys[i] ?? 0) - (ys[i - 1] ?? 0)).toBeGreaterThanOrEqual(18);
    expect(Math.max(...ys)).toBeLessThan(layout.height);
  });

  it('shows host-setting problems on the server and the director', () => {
    const layout = layoutTopology({ serviceKey: VIP, servers: [server('10.0.0.7', 'route', { problems: ['arp_ignore not set on 10.0.0.7'] })], directorProblems: ['ip_forward is 0'] });
    expect(layout.servers[0]?.problems).toEqual(['arp_ignore not set on 10.0.0.7']);
    expect(layout.directorProblems).toEqual(['ip_forward is 0']);
  });

  it('names fwmark services by their mark', () => {
    const layout = layoutTopology({ serviceKey: { kind: 'fwmark', fwmark: 7, family: 'inet' }, servers: [server('10.0.0.2', 'tunnel')] });
    expect(layout.accessibleName).toBe('TUN topology of fwmark 7');
  });
});
