// Pick one of the 14 schedulers, read what it does and when to use it, set
// the sh/mh flags, and see before applying: the predicted shares and, for
// sh/dh/mh, how many clients would move.
import { lazy, Suspense, useMemo, useState } from 'react';
import type { ObservedService, SchedFlag, SchedulerName, Service } from '@lvs-console/shared';
import { destinationId } from '@lvs-console/shared';
import { CheckboxField, SelectField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { trpcClient } from '../../lib/trpc';
import { useSystemInfo } from '../../lib/agent';
import { ApplyWithPreview } from '../changes/apply-with-preview';
import { formatShare } from '../weights/share-math';
import { FLAG_DESCRIPTIONS, SCHEDULER_CATALOG, schedulerInfo } from './catalog';
import type { ShareRow } from './shares-chart';
import { clientsMoved, HASH_SCHEDULERS, PREDICTION_CLIENTS, predictedShares, type PredictInput } from './predict';

// Recharts loads with the first service page that shows a prediction, not with the first screen.
const SharesChart = lazy(() => import('./shares-chart'));
/** Beyond this many real servers the bars get too thin to read: the table alone says it. */
const CHART_MAX_SERVERS = 16;

export function SchedulerPicker({ service, observed, failing, isAdmin }: { service: Service; observed: ObservedService | null; failing: ReadonlySet<string>; isAdmin: boolean }) {
  const available = useSystemInfo().data?.backend.schedulers;
  const [scheduler, setScheduler] = useState<SchedulerName>(service.scheduler);
  const [flags, setFlags] = useState<SchedFlag[]>(service.flags);
  const info = schedulerInfo(scheduler);
  const validFlags = flags.filter((f) => info.flags.includes(f));
  const changed = scheduler !== service.scheduler || validFlags.join(',') !== service.flags.join(',');

  const observedById = new Map((observed?.destinations ?? []).map((d) => [destinationId(d), d]));
  const destinations = service.destinations.map((d) => observedById.get(destinationId(d)) ?? d);
  const current: PredictInput = { key: service.key, scheduler: service.scheduler, flags: service.flags, persistence: service.persistence, destinations, failing };
  const next: PredictInput = { ...current, scheduler, flags: validFlags };
  const flagsKey = validFlags.join(',');
  const serviceConfigKey = JSON.stringify(service);
  const { before, after, moved } = useMemo(() => ({
    before: predictedShares(current),
    after: predictedShares(next),
    moved: clientsMoved(current, next),
  // Recompute when the choice or the service's config changes, not on every 1 s snapshot
  // (current and next carry the live connection numbers, which move every second).
  // eslint-disable-next-line react-hooks/exhaustive-deps -- deliberately keyed on config, see above
  }), [scheduler, flagsKey, serviceConfigKey]);
  // Same rows (and so no redraw of the bars) until the prediction changes.
  const idsKey = service.destinations.map(destinationId).join(',');
  const shareRows = useMemo((): ShareRow[] => idsKey.split(',').filter(Boolean).map((id) => (
    { id, now: before?.shares.get(id) ?? null, next: after?.shares.get(id) ?? null }
  )), [before, after, idsKey]);

  return (
    <div className="flex flex-col gap-3">
      <SelectField label="Scheduler" value={scheduler} disabled={!isAdmin} onChange={(e) => { setScheduler(e.target.value as SchedulerName); setFlags([]); }}>
        {SCHEDULER_CATALOG.map((s) => <option key={s.name} value={s.name}>{s.name} — {s.title}{available && !available.includes(s.name) ? ' (not in this kernel)' : ''}</option>)}
      </SelectField>
      <div className="text-sm" aria-live="polite">
        <p>{info.summary}</p>
        <p className="text-slate-600"><span className="font-medium">When to use:</span> {info.whenToUse}</p>
        {available && !available.includes(scheduler) ? <p className="text-red-700">This kernel has no ip_vs_{scheduler} module: the change would be refused.</p> : null}
        {!info.usesWeights ? <p className="text-amber-800">Weights do not change where new connections go with {scheduler} (only weight 0 takes a server out).</p> : null}
      </div>
      {info.flags.length > 0 ? (
        <fieldset className="flex flex-col gap-1">
          <legend className="text-xs font-medium text-slate-600">Flags (-b)</legend>
          {info.flags.map((flag) => (
            <CheckboxField key={flag} label={flag} hint={FLAG_DESCRIPTIONS[flag]} disabled={!isAdmin} checked={validFlags.includes(flag)}
              onChange={(e) => setFlags(e.target.checked ? [...validFlags, flag] : validFlags.filter((f) => f !== flag))} />
          ))}
        </fieldset>
      ) : null}
      {before && after && shareRows.length > 0 && shareRows.length <= CHART_MAX_SERVERS ? (
        <Suspense fallback={null}>
          <SharesChart rows={shareRows} nowLabel={`now (${service.scheduler})`} nextLabel={`with ${scheduler}`} />
        </Suspense>
      ) : null}
      <table className="w-full text-sm" aria-label="Predicted shares by scheduler">
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr><th scope="col">Real server</th><th scope="col" className="text-right">Now ({service.scheduler})</th><th scope="col" className="text-right">With {scheduler}</th></tr>
        </thead>
        <tbody>
          {service.destinations.map((d) => {
            const id = destinationId(d);
            return (
              <tr key={id} className="border-t border-slate-100">
                <th scope="row" className="py-1 text-left font-mono font-normal">{id}</th>
                <td className="py-1 text-right font-mono">{formatShare(before?.shares.get(id))}</td>
                <td className="py-1 text-right font-mono" data-testid={`scheduler-prediction-${id}`}>{formatShare(after?.shares.get(id))}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {changed && HASH_SCHEDULERS.has(scheduler) ? (
        moved ? (
          <Notice tone="warn">{moved.moved} of {moved.total} sample clients ({(moved.fraction * 100).toFixed(1)} %) would move to another server.</Notice>
        ) : (
          <Notice tone="warn">Switching to {scheduler} re-assigns every client ({PREDICTION_CLIENTS.count} of {PREDICTION_CLIENTS.count} sample clients may move); open connections stay where they are.</Notice>
        )
      ) : null}
      {isAdmin ? (
        <ApplyWithPreview
          disabled={!changed}
          edit={{ op: 'set-scheduler', service: service.key, scheduler, flags: validFlags }}
          apply={(baseRevision) => trpcClient.services.setScheduler.mutate({ baseRevision, service: service.key, scheduler, flags: validFlags })}
          applyLabel="Apply scheduler"
        />
      ) : null}
    </div>
  );
}
