// What each rule line does to the table: option spellings as popt accepts
// them, ipvsadm's defaults, and the kernel's view of edits and deletes.
import { describe, expect, it } from 'vitest';
import { parseRules, renderRules, scanTokens, tokenizeLine } from '../../src/ipvsadm';
import type { DesiredState } from '../../src/model';

function table(text: string): DesiredState {
  const result = parseRules(text);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return result.state;
}

function saved(text: string): string {
  return renderRules(table(text));
}

describe('option spellings', () => {
  it('reads short, long and = forms alike', () => {
    const expected = '-A -t 192.0.2.1:80 -s rr -p 600\n-a -t 192.0.2.1:80 -r 10.0.0.1:8080 -m -w 3\n';
    expect(saved('-A -t 192.0.2.1:80 -s rr -p 600\n-a -t 192.0.2.1:80 -r 10.0.0.1:8080 -m -w 3')).toBe(expected);
    expect(
      saved(
        [
          '--add-service --tcp-service 192.0.2.1:80 --scheduler rr --persistent 600',
          '--add-server --tcp-service=192.0.2.1:80 --real-server=10.0.0.1:8080 --masquerading --weight=3',
        ].join('\n'),
      ),
    ).toBe(expected);
    expect(saved('-At 192.0.2.1:80 -srr -p600\n-at 192.0.2.1:80 -r10.0.0.1:8080 -mw3')).toBe(expected);
  });

  it("takes -p's value only when the next word is not an option", () => {
    expect(table('-A -t 192.0.2.1:80 -p -s rr').services[0]?.persistence).toEqual({ timeout: 360 });
    expect(table('-A -t 192.0.2.1:80 -s rr -p').services[0]?.persistence).toEqual({ timeout: 360 });
    expect(table('-A -t 192.0.2.1:80 --persistent -s rr').services[0]?.persistence).toEqual({ timeout: 360 });
    expect(table('-A -t 192.0.2.1:80 -p 60').services[0]?.persistence).toEqual({ timeout: 60 });
    expect(table('-A -t 192.0.2.1:80 --persistent=60').services[0]?.persistence).toEqual({ timeout: 60 });
  });

  it('splits clusters of flags (-lcn, -Ln) and drops the program name', () => {
    const scanned = scanTokens(tokenizeLine('-lcn'));
    expect(scanned.ok && scanned.line.command).toBe('list');
    const result = parseRules('ipvsadm -lcn\n/sbin/ipvsadm -Ln --stats --exact\nipvsadm');
    expect(result.events.map((e) => e.detail)).toEqual([
      'list the connection table (/proc/net/ip_vs_conn)',
      'list the whole table (--stats --exact)',
      'list the whole table',
    ]);
  });

  it('ignores blank lines and # comments, and tolerates CRLF', () => {
    expect(saved('# my cluster\r\n\r\n-A -u 192.0.2.1:53 -s rr   # DNS\r\n')).toBe('-A -u 192.0.2.1:53 -s rr\n');
  });
});

describe('defaults (ipvsadm.c process_options)', () => {
  it('wlc, gatewaying, weight 1, the service port', () => {
    expect(table('-A -t 192.0.2.1:443\n-a -t 192.0.2.1:443 -r 10.0.0.1').services).toEqual([
      {
        key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 443 },
        scheduler: 'wlc',
        flags: [],
        persistence: null,
        onePacket: false,
        destinations: [{ address: '10.0.0.1', port: 443, forwarding: 'route', weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
      },
    ]);
  });

  it('fwmark services: IPv4 unless -6, real servers on port 0 unless given', () => {
    const state = table('-A -f 7 -s rr\n-a -f 7 -r 10.0.0.1 -m\n-A -f 7 -6\n-a -f 7 -6 -r [2001:db8::1]:8080 -m');
    expect(state.services.map((s) => s.key)).toEqual([
      { kind: 'fwmark', fwmark: 7, family: 'inet' },
      { kind: 'fwmark', fwmark: 7, family: 'inet6' },
    ]);
    expect(state.services.map((s) => s.destinations[0]?.port)).toEqual([0, 8080]);
  });

  it('IPv6 addresses in brackets, and bare without a port', () => {
    const state = table('-A -u [2001:DB8:0:0::53]:53 -s rr\n-A -t 2001:db8::80 -p');
    expect(state.services.map((s) => s.key)).toEqual([
      { kind: 'addr', protocol: 'udp', address: '2001:db8::53', port: 53 },
      { kind: 'addr', protocol: 'tcp', address: '2001:db8::80', port: 0 },
    ]);
  });

  it('scheduler flags are named per scheduler, whatever spelling was used', () => {
    const state = table('-A -t 192.0.2.1:80 -s sh -b flag-2,flag-1\n-A -t 192.0.2.1:81 -s wlc -b flag-3');
    expect(state.services.map((s) => s.flags)).toEqual([['sh-fallback', 'sh-port'], ['flag-3']]);
  });

  it('netmask: dotted for IPv4, a prefix for IPv6; the whole address is no mask', () => {
    const state = table(
      [
        '-A -t 192.0.2.1:80 -p 60 -M 255.255.255.0',
        '-A -t 192.0.2.1:81 -p 60 -M 255.255.255.255',
        '-A -t [2001:db8::1]:80 -p 60 -M 64',
        '-A -f 3 -6 -p 60 -M 48',
      ].join('\n'),
    );
    expect(state.services.map((s) => s.persistence)).toEqual([
      { timeout: 60, netmaskPrefix: 24 },
      { timeout: 60 },
      { timeout: 60, netmaskPrefix: 64 },
      { timeout: 60, netmaskPrefix: 48 },
    ]);
  });

  it('warns that -M without -p does nothing', () => {
    const result = parseRules('-A -t 192.0.2.1:80 -M 255.255.255.0');
    expect(result.ok).toBe(true);
    expect(result.warnings).toMatchObject([{ path: 'line 1', message: '-M has no effect without persistence (-p); ignored' }]);
  });

  it("tunnels: ipip unless told, gue and gre with ipvsadm's nocsum default", () => {
    const state = table(
      [
        '-A -t 192.0.2.1:80',
        '-a -t 192.0.2.1:80 -r 10.0.0.1 -i',
        '-a -t 192.0.2.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 6080',
        '-a -t 192.0.2.1:80 -r 10.0.0.3 -i --tun-type gre --tun-csum',
        '-a -t 192.0.2.1:80 -r [2001:db8::4]:80 -i --tun-type=gue --tun-port=6081 --tun-remcsum',
      ].join('\n'),
    );
    expect(state.services[0]?.destinations.map((d) => d.tunnel)).toEqual([
      { type: 'ipip' },
      { type: 'gue', port: 6080, checksum: 'nocsum' },
      { type: 'gre', checksum: 'csum' },
      { type: 'gue', port: 6081, checksum: 'remcsum' },
    ]);
  });

  it('accepts a DR server with no port or the service port, and any port on NAT', () => {
    const state = table('-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g\n-a -t 192.0.2.1:80 -r 10.0.0.2 -g\n-a -t 192.0.2.1:80 -r 10.0.0.3:8080 -m');
    expect(state.services[0]?.destinations.map((d) => d.port)).toEqual([80, 80, 8080]);
  });

  it('takes a DR port mismatch as it is when the text comes from the kernel', () => {
    const result = parseRules('-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 10.0.0.1:8080 -g -w 1', { origin: 'kernel' });
    expect(result.ok).toBe(true);
    expect(result.state.services[0]?.destinations[0]?.port).toBe(8080);
  });
});

describe('edits, deletes and clear', () => {
  it('-E resets omitted settings to their defaults and keeps the destinations', () => {
    const state = table('-A -t 192.0.2.1:80 -s rr -p 60\n-a -t 192.0.2.1:80 -r 10.0.0.1 -m\n-E -t 192.0.2.1:80 -s sh -b sh-port');
    expect(state.services[0]).toMatchObject({ scheduler: 'sh', flags: ['sh-port'], persistence: null });
    expect(state.services[0]?.destinations).toHaveLength(1);
  });

  it('-e resets omitted settings too (weight 1, gatewaying)', () => {
    const state = table('-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 10.0.0.1 -g -w 5 -x 100\n-e -t 192.0.2.1:80 -r 10.0.0.1');
    expect(state.services[0]?.destinations[0]).toEqual({ address: '10.0.0.1', port: 80, forwarding: 'route', weight: 1, upperThreshold: 0, lowerThreshold: 0 });
  });

  it('-d and -D remove; a re-added service starts empty', () => {
    const state = table(
      [
        '-A -t 192.0.2.1:80',
        '-a -t 192.0.2.1:80 -r 10.0.0.1',
        '-a -t 192.0.2.1:80 -r 10.0.0.2',
        '-d -t 192.0.2.1:80 -r 10.0.0.1',
        '-A -u 192.0.2.1:53',
        '-D -t 192.0.2.1:80',
        '-A -t 192.0.2.1:80 -s rr',
      ].join('\n'),
    );
    expect(state.services.map((s) => [s.key.kind === 'addr' ? s.key.protocol : '', s.destinations.length])).toEqual([
      ['udp', 0],
      ['tcp', 0],
    ]);
  });

  it('-C flushes services but keeps timeouts and sync daemons', () => {
    const state = table('--set 100 10 50\n--start-daemon backup --mcast-interface eth1\n-A -t 192.0.2.1:80\n-C');
    expect(state.services).toEqual([]);
    expect(state.timeouts).toEqual({ tcp: 100, tcpFin: 10, udp: 50 });
    expect(state.syncDaemons).toEqual([{ state: 'backup', interface: 'eth1', syncId: 0 }]);
  });

  it('handles many destinations per service (indexed lookups)', () => {
    const lines = ['-A -t 192.0.2.1:80 -s rr'];
    for (let i = 1; i <= 200; i++) lines.push(`-a -t 192.0.2.1:80 -r 10.0.${i >> 8}.${i & 255}:${8000 + i} -m`);
    lines.push('-d -t 192.0.2.1:80 -r 10.0.0.100:8100', '-e -t 192.0.2.1:80 -r 10.0.0.7:8007 -m -w 9');
    const result = parseRules(`${lines.join('\n')}\n-a -t 192.0.2.1:80 -r 10.0.0.5:8005 -m`);
    expect(result.errors.map((e) => e.message)).toEqual(['destination 10.0.0.5:8005 already exists in service TCP 192.0.2.1:80; use -e to change it']);
    const dests = result.state.services[0]?.destinations ?? [];
    expect(dests).toHaveLength(199);
    expect(dests.find((d) => d.address === '10.0.0.7')?.weight).toBe(9);
  });
});

describe('settings and non-rule lines', () => {
  it('--set sets timeouts; 0 keeps the value set before', () => {
    expect(table('--set 900 120 300\n--set 0 60 0').timeouts).toEqual({ tcp: 900, tcpFin: 60, udp: 300 });
  });

  it("--start-daemon records a daemon with ipvsadm's defaults; --stop-daemon removes it", () => {
    const state = table(
      [
        '--start-daemon master',
        '--start-daemon backup --mcast-interface eth1 --syncid 9 --sync-maxlen 1400 --mcast-group 239.1.2.3 --mcast-port 9000 --mcast-ttl 2',
        '--stop-daemon master',
      ].join('\n'),
    );
    expect(state.syncDaemons).toEqual([{ state: 'backup', interface: 'eth1', syncId: 9, maxLength: 1400, group: '239.1.2.3', port: 9000, ttl: 2 }]);
  });

  it('reports list, save, zero, restore, help and version lines as events', () => {
    const result = parseRules('-A -t 192.0.2.1:80\n-L -n\n-S -n\n-Z\n-Z -t 192.0.2.1:80\n-R\n-h\n-v\n-L --timeout\n-L --daemon\n-L -t 192.0.2.1:80 -n');
    expect(result.ok).toBe(true);
    expect(result.events.map((e) => [e.line, e.kind])).toEqual([
      [2, 'list'],
      [3, 'save'],
      [4, 'zero'],
      [5, 'zero'],
      [6, 'restore'],
      [7, 'help'],
      [8, 'version'],
      [9, 'list'],
      [10, 'list'],
      [11, 'list'],
    ]);
    expect(result.events[3]?.service).toEqual({ kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 });
    expect(result.events[0]?.text).toBe('-L -n');
  });
});

describe('kernel text the model cannot hold exactly', () => {
  it('a persistence engine on a non-persistent service is dropped with a warning, not an error', () => {
    const result = parseRules('-A -u 192.0.2.7:5060 -s rr --pe sip\n', { origin: 'kernel' });
    expect(result.ok).toBe(true);
    expect(result.state.services[0]?.persistence).toBeNull();
    expect(result.warnings).toMatchObject([{ path: 'line 1', message: '--pe sip without persistence has no effect; ignored' }]);
  });
});
