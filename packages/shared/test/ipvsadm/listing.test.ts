// Listing parsers on realistic samples written in ipvsadm's exact formats
// (print_title / print_service_entry / print_conn widths), including the
// cases the recorded fixtures do not show: rounded numbers, Local
// destinations, IPv6 connections, persistence-engine data.
import { describe, expect, it } from 'vitest';
import {
  observeFromListings,
  parseConnectionListing,
  parseDaemonListing,
  parseListing,
  parseProcConnections,
  parseTimeoutListing,
  parseVersionHeader,
} from '../../src/ipvsadm';

const STATS_ROUNDED = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
TCP  192.0.2.1:80                  123456K  987654K        0    5432M    12345G
  -> 10.0.0.1:80                  99999999 100000000        0        0        0
`;

const PLAIN_LOCAL = `IP Virtual Server version 1.2.1 (size=1048576)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  192.0.2.1:80 wlc persistent 300 mask 255.255.255.0
  -> 127.0.0.1:80                 Local   1      3          10        
  -> 10.0.0.2:80                  Route   0      1          0         
FWM  9 sh (sh-port) persistent 60 ops
  -> 10.0.0.3:0                   Tunnel  5      0          0         
`;

describe('parseListing', () => {
  it('reads rounded numbers and says they are inexact', () => {
    const parsed = parseListing(STATS_ROUNDED);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.value.exact).toBe(false);
    expect(parsed.value.services[0]?.stats).toEqual({
      conns: 123456000,
      inPkts: 987654000,
      outPkts: 0,
      inBytes: 5432000000,
      outBytes: 12345000000000,
    });
    expect(parsed.value.services[0]?.destinations[0]?.stats?.inPkts).toBe(100000000);
  });

  it('reads Local destinations as routed and local, and fwmark settings', () => {
    const parsed = parseListing(PLAIN_LOCAL);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.value.info).toEqual({ ipvsVersion: '1.2.1', connTableSize: 1048576 });
    const [web, mark] = parsed.value.services;
    expect(web).toMatchObject({ scheduler: 'wlc', flags: [], persistence: { timeout: 300, netmaskPrefix: 24 }, onePacket: false });
    expect(web?.destinations.map((d) => [d.address, d.forwarding, d.local, d.weight, d.activeConns, d.inactiveConns])).toEqual([
      ['127.0.0.1', 'route', true, 1, 3, 10],
      ['10.0.0.2', 'route', false, 0, 1, 0],
    ]);
    expect(mark).toMatchObject({
      key: { kind: 'fwmark', fwmark: 9, family: 'inet' },
      scheduler: 'sh',
      flags: ['sh-port'],
      persistence: { timeout: 60 },
      onePacket: true,
    });
  });

  it('refuses listings with names instead of numbers, naming the line', () => {
    const parsed = parseListing(`IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  172.25.254.100:http rr
  -> server2:http                 Route   1      0          0
`);
    expect(parsed).toEqual({
      ok: false,
      errors: [
        { path: 'line 4', message: '"172.25.254.100:http" is not a numeric address:port; list with -n' },
        { path: 'line 5', message: 'a destination before any service' },
      ],
    });
  });

  it('refuses text that is not a listing', () => {
    expect(parseListing('hello\n').ok).toBe(false);
    expect(parseListing('').ok).toBe(false);
  });

  it('reads the version header alone', () => {
    expect(parseVersionHeader('IP Virtual Server version 1.2.1 (size=4096)')).toEqual({ ipvsVersion: '1.2.1', connTableSize: 4096 });
    expect(parseVersionHeader('IP Virtual Server')).toBeNull();
  });
});

describe('timeouts and daemons', () => {
  it('reads -L --timeout', () => {
    expect(parseTimeoutListing('Timeout (tcp tcpfin udp): 900 120 300\n')).toEqual({ ok: true, value: { tcp: 900, tcpFin: 120, udp: 300 } });
    expect(parseTimeoutListing('nothing').ok).toBe(false);
  });

  it('reads -L --daemon with both daemons, old kernels without the extra fields, and none', () => {
    expect(
      parseDaemonListing(
        ['master sync daemon (mcast=eth0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)', 'backup sync daemon (mcast=eth1, syncid=3)'].join('\n'),
      ),
    ).toEqual({
      ok: true,
      value: [
        { state: 'master', interface: 'eth0', syncId: 0, maxLength: 1472, group: '224.0.0.81', port: 8848, ttl: 1 },
        { state: 'backup', interface: 'eth1', syncId: 3 },
      ],
    });
    expect(parseDaemonListing('')).toEqual({ ok: true, value: [] });
    expect(parseDaemonListing('master sync daemon').ok).toBe(false);
  });
});

describe('connections', () => {
  const PROC = [
    'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData',
    'TCP C0A80001 D431 C0000201 0050 0A000007 0050 ESTABLISHED     899',
    'TCP 2001:0db8:0000:0000:0000:0000:0000:0064 D432 2001:0db8:0000:0000:0000:0000:0000:0001 01BB 2001:0db8:0001:0000:0000:0000:0000:0011 01BB SYN_RECV         59',
    'TCP 2001:0db8:0000:0000:0000:0000:0000:0064 D433 2001:0db8:0000:0000:0000:0000:0000:0020 01BB CB007115 01BB FIN_WAIT        110',
    'UDP C0A80002 13C4 C0000207 13C4 CB00710B 13C4 UDP             179 sip 1234@client.example',
    'IP  C0A80002 0000 C0000201 0000 0A000007 0000 NONE            359',
  ].join('\n');

  it('reads /proc/net/ip_vs_conn: hex IPv4, %pI6 IPv6, mixed families, persistence data', () => {
    const parsed = parseProcConnections(PROC);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.value.truncated).toBe(false);
    expect(parsed.value.entries).toEqual([
      {
        protocol: 'TCP',
        clientAddress: '192.168.0.1',
        clientPort: 54321,
        virtualAddress: '192.0.2.1',
        virtualPort: 80,
        destAddress: '10.0.0.7',
        destPort: 80,
        state: 'ESTABLISHED',
        expiresIn: 899,
        template: false,
      },
      {
        protocol: 'TCP',
        clientAddress: '2001:db8::64',
        clientPort: 54322,
        virtualAddress: '2001:db8::1',
        virtualPort: 443,
        destAddress: '2001:db8:1::11',
        destPort: 443,
        state: 'SYN_RECV',
        expiresIn: 59,
        template: false,
      },
      {
        protocol: 'TCP',
        clientAddress: '2001:db8::64',
        clientPort: 54323,
        virtualAddress: '2001:db8::20',
        virtualPort: 443,
        destAddress: '203.0.113.21',
        destPort: 443,
        state: 'FIN_WAIT',
        expiresIn: 110,
        template: false,
      },
      {
        protocol: 'UDP',
        clientAddress: '192.168.0.2',
        clientPort: 5060,
        virtualAddress: '192.0.2.7',
        virtualPort: 5060,
        destAddress: '203.0.113.11',
        destPort: 5060,
        state: 'UDP',
        expiresIn: 179,
        template: false,
      },
      {
        protocol: 'IP',
        clientAddress: '192.168.0.2',
        clientPort: 0,
        virtualAddress: '192.0.2.1',
        virtualPort: 0,
        destAddress: '10.0.0.7',
        destPort: 0,
        state: 'NONE',
        expiresIn: 359,
        template: true,
      },
    ]);
  });

  it('stops at the limit and says so', () => {
    const parsed = parseProcConnections(PROC, { limit: 2 });
    expect(parsed.ok && [parsed.value.entries.length, parsed.value.truncated]).toEqual([2, true]);
  });

  it('reads ipvsadm -Lcn, with minutes beyond 59 and IPv6 in brackets', () => {
    const parsed = parseConnectionListing(
      [
        'IPVS connection entries',
        'pro expire state       source             virtual            destination',
        'TCP 14:59  ESTABLISHED 192.168.0.1:54321  192.0.2.1:80       10.0.0.7:80',
        'TCP 479:59 ESTABLISHED [2001:db8::64]:54322 [2001:db8::1]:443 [2001:db8:1::11]:443',
        'TCP 05:00  ASSURED     198.51.100.2:0     192.0.2.10:8080    203.0.113.12:80',
      ].join('\n'),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.value.entries.map((e) => [e.clientAddress, e.expiresIn, e.template])).toEqual([
      ['192.168.0.1', 899, false],
      ['2001:db8::64', 28799, false],
      ['198.51.100.2', 300, true],
    ]);
  });

  it('refuses rows it cannot read, naming the line', () => {
    expect(parseProcConnections('Pro FromIP\nTCP nonsense\n')).toEqual({
      ok: false,
      errors: [{ path: 'line 2', message: 'not a /proc/net/ip_vs_conn row (Pro FromIP FPrt ToIP TPrt DestIP DPrt State Expires)' }],
    });
  });
});

describe('observeFromListings', () => {
  const save =
    '-A -t 192.0.2.1:80 -s wlc -p 300 -M 255.255.255.0\n-a -t 192.0.2.1:80 -r 10.0.0.2:80 -g -w 0\n-a -t 192.0.2.1:80 -r 127.0.0.1:80 -g -w 1\n-A -f 9 -s sh -p 60 -o -b sh-port\n-a -f 9 -r 10.0.0.3:0 -i -w 5 --tun-type ipip\n';

  it('merges config, Local flags and connection numbers; zero counters where a listing is missing', () => {
    const observed = observeFromListings({ save, list: PLAIN_LOCAL, timeout: 'Timeout (tcp tcpfin udp): 900 120 300' });
    if (!observed.ok) throw new Error(JSON.stringify(observed.errors));
    expect(observed.info).toEqual({ ipvsVersion: '1.2.1', connTableSize: 1048576 });
    const [web, mark] = observed.table.services;
    expect(web?.destinations.map((d) => [d.address, d.local ?? false, d.activeConns, d.inactiveConns, d.stats.conns])).toEqual([
      ['10.0.0.2', false, 1, 0, 0],
      ['127.0.0.1', true, 3, 10, 0],
    ]);
    expect(mark?.destinations[0]).toMatchObject({ forwarding: 'tunnel', tunnel: { type: 'ipip' }, weight: 5 });
    expect(observed.warnings).toEqual([]);
  });

  it('warns about services the listings do not have (the table changed between calls)', () => {
    const observed = observeFromListings({ save: `${save}-A -u 192.0.2.1:53 -s rr\n`, list: PLAIN_LOCAL, timeout: 'Timeout (tcp tcpfin udp): 900 120 300' });
    expect(observed.ok && observed.warnings).toEqual([
      { path: 'UDP 192.0.2.1:53', message: 'missing from the plain listing (the table changed between listings?)' },
    ]);
  });

  it('reports unreadable input by source and line', () => {
    const observed = observeFromListings({ save: '-A -t 192.0.2.1:80 -s nosuch\n', stats: 'garbage' });
    expect(observed).toEqual({
      ok: false,
      errors: [
        { path: 'ipvsadm -Sn line 1', message: 'unknown scheduler "nosuch"; use one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos' },
        { path: 'ipvsadm -Ln --stats line 1', message: 'expected the "Prot LocalAddress:Port" title of an ipvsadm listing' },
      ],
    });
  });
});
