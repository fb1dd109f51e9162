// Invalid input and the exact message each must produce: the line, then what
// is wrong in the operator's terms.
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/ipvsadm';

const SVC = '-A -t 192.0.2.1:80 -s rr\n';
const UDP = '-A -u 192.0.2.1:53 -s rr\n';

const cases: Array<[string, string, string]> = [
  // [what, rules text, expected "line N: message"]
  ['weight above the range', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -m -w 70000`, 'line 2: weight 70000 is out of range 0..65535'],
  ['weight not a number', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -m -w heavy`, 'line 2: weight "heavy" is not a number'],
  ['negative weight (popt takes "-1" as the value)', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -m -w -1`, 'line 2: weight "-1" is not a number'],
  ['upper threshold above the range', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -m -x 70000`, 'line 2: upper threshold 70000 is out of range 0..65535'],
  [
    'lower above upper threshold',
    `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -m -y 10`,
    'line 2: lower threshold 10 is above upper threshold 0 (the kernel refuses it)',
  ],
  ['server for a missing service', `${SVC}\n\n-a -t 192.0.2.2:80 -r 10.0.0.1`, 'line 4: service TCP 192.0.2.2:80 is not defined'],
  ['duplicate service', `${SVC}${SVC}`, 'line 2: service TCP 192.0.2.1:80 already exists; use -E to change its settings, or -D it first'],
  [
    'duplicate destination',
    `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -m\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 5`,
    'line 3: destination 10.0.0.1:80 already exists in service TCP 192.0.2.1:80; use -e to change it',
  ],
  ['editing a missing service', '-E -t 192.0.2.1:80 -s wlc', 'line 1: service TCP 192.0.2.1:80 is not defined'],
  ['deleting a missing service', '-D -u 192.0.2.1:53', 'line 1: service UDP 192.0.2.1:53 is not defined'],
  ['editing a missing destination', `${SVC}-e -t 192.0.2.1:80 -r 10.0.0.9 -w 2`, 'line 2: destination 10.0.0.9:80 does not exist in service TCP 192.0.2.1:80'],
  [
    'deleting a missing destination',
    `${SVC}-d -t 192.0.2.1:80 -r [2001:db8::1]:80`,
    'line 2: destination [2001:db8::1]:80 does not exist in service TCP 192.0.2.1:80',
  ],
  ['hostname as a service address', '-A -t web1:80 -s rr', 'line 1: "web1" is a hostname; give a numeric IPv4 or IPv6 address'],
  ['hostname as a real server', `${SVC}-a -t 192.0.2.1:80 -r web1`, 'line 2: "web1" is a hostname; give a numeric IPv4 or IPv6 address'],
  ['port given by name', '-A -t 192.0.2.1:http -s rr', 'line 1: "192.0.2.1:http" names the port "http"; give the port number'],
  ['port out of range', '-A -t 192.0.2.1:70000', 'line 1: port 70000 in "192.0.2.1:70000" is out of range 0..65535'],
  ['unexpanded shell variable', '-A -t $VIP:80 -s wlc', 'line 1: "$VIP" contains a shell variable; substitute its value first'],
  ['not an address', '-A -t 300.1.2.3:80', 'line 1: "300.1.2.3" is not a valid IPv4 or IPv6 address'],
  ['digits alone', '-A -t 80', 'line 1: "80" is not an address[:port]'],
  [
    'bracketed IPv6 without a port',
    '-A -t [2001:db8::1] -p',
    'line 1: "[2001:db8::1]" needs a port after the brackets (e.g. [2001:db8::1]:80), or no brackets',
  ],
  [
    'DR with another port',
    `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1:8080 -g`,
    'line 2: DR/TUN real servers must use the service port (80), not 8080; use NAT (-m) to map ports',
  ],
  [
    'TUN with another port',
    `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1:8080 -i`,
    'line 2: DR/TUN real servers must use the service port (80), not 8080; use NAT (-m) to map ports',
  ],
  [
    'default forwarding (DR) with another port',
    `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1:8080`,
    'line 2: DR/TUN real servers must use the service port (80), not 8080; use NAT (-m) to map ports',
  ],
  [
    'mixed families without a tunnel',
    `${SVC}-a -t 192.0.2.1:80 -r [2001:db8::1]:80 -m`,
    'line 2: real server 2001:db8::1 is IPv6 but the service is IPv4; only tunnel (-i) real servers may differ',
  ],
  ['port 0 without persistence', '-A -t 192.0.2.1 -s rr', 'line 1: port 0 (all ports) needs persistence (-p); give a port or add -p'],
  [
    'unknown scheduler',
    '-A -t 192.0.2.1:80 -s fastest',
    'line 1: unknown scheduler "fastest"; use one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos',
  ],
  ['persistence timeout too long', '-A -t 192.0.2.1:80 -p 99999999', 'line 1: persistence timeout 99999999 is out of range 1..2678400'],
  ['persistence timeout zero', '-A -t 192.0.2.1:80 --persistent=0', 'line 1: persistence timeout 0 is out of range 1..2678400'],
  ['netmask not contiguous', '-A -t 192.0.2.1:80 -p -M 255.0.255.0', 'line 1: netmask 255.0.255.0 is not contiguous; give a mask such as 255.255.255.0'],
  ['netmask as a prefix on IPv4', '-A -t 192.0.2.1:80 -p -M 24', 'line 1: netmask "24" is not a dotted IPv4 netmask such as 255.255.255.0'],
  ['IPv6 netmask out of range', '-A -t [2001:db8::1]:80 -p -M 129', 'line 1: IPv6 netmask "129" must be a prefix length 1..128'],
  ['unknown persistence engine', '-A -u 192.0.2.1:5060 -p --pe rtsp', 'line 1: unknown persistence engine "rtsp"; the only one is sip'],
  ['persistence engine without persistence', '-A -u 192.0.2.1:5060 --pe sip', 'line 1: --pe sip needs persistence (-p)'],
  ['one-packet scheduling on TCP', '-A -t 192.0.2.1:80 -o', 'line 1: one-packet scheduling (-o) is only for UDP services and fwmark services'],
  ['sh flag on another scheduler', '-A -t 192.0.2.1:80 -b sh-port', 'line 1: scheduler flag sh-port needs the sh scheduler, not wlc'],
  [
    'unknown scheduler flag',
    `-A -t 192.0.2.1:80 -s sh -b sh-everything`,
    'line 1: unknown scheduler flag "sh-everything"; use sh-fallback, sh-port (sh), mh-fallback, mh-port (mh) or flag-1..flag-3',
  ],
  [
    'flag-3 on sh cannot be saved',
    '-A -t 192.0.2.1:80 -s sh -b flag-3',
    'line 1: scheduler flag flag-3 has no name for the sh scheduler; ipvsadm -S could not save it',
  ],
  ['fwmark zero', '-A -f 0', 'line 1: fwmark 0 is out of range 1..4294967295'],
  ['fwmark not a number', '-A -f web', 'line 1: fwmark "web" is not a number'],
  ['-6 on an address service', '-A -t 192.0.2.1:80 -6', 'line 1: -6 applies only to fwmark services (-f)'],
  ['unknown option', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -m --no-such-option`, 'line 2: unknown option --no-such-option'],
  ['unknown short option in a cluster', '-Lq', 'line 1: unknown option -q in -Lq'],
  ['option without its value', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -w`, 'line 2: -w needs a value'],
  ['long option with = that takes none', '-A -t 192.0.2.1:80 --ops=yes', 'line 1: --ops takes no value'],
  ['two commands', '-A -a -t 192.0.2.1:80', 'line 1: more than one command: -A and -a'],
  [
    'option before the command',
    '-t 192.0.2.1:80 -A',
    'line 1: the line must start with a command (-A, -E, -D, -C, -a, -e, -d, -L, -Z, -S, -R, --set, --start-daemon, --stop-daemon), not -t',
  ],
  ['option given twice', '-A -t 192.0.2.1:80 -s rr -s wrr', 'line 1: -s is given twice'],
  ['two services', '-A -t 192.0.2.1:80 -u 192.0.2.1:53', 'line 1: -u conflicts with -t given before'],
  ['two forwarding methods', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -m -g`, 'line 2: -g conflicts with -m given before'],
  ['weight on a service', '-A -t 192.0.2.1:80 -w 3', 'line 1: -w cannot be used with -A (add-service)'],
  ['scheduler on a server', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -s rr`, 'line 2: -s cannot be used with -a (add-server)'],
  ['server without -r', `${SVC}-a -t 192.0.2.1:80 -m`, 'line 2: -a (add-server) needs a real server (-r)'],
  ['service command without a service', '-A -s rr', 'line 1: -A (add-service) needs a virtual service (-t, -u, --sctp-service or -f)'],
  ['delete with settings', `${SVC}-d -t 192.0.2.1:80 -r 10.0.0.1 -w 2`, 'line 2: -w cannot be used with -d (delete-server)'],
  ['tunnel options without -i', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -m --tun-type gue`, 'line 2: --tun-type needs tunnel forwarding (-i)'],
  ['unknown tunnel type', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -i --tun-type vxlan`, 'line 2: unknown tunnel type "vxlan"; use ipip, gue or gre'],
  ['gue without its port', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -i --tun-type gue`, 'line 2: the gue tunnel type needs --tun-port'],
  ['gue port zero', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -i --tun-type gue --tun-port 0`, 'line 2: tunnel port 0 is out of range 1..65535'],
  [
    'two checksum options',
    `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -i --tun-type gue --tun-port 6080 --tun-csum --tun-nocsum`,
    'line 2: --tun-csum conflicts with --tun-nocsum',
  ],
  ['port option on ipip', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -i --tun-port 6080`, 'line 2: --tun-port cannot be used with the ipip tunnel type'],
  ['remcsum on gre', `${SVC}-a -t 192.0.2.1:80 -r 10.0.0.1 -i --tun-type gre --tun-remcsum`, 'line 2: --tun-remcsum cannot be used with the gre tunnel type'],
  ['--set with two values', '--set 900 120', 'line 1: --set needs 3 timeouts: tcp tcpfin udp (0 keeps a value)'],
  ['--set out of range', '--set 900 120 99999999', 'line 1: udp timeout 99999999 is out of range 0..2678400'],
  ['stray argument', `${UDP}-D -u 192.0.2.1:53 now`, 'line 2: unexpected argument "now"'],
  ['start-daemon with a bad state', '--start-daemon primary', 'line 1: --start-daemon takes master or backup, not "primary"'],
  ['start-daemon twice', '--start-daemon master\n--start-daemon master --syncid 2', 'line 2: the master sync daemon is already running'],
  ['stop-daemon not running', '--stop-daemon backup', 'line 1: the backup sync daemon is not running'],
  ['syncid out of range', '--start-daemon master --syncid 256', 'line 1: syncid 256 is out of range 0..255'],
  ['group not multicast', '--start-daemon master --mcast-group 192.0.2.1', 'line 1: mcast-group 192.0.2.1 is not a multicast address'],
  [
    'conflicting list options',
    '-L -c --stats',
    'line 1: these list options conflict: --stats, --rate and --thresholds do not combine with -c, --timeout or --daemon',
  ],
  ['zero a missing service', '-Z -t 192.0.2.1:80', 'line 1: service TCP 192.0.2.1:80 is not defined'],
  ['not an ipvsadm line', 'ip addr add 192.0.2.1/32 dev lo', 'line 1: "ip" is not an ipvsadm command line; only ipvsadm lines are understood here'],
  ['a scheduler the kernel lacks', '-A -t 192.0.2.1:80 -s twos', 'line 1: the kernel has no twos scheduler'],
];

describe('invalid input', () => {
  it.each(cases)('%s', (_what, text, expected) => {
    const result = parseRules(text, text.includes('twos') ? { schedulers: ['rr', 'wlc'] } : {});
    expect(result.ok).toBe(false);
    expect(result.errors.map((e) => `${e.path}: ${e.message}`)).toEqual([expected]);
  });

  it('reports every bad line and keeps what the good lines built, as ipvsadm -R does', () => {
    const result = parseRules(
      ['-A -t 192.0.2.1:80 -s rr', '-a -t 192.0.2.1:80 -r 10.0.0.1 -m -w 70000', '-a -t 192.0.2.1:80 -r 10.0.0.2 -m', '-a -t 192.0.2.9:80 -r 10.0.0.3 -m'].join(
        '\n',
      ),
    );
    expect(result.errors.map((e) => e.path)).toEqual(['line 2', 'line 4']);
    expect(result.state.services[0]?.destinations.map((d) => d.address)).toEqual(['10.0.0.2']);
  });
});
