// For the service's forwarding method: what the director and each real
// server need. The director's rows come from the agent (checked live, fixable
// in one click); real servers get a copyable shell snippet each.
import { useMutation } from '@tanstack/react-query';
import type { Service } from '@lvs-console/shared';
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

const METHOD_TEXT = { masq: 'NAT', route: 'DR', tunnel: 'TUN' } as const;

export default function RealServerSetup({ service }: { service: Service }) {
  const sid = serviceId(service.key);
  const hostStatus = useHostStatus();
  const snapshot = useSnapshot();
  const isAdmin = useIsAdmin();
  const revision = useRevision();
  const invalidate = useInvalidateAfterChange();
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
          {service.destinations.map((d) => {
            const endpoint = formatEndpoint(d.address, d.port);
            const method = METHOD_TEXT[d.forwarding];
            let text: string;
            if (d.forwarding === 'masq') {
              text = `#!/bin/sh\n# NAT: replies must return through the director.\n# Make the director's address on this network (the DIP) the default gateway:\nip route replace default via DIP_OF_DIRECTOR\n`;
            } else {
              const rows = realServerRequirements({ mode: d.forwarding === 'route' ? 'dr' : 'tun', vips: vip ? [vip] : [] });
              text = renderShellSnippet(rows);
            }
            return (
              <section key={endpoint} aria-label={`Setup of ${endpoint}`}>
                <h3 className="mb-1 text-sm font-medium"><span className="font-mono">{endpoint}</span> · {method}</h3>
                <p className="mb-1 text-xs text-slate-600">
                  {d.forwarding === 'route' ? 'DR: the VIP on lo as a host address, and the server must never answer ARP for it (arp_ignore=1, arp_announce=2).' : null}
                  {d.forwarding === 'tunnel' ? 'TUN: the ipip module, the VIP on tunl0, rp_filter relaxed so decapsulated packets are accepted.' : null}
                  {d.forwarding === 'masq' ? 'NAT: nothing on the server but its route back through the director.' : null}
                  {serviceFamily(service.key) === 'inet6' ? ' (IPv6: use the net.ipv6 equivalents.)' : null}
                  {' '}The agent cannot see this server: run the snippet on it.
                </p>
                <Snippet text={text} label={`Copy setup snippet for ${endpoint}`} />
              </section>
            );
          })}
          {service.destinations.length === 0 ? <p className="text-sm text-slate-600">No real servers yet.</p> : null}
        </div>
      </Panel>
    </div>
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
