// Pick one of the 14 schedulers, read what it does and when to use it, set
// the sh/mh flags, and see before applying: the predicted shares and, for
// sh/dh/mh, how many clients would move.
import { lazy, Suspense, useMemo, useState } from 'react';
import type { ObservedService, SchedFlag, SchedulerName, Service } from '@lvs-console/shared';
import { destinationId } from '@lvs-console/shared';
import { CheckboxField, SelectField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { useSystemInfo } from '../../lib/agent';
import { ApplyWithPreview } from '../changes/apply-with-preview';
import { formatShare } from '../weights/share-math';
import { FLAG_DESCRIPTIONS, SCHEDULER_CATALOG, schedulerInfo } from './catalog';
import type { ShareRow } from './shares-chart';
import { clientsMoved, HASH_SCHEDULERS, PREDICTION_CLIENTS, predictedShares, type PredictInput } from './predict';
import { t } from '../../lib/i18n';
import { formatPercent } from '../../lib/format-number';

// Recharts loads with the first service page that shows a prediction, not with the first screen.
const SharesChart = lazy(() => import('./shares-chart'));
/** Beyond this many real servers the bars get too thin to read: the table alone says it. */
const CHART_MAX_SERVERS = 16;

export function SchedulerPicker({
  service,
  observed,
  failing,
  isAdmin,
}: {
  service: Service;
  observed: ObservedService | null;
  failing: ReadonlySet<string>;
  isAdmin: boolean;
}) {
  const available = useSystemInfo().data?.backend.schedulers;
  const [scheduler, setScheduler] = useState<SchedulerName>(service.scheduler);
  const [flags, setFlags] = useState<SchedFlag[]>(service.flags);
  const info = schedulerInfo(scheduler);
  const validFlags = flags.filter((f) => info.flags.includes(f));
  const changed = scheduler !== service.scheduler || validFlags.join(',') !== service.flags.join(',');

  const observedById = new Map((observed?.destinations ?? []).map((d) => [destinationId(d), d]));
  const destinations = service.destinations.map((d) => observedById.get(destinationId(d)) ?? d);
  const current: PredictInput = {
    key: service.key,
    scheduler: service.scheduler,
    flags: service.flags,
    persistence: service.persistence,
    destinations,
    failing,
  };
  const next: PredictInput = { ...current, scheduler, flags: validFlags };
  const flagsKey = validFlags.join(',');
  const serviceConfigKey = JSON.stringify(service);
  const { before, after, moved } = useMemo(
    () => ({ before: predictedShares(current), after: predictedShares(next), moved: clientsMoved(current, next) }),
    // Recompute when the choice or the service's config changes, not on every 1 s snapshot
    // (current and next carry the live connection numbers, which move every second).
    // eslint-disable-next-line react-hooks/exhaustive-deps -- deliberately keyed on config, see above
    [scheduler, flagsKey, serviceConfigKey],
  );
  // Same rows (and so no redraw of the bars) until the prediction changes.
  const idsKey = service.destinations.map(destinationId).join(',');
  const shareRows = useMemo(
    (): ShareRow[] =>
      idsKey
        .split(',')
        .filter(Boolean)
        .map((id) => ({ id, now: before?.shares.get(id) ?? null, next: after?.shares.get(id) ?? null })),
    [before, after, idsKey],
  );

  return (
    <div className="flex flex-col gap-3">
      <SelectField
        label={t('Scheduler')}
        value={scheduler}
        disabled={!isAdmin}
        onChange={(e) => {
          setScheduler(e.target.value as SchedulerName);
          setFlags([]);
        }}
      >
        {SCHEDULER_CATALOG.map((s) => (
          <option key={s.name} value={s.name}>
            {s.name} — {t(s.title)}
            {available && !available.includes(s.name) ? t(' (not in this kernel)') : ''}
          </option>
        ))}
      </SelectField>
      <div className="text-sm" aria-live="polite">
        <p>{t(info.summary)}</p>
        <p className="text-slate-600">
          <span className="font-medium">{t('When to use:')}</span> {t(info.whenToUse)}
        </p>
        {available && !available.includes(scheduler) ? (
          <p className="text-red-700">{t('This kernel has no ip_vs_{{scheduler}} module: the change would be refused.', { scheduler })}</p>
        ) : null}
        {!info.usesWeights ? (
          <p className="text-amber-800">
            {t('Weights do not change where new connections go with {{scheduler}} (only weight 0 takes a server out).', { scheduler })}
          </p>
        ) : null}
      </div>
      {info.flags.length > 0 ? (
        <fieldset className="flex flex-col gap-1">
          <legend className="text-xs font-medium text-slate-600">{t('Flags (-b)')}</legend>
          {info.flags.map((flag) => (
            <CheckboxField
              key={flag}
              label={flag}
              hint={t(FLAG_DESCRIPTIONS[flag])}
              disabled={!isAdmin}
              checked={validFlags.includes(flag)}
              onChange={(e) => setFlags(e.target.checked ? [...validFlags, flag] : validFlags.filter((f) => f !== flag))}
            />
          ))}
        </fieldset>
      ) : null}
      {before && after && shareRows.length > 0 && shareRows.length <= CHART_MAX_SERVERS ? (
        <Suspense fallback={null}>
          <SharesChart
            rows={shareRows}
            nowLabel={t('now ({{scheduler}})', { scheduler: service.scheduler })}
            nextLabel={t('with {{scheduler}}', { scheduler })}
          />
        </Suspense>
      ) : null}
      <table className="w-full text-sm" aria-label={t('Predicted shares by scheduler')}>
        <thead className="text-left text-xs uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col">{t('Real server')}</th>
            <th scope="col" className="text-right">
              {t('Now ({{scheduler}})', { scheduler: service.scheduler })}
            </th>
            <th scope="col" className="text-right">
              {t('With {{scheduler}}', { scheduler })}
            </th>
          </tr>
        </thead>
        <tbody>
          {service.destinations.map((d) => {
            const id = destinationId(d);
            return (
              <tr key={id} className="border-t border-slate-100">
                <th scope="row" className="py-1 text-left font-mono font-normal">
                  {id}
                </th>
                <td className="py-1 text-right font-mono">{formatShare(before?.shares.get(id))}</td>
                <td className="py-1 text-right font-mono" data-testid={`scheduler-prediction-${id}`}>
                  {formatShare(after?.shares.get(id))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {changed && HASH_SCHEDULERS.has(scheduler) ? (
        moved ? (
          <Notice tone="warn">
            {t('{{moved}} of {{total}} sample clients ({{percent}}) would move to another server.', {
              moved: moved.moved,
              total: moved.total,
              percent: formatPercent(moved.fraction),
            })}
          </Notice>
        ) : (
          <Notice tone="warn">
            {t('Switching to {{scheduler}} re-assigns every client ({{count}} of {{count}} sample clients may move); open connections stay where they are.', {
              scheduler,
              count: PREDICTION_CLIENTS.count,
            })}
          </Notice>
        )
      ) : null}
      {isAdmin ? (
        <ApplyWithPreview
          disabled={!changed}
          edit={{ op: 'set-scheduler', service: service.key, scheduler, flags: validFlags }}
          applyLabel={t('Apply scheduler')}
        />
      ) : null}
    </div>
  );
}
