// What a real server's own agent reported, judged for one destination of one
// service: its failing settings, a stale report, or an agent set up for
// another VIP or method (its checklist would then pass without covering this
// service). Pure: the diagram, the overview and the setup screen share it.
import type { Destination, ServiceKey } from '@lvs-console/shared';
import { canonicalIp } from '@lvs-console/shared';
import type { RealServerReport } from '@lvs-console/shared/api';
import { t } from '../../lib/i18n';

export type ReportedDestination = Pick<Destination, 'address' | 'forwarding'>;
export type JudgedReport = Pick<RealServerReport, 'mode' | 'vips' | 'rows' | 'stale'>;

export interface ReportFindings {
  state: 'ok' | 'failing' | 'stale';
  /** Failing rows in the report's words ("net.ipv4.conf.all.arp_ignore is 0, should be 1"); empty when stale, as nothing current is known. */
  failingRows: string[];
  /** Whole sentences naming the server: its agent checks another method, or not this service's VIP. */
  scope: string[];
}

const MODE_OF_FORWARDING = { route: 'dr', tunnel: 'tun' } as const;

function sameAddress(a: string, b: string): boolean {
  return (canonicalIp(a) ?? a) === (canonicalIp(b) ?? b);
}

/** The report of a DR or TUN destination's host; NAT real servers run no agent. */
export function reportForDestination<T extends Pick<RealServerReport, 'address'>>(
  reports: readonly T[] | undefined,
  destination: ReportedDestination,
): T | null {
  if (destination.forwarding === 'masq' || !reports) return null;
  return reports.find((r) => sameAddress(r.address, destination.address)) ?? null;
}

export function scopeProblems(report: Pick<RealServerReport, 'mode' | 'vips'>, destination: ReportedDestination, serviceKey: ServiceKey): string[] {
  const problems: string[] = [];
  const wanted = destination.forwarding === 'masq' ? null : MODE_OF_FORWARDING[destination.forwarding];
  if (wanted && report.mode !== wanted) {
    problems.push(
      t('the agent on {{address}} checks {{mode}} settings, the service uses {{wanted}}', {
        address: destination.address,
        mode: report.mode.toUpperCase(),
        wanted: wanted.toUpperCase(),
      }),
    );
  }
  if (serviceKey.kind === 'addr' && !report.vips.some((vip) => sameAddress(vip, serviceKey.address))) {
    problems.push(t('the agent on {{address}} does not check VIP {{vip}} (add --vip {{vip}})', { address: destination.address, vip: serviceKey.address }));
  }
  return problems;
}

export function reportFindings(report: JudgedReport, destination: ReportedDestination, serviceKey: ServiceKey): ReportFindings {
  if (report.stale) return { state: 'stale', failingRows: [], scope: [] };
  const failingRows = report.rows.filter((row) => !row.ok).map((row) => row.message);
  const scope = scopeProblems(report, destination, serviceKey);
  return { state: failingRows.length + scope.length > 0 ? 'failing' : 'ok', failingRows, scope };
}

/** One line per problem, each naming the server: "… is 0, should be 1 on 198.51.100.21". */
export function problemLines(findings: ReportFindings, address: string): string[] {
  return [...findings.failingRows.map((message) => t('{{problem}} on {{address}}', { problem: message, address })), ...findings.scope];
}

/** Whether any DR/TUN server of a service has a current report with failing settings. */
export function serviceHasFailingReports(
  serviceKey: ServiceKey,
  destinations: readonly ReportedDestination[],
  reports: readonly RealServerReport[] | undefined,
): boolean {
  return destinations.some((d) => {
    const report = reportForDestination(reports, d);
    return report !== null && reportFindings(report, d, serviceKey).state === 'failing';
  });
}

/** The command that runs a real server's own agent, reporting to this director. */
export function realServerAgentCommand(options: { directorUrl: string; mode: 'dr' | 'tun'; vip: string | null; address: string }): string {
  // Placeholders are quoted: pasted unchanged, `<...>` would be a shell redirection.
  return [
    `lvs-console serve --role realserver --mode ${options.mode} \\`,
    `  --vip ${options.vip ?? "'<VIP>'"} --address ${options.address} \\`,
    `  --report-to ${options.directorUrl} \\`,
    `  --report-token '<realserver token>'`,
  ].join('\n');
}
