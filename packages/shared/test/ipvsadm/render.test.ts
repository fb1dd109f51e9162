// The canonical -Sn text (each choice from ipvsadm.c print_service_entry()),
// the single lines the plan shows, and the agent's argv builders.
import { describe, expect, it } from 'vitest';
import {
  destinationCommandArgv,
  LIST_ARGV,
  renderDestinationCommand,
  renderRules,
  renderServiceCommand,
  serviceCommandArgv,
  setTimeoutsArgv,
  startDaemonArgv,
  stopDaemonArgv,
  zeroArgv,
} from '../../src/ipvsadm';
import type { Destination, Service } from '../../src/model';

const base: Omit<Service, 'key'> = { scheduler: 'wlc', flags: [], persistence: null, onePacket: false, destinations: [] };
const dest = (over: Partial<Destination> = {}): Destination => ({
  address: '10.0.0.1',
  port: 80,
  forwarding: 'route',
  weight: 1,
  upperThreshold: 0,
  lowerThreshold: 0,
  ...over,
});

describe('renderRules (ipvsadm -Sn)', () => {
  it('writes -s and -w even at their defaults, -p with its value, -M only when narrower', () => {
    expect(
      renderRules({
        services: [
          { ...base, key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 }, persistence: { timeout: 300 }, destinations: [dest()] },
          { ...base, key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 81 }, persistence: { timeout: 300, netmaskPrefix: 32 } },
          { ...base, key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 82 }, persistence: { timeout: 60, netmaskPrefix: 16 } },
          { ...base, key: { kind: 'fwmark', fwmark: 4, family: 'inet6' }, persistence: { timeout: 60, netmaskPrefix: 64 } },
          { ...base, key: { kind: 'fwmark', fwmark: 5, family: 'inet6' }, persistence: { timeout: 60, netmaskPrefix: 128 } },
        ],
      }),
    ).toBe(
      [
        '-A -t 192.0.2.1:80 -s wlc -p 300',
        '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g -w 1',
        '-A -t 192.0.2.1:81 -s wlc -p 300',
        '-A -t 192.0.2.1:82 -s wlc -p 60 -M 255.255.0.0',
        '-A -f 4 -6 -s wlc -p 60 -M 64',
        '-A -f 5 -6 -s wlc -p 60',
        '',
      ].join('\n'),
    );
  });

  it('writes --pe, -o and -b in that order, flags named for the scheduler', () => {
    expect(
      renderRules({
        services: [
          {
            ...base,
            key: { kind: 'addr', protocol: 'udp', address: '192.0.2.7', port: 5060 },
            scheduler: 'sh',
            flags: ['sh-port', 'sh-fallback'],
            persistence: { timeout: 60, engine: 'sip' },
            onePacket: true,
          },
        ],
      }),
    ).toBe('-A -u 192.0.2.7:5060 -s sh -p 60 --pe sip -o -b sh-fallback,sh-port\n');
  });

  it('never writes thresholds unless asked; writes tunnel options as print_tunnel_rule() does', () => {
    const service: Service = {
      ...base,
      key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 },
      destinations: [
        dest({ address: '10.0.0.1', forwarding: 'tunnel', upperThreshold: 100, lowerThreshold: 50 }),
        dest({ address: '10.0.0.2', forwarding: 'tunnel', tunnel: { type: 'gue', port: 6080 } }),
        dest({ address: '10.0.0.3', forwarding: 'tunnel', tunnel: { type: 'gre', checksum: 'csum' } }),
      ],
    };
    expect(renderRules({ services: [service] })).toBe(
      [
        '-A -t 192.0.2.1:80 -s wlc',
        '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -i -w 1 --tun-type ipip',
        '-a -t 192.0.2.1:80 -r 10.0.0.2:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum',
        '-a -t 192.0.2.1:80 -r 10.0.0.3:80 -i -w 1 --tun-type gre --tun-csum',
        '',
      ].join('\n'),
    );
    expect(renderRules({ services: [service] }, { thresholds: true }).split('\n')[1]).toBe(
      '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -i -w 1 --tun-type ipip -x 100 -y 50',
    );
  });

  it('writes nothing for an empty table, and settings only when asked', () => {
    expect(renderRules({ services: [] })).toBe('');
    const table = { services: [], timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, syncDaemons: [{ state: 'master' as const, interface: 'eth0', syncId: 1 }] };
    expect(renderRules(table)).toBe('');
    expect(renderRules(table, { settings: true })).toBe('--set 900 120 300\n--start-daemon master --mcast-interface eth0 --syncid 1\n');
  });
});

describe('single lines for plans', () => {
  const key = { kind: 'addr' as const, protocol: 'tcp' as const, address: '2001:db8::1', port: 443 };
  const service: Service = { ...base, key, scheduler: 'rr', persistence: { timeout: 600 } };

  it('service lines', () => {
    expect(renderServiceCommand('-A', service)).toBe('-A -t [2001:db8::1]:443 -s rr -p 600');
    expect(renderServiceCommand('-E', service)).toBe('-E -t [2001:db8::1]:443 -s rr -p 600');
    expect(renderServiceCommand('-D', { key })).toBe('-D -t [2001:db8::1]:443');
    expect(serviceCommandArgv('-A', service)).toEqual(['-A', '-t', '[2001:db8::1]:443', '-s', 'rr', '-p', '600']);
  });

  it('destination lines carry every setting (ipvsadm -e resets what it omits)', () => {
    const real = dest({ address: '2001:db8:1::5', port: 8443, forwarding: 'masq', weight: 0, upperThreshold: 10 });
    expect(renderDestinationCommand('-a', key, real)).toBe('-a -t [2001:db8::1]:443 -r [2001:db8:1::5]:8443 -m -w 0 -x 10');
    expect(renderDestinationCommand('-e', key, real)).toBe('-e -t [2001:db8::1]:443 -r [2001:db8:1::5]:8443 -m -w 0 -x 10');
    expect(renderDestinationCommand('-d', key, real)).toBe('-d -t [2001:db8::1]:443 -r [2001:db8:1::5]:8443');
    expect(destinationCommandArgv('-d', { kind: 'fwmark', fwmark: 3, family: 'inet' }, { address: '10.0.0.1', port: 0 })).toEqual([
      '-d',
      '-f',
      '3',
      '-r',
      '10.0.0.1:0',
    ]);
  });
});

describe('argv builders', () => {
  it('timeouts and daemons', () => {
    expect(setTimeoutsArgv({ tcp: 900, tcpFin: 120, udp: 300 })).toEqual(['--set', '900', '120', '300']);
    expect(startDaemonArgv({ state: 'backup', interface: 'eth1', syncId: 9, maxLength: 1400, group: '239.1.2.3', port: 9000, ttl: 2 })).toEqual([
      '--start-daemon',
      'backup',
      '--mcast-interface',
      'eth1',
      '--syncid',
      '9',
      '--sync-maxlen',
      '1400',
      '--mcast-group',
      '239.1.2.3',
      '--mcast-port',
      '9000',
      '--mcast-ttl',
      '2',
    ]);
    expect(stopDaemonArgv('master')).toEqual(['--stop-daemon', 'master']);
  });

  it('listing and zero invocations', () => {
    expect(LIST_ARGV.save).toEqual(['-S', '-n']);
    expect(LIST_ARGV.stats).toEqual(['-L', '-n', '--exact', '--stats']);
    expect(zeroArgv()).toEqual(['-Z']);
    expect(zeroArgv({ kind: 'fwmark', fwmark: 2, family: 'inet6' })).toEqual(['-Z', '-f', '2', '-6']);
  });
});
