// Every virtual service at a glance: identity, method, scheduler, persistence,
// destinations up/total, live rates and connection numbers, and warnings.
import { useEffect } from 'react';
import { destinationId, serviceLabel } from '@lvs-console/shared';
import { Notice } from '../../components/ui/notice';
import { serviceViews, useIsAdmin, useSnapshot } from '../../lib/agent';
import { hrefFor, serviceHref } from '../../app/router';
import { topologyMethod } from '../topology/layout';
import { useLiveRates } from '../stats/use-live-rates';
import { formatRate } from '../stats/rates';
import { DRIFT_TEXT, useServiceDrift } from '../changes/use-drift';
import { useHostProblems } from '../realservers/host-problems';
import { useRealServerReports } from '../realservers/use-real-server-reports';
import { serviceHasFailingReports } from '../realservers/real-server-reports';
import { useSimStatus } from '../sim/use-sim-status';
import { useHealthStatus, type ServiceHealthView } from '../health/use-health-status';
import { t } from '../../lib/i18n';

/** Failing checks, a lost quorum and an active sorry server, as warning lines. */
function healthWarnings(view: ServiceHealthView | undefined): { lines: string[]; checkDown: Set<string> } {
  const checkDown = new Set<string>();
  const lines: string[] = [];
  if (!view) return { lines, checkDown };
  for (const dest of view.destinations) {
    if (dest.status === 'down') {
      checkDown.add(dest.id);
      lines.push(t('{{server}} health check failing', { server: dest.id }));
    }
  }
  if (view.quorum.lost && (view.enabled || view.quorum.sorryServer)) {
    lines.push(t('quorum lost (healthy weight {{healthy}} < {{required}})', { healthy: view.quorum.healthyWeight, required: view.quorum.required })
      + (view.quorum.sorryServerActive && view.quorum.sorryServer ? t(': sorry server {{server}} serving', { server: view.quorum.sorryServer }) : ''));
  }
  return { lines, checkDown };
}

let firstRenderMarked = false;

export function ServicesOverview() {
  const snapshot = useSnapshot();
  const isAdmin = useIsAdmin();
  const rates = useLiveRates(snapshot.data?.observed, snapshot.data?.observedAt);
  const hostProblems = useHostProblems();
  const reports = useRealServerReports().data?.reports;
  const failed = useSimStatus().data?.failed ?? [];
  const healthById = new Map((useHealthStatus().data?.services ?? []).map((view) => [view.id, view]));
  const views = serviceViews(snapshot.data);
  const driftById = useServiceDrift();

  useEffect(() => {
    // The first-render benchmark reads this mark (e2e/bench).
    if (snapshot.data && !firstRenderMarked) {
      firstRenderMarked = true;
      performance.mark('lvs-console:services-rendered');
    }
  }, [snapshot.data]);

  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-center gap-3">
        <h1 className="text-lg font-semibold">{t('Virtual services')}</h1>
        <span className="text-sm text-slate-600">{t('{{count}} services', { count: views.length })}</span>
        {isAdmin ? (
          <div className="ml-auto flex gap-2">
            <a href={hrefFor({ name: 'new-service' })} className="rounded bg-slate-800 px-2.5 py-1 text-sm font-medium text-white hover:bg-slate-700">{t('Add service')}</a>
            <a href={hrefFor({ name: 'import' })} className="rounded border border-slate-300 bg-white px-2.5 py-1 text-sm font-medium hover:bg-slate-50">{t('Import rules')}</a>
          </div>
        ) : null}
      </div>
      {snapshot.isPending ? <p role="status" className="text-sm text-slate-600">{t('Loading services…')}</p> : null}
      {snapshot.data && views.length === 0 ? <Notice>{t('No virtual services yet.')}{' '}{isAdmin ? t('Add one or import ipvsadm rules.') : ''}</Notice> : null}
      {views.length > 0 ? (
        <div className="overflow-x-auto rounded-md border border-slate-200 bg-white">
          <table className="w-full text-sm">
            <caption className="sr-only">{t('Virtual services')}</caption>
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-2">{t('Service')}</th>
                <th scope="col" className="px-3 py-2">{t('Method')}</th>
                <th scope="col" className="px-3 py-2">{t('Scheduler')}</th>
                <th scope="col" className="px-3 py-2">{t('Persistence')}</th>
                <th scope="col" className="px-3 py-2 text-right">{t('Servers up/total')}</th>
                <th scope="col" className="px-3 py-2 text-right">{t('New conn/s')}</th>
                <th scope="col" className="px-3 py-2 text-right">{t('Active')}</th>
                <th scope="col" className="px-3 py-2 text-right">{t('Inactive')}</th>
                <th scope="col" className="px-3 py-2">{t('Warnings')}</th>
              </tr>
            </thead>
            <tbody>
              {views.map((view) => {
                const svc = view.desired ?? view.observed;
                if (!svc) return null;
                const observedDests = view.observed?.destinations ?? [];
                const dests = view.desired?.destinations ?? observedDests;
                const method = topologyMethod(svc.key, dests.map((d) => d.forwarding), snapshot.data?.desired.hostSettings);
                const failing = failed.filter((f) => f.service === view.id).map((f) => f.destination);
                const up = observedDests.filter((d) => d.weight > 0 && !d.overloaded && !failing.includes(destinationId(d))).length;
                const active = observedDests.reduce((sum, d) => sum + d.activeConns, 0);
                const inactive = observedDests.reduce((sum, d) => sum + d.inactiveConns, 0);
                const drift = driftById.get(view.id);
                const health = healthWarnings(healthById.get(view.id));
                // A sim-failed server whose check is down is said once, by the health line.
                const simOnly = failing.filter((d) => !health.checkDown.has(d));
                const reportsFailing = serviceHasFailingReports(svc.key, dests, reports) ? t('real server settings failing') : '';
                const warnings = [drift ? t(DRIFT_TEXT[drift]) : '', ...simOnly.map((d) => t('{{server}} failing', { server: d })), ...health.lines, ...(hostProblems.get(view.id) ?? []), reportsFailing].filter(Boolean);
                const cps = rates.get(view.id)?.cps ?? view.observed?.rates.cps;
                return (
                  <tr key={view.id} className="border-t border-slate-100 hover:bg-slate-50">
                    <th scope="row" className="px-3 py-1.5 text-left font-normal">
                      <a href={serviceHref(view.id)} className="font-mono text-blue-800 underline-offset-2 hover:underline">{serviceLabel(svc.key)}</a>
                    </th>
                    <td className="px-3 py-1.5">{method === 'NONE' ? '—' : method}</td>
                    <td className="px-3 py-1.5 font-mono">{svc.scheduler}{svc.flags.length ? ` (${svc.flags.join(',')})` : ''}</td>
                    <td className="px-3 py-1.5">{svc.persistence ? t('{{seconds}} s', { seconds: svc.persistence.timeout }) : '—'}</td>
                    <td className="px-3 py-1.5 text-right font-mono">{up}/{dests.length}</td>
                    <td className="px-3 py-1.5 text-right font-mono">{cps === undefined ? '—' : formatRate(cps)}</td>
                    <td className="px-3 py-1.5 text-right font-mono">{active}</td>
                    <td className="px-3 py-1.5 text-right font-mono">{inactive}</td>
                    <td className="px-3 py-1.5 text-xs">
                      {warnings.length === 0 ? <span className="text-slate-500">{t('none')}</span> : (
                        <ul className="flex flex-col gap-0.5">
                          {warnings.map((w) => <li key={w} className="text-amber-800">⚠ {w}</li>)}
                        </ul>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
