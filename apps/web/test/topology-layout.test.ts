import { describe, expect, it } from 'vitest';
import type { HostSetting, ServiceKey } from '@lvs-console/shared';
import { clockTime } from '../src/lib/format-time';
import { dipText, edgeWidth, layoutTopology, MAX_NOTES, serverState, topologyMethod, type TopologyServerInput } from '../src/features/topology/layout';

const VIP: ServiceKey = { kind: 'addr', protocol: 'tcp', address: '172.25.254.100', port: 80 };

const RECEIVED_AT = Date.UTC(2025, 0, 2, 3, 4, 5);

/** A DR report for the VIP whose failing rows say these messages, plus one passing row. */
function drReport({ stale, failing }: { stale: boolean; failing: string[] }): NonNullable<TopologyServerInput['report']> {
  const setting: HostSetting = { kind: 'sysctl', name: 'net.ipv4.conf.all.arp_announce', value: '2', reason: '' };
  return {
    mode: 'dr',
    vips: [VIP.kind === 'addr' ? VIP.address : ''],
    stale,
    receivedAt: RECEIVED_AT,
    rows: [
      { setting, actual: '2', ok: true, message: 'net.ipv4.conf.all.arp_announce = 2' },
      ...failing.map((message) => ({ setting, actual: '0', ok: false, message })),
    ],
  };
}

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
    const layout = layoutTopology({
      serviceKey: VIP,
      servers: [server('10.0.0.2', 'masq', { cps: 30 }), server('10.0.0.3', 'masq', { cps: 10 }), server('10.0.0.4', 'masq', { cps: 0 })],
    });
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
    const layout = layoutTopology({
      serviceKey: VIP,
      servers: [server('10.0.0.7', 'route', { problems: ['arp_ignore not set on 10.0.0.7'] })],
      directorProblems: ['ip_forward is 0'],
    });
    expect(layout.notes).toEqual([
      { text: 'Director: ip_forward is 0', tone: 'problem' },
      { text: 'arp_ignore not set on 10.0.0.7', tone: 'problem' },
    ]);
  });

  it('turns failing rows of a current report into problem lines naming the server, and marks its node', () => {
    const report = drReport({ stale: false, failing: ['net.ipv4.conf.all.arp_ignore is 0, should be 1', '172.25.254.100/32 is not on lo'] });
    const layout = layoutTopology({
      serviceKey: VIP,
      servers: [server('10.0.0.7', 'route', { report }), server('10.0.0.8', 'route')],
      directorProblems: ['ip_forward is 0'],
    });
    expect(layout.notes).toEqual([
      { text: 'Director: ip_forward is 0', tone: 'problem' },
      { text: 'net.ipv4.conf.all.arp_ignore is 0, should be 1 on 10.0.0.7', tone: 'problem' },
      { text: '172.25.254.100/32 is not on lo on 10.0.0.7', tone: 'problem' },
    ]);
    expect(layout.servers[0]?.marker).toEqual({ text: 'settings: 2 failing', short: '2 failing', tone: 'problem' });
    expect(layout.servers[1]?.marker).toBeNull();
    // The lines sit above the servers.
    expect(layout.servers[0]?.y).toBeGreaterThan(16 + 3 * 14 + 40);
  });

  it('says a stale report is old instead of trusting its rows', () => {
    const report = drReport({ stale: true, failing: ['net.ipv4.conf.all.arp_ignore is 0, should be 1'] });
    const layout = layoutTopology({ serviceKey: VIP, servers: [server('10.0.0.7', 'route', { report })] });
    expect(layout.notes).toEqual([{ text: `no report from 10.0.0.7 since ${clockTime(RECEIVED_AT)}`, tone: 'note' }]);
    expect(layout.servers[0]?.marker).toEqual({ text: 'settings: no report', short: 'no report', tone: 'note' });
    // The stale report's failing row is not shown as a current problem.
    expect(layout.notes.some((note) => note.text.includes('arp_ignore'))).toBe(false);
  });

  it('a passing report leaves the drawing clean; one server on two ports is said once', () => {
    const passing = layoutTopology({ serviceKey: VIP, servers: [server('10.0.0.7', 'route', { report: drReport({ stale: false, failing: [] }) })] });
    expect(passing.notes).toEqual([]);
    expect(passing.servers[0]?.marker).toBeNull();
    const report = drReport({ stale: false, failing: ['net.ipv4.conf.lo.arp_ignore is 0, should be 1'] });
    const twoPorts = layoutTopology({
      serviceKey: VIP,
      servers: [
        server('10.0.0.7', 'route', { report }),
        { ...server('10.0.0.7', 'route', { report }), destination: { address: '10.0.0.7', port: 81, weight: 1, forwarding: 'route' } },
      ],
    });
    expect(twoPorts.notes).toHaveLength(1);
  });

  it('counts the lines it cannot fit', () => {
    const failing = Array.from({ length: 5 }, (_, i) => `net.ipv4.conf.eth${i}.arp_ignore is 0, should be 1`);
    const servers = Array.from({ length: 4 }, (_, i) => server(`10.0.0.${i + 1}`, 'route', { report: drReport({ stale: false, failing }) }));
    const layout = layoutTopology({ serviceKey: VIP, servers });
    expect(layout.notes).toHaveLength(MAX_NOTES);
    expect(layout.notes.at(-1)).toEqual({ text: `and ${20 - (MAX_NOTES - 1)} more (see Real servers setup)`, tone: 'note' });
  });

  it('names fwmark services by their mark', () => {
    const layout = layoutTopology({ serviceKey: { kind: 'fwmark', fwmark: 7, family: 'inet' }, servers: [server('10.0.0.2', 'tunnel')] });
    expect(layout.accessibleName).toBe('TUN topology of fwmark 7');
  });
});

describe('dipText', () => {
  it("labels the director's one source address, or the first two and a count", () => {
    expect(dipText(undefined)).toBeNull();
    expect(dipText({ '10.0.0.7': null })).toBeNull();
    expect(dipText({ '10.0.0.7': '10.0.0.1', '10.0.0.8': '10.0.0.1', '10.0.0.9': null })).toBe('10.0.0.1');
    expect(dipText({ a: '10.0.0.1', b: '10.1.0.1', c: '10.2.0.1', d: '10.3.0.1' })).toBe('10.0.0.1, 10.1.0.1 +2');
  });
});

describe('layoutTopology, vertical (phone)', () => {
  const servers = [server('10.0.0.1', 'route'), server('10.0.0.2', 'route', { cps: 5 }), server('10.0.0.3', 'route')];

  it('puts the client on top, the director under it and the real servers stacked below, all inside a phone-sized width', () => {
    const layout = layoutTopology({ serviceKey: VIP, servers, orientation: 'vertical' });
    expect(layout.orientation).toBe('vertical');
    expect(layout.width).toBeLessThanOrEqual(400);
    expect(layout.client.y).toBeLessThan(layout.director.y);
    const xs = new Set(layout.servers.map((s) => s.x));
    expect(xs.size).toBe(1);
    const ys = layout.servers.map((s) => s.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(Math.min(...ys) - 22).toBeGreaterThan(layout.dipLabelAt.y);
    for (const s of layout.servers) {
      expect(s.x + layout.serverBox.offsetX).toBeGreaterThanOrEqual(0);
      expect(s.x + layout.serverBox.offsetX + layout.serverBox.width).toBeLessThanOrEqual(layout.width);
    }
    expect(Math.max(...ys) + 22).toBeLessThan(layout.legend.paths.y - 10);
    expect(layout.legend.states.y).toBeLessThanOrEqual(layout.height);
    // Every path stays inside the drawing.
    for (const p of layout.paths) {
      const numbers = (p.d.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
      numbers.forEach((n, i) => expect(n, `${p.id} coordinate ${i}`).toBeLessThanOrEqual(i % 2 === 0 ? layout.width : layout.height));
    }
  });

  it('sends DR replies past the director to the client, NAT replies back through the director', () => {
    const dr = layoutTopology({ serviceKey: VIP, servers, orientation: 'vertical' });
    const drReply = dr.paths.find((p) => p.id === 'reply-10.0.0.1:80');
    expect(drReply?.d.endsWith(`${dr.client.x + 26},${dr.client.y}`)).toBe(true);
    expect(dr.paths.some((p) => p.id === 'director-client')).toBe(false);
    const nat = layoutTopology({ serviceKey: VIP, servers: [server('10.0.0.1', 'masq')], orientation: 'vertical' });
    expect(nat.paths.find((p) => p.id === 'reply-10.0.0.1:80')?.d.endsWith(`${nat.director.x + 40},${nat.director.y + 10}`)).toBe(true);
    expect(nat.paths.some((p) => p.id === 'director-client')).toBe(true);
  });

  it('leaves the problem notes out of the drawing: the page shows them as text that wraps', () => {
    const problems = Array.from({ length: 5 }, (_, i) => `problem ${i}`);
    const plain = layoutTopology({ serviceKey: VIP, servers, orientation: 'vertical' });
    const noted = layoutTopology({ serviceKey: VIP, servers, orientation: 'vertical', directorProblems: problems });
    expect(noted.notes).toHaveLength(5);
    expect(noted.height).toBe(plain.height);
    expect(noted.servers.map((s) => s.y)).toEqual(plain.servers.map((s) => s.y));
  });

  it('is horizontal unless asked', () => {
    expect(layoutTopology({ serviceKey: VIP, servers }).orientation).toBe('horizontal');
  });
});
