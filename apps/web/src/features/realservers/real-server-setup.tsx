// For the service's forwarding method: what the director and each real
// server need. The director's rows come from the agent (checked live, fixable
// in one click). A DR/TUN real server that runs its own agent shows the
// checklist it reports; the others get a copyable shell snippet and the
// command that runs that agent.
import { useMutation } from '@tanstack/react-query';
import type { Destination, Service } from '@lvs-console/shared';
import { formatEndpoint, serviceFamily } from '@lvs-console/shared';
import { directorRequirements, mergeHostSettings, realServerRequirements, renderShellSnippet } from '@lvs-console/shared/host';
import { Button } from '../../components/ui/button';
import { CopyButton } from '../../components/ui/copy-button';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { noteRevision, useInvalidateAfterChange, useIsAdmin, useRevision, useSnapshot } from '../../lib/agent';
import { errorMessage, trpcClient } from '../../lib/trpc';
import { useHostStatus } from './host-problems';
import { serviceId } from '@lvs-console/shared';
import type { RealServerReports } from '@lvs-console/shared/api';
import { realServerAgentCommand, reportForDestination } from './real-server-reports';
import { RealServerReportView } from './real-server-report-view';
import { useRealServerReports } from './use-real-server-reports';

const METHOD_TEXT = { masq: 'NAT', route: 'DR', tunnel: 'TUN' } as const;

export default function RealServerSetup({ service }: { service: Service }) {
  const sid = serviceId(service.key);
  const hostStatus = useHostStatus();
  const snapshot = useSnapshot();
  const isAdmin = useIsAdmin();
  const revision = useRevision();
  const invalidate = useInvalidateAfterChange();
  const reports = useRealServerReports().data;
  const checked = hostStatus.data?.services.find((s) => s.service === sid)?.settings ?? [];
  const required = directorRequirements(service);
  const vip = service.key.kind === 'addr' ? service.key.address : null;

  const fix = useMutation({
    mutationFn: async () => {
      const desired = snapshot.data?.desired.hostSettings ?? [];
      const merged = mergeHostSettings([...desired, ...required]);
      const saved = await trpcClient.host.setSettings.mutate({ baseRevision: revision(), settings: merged });
      noteRevision(saved.revision);
      return trpcClient.host.apply.mutate({ baseRevision: saved.revision });
    },
    onSuccess: () => invalidate(),
  });

  return (
    <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">
      <Panel title="Director">
        {!hostStatus.data?.available ? (
          <Notice tone="info">The agent cannot check this host's settings{hostStatus.data?.label ? ` (${hostStatus.data.label})` : ''}. Apply the snippet below by hand.</Notice>
        ) : null}
        <ul className="flex flex-col gap-1 text-sm">
          {(checked.length > 0 ? checked.map((s) => ({ id: s.id, text: s.description, ok: s.ok, detail: s.message ?? (s.actual ? `now ${s.actual}` : '') }))
            : required.map((r, i) => ({ id: `${i}`, text: r.reason || r.kind, ok: null as boolean | null, detail: '' }))).map((row) => (
            <li key={row.id} className="flex items-start gap-2">
              <span aria-hidden="true" className={row.ok === null ? 'text-slate-400' : row.ok ? 'text-green-700' : 'text-red-700'}>{row.ok === null ? '○' : row.ok ? '✓' : '✗'}</span>
              <span>{row.text}{row.ok === false ? <span className="text-red-700"> — missing{row.detail ? ` (${row.detail})` : ''}</span> : null}{row.ok === true ? <span className="sr-only"> — in place</span> : null}</span>
            </li>
          ))}
        </ul>
        {isAdmin && hostStatus.data?.available ? (
          <div className="mt-3 flex flex-col gap-2">
            <Button variant="primary" disabled={fix.isPending} onClick={() => fix.mutate()}>Fix director settings</Button>
            {fix.error ? <Notice tone="error">{errorMessage(fix.error)}</Notice> : null}
            {fix.data ? <Notice tone={fix.data.every((r) => r.ok) ? 'ok' : 'error'}>{fix.data.filter((r) => r.ok).length} of {fix.data.length} settings applied. {fix.data.filter((r) => !r.ok).map((r) => r.message).join(' ')}</Notice> : null}
          </div>
        ) : null}
        <details className="mt-3">
          <summary className="cursor-pointer text-sm">Shell snippet for the director</summary>
          <Snippet text={renderShellSnippet(required)} label="Copy director snippet" />
        </details>
      </Panel>
      <Panel title="Real servers">
        <div className="flex flex-col gap-4">
          {service.destinations.map((d) => (
            <RealServerSection key={formatEndpoint(d.address, d.port)} service={service} destination={d} vip={vip} reports={reports} isAdmin={isAdmin} />
          ))}
          {service.destinations.length === 0 ? <p className="text-sm text-slate-600">No real servers yet.</p> : null}
        </div>
      </Panel>
    </div>
  );
}

function RealServerSection({ service, destination: d, vip, reports, isAdmin }: {
  service: Service;
  destination: Destination;
  vip: string | null;
  reports: RealServerReports | undefined;
  isAdmin: boolean;
}) {
  const endpoint = formatEndpoint(d.address, d.port);
  const report = reportForDestination(reports?.reports, d);
  let snippet: string;
  if (d.forwarding === 'masq') {
    snippet = `#!/bin/sh\n# NAT: replies must return through the director.\n# Make the director's address on this network (the DIP) the default gateway:\nip route replace default via DIP_OF_DIRECTOR\n`;
  } else {
    snippet = renderShellSnippet(realServerRequirements({ mode: d.forwarding === 'route' ? 'dr' : 'tun', vips: vip ? [vip] : [] }));
  }
  return (
    <section aria-label={`Setup of ${endpoint}`}>
      <h3 className="mb-1 text-sm font-medium"><span className="font-mono">{endpoint}</span> · {METHOD_TEXT[d.forwarding]}</h3>
      <p className="mb-1 text-xs text-slate-600">
        {d.forwarding === 'route' ? 'DR: the VIP on lo as a host address, and the server must never answer ARP for it (arp_ignore=1, arp_announce=2).' : null}
        {d.forwarding === 'tunnel' ? 'TUN: the ipip module, the VIP on tunl0, rp_filter relaxed so decapsulated packets are accepted.' : null}
        {d.forwarding === 'masq' ? 'NAT: nothing on the server but its route back through the director.' : null}
        {serviceFamily(service.key) === 'inet6' ? ' (IPv6: use the net.ipv6 equivalents.)' : null}
        {d.forwarding === 'masq' ? ' The agent cannot see this server: run the snippet on it.' : null}
        {d.forwarding !== 'masq' && !report ? ' No agent reports from this server: run the snippet on it, or run the real-server agent there (below) to keep the settings and report them here.' : null}
      </p>
      {report ? (
        <>
          <RealServerReportView report={report} destination={d} serviceKey={service.key} isAdmin={isAdmin} />
          <details className="mt-2">
            <summary className="cursor-pointer text-sm">Shell snippet to apply by hand</summary>
            <Snippet text={snippet} label={`Copy setup snippet for ${endpoint}`} />
          </details>
        </>
      ) : <Snippet text={snippet} label={`Copy setup snippet for ${endpoint}`} />}
      {!report && d.forwarding !== 'masq' ? (
        <div className="mt-2 flex flex-col gap-1">
          <p className="text-xs text-slate-600">
            Real-server agent: applies the settings, keeps them, and reports them to this director (add <code>--fix on-request</code> to only report, and apply when an admin asks here).
            Replace <code>&lt;realserver token&gt;</code> with the director's realserver token: the director prints it when it starts and keeps it in <code>tokens.json</code> in its state directory (or set it with <code>--realserver-token</code>).
          </p>
          <Snippet
            text={realServerAgentCommand({ directorUrl: window.location.origin, mode: d.forwarding === 'route' ? 'dr' : 'tun', vip, address: d.address })}
            label={`Copy real-server agent command for ${endpoint}`} />
        </div>
      ) : null}
    </section>
  );
}

function Snippet({ text, label }: { text: string; label: string }) {
  return (
    <div className="relative">
      <pre className="overflow-x-auto rounded bg-slate-900 p-2 font-mono text-xs leading-5 text-slate-100">{text}</pre>
      <div className="absolute right-1 top-1"><CopyButton text={text} label={label} /></div>
    </div>
  );
}
