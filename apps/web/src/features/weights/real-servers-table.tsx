// The real servers of one service: state, weight slider + exact field,
// predicted vs measured share of new connections, connection numbers, and
// drain / enable / edit / remove; health state, probe history, configured vs
// kernel weight, "why no traffic" and tracked drains from health.status.
// Weight changes apply on release, optimistically, and roll back with the
// agent's message on error.
import { useQuery } from '@tanstack/react-query';
import { Fragment, useEffect, useMemo, useState } from 'react';
import type { Destination, ObservedDestination, Service, ServiceKey } from '@lvs-console/shared';
import { destinationId, formatEndpoint, serviceId } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { Notice } from '../../components/ui/notice';
import { StateBadge } from '../../components/ui/state-badge';
import { useCommit } from '../../lib/commit';
import { errorMessage, trpc } from '../../lib/trpc';
import { clientsMoved, HASH_SCHEDULERS, predictedShares } from '../schedulers/predict';
import { serverState } from '../topology/layout';
import { formatShare, sliderMax } from './share-math';
import { useServingWeights } from './serving-weights';
import { WeightControl } from './weight-control';
import { EditDestinationForm } from './edit-destination-form';
import { useHealthStatus } from '../health/use-health-status';
import { DrainProgressLine, EffectiveWeight, HealthBadge, HistoryStrip, WhyNoTraffic } from '../health/health-cells';
import { TrackedDrainForm, useDrainMutations } from '../health/drain-controls';
import { useConfirmedEdit } from '../changes/confirm-edit';
import { t } from '../../lib/i18n';
import { formatPercent } from '../../lib/format-number';

const FORWARDING_LABEL = { masq: 'NAT', route: 'DR', tunnel: 'TUN' } as const;

export function RealServersTable({
  serviceKey,
  desired,
  observed,
  failing,
  isAdmin,
}: {
  serviceKey: ServiceKey;
  desired: Service | null;
  observed: { destinations: ObservedDestination[] } | null;
  failing: ReadonlySet<string>;
  isAdmin: boolean;
}) {
  const [pending, setPending] = useState<ReadonlyMap<string, number>>(new Map());
  const [drafts, setDrafts] = useState<ReadonlyMap<string, number>>(new Map());
  const [rowErrors, setRowErrors] = useState<ReadonlyMap<string, string>>(new Map());
  const [editing, setEditing] = useState<string | null>(null);
  const [drainFormFor, setDrainFormFor] = useState<string | null>(null);
  /** The last weight the slider committed, for the notice that offers to undo it. */
  const [lastWeightChange, setLastWeightChange] = useState<{ dest: Destination | ObservedDestination; from: number; to: number; lines: string[] } | null>(null);
  const health = useHealthStatus(serviceId(serviceKey));
  const healthById = new Map((health.data?.services[0]?.destinations ?? []).map((view) => [view.id, view]));
  const shares = useQuery({ ...trpc.stats.shares.queryOptions({ service: serviceKey, seconds: 60 }), refetchInterval: 2000 });

  const desiredDestinations = desired?.destinations;
  const observedDestinations = observed?.destinations;
  const destinations = useMemo(
    (): Array<Destination | ObservedDestination> => desiredDestinations ?? observedDestinations ?? [],
    [desiredDestinations, observedDestinations],
  );
  const observedById = useMemo(() => new Map((observedDestinations ?? []).map((d) => [destinationId(d), d])), [observedDestinations]);
  const servingWeights = useServingWeights();
  useEffect(() => servingWeights.remember(serviceKey, destinations), [servingWeights, serviceKey, destinations]);

  const effectiveWeights = useMemo(() => {
    const map = new Map<string, number>();
    for (const [id, w] of pending) map.set(id, w);
    for (const [id, w] of drafts) map.set(id, w);
    return map;
  }, [pending, drafts]);

  const scheduler = desired?.scheduler ?? 'wlc';
  const prediction = useMemo(
    () =>
      predictedShares({
        key: serviceKey,
        scheduler,
        flags: desired?.flags ?? [],
        persistence: desired?.persistence ?? null,
        destinations: destinations.map((d) => observedById.get(destinationId(d)) ?? d),
        weights: effectiveWeights,
        failing,
      }),
    [serviceKey, scheduler, desired?.flags, desired?.persistence, destinations, observedById, effectiveWeights, failing],
  );
  const measured = new Map((shares.data?.rows ?? []).map((row) => [row.destination, row.measured]));
  // Hash schedulers re-tile their table when weights change: say how many clients a draft would move.
  const moved = useMemo(() => {
    if (!HASH_SCHEDULERS.has(scheduler) || effectiveWeights.size === 0) return null;
    const base = { key: serviceKey, scheduler, flags: desired?.flags ?? [], persistence: desired?.persistence ?? null, destinations, failing };
    return clientsMoved(base, { ...base, weights: effectiveWeights });
  }, [scheduler, effectiveWeights, serviceKey, desired?.flags, desired?.persistence, destinations, failing]);

  const setRowError = (id: string, message: string | null) =>
    setRowErrors((prev) => {
      const next = new Map(prev);
      if (message) next.set(id, message);
      else next.delete(id);
      return next;
    });
  const clearPending = (id: string) =>
    setPending((prev) => {
      const next = new Map(prev);
      next.delete(id);
      return next;
    });

  // A weight is absolute: useCommit sets it again on top of an edit that got in first.
  const setWeight = useCommit(
    ({ dest, weight }: { dest: Destination | ObservedDestination; weight: number }) => ({
      op: 'set-weight',
      service: serviceKey,
      destination: { address: dest.address, port: dest.port },
      weight,
    }),
    {
      onMutate: ({ dest, weight }) => {
        const id = destinationId(dest);
        setRowError(id, null);
        setPending((prev) => new Map(prev).set(id, weight));
      },
      onSuccess: (outcome, { dest, weight }) => {
        const failed = outcome.results.find((r) => !r.ok);
        clearPending(destinationId(dest));
        if (failed) setRowError(destinationId(dest), failed.error ?? t('the kernel refused the change'));
        else setLastWeightChange({ dest, from: dest.weight, to: weight, lines: outcome.lines });
      },
      onError: (error, { dest }) => {
        // Roll back: the slider returns to the weight the agent still has.
        clearPending(destinationId(dest));
        setRowError(destinationId(dest), errorMessage(error));
      },
    },
  );

  const drains = useDrainMutations(serviceKey, (dest, message) => setRowError(destinationId(dest), message));
  // Drain and remove are asked first: the dialog shows the plan, and commits that same edit.
  const confirm = useConfirmedEdit({
    onError: (error, edit) => {
      if ('destination' in edit && edit.destination) setRowError(destinationId(edit.destination), errorMessage(error));
    },
  });

  if (destinations.length === 0) return <p className="text-sm text-slate-600">{t('No real servers yet.')}</p>;
  const columns = isAdmin ? 11 : 10;
  const max = sliderMax(destinations.map((d) => effectiveWeights.get(destinationId(d)) ?? d.weight));

  return (
    <div className="flex flex-col gap-2">
      {prediction && !prediction.weightsMatter ? (
        <Notice tone="warn">
          {t('The {{scheduler}} scheduler ignores weights: each server with a weight above 0 gets an equal turn. Weight 0 still drains a server.', {
            scheduler,
          })}
        </Notice>
      ) : null}
      <div className="overflow-x-auto">
        <table className="stack-table w-full text-sm">
          <caption className="sr-only">{t('Real servers')}</caption>
          <thead className="bg-slate-50 text-left text-xs uppercase text-slate-600">
            <tr>
              <th scope="col" className="px-2 py-1.5">
                {t('Real server')}
              </th>
              <th scope="col" className="px-2 py-1.5">
                {t('Method')}
              </th>
              <th scope="col" className="px-2 py-1.5">
                {t('State')}
              </th>
              <th scope="col" className="px-2 py-1.5" title={t('Health check state and the last probe results (oldest left)')}>
                {t('Health')}
              </th>
              <th scope="col" className="px-2 py-1.5">
                {t('Weight')}
              </th>
              <th scope="col" className="px-2 py-1.5 text-right" title={t('Share of new connections the scheduler should send here')}>
                {t('Predicted')}
              </th>
              <th scope="col" className="px-2 py-1.5 text-right" title={t('Share of new connections measured over the last minute')}>
                {t('Measured (1 min)')}
              </th>
              <th scope="col" className="px-2 py-1.5 text-right">
                {t('Active')}
              </th>
              <th scope="col" className="px-2 py-1.5 text-right">
                {t('Inactive')}
              </th>
              <th scope="col" className="px-2 py-1.5 text-right">
                {t('Persistent')}
              </th>
              {isAdmin ? (
                <th scope="col" className="px-2 py-1.5">
                  {t('Actions')}
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {destinations.map((dest) => {
              const id = destinationId(dest);
              const endpoint = formatEndpoint(dest.address, dest.port);
              const live = observedById.get(id);
              const weight = pending.get(id) ?? dest.weight;
              const healthView = healthById.get(id);
              // The badge follows the kernel: a tracked drain or a failing check is weight 0 there.
              const kernelWeight = !pending.has(id) && typeof healthView?.effectiveWeight === 'number' ? healthView.effectiveWeight : weight;
              const state = serverState({
                destination: { ...dest, weight: kernelWeight },
                cps: 0,
                activeConns: live?.activeConns ?? 0,
                overloaded: live?.overloaded,
                failing: failing.has(id) || healthView?.status === 'down',
              });
              const trackedDrain = healthView?.admin === 'draining';
              const reasons = healthView?.explanation?.reasons ?? [];
              const open = (live?.activeConns ?? 0) + (live?.inactiveConns ?? 0);
              const error = rowErrors.get(id);
              return (
                <Fragment key={id}>
                  <tr className="border-t border-slate-100 align-middle">
                    <th scope="row" className="px-2 py-1.5 text-left font-mono font-normal">
                      {endpoint}
                    </th>
                    <td data-label={t('Method')} className="px-2 py-1.5">
                      {FORWARDING_LABEL[dest.forwarding]}
                    </td>
                    <td data-label={t('State')} className="px-2 py-1.5">
                      <StateBadge state={state} />
                      {weight === 0 && !trackedDrain ? (
                        <span className="ml-1 text-xs text-slate-600">
                          {open === 0 ? t('no connections left: safe to remove') : t('{{count}} connections left', { count: open })}
                        </span>
                      ) : null}
                    </td>
                    <td data-label={t('Health')} className="px-2 py-1.5">
                      {healthView ? <HealthBadge view={healthView} /> : <span className="text-xs text-slate-500">—</span>}
                      {healthView ? <HistoryStrip history={healthView.history} flaps={healthView.recentFlaps} /> : null}
                    </td>
                    {/* Slider and number side by side need the card's whole width on a phone. */}
                    <td data-label={t('Weight')} className="stack-full px-2 py-1.5">
                      {isAdmin ? (
                        <WeightControl
                          endpoint={endpoint}
                          weight={weight}
                          max={max}
                          onDraft={(w) =>
                            setDrafts((prev) => {
                              const next = new Map(prev);
                              if (w === null) next.delete(id);
                              else next.set(id, w);
                              return next;
                            })
                          }
                          onCommit={(w) => setWeight.mutate({ dest, weight: w })}
                        />
                      ) : (
                        <span className="font-mono">{weight}</span>
                      )}
                      {pending.has(id) ? (
                        <span className="ml-1 text-xs text-slate-600" role="status">
                          {t('applying…')}
                        </span>
                      ) : null}
                      {healthView && !pending.has(id) ? <EffectiveWeight view={healthView} endpoint={endpoint} /> : null}
                    </td>
                    <td data-label={t('Predicted')} className="px-2 py-1.5 text-right font-mono" data-testid={`predicted-${endpoint}`}>
                      {formatShare(prediction?.shares.get(id))}
                    </td>
                    <td data-label={t('Measured (1 min)')} className="px-2 py-1.5 text-right font-mono" data-testid={`measured-${endpoint}`}>
                      {formatShare(measured.get(id))}
                    </td>
                    <td data-label={t('Active')} className="px-2 py-1.5 text-right font-mono">
                      {live?.activeConns ?? '—'}
                    </td>
                    <td data-label={t('Inactive')} className="px-2 py-1.5 text-right font-mono">
                      {live?.inactiveConns ?? '—'}
                    </td>
                    <td data-label={t('Persistent')} className="px-2 py-1.5 text-right font-mono">
                      {live?.persistentConns ?? '—'}
                    </td>
                    {isAdmin ? (
                      <td data-label={t('Actions')} className="stack-full px-2 py-1.5">
                        <div className="flex min-w-[10rem] flex-wrap gap-1 [&>button]:whitespace-nowrap">
                          {weight > 0 ? (
                            <Button
                              aria-label={t('Drain {{server}}', { server: endpoint })}
                              disabled={confirm.asking}
                              onClick={() =>
                                confirm.ask(
                                  { op: 'drain', service: serviceKey, destination: { address: dest.address, port: dest.port } },
                                  {
                                    title: t('Drain {{server}}?', { server: endpoint }),
                                    confirmLabel: t('Drain {{server}}', { server: endpoint }),
                                    description: (
                                      <p>
                                        {t('Weight 0: no new connections go to {{server}}; established ones finish. Enable restores weight {{weight}}.', {
                                          server: endpoint,
                                          weight: dest.weight,
                                        })}
                                      </p>
                                    ),
                                  },
                                )
                              }
                            >
                              {t('Drain')}
                            </Button>
                          ) : (
                            <Button
                              aria-label={t('Enable {{server}}', { server: endpoint })}
                              onClick={() => setWeight.mutate({ dest, weight: servingWeights.weightToRestore(serviceKey, dest) })}
                            >
                              {t('Enable')}
                            </Button>
                          )}
                          {trackedDrain ? (
                            <Button
                              aria-label={t('Cancel drain of {{server}}', { server: endpoint })}
                              disabled={drains.cancel.isPending}
                              onClick={() => drains.cancel.mutate({ address: dest.address, port: dest.port })}
                            >
                              {t('Cancel drain')}
                            </Button>
                          ) : dest.weight > 0 && desired ? (
                            <Button
                              aria-label={t('Drain (keep weight) {{server}}', { server: endpoint })}
                              aria-expanded={drainFormFor === id}
                              onClick={() => setDrainFormFor(drainFormFor === id ? null : id)}
                            >
                              {t('Drain (keep weight)')}
                            </Button>
                          ) : null}
                          <Button
                            aria-label={t('Edit {{server}}', { server: endpoint })}
                            aria-expanded={editing === id}
                            onClick={() => setEditing(editing === id ? null : id)}
                          >
                            {t('Edit')}
                          </Button>
                          <Button
                            variant="danger"
                            aria-label={t('Remove {{server}}', { server: endpoint })}
                            disabled={confirm.asking}
                            onClick={() =>
                              confirm.ask(
                                { op: 'remove-destination', service: serviceKey, destination: { address: dest.address, port: dest.port } },
                                {
                                  title: t('Remove {{server}}?', { server: endpoint }),
                                  confirmLabel: t('Remove {{server}}', { server: endpoint }),
                                  description: (
                                    <p>
                                      {dest.weight > 0
                                        ? t('Its connections are cut; drain it first to let them finish.')
                                        : t('Its connections that remain are cut.')}
                                    </p>
                                  ),
                                },
                              )
                            }
                          >
                            {t('Remove')}
                          </Button>
                        </div>
                      </td>
                    ) : null}
                  </tr>
                  {reasons.length > 0 || healthView?.drain ? (
                    // Kept free of the endpoint text: rows are found by the endpoint in their name.
                    <tr className="align-top">
                      <td colSpan={columns} className="px-2 pb-1.5 pl-6">
                        {healthView?.drain ? <DrainProgressLine progress={healthView.drain} /> : null}
                        <WhyNoTraffic reasons={reasons} />
                      </td>
                    </tr>
                  ) : null}
                  {drainFormFor === id && isAdmin && !trackedDrain ? (
                    <tr>
                      <td colSpan={columns} className="bg-amber-50 px-2 py-2">
                        <TrackedDrainForm
                          endpoint={endpoint}
                          persistent={desired?.persistence !== null && desired?.persistence !== undefined}
                          pending={drains.start.isPending}
                          onClose={() => setDrainFormFor(null)}
                          onStart={(options) =>
                            drains.start.mutate(
                              { destination: { address: dest.address, port: dest.port }, ...options },
                              { onSuccess: () => setDrainFormFor(null) },
                            )
                          }
                        />
                      </td>
                    </tr>
                  ) : null}
                  {error ? (
                    <tr>
                      <td colSpan={columns} className="px-2 pb-2">
                        <Notice tone="error">
                          {endpoint}: {error}
                        </Notice>
                      </td>
                    </tr>
                  ) : null}
                  {editing === id && isAdmin ? (
                    <tr>
                      <td colSpan={columns} className="bg-slate-50 px-2 py-2">
                        <EditDestinationForm serviceKey={serviceKey} destination={dest} onDone={() => setEditing(null)} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {confirm.dialog}
      {confirm.error ? <Notice tone="error">{errorMessage(confirm.error)}</Notice> : null}
      {lastWeightChange ? (
        <Notice tone="ok">
          <span>
            {t('Weight of {{server}} set to {{to}} (was {{from}}):', {
              server: formatEndpoint(lastWeightChange.dest.address, lastWeightChange.dest.port),
              to: lastWeightChange.to,
              from: lastWeightChange.from,
            })}{' '}
            <code className="font-mono">{lastWeightChange.lines.join('; ') || t('no change in the kernel')}</code>
          </span>
          <Button
            className="ml-2"
            variant="ghost"
            disabled={setWeight.isPending}
            onClick={() => {
              const { dest, from } = lastWeightChange;
              setLastWeightChange(null);
              setWeight.mutate({ dest: { ...dest, weight: lastWeightChange.to }, weight: from });
            }}
          >
            {t('Undo weight change')}
          </Button>
        </Notice>
      ) : null}
      {moved && moved.moved > 0 ? (
        <Notice tone="warn">
          {t('With these weights {{moved}} of {{total}} sample clients ({{percent}}) would move to another server ({{scheduler}} re-tiles its table).', {
            moved: moved.moved,
            total: moved.total,
            percent: formatPercent(moved.fraction),
            scheduler,
          })}
        </Notice>
      ) : null}
      {prediction?.notes.length ? <p className="text-xs text-slate-600">{prediction.notes.join(' ')}</p> : null}
      <p className="text-xs text-slate-600">
        {prediction?.method === 'simulated'
          ? t(
              'Predicted: {{scheduler}} simulated over sample clients with the weights shown. Measured: new connections the kernel sent to each server over the last minute.',
              { scheduler },
            )
          : t(
              'Predicted: {{scheduler}} worked out exactly from the weights shown. Measured: new connections the kernel sent to each server over the last minute.',
              { scheduler },
            )}
      </p>
    </div>
  );
}
