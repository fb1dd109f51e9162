// One virtual service: topology, real servers and weights, scheduler,
// persistence, health checks; the live `watch` view; connections; real-server setup.
import { lazy, Suspense } from 'react';
import { Link } from '@tanstack/react-router';
import { destinationId, parseServiceId, serviceId, serviceLabel } from '@lvs-console/shared';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { Age } from '../../components/ui/age';
import { serviceViews, useIsAdmin, useSnapshot } from '../../lib/agent';
import { dipText, layoutTopology } from '../topology/layout';
import { TopologyDiagram, usePhoneWidth } from '../topology/topology-diagram';
import { RealServersTable } from '../weights/real-servers-table';
import { AddDestinationForm } from '../weights/add-destination-form';
import { SchedulerPicker } from '../schedulers/scheduler-picker';
import { PersistenceForm } from './persistence-form';
import { RemoveServiceButton } from './remove-service-button';
import { ZeroCountersButton } from './zero-counters-button';
import { useFailingDestinations } from '../sim/use-sim-status';
import { useHostStatus, problemText } from '../realservers/host-problems';
import { useRealServerReports } from '../realservers/use-real-server-reports';
import { localHostMessage } from '../realservers/host-messages';
import { reportForDestination } from '../realservers/real-server-reports';
import { DRIFT_TEXT, useServiceDrift } from '../changes/use-drift';
import { useHealthStatus } from '../health/use-health-status';
import { msg, t, t as translate } from '../../lib/i18n';

const WatchView = lazy(() => import('../stats/watch-view'));
const ConnectionsView = lazy(() => import('../connections/connections-view'));
const RealServerSetup = lazy(() => import('../realservers/real-server-setup'));
// The health form is large and rarely edited: kept out of the first screen's bundle.
const HealthEditor = lazy(() => import('../health/health-editor'));

export const SERVICE_TABS = ['overview', 'watch', 'connections', 'setup'] as const;
export type ServiceTab = (typeof SERVICE_TABS)[number];

const TAB_LABELS: Record<ServiceTab, string> = {
  overview: msg('Overview'),
  watch: msg('Watch (live charts)'),
  connections: msg('Connections'),
  setup: msg('Real servers setup'),
};
/** Each tab is a route of its own (routes.tsx). */
const TAB_ROUTES = {
  overview: '/services/$id',
  watch: '/services/$id/watch',
  connections: '/services/$id/connections',
  setup: '/services/$id/setup',
} as const satisfies Record<ServiceTab, string>;

export default function ServicePage({ id, tab }: { id: string; tab: ServiceTab }) {
  const snapshot = useSnapshot();
  const isAdmin = useIsAdmin();
  const failing = useFailingDestinations(id);
  const hostStatus = useHostStatus();
  const phone = usePhoneWidth();
  const reports = useRealServerReports().data?.reports;
  const health = useHealthStatus(id).data?.services[0];
  const view = serviceViews(snapshot.data).find((v) => v.id === id);
  const driftById = useServiceDrift();
  const key = view?.desired?.key ?? view?.observed?.key ?? parseServiceId(id);

  if (!key) return <Notice tone="error">{t('"{{id}}" is not a service id.', { id })}</Notice>;
  if (snapshot.data && !view) {
    return (
      <Notice tone="warn">
        {t('Service {{service}} does not exist (any more).', { service: serviceLabel(key) })}{' '}
        <Link to="/" className="underline">
          {t('Back to services')}
        </Link>
      </Notice>
    );
  }
  const svc = view?.desired ?? view?.observed ?? null;
  const sid = serviceId(key);
  const hostService = hostStatus.data?.services.find((s) => s.service === sid);
  const vip = hostService?.vip ?? null;
  // A missing VIP stops the whole service: it leads the director's problems.
  const vipText = vip ? localHostMessage(vip) : '';
  const directorProblems = [...(vip && !vip.ok ? [vipText] : []), ...(hostService?.settings ?? []).filter((s) => !s.ok).map(problemText)];
  const observedById = new Map((view?.observed?.destinations ?? []).map((d) => [destinationId(d), d]));
  const snat = snapshot.data?.desired.hostSettings.find((s) => s.kind === 'snat' && serviceId(s.service) === sid);
  const layout = layoutTopology({
    orientation: phone ? 'vertical' : 'horizontal',
    serviceKey: key,
    servers: (svc?.destinations ?? []).map((d) => {
      const live = observedById.get(destinationId(d));
      const healthView = health?.destinations.find((h) => h.id === destinationId(d));
      return {
        // The diagram draws the kernel's weight: a tracked drain or failing check is 0 there.
        destination: typeof healthView?.effectiveWeight === 'number' ? { ...d, weight: healthView.effectiveWeight } : d,
        // The stats stream's 1 s rate (the kernel's own smoothed rate until the first sample).
        cps: live?.rates.cps ?? 0,
        activeConns: live?.activeConns ?? 0,
        overloaded: live?.overloaded,
        failing: failing.has(destinationId(d)) || healthView?.status === 'down',
        report: reportForDestination(reports, d),
      };
    }),
    // FULLNAT's SNAT address is what real servers see; otherwise the director's own source toward them.
    dip: snat?.kind === 'snat' ? snat.sourceAddress : dipText(hostService?.directorAddresses),
    hostSettings: snapshot.data?.desired.hostSettings,
    directorProblems,
    vipHolder: vip?.mode === 'vrrp' ? vip.holder : null,
  });
  const drift = driftById.get(sid);

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <Link to="/" className="text-sm text-blue-800 hover:underline">
          {t('← Services')}
        </Link>
        <h1 className="font-mono text-lg font-semibold">{serviceLabel(key)}</h1>
        <span className="rounded bg-slate-200 px-2 py-0.5 text-xs">{layout.method}</span>
        {svc ? <span className="rounded bg-slate-200 px-2 py-0.5 font-mono text-xs">{svc.scheduler}</span> : null}
        <Age at={snapshot.data?.observedAt} label={t('kernel observed')} />
        {drift ? (
          <span className="text-sm text-amber-800">
            ⚠ {t(DRIFT_TEXT[drift])} —{' '}
            <Link className="underline" to="/changes">
              {t('review')}
            </Link>
          </span>
        ) : null}
        {isAdmin && view?.desired ? (
          <div className="ml-auto flex flex-wrap gap-2">
            {view.observed ? <ZeroCountersButton serviceKey={key} /> : null}
            <RemoveServiceButton serviceKey={key} />
          </div>
        ) : null}
      </div>
      <nav aria-label={t('Service views')}>
        {/* One row at any width: a narrow screen scrolls the tabs sideways. The
            bottom line is an inset shadow, so the active tab covers it without
            reaching outside the scrolling box. */}
        <ul className="flex gap-1 overflow-x-auto shadow-[inset_0_-1px_0_var(--color-slate-300)]">
          {SERVICE_TABS.map((t) => (
            <li key={t} className="shrink-0">
              <Link
                to={TAB_ROUTES[t]}
                params={{ id }}
                activeOptions={{ exact: true, includeSearch: false }}
                aria-current={t === tab ? 'page' : undefined}
                className={`inline-block rounded-t border px-2.5 py-1.5 text-sm whitespace-nowrap sm:px-3 ${t === tab ? 'border-slate-300 border-b-white bg-white font-medium' : 'border-transparent text-slate-600 hover:text-slate-900'}`}
              >
                {translate(TAB_LABELS[t])}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Suspense
        fallback={
          <p role="status" className="text-sm text-slate-600">
            {t('Loading…')}
          </p>
        }
      >
        {tab === 'overview' && svc ? (
          <div className="flex flex-col gap-3">
            {vip && !vip.ok ? <Notice tone="error">{t('No traffic reaches this service: {{reason}}.', { reason: vipText })}</Notice> : null}
            <div className="grid grid-cols-1 gap-3 xl:grid-cols-[minmax(0,1fr)_400px]">
              <Panel title={t('Topology')}>
                <TopologyDiagram layout={layout} />
              </Panel>
              <div className="flex min-w-0 flex-col gap-3">
                {view?.desired ? (
                  <Panel title={t('Scheduler')}>
                    <SchedulerPicker service={view.desired} observed={view.observed} failing={failing} isAdmin={isAdmin} />
                  </Panel>
                ) : (
                  <Notice tone="warn">{t('This service exists only in the kernel. Adopt or revert it on the Changes page.')}</Notice>
                )}
              </div>
            </div>
            <Panel title={t('Real servers')}>
              <RealServersTable serviceKey={key} desired={view?.desired ?? null} observed={view?.observed ?? null} failing={failing} isAdmin={isAdmin} />
            </Panel>
            <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">
              {isAdmin && view?.desired ? (
                <Panel title={t('Add real server')}>
                  <AddDestinationForm serviceKey={key} defaultForwarding={svc.destinations[0]?.forwarding ?? 'route'} />
                </Panel>
              ) : null}
              {view?.desired ? (
                <Panel title={t('Persistence')}>
                  <PersistenceForm service={view.desired} isAdmin={isAdmin} />
                </Panel>
              ) : null}
            </div>
            {view?.desired ? (
              <Panel title={t('Health checks')}>
                <Suspense
                  fallback={
                    <p role="status" className="text-sm text-slate-600">
                      {t('Loading health settings…')}
                    </p>
                  }
                >
                  <HealthEditor key={sid} service={view.desired} isAdmin={isAdmin} />
                </Suspense>
              </Panel>
            ) : null}
          </div>
        ) : null}
        {tab === 'watch' ? (
          <WatchView
            serviceIdValue={sid}
            destinationCount={snapshot.data ? Math.max(svc?.destinations.length ?? 0, view?.observed?.destinations.length ?? 0) : null}
          />
        ) : null}
        {tab === 'connections' ? <ConnectionsView serviceKey={key} /> : null}
        {tab === 'setup' && svc ? <RealServerSetup service={svc} /> : null}
      </Suspense>
    </div>
  );
}
