// The seed write-ups' ipvsadm command lines (copied into fixtures/seeds with
// their source named) run to the table an operator would end up with. The
// expected -Sn text was written by hand from ipvsadm.c print_service_entry()
// and cross-checked against the recorded kernel fixtures' conventions
// (-w always written, --tun-type ipip for every -i, save order).
import { describe, expect, it } from 'vitest';
import { parseListing, parseRules, renderRules, type RuleEventKind } from '../../src/ipvsadm';
import { readFixture } from './fixtures';

interface SeedCase {
  name: string;
  errors?: string[];
  events: RuleEventKind[];
  timeouts?: { tcp: number; tcpFin: number; udp: number } | null;
}

const cases: SeedCase[] = [
  { name: '000_69cd17229d364707', events: ['list', 'list', 'list'] },
  { name: '001_7d3af739274dd511-nat', events: ['list', 'list', 'set-timeouts'], timeouts: { tcp: 28800, tcpFin: 30, udp: 600 } },
  { name: '001_7d3af739274dd511-dr', events: ['list'] },
  {
    name: '002_6688bd36d8d96982-nat',
    errors: ['line 6: destination 192.168.40.201:80 already exists in service TCP 192.168.168.200:80; use -e to change it'],
    events: [],
  },
  { name: '002_6688bd36d8d96982-persistent', events: ['list'] },
  { name: '003_2126bffc24a5b74b', events: ['list'] },
  { name: '004_5b7713e7ae6b680f', events: ['save', 'list', 'list'] },
];

describe('seed scenarios', () => {
  it.each(cases)('$name runs to the expected table', ({ name, errors = [], events, timeouts = null }) => {
    const result = parseRules(readFixture(`seeds/${name}.rules`));
    expect(result.errors.map((e) => `${e.path}: ${e.message}`)).toEqual(errors);
    expect(result.ok).toBe(errors.length === 0);
    expect(renderRules(result.state)).toBe(readFixture(`seeds/${name}.Sn`));
    expect(result.events.map((e) => e.kind)).toEqual(events);
    expect(result.state.timeouts).toEqual(timeouts);
  });

  it('002 persistent: a port-0 service keeps port 0 on its real servers, routed', () => {
    const { state } = parseRules(readFixture('seeds/002_6688bd36d8d96982-persistent.rules'));
    expect(state.services).toEqual([
      {
        key: { kind: 'addr', protocol: 'tcp', address: '192.168.199.199', port: 0 },
        scheduler: 'rr',
        flags: [],
        persistence: { timeout: 900 },
        onePacket: false,
        destinations: [
          { address: '1.1.1.1', port: 0, forwarding: 'route', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
          { address: '2.2.2.2', port: 0, forwarding: 'route', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
        ],
      },
    ]);
  });

  it('001 NAT: -E resets the service to what the line says; -e keeps NAT and sets the weight', () => {
    const { state } = parseRules(readFixture('seeds/001_7d3af739274dd511-nat.rules'));
    const service = state.services[0];
    expect(service?.scheduler).toBe('wlc');
    expect(service?.destinations.map((d) => [d.address, d.forwarding, d.weight])).toEqual([
      ['192.168.1.2', 'masq', 4],
      ['192.168.1.3', 'masq', 1],
    ]);
  });

  it('004: -C clears the earlier examples; $VIP-style TUN servers take the service port', () => {
    const result = parseRules(readFixture('seeds/004_5b7713e7ae6b680f.rules'));
    expect(result.state.services.map((s) => s.key)).toEqual([{ kind: 'addr', protocol: 'tcp', address: '192.168.1.3', port: 80 }]);
    expect(result.state.services[0]?.destinations.map((d) => d.tunnel)).toEqual([{ type: 'ipip' }, { type: 'ipip' }]);
  });

  it('003: the listing the seed shows matches the table its commands build', () => {
    const listing = parseListing(readFixture('seeds/003_2126bffc24a5b74b.Ln.txt'));
    if (!listing.ok) throw new Error(JSON.stringify(listing.errors));
    const { state } = parseRules(readFixture('seeds/003_2126bffc24a5b74b.rules'));
    expect(listing.value.services.map((s) => s.key)).toEqual(state.services.map((s) => s.key));
    expect(listing.value.services[0]?.destinations.map((d) => [d.address, d.port, d.forwarding, d.weight])).toEqual(
      state.services[0]?.destinations.map((d) => [d.address, d.port, d.forwarding, d.weight]),
    );
  });
});
