// Issue 16, defect 2: the realserver token cannot exhaust the director's
// memory, and speaks only for real servers the desired state names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealServerReports } from '@lvs-console/shared/api';
import { ManualClock } from '../../src/config/clock';
import { MAX_REAL_SERVERS, REPORT_MAX_BYTES, RealServerRegistry, type RealServerReportIn } from '../../src/realservers/registry';
import { REALSERVER_TOKEN, VIEWER_TOKEN, data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

const CONFIGURED_RIP = '198.51.100.21';

function report(address: string, rows = 1, message = 'arp_ignore is 1'): RealServerReportIn {
  return {
    address,
    mode: 'dr',
    vips: ['203.0.113.10'],
    rows: Array.from({ length: rows }, (_, i) => ({
      setting: { kind: 'sysctl', name: `net.ipv4.conf.all.arp_ignore${i ? `_${i}` : ''}`, value: '1', reason: '' },
      actual: '1',
      ok: true,
      message,
    })),
  };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('real-server reports over HTTP', () => {
  it('accepts a report for a configured real server and audits its first report once', async () => {
    const first = await trpcMutation(h.url, 'realServers.report', report(CONFIGURED_RIP), REALSERVER_TOKEN);
    expect(first.status).toBe(200);
    await trpcMutation(h.url, 'realServers.report', report(CONFIGURED_RIP), REALSERVER_TOKEN);
    const audit = data<Array<{ what: string }>>(await trpcQuery(h.url, 'audit.list', { limit: 50 }));
    expect(audit.filter((e) => e.what.startsWith(`real server ${CONFIGURED_RIP}`))).toHaveLength(1);
  });

  it('refuses a realserver token speaking for an address no service names', async () => {
    const response = await trpcMutation(h.url, 'realServers.report', report('192.0.2.250'), REALSERVER_TOKEN);
    expect(response.status).toBe(404);
    expect(response.body.error?.message).toMatch(/not a real server of any service/);
    const list = data<RealServerReports>(await trpcQuery(h.url, 'realServers.list', undefined, VIEWER_TOKEN));
    expect(list.reports.map((r) => r.address)).not.toContain('192.0.2.250');
  });

  it('refuses a report larger than the per-report limit and keeps nothing of it', async () => {
    const big = report(CONFIGURED_RIP, 150, 'm'.repeat(400));
    const response = await trpcMutation(h.url, 'realServers.report', big, REALSERVER_TOKEN);
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toMatch(new RegExp(`limited to ${REPORT_MAX_BYTES} bytes`));
    const list = data<RealServerReports>(await trpcQuery(h.url, 'realServers.list', undefined, VIEWER_TOKEN));
    expect(JSON.stringify(list)).not.toContain('mmmm');
  });
});

describe('the registry bounds', () => {
  it('remembers at most MAX_REAL_SERVERS real servers, so a list answer stays bounded', () => {
    const registry = new RealServerRegistry(new ManualClock());
    for (let i = 0; i < MAX_REAL_SERVERS; i++) registry.report(report(`10.${(i >> 8) & 255}.${i & 255}.1`, 20));
    expect(() => registry.report(report('10.200.0.1'))).toThrow(/already tracks 1000 real servers/);
    const bytes = Buffer.byteLength(JSON.stringify(registry.list()));
    expect(bytes).toBeLessThan(MAX_REAL_SERVERS * (REPORT_MAX_BYTES + 1024));
  });
});
