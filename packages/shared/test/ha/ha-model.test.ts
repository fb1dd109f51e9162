import { describe, expect, it } from 'vitest';
import { formatIssues, preferredMaster, validateState, vipInstances, type HaConfig } from '../../src';
import { parseNotifyLine, renderVrrpConfig, vipSubnetIssues, type InterfaceAddresses } from '../../src/ha';

const service = (address: string, port = 80) => ({ key: { kind: 'addr', protocol: 'tcp', address, port }, scheduler: 'rr', destinations: [] });
const pair = (over: Record<string, unknown> = {}, instance: Record<string, unknown> = {}) => ({
  directors: [
    { name: 'lb1', address: '198.51.100.1' },
    { name: 'lb2', address: '198.51.100.2' },
  ],
  instances: [{ name: 'VI_1', interface: 'eth0', virtualRouterId: 51, priorities: { lb1: 150, lb2: 100 }, ...instance }],
  ...over,
});
const messageOf = (input: unknown): string => {
  const result = validateState(input);
  return result.ok ? 'OK' : formatIssues(result.issues);
};

describe('the pair in the desired state', () => {
  it('accepts a pair whose instance moves every service VIP', () => {
    expect(messageOf({ services: [service('192.0.2.10')], ha: pair() })).toBe('OK');
  });

  // Each bad pair and the message an operator sees; nothing else is accepted.
  const invalid: Array<[string, unknown, string]> = [
    [
      'priority out of range',
      { services: [service('192.0.2.10')], ha: pair({}, { priorities: { lb1: 255, lb2: 100 } }) },
      'ha.instances[0].priorities.lb1: VRRP priority must be 1..254 (255 is reserved for the address owner)',
    ],
    [
      'a director without a priority',
      { services: [service('192.0.2.10')], ha: pair({}, { priorities: { lb1: 150 } }) },
      'ha.instances[0].priorities: give director "lb2" a priority in instance "VI_1"',
    ],
    [
      'equal priorities',
      { services: [service('192.0.2.10')], ha: pair({}, { priorities: { lb1: 100, lb2: 100 } }) },
      'ha.instances[0].priorities.lb2: directors "lb1" and "lb2" both have priority 100 in "VI_1"; VRRP would pick the MASTER by address — give them different priorities',
    ],
    [
      'duplicate VRID',
      {
        services: [service('192.0.2.10'), service('192.0.2.11')],
        ha: {
          ...pair(),
          instances: [
            { name: 'VI_1', interface: 'eth0', virtualRouterId: 51, priorities: { lb1: 150, lb2: 100 }, addresses: ['192.0.2.10'] },
            { name: 'VI_2', interface: 'eth0', virtualRouterId: 51, priorities: { lb1: 100, lb2: 150 }, addresses: ['192.0.2.11'] },
          ],
        },
      },
      'ha.instances[1].virtualRouterId: virtual_router_id 51 on eth0 is already used by instance "VI_1"; each instance on a segment needs its own id',
    ],
    ['VRID 0', { services: [], ha: pair({}, { virtualRouterId: 0 }) }, 'ha.instances[0].virtualRouterId: virtualRouterId must be 1..255'],
    ['one director', { services: [], ha: pair({ directors: [{ name: 'lb1', address: '198.51.100.1' }] }) }, 'ha.directors: a pair needs at least 2 directors'],
    [
      'unknown director in priorities',
      { services: [], ha: pair({}, { priorities: { lb1: 150, lb2: 100, lb3: 50 } }) },
      'ha.instances[0].priorities.lb3: "lb3" is not one of the directors (lb1, lb2)',
    ],
    [
      'VIP of no service',
      { services: [service('192.0.2.10')], ha: pair({}, { addresses: ['192.0.2.99'] }) },
      "ha.instances[0].addresses[0]: 192.0.2.99 is not the address of any service\nha.instances: no VRRP instance moves the VIP 192.0.2.10; add it to an instance's addresses or leave one instance's addresses empty",
    ],
    [
      'vipInterface with a pair',
      { services: [service('192.0.2.10')], vipInterface: 'eth0', ha: pair() },
      'vipInterface: with a pair of directors VRRP moves the VIPs; remove vipInterface (each VRRP instance names its interface)',
    ],
    ['bad interface', { services: [], vipInterface: 'eth0; reboot' }, 'vipInterface: interface names are 1-15 letters, digits or . _ - : @'],
    [
      'long password',
      { services: [], ha: pair({}, { password: 'much-too-long' }) },
      'ha.instances[0].password: the VRRP password is 1-8 printable characters without spaces',
    ],
    [
      'sync follows no instance',
      { services: [], ha: pair({ sync: { interface: 'eth0', instance: 'VI_9' } }) },
      'ha.sync.instance: the sync daemon follows "VI_9", which is not a VRRP instance (VI_1)',
    ],
  ];
  it.each(invalid)('%s', (_name, input, message) => {
    expect(messageOf(input)).toBe(message);
  });

  it('maps each VIP to the instance naming it, the rest to the catch-all instance', () => {
    const ha = validateState({
      services: [],
      ha: {
        ...pair(),
        instances: [
          { name: 'VI_1', interface: 'eth0', virtualRouterId: 51, priorities: { lb1: 150, lb2: 100 } },
          { name: 'VI_2', interface: 'eth0', virtualRouterId: 52, priorities: { lb1: 100, lb2: 150 }, addresses: [] },
        ],
      },
    });
    expect(ha.ok).toBe(true);
    const config = (ha.ok ? ha.value.ha : undefined) as HaConfig;
    expect([...vipInstances(config, ['192.0.2.10']).entries()].map(([vip, i]) => [vip, i?.name])).toEqual([['192.0.2.10', 'VI_1']]);
    expect(preferredMaster(config.instances[1]!)).toBe('lb2');
  });
});

describe('keepalived configuration of one director', () => {
  const state = validateState({ services: [service('192.0.2.10'), service('192.0.2.10', 443)], ha: pair({}, { unicast: true, password: 'pw' }) });
  if (!state.ok) throw new Error('fixture');
  const render = (self: string) => renderVrrpConfig(state.value, { self, notifyFifo: '/run/lvs/fifo', holdFile: '/run/lvs/hold' });

  it('holds only global_defs, the hold track file and vrrp_instance blocks', () => {
    const text = render('lb1');
    expect(text).not.toMatch(/^\s*virtual_server/m);
    expect([...text.matchAll(/^(\S+)/gm)].map((m) => m[1]).filter((w) => w !== '#' && w !== '}')).toEqual(['global_defs', 'track_file', 'vrrp_instance']);
    // One VIP line per distinct VIP, each a host address on the instance's interface.
    expect(text.match(/192\.0\.2\.10\/32 dev eth0/g)).toHaveLength(1);
  });

  it('starts the highest priority as MASTER, the other as BACKUP, each with its own priority and the other as unicast peer', () => {
    expect(render('lb1')).toMatch(/state MASTER\n {4}interface eth0\n {4}virtual_router_id 51\n {4}priority 150/);
    const lb2 = render('lb2');
    expect(lb2).toMatch(/state BACKUP[\s\S]*priority 100/);
    expect(lb2).toMatch(/unicast_src_ip 198\.51\.100\.2\n {4}unicast_peer \{\n {8}198\.51\.100\.1\n {4}\}/);
  });

  it('refuses a director that is not in the pair', () => {
    expect(() => render('lb3')).toThrow('director "lb3" has no priority in VRRP instance "VI_1"');
  });

  it('reads the notify FIFO lines keepalived writes and nothing else', () => {
    expect(parseNotifyLine('INSTANCE "VI_1" MASTER 150')).toEqual({ kind: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 150 });
    expect(parseNotifyLine('GROUP "G" BACKUP')).toEqual({ kind: 'GROUP', name: 'G', state: 'BACKUP', priority: null });
    expect(parseNotifyLine('INSTANCE VI_1 MASTER')).toBeNull();
    expect(parseNotifyLine(`INSTANCE "${'x'.repeat(100)}" MASTER 1`)).toBeNull();
  });
});

describe("a pair's VIPs against the director's own interfaces", () => {
  const eth0: InterfaceAddresses = {
    exists: true,
    addresses: [
      { address: '198.51.100.1', prefixLength: 24 },
      { address: '203.0.113.5', prefixLength: 32 },
    ],
  };
  const state = (vips: string[], instance: Record<string, unknown> = {}) => validOrThrow({ services: vips.map((v) => service(v)), ha: pair({}, instance) });
  const validOrThrow = (input: unknown) => {
    const result = validateState(input);
    if (!result.ok) throw new Error(formatIssues(result.issues));
    return result.value;
  };
  const none = { services: [] };

  it("accepts VIPs inside a subnet of the instance's interface", () => {
    expect(vipSubnetIssues(none, state(['198.51.100.10']), 'lb1', new Map([['eth0', eth0]]))).toEqual([]);
  });

  it('names a VIP outside every subnet (a /32 on the interface is no subnet), and the field', () => {
    // 203.0.113.5/32 is the VIP itself on the MASTER's eth0, not a subnet clients are on.
    expect(vipSubnetIssues(none, state(['198.51.100.10', '203.0.113.5']), 'lb1', new Map([['eth0', eth0]]))).toEqual([
      {
        path: 'ha.instances[0].interface',
        message:
          'VIP 203.0.113.5 is outside every subnet on eth0 of director "lb1" (198.51.100.1/24): clients on that segment would never reach it; move the instance to the VIP\'s interface or give eth0 an address in its subnet',
      },
    ]);
    const listed = state(['203.0.113.5'], { addresses: ['203.0.113.5'] });
    expect(vipSubnetIssues(none, listed, 'lb1', new Map([['eth0', eth0]]))[0]?.path).toBe('ha.instances[0].addresses[0]');
  });

  it('names an interface this director does not have', () => {
    expect(vipSubnetIssues(none, state(['198.51.100.10'], { interface: 'eth9' }), 'lb1', new Map([['eth9', { exists: false, addresses: [] }]]))).toEqual([
      { path: 'ha.instances[0].interface', message: 'interface eth9 does not exist on director "lb1"' },
    ]);
  });

  it('checks only what the change adds: an old VIP never blocks a later change; an unknown host is not judged', () => {
    const before = state(['203.0.113.5']);
    expect(vipSubnetIssues(before, state(['203.0.113.5', '198.51.100.10']), 'lb1', new Map([['eth0', eth0]]))).toEqual([]);
    expect(vipSubnetIssues(none, state(['203.0.113.5']), 'lb1', new Map([['eth0', null]]))).toEqual([]);
    expect(vipSubnetIssues(none, state(['203.0.113.5']), 'lb3', new Map([['eth0', eth0]]))).toEqual([]);
  });
});
