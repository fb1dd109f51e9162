// keepalived.conf reader: what keepalived 2.2 would program, and a note for
// everything the console does not carry over.
import { describe, expect, it } from 'vitest';
import { formatPlace, readKeepalivedConf, type IncludeResolver } from '../../src/keepalived';

function read(text: string, resolveInclude?: IncludeResolver) {
  return readKeepalivedConf(text, resolveInclude ? { resolveInclude } : {});
}

function messages(text: string): string[] {
  return read(text).notes.map((n) => `${n.level} ${formatPlace(n)}: ${n.message}`);
}

describe('syntax', () => {
  it('reads blocks spread over lines any way, with # and ! comments and quoted words', () => {
    const text = [
      '! a comment',
      'virtual_server 192.0.2.1 80 # trailing comment',
      '{ lvs_sched rr',
      '  protocol TCP ; lvs_method DR',
      '  real_server 10.0.0.1 80 { weight "7" }',
      '  real_server 10.0.0.2 80',
      '  {',
      '    weight 3',
      '  } }',
    ].join('\n');
    const result = read(text);
    expect(result.ok).toBe(true);
    const [service] = result.state.services;
    expect(service?.key).toEqual({ kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 });
    expect(service?.scheduler).toBe('rr');
    expect(service?.destinations.map((d) => [d.address, d.weight])).toEqual([
      ['10.0.0.1', 7],
      ['10.0.0.2', 3],
    ]);
    // "protocol TCP ; lvs_method DR" is one statement: keepalived reads the protocol and ignores the rest of the line,
    // so the method defaults to NAT with keepalived's own note.
    expect(service?.destinations[0]?.forwarding).toBe('masq');
    expect(messages(text)).toContain('warning line 2: virtual server 192.0.2.1:80: no lvs_method; keepalived uses NAT');
  });

  it('an unbalanced brace is an error with its line, and nothing is imported', () => {
    const open = read('virtual_server 192.0.2.1 80 {\n  lvs_sched rr\n  real_server 10.0.0.1 80 {\n');
    expect(open.ok).toBe(false);
    expect(open.state.services).toEqual([]);
    expect(open.notes.filter((n) => n.level === 'error').map(formatPlace)).toEqual(['line 1', 'line 3']);
    const extra = read('virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 10.0.0.1 80 { }\n}\n}\n');
    expect(extra.ok).toBe(false);
    const extraError = extra.notes.find((n) => n.level === 'error');
    expect(extraError?.line).toBe(5);
    expect(extraError?.message).toContain("'}' without a block");
  });

  it('an unknown block and a missing address are errors with their lines', () => {
    expect(messages('virtual_servr 192.0.2.1 80 {\n}\n')).toContain('error line 1: unknown block "virtual_servr" at the top level');
    expect(messages('virtual_server {\n}\n')).toContain('error line 1: virtual_server needs an address (IP [PORT], fwmark N or group NAME)');
    expect(messages('virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server { weight 1 }\n}\n')).toContain('error line 3: real_server needs an IP address');
    expect(messages('virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 10.0.0.1 80 { FOO_CHECK { } }\n}\n')).toContain(
      'error line 3: unknown block "FOO_CHECK" in real_server',
    );
  });

  it('resolves include through the caller, with the included file named in notes', () => {
    const files: Record<string, string> = {
      '/etc/keepalived/conf.d/a.conf':
        'virtual_server 192.0.2.1 80 {\n  protocol TCP\n  lvs_sched rr\n  lvs_method NAT\n  real_server 10.0.0.1 8080 {\n    SMTP_CHECK { }\n  }\n}\n',
    };
    const resolver: IncludeResolver = (pattern) =>
      pattern === 'conf.d/*.conf' ? Object.entries(files).map(([path, text]) => ({ path, text })) : { error: 'no such file' };
    const result = read('global_defs {\n  router_id x\n}\ninclude conf.d/*.conf\n', resolver);
    expect(result.ok).toBe(true);
    expect(result.state.services).toHaveLength(1);
    expect(result.notes.map((n) => `${formatPlace(n)}: ${n.message}`)).toContain(
      '/etc/keepalived/conf.d/a.conf:6: SMTP_CHECK is not supported by the console; this check is not imported',
    );
    const missing = read('include nothere.conf\n', resolver);
    expect(missing.ok).toBe(false);
    expect(missing.notes[0]).toMatchObject({ line: 1, level: 'error', message: 'include "nothere.conf": no such file' });
  });

  it('bounds include depth (a file including itself stops with an error)', () => {
    const resolver: IncludeResolver = () => [{ path: '/loop.conf', text: 'include /loop.conf\n' }];
    const result = read('include /loop.conf\n', resolver);
    expect(result.ok).toBe(false);
    expect(result.notes.some((n) => n.level === 'error' && /nest deeper than 8/.test(n.message))).toBe(true);
  });

  it('substitutes $PARAMETERS as keepalived does', () => {
    const result = read('$VIP=192.0.2.9\n$PORT=443\nvirtual_server $VIP ${PORT} {\n protocol TCP\n lvs_method DR\n real_server 10.0.0.1 ${PORT} { }\n}\n');
    expect(result.ok).toBe(true);
    expect(result.state.services[0]?.key).toEqual({ kind: 'addr', protocol: 'tcp', address: '192.0.2.9', port: 443 });
  });
});

describe('virtual servers', () => {
  it('applies keepalived defaults: UDP without protocol, wlc, NAT, rs port from the VS, weight 1', () => {
    const result = read('virtual_server 192.0.2.1 53 {\n  real_server 10.0.0.1 {\n  }\n}\n');
    expect(result.ok).toBe(true);
    expect(result.state.services[0]).toMatchObject({
      key: { kind: 'addr', protocol: 'udp', address: '192.0.2.1', port: 53 },
      scheduler: 'wlc',
      persistence: null,
      destinations: [{ address: '10.0.0.1', port: 53, forwarding: 'masq', weight: 1 }],
    });
    expect(result.state.services[0]?.health).toBeUndefined();
    expect(messages('virtual_server 192.0.2.1 53 {\n  real_server 10.0.0.1 {\n  }\n}\n')).toEqual([
      'warning line 1: virtual server 192.0.2.1:53: no protocol set; keepalived defaults to UDP',
      'warning line 1: virtual server 192.0.2.1:53: no lvs_sched; keepalived uses wlc',
      'warning line 1: virtual server 192.0.2.1:53: no lvs_method; keepalived uses NAT',
    ]);
  });

  it('reads the old and new keywords alike', () => {
    const oldStyle = read('virtual_server 192.0.2.1 80 {\n lb_algo sh\n lb_kind DR\n nat_mask 255.255.255.0\n protocol TCP\n real_server 10.0.0.1 80 { }\n}\n');
    const newStyle = read('virtual_server 192.0.2.1 80 {\n lvs_sched sh\n lvs_method DR\n protocol TCP\n real_server 10.0.0.1 80 { }\n}\n');
    expect(oldStyle.state).toEqual(newStyle.state);
    expect(oldStyle.notes.map((n) => n.message)).toContain('unknown virtual_server keyword "nat_mask"; ignored');
  });

  it('persistence_timeout without a value is 360 s; granularity and engine', () => {
    const result = read(
      'virtual_server 192.0.2.1 5060 {\n protocol UDP\n lvs_sched rr\n lvs_method DR\n persistence_timeout\n persistence_granularity 255.255.255.0\n persistence_engine sip\n real_server 10.0.0.1 5060 { }\n}\n',
    );
    expect(result.ok).toBe(true);
    expect(result.state.services[0]?.persistence).toEqual({ timeout: 360, netmaskPrefix: 24, engine: 'sip' });
  });

  it("port 0 without persistence gets keepalived's 360 s persistence", () => {
    const result = read('virtual_server 192.0.2.1 {\n protocol TCP\n lvs_sched rr\n lvs_method DR\n real_server 10.0.0.1 { }\n}\n');
    expect(result.state.services[0]?.persistence).toEqual({ timeout: 360 });
    expect(result.state.services[0]?.destinations[0]?.port).toBe(0);
  });

  it('scheduler flags, ops, tunnel types, thresholds and per-server methods', () => {
    const text = [
      'virtual_server fwmark 7 {',
      '  lvs_sched mh',
      '  mh-port',
      '  flag-1',
      '  ops',
      '  lvs_method TUN type gue port 6080 csum',
      '  real_server 10.0.0.1 { weight 5\n uthreshold 100\n lthreshold 10 }',
      '  real_server 10.0.0.2 { lvs_method TUN type gre }',
      '  real_server 10.0.0.3 { lvs_method DR }',
      '  real_server 10.0.0.4 { lvs_method NAT }',
      '}',
    ].join('\n');
    const result = read(text);
    expect(result.ok).toBe(true);
    const service = result.state.services[0];
    expect(service?.key).toEqual({ kind: 'fwmark', fwmark: 7, family: 'inet' });
    expect(service?.flags).toEqual(['mh-port', 'mh-fallback']);
    expect(service?.onePacket).toBe(true);
    expect(service?.destinations).toEqual([
      {
        address: '10.0.0.1',
        port: 0,
        forwarding: 'tunnel',
        weight: 5,
        upperThreshold: 100,
        lowerThreshold: 10,
        tunnel: { type: 'gue', port: 6080, checksum: 'csum' },
      },
      { address: '10.0.0.2', port: 0, forwarding: 'tunnel', weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: { type: 'gre', checksum: 'nocsum' } },
      { address: '10.0.0.3', port: 0, forwarding: 'route', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
      { address: '10.0.0.4', port: 0, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
    ]);
  });

  it('a flag before its scheduler is ignored, as keepalived reads flags in order', () => {
    const result = read('virtual_server 192.0.2.1 80 {\n protocol TCP\n sh-port\n lvs_sched sh\n lvs_method DR\n real_server 10.0.0.1 80 { }\n}\n');
    expect(result.state.services[0]?.flags).toEqual([]);
    expect(result.notes.map((n) => `${n.line}: ${n.message}`)).toContain(
      '3: sh-port applies only to the sh scheduler (set lvs_sched first); ignored as keepalived does',
    );
  });

  it('expands virtual_server_group addresses, ranges and fwmarks into services', () => {
    const text =
      'virtual_server_group G {\n  192.0.2.1 80\n  192.0.2.10-12 80\n  198.51.100.0/31 8080\n  fwmark 3\n}\nvirtual_server group G {\n protocol TCP\n lvs_sched rr\n lvs_method NAT\n real_server 10.0.0.1 8080 { }\n}\n';
    const result = read(text);
    expect(result.ok).toBe(true);
    expect(result.state.services.map((s) => (s.key.kind === 'addr' ? `${s.key.address}:${s.key.port}` : `fwmark ${s.key.fwmark}`))).toEqual([
      '192.0.2.1:80',
      '192.0.2.10:80',
      '192.0.2.11:80',
      '192.0.2.12:80',
      '198.51.100.0:8080',
      '198.51.100.1:8080',
      'fwmark 3',
    ]);
    expect(read('virtual_server group NOPE {\n protocol TCP\n real_server 10.0.0.1 80 { }\n}\n').notes[0]).toMatchObject({ level: 'error', line: 1 });
  });

  it('bounds what groups expand to (a range entry, and the addresses in all)', () => {
    expect(messages('virtual_server_group G {\n  10.0.0.0/16 80\n}\n')).toEqual([
      'error line 2: virtual_server_group G: "10.0.0.0/16" covers 65536 addresses; at most 4096 per entry can be imported',
    ]);
    const many = Array.from({ length: 25 }, (_, i) => `  10.${i}.0.0/20 80`).join('\n');
    const result = read(`virtual_server_group G {\n${many}\n}\n`);
    expect(result.ok).toBe(false);
    expect(result.notes.map((n) => `${n.line}: ${n.message}`)).toEqual([
      '26: virtual_server_group G: the groups list more than 100000 addresses in all; the console imports at most 100000 services',
    ]);
  });

  it('a virtual server without real servers is not imported, as keepalived ignores it', () => {
    const result = read('virtual_server 192.0.2.1 80 {\n protocol TCP\n}\n');
    expect(result.ok).toBe(true);
    expect(result.state.services).toEqual([]);
    expect(result.notes[0]?.message).toBe('virtual server 192.0.2.1:80 has no real servers; keepalived ignores it, so it is not imported');
  });

  it('global_defs: lvs_timeouts (unset = unchanged) and lvs_sync_daemon', () => {
    const result = read(
      'vrrp_instance VI_1 {\n virtual_router_id 51\n}\nglobal_defs {\n  lvs_timeouts tcp 7200 udp 60\n  lvs_sync_daemon eth1 inst VI_1 port 8849\n}\n',
    );
    expect(result.ok).toBe(true);
    expect(result.state.timeouts).toEqual({ tcp: 7200, tcpFin: 0, udp: 60 });
    expect(result.state.syncDaemons).toEqual([
      { state: 'master', interface: 'eth1', syncId: 51, port: 8849 },
      { state: 'backup', interface: 'eth1', syncId: 51, port: 8849 },
    ]);
  });
});

describe('health checks', () => {
  it('maps checker timing with keepalived inheritance and defaults', () => {
    const text = [
      'virtual_server 192.0.2.1 80 {',
      '  protocol TCP',
      '  lvs_sched rr',
      '  lvs_method DR',
      '  delay_loop 10',
      '  inhibit_on_failure',
      '  alpha',
      '  quorum 2',
      '  hysteresis 1',
      '  sorry_server 10.0.0.99 80',
      '  real_server 10.0.0.1 80 {',
      '    weight 2',
      '    connect_timeout 4',
      '    TCP_CHECK {',
      '      connect_port 8081',
      '      retry 2',
      '      delay_before_retry 10',
      '      warmup 3',
      '    }',
      '  }',
      '  real_server 10.0.0.2 80 {',
      '    weight 2',
      '    connect_timeout 4',
      '    TCP_CHECK {',
      '      connect_port 8081',
      '      retry 2',
      '      delay_before_retry 10',
      '      warmup 3',
      '    }',
      '  }',
      '}',
    ].join('\n');
    const result = read(text);
    expect(result.ok).toBe(true);
    expect(result.notes).toEqual([]);
    expect(result.state.services[0]?.health).toEqual({
      enabled: true,
      checks: [{ kind: 'tcp', intervalMs: 10_000, timeoutMs: 4000, rise: 1, fall: 3, warmupMs: 3000, target: { port: 8081 } }],
      destinations: {},
      onFailure: 'quiesce',
      quorum: 2,
      hysteresis: 1,
      alpha: true,
      sorryServer: { address: '10.0.0.99', port: 80, forwarding: 'route', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
      sorryServerReplaces: true,
      historySize: 30,
      drains: {},
    });
  });

  it('HTTP_GET and SSL_GET: one check per url, status codes, virtualhost, default 200-299', () => {
    const text = [
      'virtual_server 192.0.2.1 443 {',
      ' protocol TCP',
      ' lvs_sched rr',
      ' lvs_method NAT',
      ' virtualhost www.example.com',
      ' real_server 10.0.0.1 8443 {',
      '  SSL_GET {',
      '   url { path /health\n status_code 200 204 300-302 }',
      '   url { path /ready\n digest 640205b7b0fc66c1ea91c463fac6334d }',
      '   connect_timeout 3\n delay_before_retry 60',
      '  }',
      ' }',
      '}',
    ].join('\n');
    const result = read(text);
    expect(result.ok).toBe(true);
    const checks = result.state.services[0]?.health?.checks;
    expect(checks).toEqual([
      {
        kind: 'https',
        intervalMs: 60_000,
        timeoutMs: 3000,
        rise: 1,
        fall: 2,
        target: {},
        path: '/health',
        host: 'www.example.com',
        expectStatus: [
          { min: 200, max: 200 },
          { min: 204, max: 204 },
          { min: 300, max: 302 },
        ],
        verifyTls: false,
      },
      {
        kind: 'https',
        intervalMs: 60_000,
        timeoutMs: 3000,
        rise: 1,
        fall: 2,
        target: {},
        path: '/ready',
        host: 'www.example.com',
        expectStatus: [{ min: 200, max: 299 }],
        verifyTls: false,
      },
    ]);
    expect(result.notes.map((n) => `${n.line}: ${n.message}`)).toEqual([
      '11: SSL_GET digest (MD5 of the body) is not supported by the console; the status code is checked, not the digest',
    ]);
  });

  it('MISC_CHECK becomes a command check with a warning that command checks must be allowed', () => {
    const text =
      'virtual_server 192.0.2.1 80 {\n protocol TCP\n lvs_sched rr\n lvs_method DR\n delay_loop 5\n real_server 10.0.0.1 80 {\n  MISC_CHECK {\n   misc_path "/usr/local/bin/check \'a b\' c"\n   misc_timeout 2\n   misc_dynamic\n  }\n }\n}\n';
    const result = read(text);
    expect(result.ok).toBe(true);
    expect(result.state.services[0]?.health?.checks).toEqual([
      {
        kind: 'command',
        intervalMs: 5000,
        timeoutMs: 2000,
        rise: 1,
        fall: 1,
        target: {},
        program: '/usr/local/bin/check',
        args: ['a b', 'c'],
        expectExitCode: 0,
        dynamicWeight: true,
      },
    ]);
    expect(result.notes.map((n) => [n.line, n.level])).toEqual([[7, 'warning']]);
    expect(result.notes[0]?.message).toContain('command checks run programs on the director and must be allowed there');
    const shell = read(text.replace('/usr/local/bin/check', '/bin/sh -c'));
    expect(shell.state.services[0]?.health).toBeUndefined();
    expect(shell.notes[0]?.message).toMatch(/never a shell/);
  });

  it('DNS_CHECK and UDP_CHECK', () => {
    const text =
      'virtual_server 192.0.2.1 53 {\n protocol UDP\n lvs_sched rr\n lvs_method DR\n delay_loop 5\n real_server 10.0.0.1 53 {\n  DNS_CHECK {\n   type A\n   name www.example.com\n   connect_timeout 2\n  }\n  UDP_CHECK {\n   payload 0a1B 3\n   require_reply 0a\n   connect_timeout 1\n   retry 0\n  }\n }\n}\n';
    const result = read(text);
    expect(result.ok).toBe(true);
    expect(result.notes).toEqual([]);
    expect(result.state.services[0]?.health?.checks).toEqual([
      { kind: 'dns', intervalMs: 5000, timeoutMs: 2000, rise: 1, fall: 4, target: {}, name: 'www.example.com', recordType: 'A' },
      {
        kind: 'udp',
        intervalMs: 5000,
        timeoutMs: 1000,
        rise: 1,
        fall: 1,
        target: {},
        payload: { encoding: 'hex', text: '0a1b03' },
        requireReply: true,
        expect: { encoding: 'hex', text: '0a' },
      },
    ]);
  });

  it('real servers without checks are disabled; different checks become overrides; unsupported checkers are warnings', () => {
    const text =
      'virtual_server 192.0.2.1 80 {\n protocol TCP\n lvs_sched rr\n lvs_method DR\n real_server 10.0.0.1 80 {\n  TCP_CHECK { }\n }\n real_server 10.0.0.2 80 {\n  TCP_CHECK { connect_timeout 2 }\n }\n real_server 10.0.0.3 80 {\n  BFD_CHECK { name x }\n  notify_up /bin/true\n }\n}\n';
    const result = read(text);
    expect(result.ok).toBe(true);
    const health = result.state.services[0]?.health;
    expect(health?.destinations['10.0.0.3:80']).toEqual({ disabled: true });
    expect(health?.destinations['10.0.0.2:80']?.checks?.[0]?.timeoutMs).toBe(2000);
    expect(health?.onFailure).toBe('remove');
    expect(result.notes.map((n) => `${n.line}: ${n.message}`)).toEqual([
      '1: checkers retry 1 s after a failure in keepalived (delay_before_retry); the console probes every delay_loop (60 s), so a failure is confirmed later',
      '12: BFD_CHECK is not supported by the console; this check is not imported',
      '13: notify_up script is not run by the console; the console shows state changes in its event log instead',
    ]);
  });

  it('quorum above the total weight is reduced as keepalived does', () => {
    const result = read(
      'virtual_server 192.0.2.1 80 {\n protocol TCP\n lvs_sched rr\n lvs_method DR\n quorum 10\n hysteresis 10\n real_server 10.0.0.1 80 { weight 3\n TCP_CHECK { } }\n}\n',
    );
    expect(result.state.services[0]?.health).toMatchObject({ quorum: 3, hysteresis: 2 });
  });
});
