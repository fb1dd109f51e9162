// For the service's forwarding method: what the director and each real
// server need. The director's rows come from the agent (checked live, fixable
// after a confirmation that lists the commands). A DR/TUN real server that runs its own agent shows the
// checklist it reports; the others get a copyable shell snippet and the
// command that runs that agent.
import type { Destination, Service } from '@lvs-console/shared';
import { formatEndpoint, serviceFamily } from '@lvs-console/shared';
import { directorRequirements, realServerRequirements, renderShellSnippet } from '@lvs-console/shared/host';
import { CopyButton } from '../../components/ui/copy-button';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { useIsAdmin } from '../../lib/agent';
import { DirectorFix } from './director-fix';
import { useHostStatus } from './host-problems';
import { serviceId } from '@lvs-console/shared';
import type { RealServerReports } from '@lvs-console/shared/api';
import { realServerAgentCommand, reportForDestination } from './real-server-reports';
import { RealServerReportView } from './real-server-report-view';
import { useRealServerReports } from './use-real-server-reports';
import { t } from '../../lib/i18n';
import { Trans } from 'react-i18next';
import { localizeReason, localizeShellComments } from './localize-reasons';
import { localHostMessage, localHostSetting } from './host-messages';

const METHOD_TEXT = { masq: 'NAT', route: 'DR', tunnel: 'TUN' } as const;

export default function RealServerSetup({ service }: { service: Service }) {
  const sid = serviceId(service.key);
  const hostStatus = useHostStatus();
  const isAdmin = useIsAdmin();
  const reports = useRealServerReports().data;
  const checked = hostStatus.data?.services.find((s) => s.service === sid)?.settings ?? [];
  const required = directorRequirements(service);
  const vip = service.key.kind === 'addr' ? service.key.address : null;

  return (
    <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">
      <Panel title={t('Director')}>
        {!hostStatus.data?.available ? (
          <Notice tone="info">
            {t("The agent cannot check this host's settings{{detail}}. Apply the snippet below by hand.", {
              detail: hostStatus.data?.label ? ` (${hostStatus.data.label})` : '',
            })}
          </Notice>
        ) : null}
        <ul className="flex flex-col gap-1 text-sm">
          {(checked.length > 0
            ? checked.map((s) => ({
                id: s.id,
                text: localHostSetting(s.setting),
                ok: s.ok,
                detail: s.message ? localHostMessage(s) : s.actual ? t('now {{actual}}', { actual: s.actual }) : '',
              }))
            : required.map((r, i) => ({ id: `${i}`, text: r.reason ? localizeReason(r.reason) : r.kind, ok: null as boolean | null, detail: '' }))
          ).map((row) => (
            <li key={row.id} className="flex items-start gap-2">
              <span aria-hidden="true" className={row.ok === null ? 'text-slate-500' : row.ok ? 'text-green-700' : 'text-red-700'}>
                {row.ok === null ? '○' : row.ok ? '✓' : '✗'}
              </span>
              <span>
                {row.text}
                {row.ok === false ? (
                  <span className="text-red-700">
                    {' '}
                    {t('— missing')}
                    {row.detail ? ` (${row.detail})` : ''}
                  </span>
                ) : null}
                {row.ok === true ? <span className="sr-only"> {t('— in place')}</span> : null}
              </span>
            </li>
          ))}
        </ul>
        {isAdmin && hostStatus.data?.available ? <DirectorFix required={required} /> : null}
        <details className="mt-3">
          <summary className="cursor-pointer text-sm">{t('Shell snippet for the director')}</summary>
          <Snippet text={localizeShellComments(renderShellSnippet(required))} label={t('Copy director snippet')} />
        </details>
      </Panel>
      <Panel title={t('Real servers')}>
        <div className="flex flex-col gap-4">
          {service.destinations.map((d) => (
            <RealServerSection
              key={formatEndpoint(d.address, d.port)}
              service={service}
              destination={d}
              vip={vip}
              reports={reports}
              isAdmin={isAdmin}
              dip={hostStatus.data?.services.find((s) => s.service === sid)?.directorAddresses[d.address] ?? null}
            />
          ))}
          {service.destinations.length === 0 ? <p className="text-sm text-slate-600">{t('No real servers yet.')}</p> : null}
        </div>
      </Panel>
    </div>
  );
}

function RealServerSection({
  service,
  destination: d,
  vip,
  dip,
  reports,
  isAdmin,
}: {
  service: Service;
  destination: Destination;
  vip: string | null;
  /** The director's address toward this server (as its route says), when the agent could read it. */
  dip: string | null;
  reports: RealServerReports | undefined;
  isAdmin: boolean;
}) {
  const endpoint = formatEndpoint(d.address, d.port);
  const report = reportForDestination(reports?.reports, d);
  let snippet: string;
  if (d.forwarding === 'masq') {
    // The same DIP the topology shows; a placeholder only where the agent could not read the route.
    snippet = dip
      ? `#!/bin/sh\n# ${t('NAT: replies must return through the director.')}\n# ${t("Make the director's address on this network (the DIP) the default gateway:")}\nip route replace default via ${dip}\n`
      : `#!/bin/sh\n# ${t('NAT: replies must return through the director.')}\n# ${t("Make the director's address on this network (the DIP) the default gateway.")}\n# ${t('The agent could not read it on this host: replace DIP with that address.')}\nip route replace default via DIP\n`;
  } else {
    snippet = localizeShellComments(renderShellSnippet(realServerRequirements({ mode: d.forwarding === 'route' ? 'dr' : 'tun', vips: vip ? [vip] : [] })));
  }
  return (
    <section aria-label={t('Setup of {{server}}', { server: endpoint })}>
      <h3 className="mb-1 text-sm font-medium">
        <span className="font-mono">{endpoint}</span> · {METHOD_TEXT[d.forwarding]}
      </h3>
      <p className="mb-1 text-xs text-slate-600">
        {d.forwarding === 'route'
          ? t('DR: the VIP on lo as a host address, and the server must never answer ARP for it (arp_ignore=1, arp_announce=2).')
          : null}
        {d.forwarding === 'tunnel' ? t('TUN: the ipip module, the VIP on tunl0, rp_filter relaxed so decapsulated packets are accepted.') : null}
        {d.forwarding === 'masq' ? t('NAT: nothing on the server but its route back through the director.') : null}
        {serviceFamily(service.key) === 'inet6' ? t(' (IPv6: use the net.ipv6 equivalents.)') : null}
        {d.forwarding === 'masq' ? t(' The agent cannot see this server: run the snippet on it.') : null}
        {d.forwarding !== 'masq' && !report
          ? t(
              ' No agent reports from this server: run the snippet on it, or run the real-server agent there (below) to keep the settings and report them here.',
            )
          : null}
      </p>
      {report ? (
        <>
          <RealServerReportView report={report} destination={d} serviceKey={service.key} isAdmin={isAdmin} />
          <details className="mt-2">
            <summary className="cursor-pointer text-sm">{t('Shell snippet to apply by hand')}</summary>
            <Snippet text={snippet} label={t('Copy setup snippet for {{server}}', { server: endpoint })} />
          </details>
        </>
      ) : (
        <Snippet text={snippet} label={t('Copy setup snippet for {{server}}', { server: endpoint })} />
      )}
      {!report && d.forwarding !== 'masq' ? (
        <div className="mt-2 flex flex-col gap-1">
          <p className="text-xs text-slate-600">
            <Trans
              i18nKey={
                "Real-server agent: applies the settings, keeps them, and reports them to this director (add <code>--fix on-request</code> to only report, and apply when an admin asks here). Replace <code>{{token}}</code> with the director's realserver token: the director prints it when it starts and keeps it in <code>tokens.json</code> in its state directory (or set it with <code>--realserver-token</code>)."
              }
              values={{ token: '<realserver token>' }}
              components={{ code: <code /> }}
            />
          </p>
          <Snippet
            text={realServerAgentCommand({ directorUrl: window.location.origin, mode: d.forwarding === 'route' ? 'dr' : 'tun', vip, address: d.address })}
            label={t('Copy real-server agent command for {{server}}', { server: endpoint })}
          />
        </div>
      ) : null}
    </section>
  );
}

function Snippet({ text, label }: { text: string; label: string }) {
  return (
    <div className="relative">
      {/* Long comments wrap rather than hide under the copy button or past the edge. */}
      <pre className="whitespace-pre-wrap rounded bg-slate-900 p-2 pr-24 font-mono text-xs leading-5 text-slate-100 [overflow-wrap:anywhere]">{text}</pre>
      <div className="absolute right-1 top-1">
        <CopyButton text={text} label={label} />
      </div>
    </div>
  );
}
