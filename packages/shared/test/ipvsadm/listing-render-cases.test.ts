import { describe, expect, it } from 'vitest';
import type { ObservedDestination, ObservedService } from '../../src';
import { zeroCounters, zeroRates } from '../../src';
import { formatIpvsadmListing, largeNumber } from '../../src/ipvsadm';

function dest(address: string, port: number, extra: Partial<ObservedDestination> = {}): ObservedDestination {
  return {
    address,
    port,
    forwarding: 'masq',
    weight: 1,
    upperThreshold: 0,
    lowerThreshold: 0,
    activeConns: 0,
    inactiveConns: 0,
    persistentConns: 0,
    stats: zeroCounters(),
    rates: zeroRates(),
    ...extra,
  };
}

function service(extra: Partial<ObservedService> = {}): ObservedService {
  return {
    key: { kind: 'addr', protocol: 'tcp', address: '192.168.10.100', port: 80 },
    scheduler: 'wrr',
    flags: [],
    persistence: null,
    onePacket: false,
    destinations: [dest('10.0.0.7', 80), dest('10.0.0.17', 80)],
    stats: zeroCounters(),
    rates: zeroRates(),
    ...extra,
  };
}

describe('formatIpvsadmListing', () => {
  it('prints ipvsadm -L -n columns byte for byte (seed 003 cluster)', () => {
    const text = formatIpvsadmListing({ services: [service()] }, { mode: 'plain' });
    expect(text).toBe(
      [
        'IP Virtual Server version 1.2.1 (size=4096)',
        'Prot LocalAddress:Port Scheduler Flags',
        '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
        'TCP  192.168.10.100:80 wrr',
        '  -> 10.0.0.7:80                  Masq    1      0          0         ',
        '  -> 10.0.0.17:80                 Masq    1      0          0         ',
        '',
      ].join('\n'),
    );
  });

  it('sorts services and destinations numerically, fwmark services last', () => {
    const a = service({ key: { kind: 'addr', protocol: 'tcp', address: '10.0.0.9', port: 80 }, destinations: [dest('10.0.0.100', 80), dest('10.0.0.20', 80)] });
    const b = service({ key: { kind: 'fwmark', fwmark: 7, family: 'inet' }, destinations: [] });
    const c = service({ key: { kind: 'addr', protocol: 'tcp', address: '10.0.0.10', port: 80 }, destinations: [] });
    const lines = formatIpvsadmListing({ services: [b, c, a] }, { mode: 'plain' }).split('\n');
    expect(lines[3]).toBe('TCP  10.0.0.9:80 wrr');
    expect(lines[4]).toMatch(/^ {2}-> 10\.0\.0\.20:80 /);
    expect(lines[5]).toMatch(/^ {2}-> 10\.0\.0\.100:80 /);
    expect(lines[6]).toBe('TCP  10.0.0.10:80 wrr');
    expect(lines[7]).toBe('FWM  7 wrr');
  });

  it('shows persistence, netmask, flags, one-packet and forwarding names as ipvsadm does', () => {
    const svc = service({
      key: { kind: 'addr', protocol: 'udp', address: '192.0.2.53', port: 53 },
      scheduler: 'sh',
      flags: ['sh-fallback', 'sh-port'],
      onePacket: true,
      persistence: { timeout: 900, netmaskPrefix: 24 },
      destinations: [
        dest('10.0.0.1', 53, { forwarding: 'route', weight: 0, activeConns: 3, inactiveConns: 12 }),
        dest('10.0.0.2', 53, { forwarding: 'tunnel', local: true }),
      ],
    });
    const lines = formatIpvsadmListing({ services: [svc] }, { mode: 'plain' }).split('\n');
    expect(lines[3]).toBe('UDP  192.0.2.53:53 sh (sh-fallback,sh-port) persistent 900 mask 255.255.255.0 ops');
    expect(lines[4]).toBe('  -> 10.0.0.1:53                  Route   0      3          12        ');
    expect(lines[5]).toBe('  -> 10.0.0.2:53                  Local   1      0          0         ');
  });

  it('prints --stats with rounded large numbers and --exact without', () => {
    const svc = service({ stats: { conns: 12, inPkts: 123_456_789, outPkts: 5, inBytes: 98_765_432_100, outBytes: 0 }, destinations: [] });
    const lines = formatIpvsadmListing({ services: [svc] }, { mode: 'stats' }).split('\n');
    expect(lines[1]).toBe(`${'Prot LocalAddress:Port'.padEnd(33)}    Conns   InPkts  OutPkts  InBytes OutBytes`);
    expect(lines[2]).toBe('  -> RemoteAddress:Port');
    expect(lines[3]).toBe(`${'TCP  192.168.10.100:80'.padEnd(33)}       12  123456K        5   98765M        0`);
    const exact = formatIpvsadmListing({ services: [svc] }, { mode: 'stats', exact: true }).split('\n');
    expect(exact[3]).toContain(' 123456789');
    expect(exact[3]).toContain(' 98765432100');
  });

  it('prints --rate with the CPS/PPS columns', () => {
    const svc = service({
      rates: { cps: 12, inPps: 100, outPps: 90, inBps: 15000, outBps: 99000 },
      destinations: [dest('10.0.0.7', 80, { rates: { cps: 6, inPps: 50, outPps: 45, inBps: 7500, outBps: 49500 } })],
    });
    const lines = formatIpvsadmListing({ services: [svc] }, { mode: 'rate' }).split('\n');
    expect(lines[1]).toContain('     CPS    InPPS   OutPPS    InBPS   OutBPS');
    expect(lines[4]).toBe(`  -> ${'10.0.0.7:80'.padEnd(28)}        6       50       45     7500    49500`);
  });

  it('brackets IPv6 addresses and takes the version from the kernel info', () => {
    const svc = service({ key: { kind: 'addr', protocol: 'tcp', address: '2001:db8::80', port: 443 }, destinations: [dest('2001:db8::1', 443)] });
    const text = formatIpvsadmListing({ services: [svc] }, { mode: 'plain', info: { ipvsVersion: '1.2.1', connTableSize: 32768 } });
    expect(text).toContain('(size=32768)');
    expect(text).toContain('TCP  [2001:db8::80]:443 wrr');
    expect(text).toContain('  -> [2001:db8::1]:443');
  });

  it('rounds like print_largenum at each boundary', () => {
    expect(largeNumber(99_999_999)).toBe(' 99999999');
    expect(largeNumber(100_000_000)).toBe('  100000K');
    expect(largeNumber(1_000_000_000)).toBe('    1000M');
    expect(largeNumber(100_000_000_000)).toBe('     100G');
    expect(largeNumber(100_000_000_000_000)).toBe('     100T');
  });
});
