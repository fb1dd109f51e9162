// Sim traffic (simulated kernel only): arrival rate, client spread,
// connection duration, and failing a server, so an operator can watch round
// robin and weight changes play out live.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { destinationId, serviceLabel } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { SelectField, TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { serviceViews, useInvalidateAfterChange, useIsAdmin, useRevision, useSnapshot, useSystemInfo } from '../../lib/agent';
import { errorMessage, trpcClient } from '../../lib/trpc';
import { Link } from '@tanstack/react-router';
import { useSimStatus } from './use-sim-status';
import { t } from '../../lib/i18n';

export default function SimPage() {
  const info = useSystemInfo();
  const status = useSimStatus();
  const isAdmin = useIsAdmin();
  if (info.data && info.data.backend.kind !== 'sim') {
    return (
      <Notice tone="info">{t('Sim traffic exists only with the simulated kernel. This agent runs {{backend}}.', { backend: info.data.backend.label })}</Notice>
    );
  }
  return (
    <div className="flex flex-col gap-3">
      <h1 className="text-lg font-semibold">{t('Sim traffic')}</h1>
      <p className="text-sm text-slate-600">
        {t(
          'The simulated kernel moves synthetic connections through the real scheduler algorithms. Change the traffic here and watch a service’s charts and measured shares follow.',
        )}
      </p>
      {status.error ? <Notice tone="error">{errorMessage(status.error)}</Notice> : null}
      <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">
        <TrafficPanel isAdmin={isAdmin} current={status.data?.traffic ?? null} />
        <FailPanel isAdmin={isAdmin} failed={status.data?.failed ?? []} />
      </div>
    </div>
  );
}

interface Traffic {
  connectionsPerSecond: number;
  clients: number;
  meanDurationSeconds: number;
}

function TrafficPanel({ isAdmin, current }: { isAdmin: boolean; current: Traffic | null }) {
  const snapshot = useSnapshot();
  const revision = useRevision();
  const invalidate = useInvalidateAfterChange();
  const [service, setService] = useState('');
  const [rate, setRate] = useState<string | null>(null);
  const [clients, setClients] = useState<string | null>(null);
  const [duration, setDuration] = useState<string | null>(null);
  const views = serviceViews(snapshot.data);
  const apply = useMutation({
    mutationFn: () =>
      trpcClient.sim.setTraffic.mutate({
        baseRevision: revision(),
        ...(service ? { service } : {}),
        ...(rate !== null ? { connectionsPerSecond: Number(rate) } : {}),
        ...(clients !== null ? { clients: Math.max(1, Math.round(Number(clients))) } : {}),
        ...(duration !== null ? { meanDurationSeconds: Number(duration) } : {}),
      }),
    onSuccess: () => invalidate(),
  });
  return (
    <Panel title={t('Traffic')}>
      <div className="flex flex-wrap items-start gap-3">
        <SelectField label={t('Applies to')} value={service} disabled={!isAdmin} onChange={(e) => setService(e.target.value)}>
          <option value="">{t('every service')}</option>
          {views.map((v) => {
            const key = v.desired?.key ?? v.observed?.key;
            return key ? (
              <option key={v.id} value={v.id}>
                {serviceLabel(key)}
              </option>
            ) : null;
          })}
        </SelectField>
        <TextField
          label={t('New connections per second')}
          type="number"
          min={0}
          disabled={!isAdmin}
          value={rate ?? String(current?.connectionsPerSecond ?? '')}
          onChange={(e) => setRate(e.target.value)}
          className="w-44"
        />
        <TextField
          label={t('Distinct clients')}
          type="number"
          min={1}
          disabled={!isAdmin}
          value={clients ?? String(current?.clients ?? '')}
          onChange={(e) => setClients(e.target.value)}
          className="w-36"
          hint={t('few clients + sh/persistence = uneven')}
        />
        <TextField
          label={t('Mean connection duration (s)')}
          type="number"
          min={0.01}
          step={0.1}
          disabled={!isAdmin}
          value={duration ?? String(current?.meanDurationSeconds ?? '')}
          onChange={(e) => setDuration(e.target.value)}
          className="w-48"
        />
      </div>
      {isAdmin ? (
        <div className="mt-3">
          <Button variant="primary" disabled={apply.isPending} onClick={() => apply.mutate()}>
            {t('Apply traffic')}
          </Button>
        </div>
      ) : null}
      {apply.error ? (
        <Notice tone="error" className="mt-2">
          {errorMessage(apply.error)}
        </Notice>
      ) : null}
      {apply.isSuccess ? (
        <Notice tone="ok" className="mt-2">
          {t('Traffic updated.')}
        </Notice>
      ) : null}
    </Panel>
  );
}

function FailPanel({ isAdmin, failed }: { isAdmin: boolean; failed: ReadonlyArray<{ service: string; destination: string }> }) {
  const snapshot = useSnapshot();
  const revision = useRevision();
  const invalidate = useInvalidateAfterChange();
  const views = serviceViews(snapshot.data);
  const toggle = useMutation({
    mutationFn: ({ serviceKeyId, address, port, fail }: { serviceKeyId: string; address: string; port: number; fail: boolean }) => {
      const view = views.find((v) => v.id === serviceKeyId);
      const key = view?.desired?.key ?? view?.observed?.key;
      if (!key) throw new Error(t('the service is gone'));
      return trpcClient.sim.failDestination.mutate({ baseRevision: revision(), service: key, destination: { address, port }, failed: fail });
    },
    onSuccess: () => invalidate(),
  });
  const isFailed = (sid: string, did: string) => failed.some((f) => f.service === sid && f.destination === did);
  return (
    <Panel title={t('Fail a real server')}>
      <p className="mb-2 text-sm text-slate-600">
        {t('A failed server stops answering: its connections stall and new ones to it fail, as a crashed host would.')}
      </p>
      {toggle.error ? <Notice tone="error">{errorMessage(toggle.error)}</Notice> : null}
      <ul className="flex flex-col gap-2">
        {views.map((v) => {
          const svc = v.desired ?? v.observed;
          if (!svc) return null;
          return (
            <li key={v.id}>
              <Link to="/services/$id" params={{ id: v.id }} className="font-mono text-sm text-blue-800 hover:underline">
                {serviceLabel(svc.key)}
              </Link>
              <div className="mt-1 flex flex-wrap gap-2">
                {svc.destinations.map((d) => {
                  const did = destinationId(d);
                  const down = isFailed(v.id, did);
                  return (
                    <Button
                      key={did}
                      variant={down ? 'danger' : 'secondary'}
                      disabled={!isAdmin || toggle.isPending}
                      aria-pressed={down}
                      aria-label={
                        down
                          ? t('Recover {{server}} in {{service}}', { server: did, service: serviceLabel(svc.key) })
                          : t('Fail {{server}} in {{service}}', { server: did, service: serviceLabel(svc.key) })
                      }
                      onClick={() => toggle.mutate({ serviceKeyId: v.id, address: d.address, port: d.port, fail: !down })}
                    >
                      {down ? t('Recover') : t('Fail')} <span className="font-mono">{did}</span>
                      {down ? t(' (failed)') : ''}
                    </Button>
                  );
                })}
              </div>
            </li>
          );
        })}
      </ul>
    </Panel>
  );
}
