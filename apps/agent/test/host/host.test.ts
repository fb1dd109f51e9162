import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostSettingSchema } from '@lvs-console/shared';
import type { HostSetting } from '@lvs-console/shared';
import { LinuxHostBackend, parseRouteSource } from '../../src/host/linux';
import { formatRealServerRows, realServerSettings, realserverApply, realserverCheck } from '../../src/host/realserver';
import { SimHostBackend } from '../../src/host/sim';
import { sysctlPath } from '../../src/host/sysctl';
import type { CommandResult, CommandRunner } from '../../src/kernel/runner';

const root = mkdtempSync(join(tmpdir(), 'lvs-host-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const row = (input: unknown): HostSetting => hostSettingSchema.parse(input);

describe('sysctlPath', () => {
  it('maps dotted names to /proc/sys paths, slashes standing for dots in interface names', () => {
    expect(sysctlPath('net.ipv4.ip_forward')).toBe('/proc/sys/net/ipv4/ip_forward');
    expect(sysctlPath('net.ipv4.conf.eth0/100.rp_filter', '/x')).toBe('/x/net/ipv4/conf/eth0.100/rp_filter');
  });

  it('refuses anything that could leave /proc/sys/net', () => {
    expect(() => sysctlPath('net.ipv4.conf.../../../etc/passwd')).toThrow(/not a valid name component/);
    expect(() => sysctlPath('net.ipv4.conf./.arp_ignore')).toThrow(/not a valid name component/);
    expect(() => sysctlPath('net.ipv4..x')).toThrow(/not a valid name component/);
    expect(() => sysctlPath('kernel.panic')).toThrow(/only net.ipv4/);
  });
});

describe('real-server role on the in-memory host', () => {
  it('DR: fails on a stock host, applies, then passes', async () => {
    const host = new SimHostBackend();
    const options = { mode: 'dr' as const, vips: ['192.0.2.10'], interface: 'eth0' };
    const before = await realserverCheck(options, host);
    expect(before.passed).toBe(false);
    expect(before.rows.find((r) => r.setting.kind === 'address')?.message).toBe('192.0.2.10/32 is not on lo');
    expect(before.rows.find((r) => r.setting.kind === 'sysctl' && r.setting.name === 'net.ipv4.conf.all.arp_ignore')?.message).toBe(
      'net.ipv4.conf.all.arp_ignore is 0, should be 1',
    );
    const applied = await realserverApply(options, host);
    expect(applied.passed).toBe(true);
    expect((await realserverCheck(options, host)).passed).toBe(true);
    expect(formatRealServerRows(before.rows)).toContain('FAIL 192.0.2.10/32 is not on lo');
  });

  it('TUN: loading ipip brings up tunl0 for the VIP', async () => {
    const host = new SimHostBackend();
    const options = { mode: 'tun' as const, vips: ['192.0.2.10', '2001:db8::10'] };
    const applied = await realserverApply(options, host);
    expect(applied.rows.filter((r) => !r.ok)).toEqual([]);
    const check = await realserverCheck(options, host);
    expect(check.passed).toBe(true);
    expect(check.rows.map((r) => r.setting.kind)).toContain('module');
  });

  it('validates the role options at the edge', () => {
    expect(() => realServerSettings({ mode: 'dr', vips: ['vip.example.com'] })).toThrow(/not an IPv4 or IPv6 address/);
    expect(() => realServerSettings({ mode: 'dr', vips: [] })).toThrow(/at least one/);
    expect(() => realServerSettings({ mode: 'dr', vips: ['192.0.2.1'], interface: 'eth0; rm -rf /' })).toThrow(/not an interface name/);
  });
});

/** Answers `ip -j addr show` like iproute2 and records every argv. */
function fakeHostRunner(): CommandRunner & { calls: { argv: string[]; stdin?: string }[] } {
  const calls: { argv: string[]; stdin?: string }[] = [];
  const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });
  return {
    calls,
    run(argv, stdin) {
      calls.push(stdin === undefined ? { argv: [...argv] } : { argv: [...argv], stdin });
      const line = argv.join(' ');
      if (line === 'ip -j addr show dev lo') {
        return Promise.resolve(
          ok(
            JSON.stringify([
              {
                ifname: 'lo',
                addr_info: [
                  { family: 'inet', local: '127.0.0.1', prefixlen: 8 },
                  { family: 'inet', local: '192.0.2.10', prefixlen: 32 },
                ],
              },
            ]),
          ),
        );
      }
      if (line === 'ip -j addr show dev eth9') return Promise.resolve({ code: 1, stdout: '', stderr: 'Device "eth9" does not exist.' });
      if (line.startsWith('nft list table')) return Promise.resolve({ code: 1, stdout: '', stderr: 'Error: No such file or directory' });
      return Promise.resolve(ok());
    },
  };
}

describe('LinuxHostBackend (temp /proc/sys, fake iproute2/nft/modprobe)', () => {
  const procSys = join(root, 'proc-sys');
  const sysModule = join(root, 'sys-module');
  mkdirSync(join(procSys, 'net/ipv4/conf/all'), { recursive: true });
  mkdirSync(join(sysModule, 'ip_vs'), { recursive: true });
  writeFileSync(join(procSys, 'net/ipv4/ip_forward'), '0\n');
  writeFileSync(join(procSys, 'net/ipv4/conf/all/arp_ignore'), '1\n');

  const settings = [
    row({ kind: 'sysctl', name: 'net.ipv4.ip_forward', value: '1', reason: 'NAT' }),
    row({ kind: 'sysctl', name: 'net.ipv4.conf.all.arp_ignore', value: '1' }),
    row({ kind: 'sysctl', name: 'net.ipv4.conf.nosuch.arp_ignore', value: '1' }),
    row({ kind: 'address', address: '192.0.2.10', prefixLength: 32, interface: 'lo' }),
    row({ kind: 'address', address: '192.0.2.11', prefixLength: 32, interface: 'lo' }),
    row({ kind: 'address', address: '192.0.2.12', prefixLength: 32, interface: 'eth9' }),
    row({ kind: 'module', name: 'ip_vs' }),
    row({ kind: 'module', name: 'ipip' }),
    row({ kind: 'snat', service: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 }, sourceAddress: '198.51.100.1' }),
  ];

  it('reads each row against the host', async () => {
    const host = new LinuxHostBackend({ runner: fakeHostRunner(), procSysRoot: procSys, sysModuleRoot: sysModule });
    const status = await host.read(settings);
    expect(status.map((s) => [s.ok, s.actual])).toEqual([
      [false, '0'],
      [true, '1'],
      [false, null],
      [true, 'present'],
      [false, 'absent'],
      [false, null],
      [true, 'loaded'],
      [false, 'not loaded'],
      [false, 'absent'],
    ]);
    expect(status[5]?.message).toBe('eth9: Device "eth9" does not exist.');
  });

  it("plans the lines an apply will run, changing nothing (the console's confirmation)", async () => {
    const runner = fakeHostRunner();
    const host = new LinuxHostBackend({ runner, procSysRoot: procSys, sysModuleRoot: sysModule });
    const planned = await host.plan(settings);
    expect(planned.map((p) => p.lines)).toEqual([
      [`echo 1 > ${procSys}/net/ipv4/ip_forward`],
      [],
      [`echo 1 > ${procSys}/net/ipv4/conf/nosuch/arp_ignore`],
      [],
      ['ip addr add 192.0.2.11/32 dev lo'],
      ['ip addr add 192.0.2.12/32 dev eth9'],
      [],
      ['modprobe -- ipip'],
      [expect.stringMatching(/^nft -f - <<'EOF'\nadd table ip lvs_console\n[^]*snat to 198\.51\.100\.1\nEOF$/)],
    ]);
    expect(planned[0]?.status.message).toBe('net.ipv4.ip_forward is 0, should be 1');
    expect(readFileSync(join(procSys, 'net/ipv4/ip_forward'), 'utf8')).toBe('0\n');
    expect(runner.calls.filter((c) => !c.argv.includes('show') && !(c.argv[0] === 'nft' && c.argv[1] === 'list'))).toEqual([]);
  });

  it('inside a network namespace, sysctls are planned and run as `sysctl -w`', async () => {
    const runner = fakeHostRunner();
    const host = new LinuxHostBackend({ runner, netns: 'lvs-test' });
    const planned = await host.plan([row({ kind: 'sysctl', name: 'net.ipv4.vs.conntrack', value: '1' })]);
    expect(planned[0]?.lines).toEqual(['sysctl -q -w net.ipv4.vs.conntrack=1']);
  });

  it('applies with argv arrays: sysctl file writes, ip addr add, modprobe, one nft transaction', async () => {
    const runner = fakeHostRunner();
    const host = new LinuxHostBackend({ runner, procSysRoot: procSys, sysModuleRoot: sysModule });
    const planned = await host.plan(settings);
    const results = await host.apply(settings);
    expect(readFileSync(join(procSys, 'net/ipv4/ip_forward'), 'utf8')).toBe('1\n');
    // The apply ran what the dry run listed, row by row.
    expect(results.map((r) => r.lines)).toEqual(planned.map((p) => p.lines));
    expect(results.map((r) => [r.ok, r.changed])).toEqual([
      [true, true],
      [true, false],
      [false, false],
      [true, false],
      [true, true],
      [true, true],
      [true, false],
      [true, true],
      [true, true],
    ]);
    expect(results[2]?.message).toMatch(/does not exist on this kernel/);
    const mutations = runner.calls.map((c) => c.argv.join(' ')).filter((c) => !c.includes(' show ') && !c.startsWith('nft list'));
    expect(mutations).toEqual(['modprobe -- ipip', 'ip addr add 192.0.2.11/32 dev lo', 'ip addr add 192.0.2.12/32 dev eth9', 'nft -f -']);
    const nft = runner.calls.find((c) => c.argv[0] === 'nft' && c.argv[1] === '-f');
    expect(nft?.stdin).toContain('add table ip lvs_console');
    expect(nft?.stdin).toContain('ct original ip daddr 192.0.2.10 ct original protocol tcp ct original proto-dst 80 snat to 198.51.100.1');
  });

  it('removes addresses and only its own nftables table; leaves sysctls and modules', async () => {
    const runner = fakeHostRunner();
    const host = new LinuxHostBackend({ runner, procSysRoot: procSys, sysModuleRoot: sysModule });
    const results = await host.remove(settings);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.flatMap((r) => r.lines)).toEqual(runner.calls.map((c) => c.argv.join(' ')));
    expect(runner.calls.map((c) => c.argv.join(' '))).toEqual([
      'ip addr del 192.0.2.10/32 dev lo',
      'ip addr del 192.0.2.11/32 dev lo',
      'ip addr del 192.0.2.12/32 dev eth9',
      'nft delete table ip lvs_console',
    ]);
  });
});

describe("the simulated host plans the Linux backend's lines", () => {
  it('lists what is missing, applies exactly that, then has nothing left to run', async () => {
    const host = new SimHostBackend();
    const rows = [
      row({ kind: 'sysctl', name: 'net.ipv4.ip_forward', value: '1' }),
      row({ kind: 'sysctl', name: 'net.ipv4.vs.conntrack', value: '0' }),
      row({ kind: 'module', name: 'ipip' }),
      row({ kind: 'address', address: '192.0.2.10', prefixLength: 32, interface: 'tunl0' }),
    ];
    const planned = await host.plan(rows);
    expect(planned.map((p) => p.lines)).toEqual([
      ['echo 1 > /proc/sys/net/ipv4/ip_forward'],
      [],
      ['modprobe -- ipip'],
      ['ip link set tunl0 up', 'ip addr add 192.0.2.10/32 dev tunl0'],
    ]);
    expect((await host.read(rows)).map((r) => r.ok)).toEqual([false, true, false, false]);
    const results = await host.apply(rows);
    expect(results.map((r) => r.lines)).toEqual(planned.map((p) => p.lines));
    expect(results.every((r) => r.ok)).toBe(true);
    expect((await host.plan(rows)).flatMap((p) => p.lines)).toEqual([]);
  });
});

describe("the director's source address toward real servers (DIP)", () => {
  it("comes from the simulated host's addresses, the longest prefix first", async () => {
    const host = new SimHostBackend({
      interfaceAddresses: [
        { interface: 'eth0', address: '10.0.0.1', prefixLength: 8 },
        { interface: 'eth1', address: '10.1.2.1', prefixLength: 24 },
      ],
    });
    const sources = await host.sourceAddresses(['10.1.2.7', '10.9.9.9', '192.0.2.1']);
    expect([...sources]).toEqual([
      ['10.1.2.7', '10.1.2.1'],
      ['10.9.9.9', '10.0.0.1'],
      ['192.0.2.1', null],
    ]);
  });

  it('reads prefsrc from `ip -j route get` output', () => {
    expect(parseRouteSource('[{"dst":"203.0.113.11","dev":"rs0","prefsrc":"203.0.113.1","flags":[],"uid":0,"cache":[]}]')).toBe('203.0.113.1');
    expect(parseRouteSource('[{"dst":"203.0.113.11","gateway":"10.0.0.1","dev":"eth0","flags":[]}]')).toBeNull();
    expect(parseRouteSource('RTNETLINK answers: Network is unreachable')).toBeNull();
  });

  // The real `ip` where this machine has one (the kernel bed checks a real NAT director too).
  const ip = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((path) => existsSync(path));
  it.skipIf(!ip)('asks the kernel through `ip -j route get` on a real host', async () => {
    const sources = await new LinuxHostBackend().sourceAddresses(['127.0.0.1']);
    expect(sources.get('127.0.0.1')).toBe('127.0.0.1');
  });
});
