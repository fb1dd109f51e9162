// keepalived.conf writer: what keepalived cannot express is a comment, and
// the file still reads back to what it can express.
import { describe, expect, it } from 'vitest';
import { readKeepalivedConf, writeKeepalivedConf, detectImportFormat } from '../../src/keepalived';
import { desiredStateSchema, type DesiredStateInput } from '../../src/model';

const base: DesiredStateInput = {
  services: [
    {
      key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 },
      scheduler: 'wrr',
      destinations: [
        { address: '10.0.0.1', port: 80, forwarding: 'route', weight: 3 },
        { address: '10.0.0.2', port: 80, forwarding: 'route', weight: 1 },
      ],
      health: {
        checks: [{ kind: 'http', path: '/health', rise: 2 }],
        slowStart: { durationMs: 30_000 },
        drains: { '10.0.0.2:80': { startedAt: 0, removeWhenDrained: true } },
      },
    },
    {
      key: { kind: 'fwmark', fwmark: 9, family: 'inet' },
      destinations: [],
    },
  ],
  hostSettings: [{ kind: 'sysctl', name: 'net.ipv4.ip_forward', value: '1', reason: 'NAT' }],
  syncDaemons: [{ state: 'master', interface: 'eth0', syncId: 3 }],
};

describe('writeKeepalivedConf', () => {
  const state = desiredStateSchema.parse(base);
  const text = writeKeepalivedConf(state);

  it('writes what keepalived cannot express as comments', () => {
    expect(text).toContain('# rise 2: keepalived brings a server up on its first successful check');
    expect(text).toContain('# slow start over 30000 ms in 10 steps: keepalived has no slow start');
    expect(text).toMatch(/# draining in the console since 1970-01-01T00:00:00.000Z \(to be removed when drained\)/);
    expect(text).toContain('# FWM 9 has no real servers: keepalived ignores such a virtual_server, so it is left out');
    expect(text).toContain('#   sysctl net.ipv4.ip_forward=1 (NAT)');
    expect(text).toContain('# sync daemons master on eth0 id 3: keepalived runs master and backup together from one lvs_sync_daemon line');
  });

  it('reads back to the expressible part: service, checks with rise 1, quiesce on failure', () => {
    const back = readKeepalivedConf(text);
    expect(back.ok).toBe(true);
    expect(back.state.services).toHaveLength(1);
    expect(back.state.syncDaemons).toEqual([]);
    const health = back.state.services[0]?.health;
    expect(health?.checks).toEqual([
      { kind: 'http', intervalMs: 5000, timeoutMs: 2000, rise: 1, fall: 3, target: {}, path: '/health', expectStatus: [{ min: 200, max: 399 }] },
    ]);
    expect(health?.onFailure).toBe('quiesce');
    expect(health?.drains).toEqual({});
  });

  it("health with no checks means a TCP connect, written out with the console's timing", () => {
    const noChecks = desiredStateSchema.parse({ services: [{ ...base.services?.[0], health: {} }] });
    const back = readKeepalivedConf(writeKeepalivedConf(noChecks));
    expect(back.state.services[0]?.health?.checks).toEqual([{ kind: 'tcp', intervalMs: 5000, timeoutMs: 2000, rise: 1, fall: 3, target: {} }]);
  });
});

describe('detectImportFormat', () => {
  it('tells JSON, keepalived.conf and ipvsadm text apart', () => {
    expect(detectImportFormat('  {"services": []}')).toBe('json');
    expect(detectImportFormat('! Configuration File for keepalived\n\nglobal_defs {\n}\n')).toBe('keepalived');
    expect(detectImportFormat('# virtual_server in a comment only\n-A -t 192.0.2.1:80 -s rr\n')).toBe('ipvsadm');
    expect(detectImportFormat('$ sudo ipvsadm -A -t 192.0.2.1:80 -s rr\n')).toBe('ipvsadm');
    expect(detectImportFormat('virtual_server fwmark 1 {\n}\n')).toBe('keepalived');
  });
});
