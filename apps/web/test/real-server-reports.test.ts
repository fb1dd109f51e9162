import { describe, expect, it } from 'vitest';
import type { HostSetting, ServiceKey } from '@lvs-console/shared';
import type { RealServerReport } from '@lvs-console/shared/api';
import {
  problemLines,
  realServerAgentCommand,
  reportFindings,
  reportForDestination,
  serviceHasFailingReports,
} from '../src/features/realservers/real-server-reports';

const SERVICE: ServiceKey = { kind: 'addr', protocol: 'tcp', address: '203.0.113.10', port: 443 };
const ARP_IGNORE: HostSetting = { kind: 'sysctl', name: 'net.ipv4.conf.all.arp_ignore', value: '1', reason: '' };

function report(extra: Partial<RealServerReport> = {}): RealServerReport {
  return {
    address: '198.51.100.21',
    mode: 'dr',
    vips: ['203.0.113.10'],
    hostname: 'rs1',
    passed: false,
    receivedAt: 1,
    intervalSeconds: 30,
    stale: false,
    fixRequested: null,
    lastFix: null,
    rows: [{ setting: ARP_IGNORE, actual: '0', ok: false, message: 'net.ipv4.conf.all.arp_ignore is 0, should be 1' }],
    ...extra,
  };
}

describe('real-server reports', () => {
  it('finds the report of a DR or TUN server by address; NAT servers run no agent', () => {
    const reports = [report()];
    expect(reportForDestination(reports, { address: '198.51.100.21', forwarding: 'route' })).toBe(reports[0]);
    expect(reportForDestination(reports, { address: '198.51.100.21', forwarding: 'masq' })).toBeNull();
    expect(reportForDestination(reports, { address: '198.51.100.22', forwarding: 'route' })).toBeNull();
    expect(reportForDestination([report({ address: '2001:db8::1' })], { address: '2001:DB8:0::1', forwarding: 'tunnel' })).not.toBeNull();
  });

  it('lists failing rows with the server named, and says nothing current of a stale report', () => {
    const dest = { address: '198.51.100.21', forwarding: 'route' } as const;
    const findings = reportFindings(report(), dest, SERVICE);
    expect(findings.state).toBe('failing');
    expect(problemLines(findings, dest.address)).toEqual(['net.ipv4.conf.all.arp_ignore is 0, should be 1 on 198.51.100.21']);
    expect(reportFindings(report({ stale: true }), dest, SERVICE)).toEqual({ state: 'stale', failingRows: [], scope: [] });
    expect(reportFindings(report({ rows: [{ setting: ARP_IGNORE, actual: '1', ok: true, message: '' }] }), dest, SERVICE).state).toBe('ok');
  });

  it('a passing report for another VIP or method still fails: it does not cover this service', () => {
    const rows = [{ setting: ARP_IGNORE, actual: '1', ok: true, message: '' }];
    const otherVip = reportFindings(report({ rows, vips: ['203.0.113.99'] }), { address: '198.51.100.21', forwarding: 'route' }, SERVICE);
    expect(otherVip.scope).toEqual(['the agent on 198.51.100.21 does not check VIP 203.0.113.10 (add --vip 203.0.113.10)']);
    const otherMode = reportFindings(report({ rows }), { address: '198.51.100.21', forwarding: 'tunnel' }, SERVICE);
    expect(otherMode.scope).toEqual(['the agent on 198.51.100.21 checks DR settings, the service uses TUN']);
  });

  it('flags a service when a current report of one of its servers fails', () => {
    const dests = [
      { address: '198.51.100.21', forwarding: 'route' as const },
      { address: '198.51.100.22', forwarding: 'route' as const },
    ];
    expect(serviceHasFailingReports(SERVICE, dests, [report()])).toBe(true);
    expect(serviceHasFailingReports(SERVICE, dests, [report({ stale: true })])).toBe(false);
    expect(serviceHasFailingReports(SERVICE, dests, undefined)).toBe(false);
  });

  it('writes the command that runs the real-server agent, placeholders quoted for the shell', () => {
    expect(realServerAgentCommand({ directorUrl: 'https://lb1:8080', mode: 'dr', vip: '203.0.113.10', address: '198.51.100.21' })).toBe(
      [
        'lvs-console serve --role realserver --mode dr \\',
        '  --vip 203.0.113.10 --address 198.51.100.21 \\',
        '  --report-to https://lb1:8080 \\',
        "  --report-token '<realserver token>'",
      ].join('\n'),
    );
  });
});
