// readPaste(): each seed write-up pasted whole, prose and all, gives the table
// its author built; a table of pasted transcripts gives the resulting table
// or the exact message.
import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../src/model/ipvs';
import { parseRules, readPaste, renderRules, detectImportFormat } from '../../src/ipvsadm';
import { readFixture } from './fixtures';

/** The seed write-ups, copied whole into the fixtures (seeds/whole). */
function seed(name: string): string {
  return readFixture(`seeds/whole/${name}.txt`);
}

function table(rules: string): DesiredState {
  const parsed = parseRules(rules);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.state;
}

describe('each seed pasted whole gives the table its author built', () => {
  const cases: Array<{ name: string; expected: string; timeouts?: DesiredState['timeouts']; clears?: boolean }> = [
    { name: '000_69cd17229d364707', expected: readFixture('seeds/000_69cd17229d364707.Sn') },
    // The NAT set-up is rebuilt as DR further down (same VIP): the later definition wins; --set is kept.
    { name: '001_7d3af739274dd511', expected: readFixture('seeds/001_7d3af739274dd511-dr.Sn'), timeouts: { tcp: 28800, tcpFin: 30, udp: 600 } },
    // The write-up's repeated `-a ... 192.168.40.201` is skipped, as ipvsadm refused it.
    { name: '002_6688bd36d8d96982', expected: readFixture('seeds/002_6688bd36d8d96982-nat.Sn') + readFixture('seeds/002_6688bd36d8d96982-persistent.Sn') },
    { name: '003_2126bffc24a5b74b', expected: readFixture('seeds/003_2126bffc24a5b74b.Sn') },
    // `ipvsadm -C` then $VIP / $RIP1 / $RIP2 from the VIP=... lines above them.
    { name: '004_5b7713e7ae6b680f', expected: readFixture('seeds/004_5b7713e7ae6b680f.Sn'), clears: true },
  ];
  it.each(cases)('$name', ({ name, expected, timeouts = null, clears = false }) => {
    const text = seed(name);
    const result = readPaste(text);
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.source).toBe('commands');
    expect(renderRules(result.state)).toBe(expected);
    expect(result.state.timeouts).toEqual(timeouts);
    expect(result.clears).toBe(clears);
    // Every non-blank line is either a command that ran or a skipped line with its reason.
    const accounted = new Set([...result.commands.map((c) => c.line), ...result.skipped.map((s) => s.line)]);
    const nonBlank = text.split('\n').flatMap((line, i) => (line.trim() ? [i + 1] : []));
    expect(nonBlank.filter((n) => !accounted.has(n))).toEqual([]);
  });
});

const SERVICE = '-A -t 192.0.2.1:80 -s rr\n';
const BASE = table(`${SERVICE}-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 1\n-a -t 192.0.2.1:80 -r 10.0.0.2:80 -m -w 1\n-A -u 192.0.2.53:53 -s rr\n`);

interface TranscriptCase {
  name: string;
  paste: string;
  base?: DesiredState;
  /** -Sn text of the resulting table. */
  table?: string;
  /** The exact errors. */
  errors?: string[];
  skipped?: Array<[number, string]>;
  warnings?: string[];
  source?: 'commands' | 'listing' | 'nothing';
}

const transcripts: TranscriptCase[] = [
  {
    name: 'prompts: [user@host dir]#, user@host:dir#, #, $ sudo, a path to the program',
    paste: [
      '[root@lvs ~]# ipvsadm -A -t 192.0.2.1:80 -s rr',
      'root@director:~# /sbin/ipvsadm -a -t 192.0.2.1:80 -r 10.0.0.1 -m',
      '# ipvsadm -a -t 192.0.2.1:80 -r 10.0.0.2 -m -w 2',
      '$ sudo ipvsadm -a -t 192.0.2.1:80 -r 10.0.0.3 -m -w 3',
    ].join('\n'),
    table: `${SERVICE}-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 1\n-a -t 192.0.2.1:80 -r 10.0.0.2:80 -m -w 2\n-a -t 192.0.2.1:80 -r 10.0.0.3:80 -m -w 3\n`,
  },
  {
    name: 'notes after the command: # comments, Chinese without #, English words',
    paste: [
      'ipvsadm -A -t 192.0.2.1:80 -s rr #定义服务',
      'ipvsadm -a -t 192.0.2.1:80 -r 10.0.0.1 -m 添加第一台',
      'ipvsadm -a -t 192.0.2.1:80 -r 10.0.0.2 -m -w 2 add the second server',
    ].join('\n'),
    table: `${SERVICE}-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 1\n-a -t 192.0.2.1:80 -r 10.0.0.2:80 -m -w 2\n`,
    skipped: [
      [2, 'a note after the command (the command ran without it)'],
      [3, 'a note after the command (the command ran without it)'],
    ],
  },
  {
    name: 'a stray word is not taken for a note: it is refused',
    paste: 'ipvsadm -A -t 192.0.2.1:80 rr',
    errors: ['line 1: unexpected argument "rr"'],
  },
  {
    name: 'ipvsadm-save without -n: service and port names',
    paste: [
      '-A -t 172.25.254.200:http -s rr',
      '-a -t 172.25.254.200:http -r 172.25.254.2:http -g -w 1',
      '-A -t 172.25.254.200:https -s rr',
      '-A -u 172.25.254.200:domain -s rr',
      '-a -u 172.25.254.200:domain -r 172.25.254.3:domain -g -w 1',
    ].join('\n'),
    table: [
      '-A -t 172.25.254.200:80 -s rr',
      '-a -t 172.25.254.200:80 -r 172.25.254.2:80 -g -w 1',
      '-A -t 172.25.254.200:443 -s rr',
      '-A -u 172.25.254.200:53 -s rr',
      '-a -u 172.25.254.200:53 -r 172.25.254.3:53 -g -w 1',
      '',
    ].join('\n'),
  },
  {
    name: 'host names cannot be looked up',
    paste: 'ipvsadm -a -t 172.25.254.100:http -r server2:http -g',
    errors: [
      'line 1: "server2" is a host name; ipvsadm prints names when -n is not given, and this paste cannot look them up: paste `ipvsadm -S -n` or `ipvsadm -L -n` output, or write the address',
    ],
  },
  {
    name: 'an unknown port name',
    paste: 'ipvsadm -A -t 192.0.2.1:nosuchport',
    errors: [
      'line 1: "nosuchport" in 192.0.2.1:nosuchport is neither a port number nor a service name ipvsadm prints (http, https, domain, ...): write the port number',
    ],
  },
  {
    name: 'a pasted ipvsadm -Ln listing is the table it shows',
    paste: [
      '[root@lvs ~]# ipvsadm -Ln',
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  192.168.10.100:80 wrr persistent 60',
      '  -> 10.0.0.7:80                  Masq    3      0          0',
      '  -> 10.0.0.17:80                 Masq    1      12         3',
      'UDP  192.168.10.100:53 rr',
      '  -> 10.0.0.7:53                  Route   1      0          0',
    ].join('\n'),
    source: 'listing',
    table: [
      '-A -t 192.168.10.100:80 -s wrr -p 60',
      '-a -t 192.168.10.100:80 -r 10.0.0.7:80 -m -w 3',
      '-a -t 192.168.10.100:80 -r 10.0.0.17:80 -m -w 1',
      '-A -u 192.168.10.100:53 -s rr',
      '-a -u 192.168.10.100:53 -r 10.0.0.7:53 -g -w 1',
      '',
    ].join('\n'),
  },
  {
    name: 'a listing without -n, flattened by a blog (names, single spaces)',
    paste: [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '-> RemoteAddress:Port Forward Weight ActiveConn InActConn',
      'TCP 192.0.2.1:http rr',
      '-> 10.0.0.1:http Route 1 0 0',
    ].join('\n'),
    source: 'listing',
    table: `${SERVICE}-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g -w 1\n`,
  },
  {
    name: 'a listing with host names',
    paste:
      'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\nTCP 192.0.2.1:http rr\n  -> server2:http Route 1 0 0',
    errors: [
      'line 4: "server2" is a host name; ipvsadm prints names when -n is not given, and this paste cannot look them up: paste `ipvsadm -S -n` or `ipvsadm -L -n` output, or write the address',
    ],
  },
  {
    name: 'a --stats listing: the live settings are kept for what it does not show',
    base: BASE,
    paste: [
      'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
      '  -> RemoteAddress:Port',
      'TCP  192.0.2.1:80                        5       50        0     3000        0',
      '  -> 10.0.0.1:80                         5       50        0     3000        0',
    ].join('\n'),
    source: 'listing',
    table: `${SERVICE}-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 1\n-A -u 192.0.2.53:53 -s rr\n`,
  },
  {
    name: 'a --stats listing of an unknown service takes ipvsadm defaults and says so',
    paste: 'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\nTCP  192.0.2.9:80  0 0 0 0 0',
    source: 'listing',
    table: '-A -t 192.0.2.9:80 -s wlc\n',
    warnings: [
      "line 1: this listing does not show the settings of TCP 192.0.2.9:80: ipvsadm's defaults (wlc, -g, weight 1) were assumed; paste `ipvsadm -L -n` for them",
    ],
  },
  {
    name: '-e of a real server of the live table',
    base: BASE,
    paste: '[root@lvs ~]# ipvsadm -e -t 192.0.2.1:80 -r 10.0.0.1 -m -w 4',
    table: `${SERVICE}-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 4\n-a -t 192.0.2.1:80 -r 10.0.0.2:80 -m -w 1\n-A -u 192.0.2.53:53 -s rr\n`,
  },
  {
    name: '-E, -d and -D of the live table',
    base: BASE,
    paste: 'ipvsadm -E -t 192.0.2.1:80 -s wrr\nipvsadm -d -t 192.0.2.1:80 -r 10.0.0.2\nipvsadm -D -u 192.0.2.53:53',
    table: '-A -t 192.0.2.1:80 -s wrr\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 1\n',
  },
  {
    name: '-e of a service that exists nowhere',
    paste: 'ipvsadm -e -t 192.0.2.1:80 -r 10.0.0.1 -m -w 4',
    errors: ['line 1: service TCP 192.0.2.1:80 is not defined'],
  },
  {
    name: '-A of a live service is refused with what to do',
    base: BASE,
    paste: 'ipvsadm -A -t 192.0.2.1:80 -s wlc',
    errors: ['line 1: service TCP 192.0.2.1:80 already exists; use -E to change its settings, or -D it first'],
  },
  {
    name: 'syntax templates are skipped, not run',
    paste: [
      'ipvsadm -A|E -t|u|f VIP:port -s scheduler',
      '# ipvsadm -A -t (Service IP:Port) -s (Distribution method)',
      'ipvsadm -a -t <vip>:80 -r <rip> -g',
      'ipvsadm -a -t VIP:80 -r RIP -g',
      'ipvsadm -d -t 192.0.2.1:80 -r REALSERVER[:port]',
    ].join('\n'),
    source: 'nothing',
    table: '',
    skipped: [
      [1, 'a syntax template ("-A|E"), not a command'],
      [2, 'a syntax template ("(Service"), not a command'],
      [3, 'a syntax template ("<vip>:80"), not a command'],
      [4, 'a syntax template ("VIP:80"), not a command'],
      [5, 'a syntax template ("REALSERVER[:port]"), not a command'],
    ],
  },
  {
    name: 'a variable the paste never sets',
    paste: 'ipvsadm -A -t $VIP:80 -s wlc',
    errors: [
      'line 1: $VIP is a shell variable this paste never sets; write its value (an address such as 192.0.2.10) in its place, or include the line that sets it (VIP=...)',
    ],
  },
  {
    name: 'variables set earlier in the paste, as a shell would fill them in',
    paste: 'VIP=192.0.2.1\nexport RIP1="10.0.0.1"\nipvsadm -A -t ${VIP}:80 -s rr\nipvsadm -a -t $VIP:80 -r $RIP1 -i -w 1',
    table: `${SERVICE}-a -t 192.0.2.1:80 -r 10.0.0.1:80 -i -w 1 --tun-type ipip\n`,
  },
  {
    name: 'listing, save, watch and zero commands are skipped with a note each',
    base: BASE,
    paste: [
      'ipvsadm -Ln --stats',
      'ipvsadm -S -n > /etc/sysconfig/ipvsadm',
      'ipvsadm-save -n',
      "watch -n 1 'ipvsadm -L -n'",
      'ipvsadm -Z -t 192.0.2.1:80',
      'ipvsadm -R < /etc/sysconfig/ipvsadm',
    ].join('\n'),
    source: 'nothing',
    table: renderRules(BASE),
    skipped: [
      [1, 'a listing command; its output shows the table, the commands make it'],
      [2, 'ipvsadm -S prints the table; paste its output to import it'],
      [3, 'ipvsadm-save prints the table; paste its output to import it'],
      [4, 'watch re-runs a listing; nothing to import'],
      [5, 'zeroing counters is not part of the table: use the service page\'s "Zero counters" or `lvs-console ipvsadm -Z`'],
      [6, 'ipvsadm -R reads "< /etc/sysconfig/ipvsadm", which this paste does not hold; paste the rule lines instead'],
    ],
  },
  {
    name: 'a listing header without its title lines is no table',
    paste: '[root@lvs ~]# ipvsadm -Ln\nIP Virtual Server version 1.2.1 (size=4096)\nsome notes',
    source: 'nothing',
    skipped: [
      [1, 'a listing command; its output shows the table, the commands make it'],
      [2, 'output of a listing; the commands in this paste make the table'],
      [3, 'not an ipvsadm command'],
    ],
  },
  {
    name: 'one bad line: errors for it, the others named nowhere',
    paste: 'ipvsadm -A -t 192.0.2.1:80 -s rr\nipvsadm -a -t 192.0.2.1:80 -r 10.0.0.1 -m -w 70000\nipvsadm -a -t 192.0.2.1:80 -r 10.0.0.2 -m',
    errors: ['line 2: weight 70000 is out of range 0..65535'],
  },
];

describe('pasted transcripts', () => {
  it.each(transcripts)('$name', ({ paste, base, table: expected, errors = [], skipped, warnings, source }) => {
    const result = readPaste(paste, base ? { base } : {});
    expect(result.errors.map((e) => `${e.path}: ${e.message}`)).toEqual(errors);
    expect(result.ok).toBe(errors.length === 0);
    if (expected !== undefined) expect(renderRules(result.state)).toBe(expected);
    if (skipped) expect(result.skipped.map((s) => [s.line, s.why])).toEqual(skipped);
    if (warnings) expect(result.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual(warnings);
    if (source) expect(result.source).toBe(source);
  });

  it('the base table is never changed by a paste that edits it', () => {
    const before = JSON.stringify(BASE);
    readPaste('ipvsadm -e -t 192.0.2.1:80 -r 10.0.0.1 -m -w 9\nipvsadm -D -u 192.0.2.53:53\nipvsadm -C', { base: BASE });
    expect(JSON.stringify(BASE)).toBe(before);
  });

  it('-C marks the paste as a replace; -Z lines are collected', () => {
    const result = readPaste('ipvsadm -C\nipvsadm -A -t 192.0.2.1:80 -s rr\nipvsadm -Z\nipvsadm -Z -t 192.0.2.1:80', { base: BASE });
    expect(result.clears).toBe(true);
    expect(renderRules(result.state)).toBe(SERVICE);
    expect(result.zero).toEqual([{ line: 3 }, { line: 4, service: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 } }]);
  });

  it('health settings of a live service survive an edit of it', () => {
    const base: DesiredState = { ...BASE, services: BASE.services.map((s, i) => (i === 0 ? { ...s, health: { check: { kind: 'tcp' } } as never } : s)) };
    const result = readPaste('ipvsadm -e -t 192.0.2.1:80 -r 10.0.0.1 -m -w 5', { base });
    expect(result.state.services[0]?.health).toEqual({ check: { kind: 'tcp' } });
  });

  it('detects JSON and ipvsadm text', () => {
    expect(detectImportFormat('  {"services": []}')).toBe('json');
    expect(detectImportFormat('[root@lvs ~]# ipvsadm -A -t 192.0.2.1:80')).toBe('ipvsadm');
  });
});
