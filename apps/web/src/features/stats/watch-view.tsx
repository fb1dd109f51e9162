// The `watch -n 1 ipvsadm` view, live: per-destination connections, new
// connections per second, packets and bytes per second, from the agent's
// 1-second samples. Window 1/5/15/60 min or 24 h (the agent's 10 s history,
// kept across restarts, beyond its 1 s hour), pause, tooltips, a legend that
// toggles destinations, the measured share of new connections over time
// beside the scheduler's prediction, a per-real-server rate table, change
// markers from the audit log, zoom by dragging
// (or "Zoom in"), and beside it the ipvsadm listing as of now. The window,
// the hidden series and the zoomed range are kept in the URL (watch-url.ts,
// read by the router: routes.tsx).
import { skipToken, useQuery } from '@tanstack/react-query';
import { parseServiceId } from '@lvs-console/shared';
import { startTransition, useEffect, useMemo, useRef, useState } from 'react';
import type { LiveSample, SeriesPoint } from '@lvs-console/shared/api';
import { Button } from '../../components/ui/button';
import { Panel } from '../../components/ui/panel';
import { Notice } from '../../components/ui/notice';
import { errorMessage, trpc, trpcClient } from '../../lib/trpc';
import { IpvsadmPanel } from './ipvsadm-panel';
import { formatRate } from './rates';
import { addSample, bucketSeconds, bucketsFromPoints, latestRates, NO_BUCKETS, sharesOverTime, totalsOf, type Buckets, type Metric } from './series';
import { RateTable } from './rate-table';
import { formatPercent } from '../../lib/format-number';
import { LineChart, type ChartMarker, type ChartSeries } from './line-chart';
import { changeMarkers } from './change-markers';
import { currentLanguage, msg, t } from '../../lib/i18n';
import { localRecorded } from '../../lib/error-text';
import { formatNumber } from '../../lib/format-number';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { searchRecord } from '../../app/search-params';
import { useSearchState } from '../../app/use-search-state';
import { watchParams, windowCovering, WINDOWS, zoomIn, type TimeRange, type WatchUrlState, type WindowMinutes } from './watch-url';
import { dateTime } from '../../lib/format-time';

const PALETTE = ['#1d4ed8', '#15803d', '#b45309', '#7e22ce', '#be123c', '#0e7490', '#4d7c0f', '#a21caf', '#c2410c', '#334155'];

interface ChartSpec {
  title: string;
  metrics: readonly Metric[];
  format: (v: number) => string;
}
const CHARTS: readonly ChartSpec[] = [
  { title: msg('Connections (active solid, inactive dashed)'), metrics: ['activeConns', 'inactiveConns'], format: (v) => formatNumber(v) },
  { title: msg('New connections per second'), metrics: ['cps'], format: (v) => formatRate(v) },
  { title: msg('Packets per second (in solid, out dashed)'), metrics: ['inPps', 'outPps'], format: (v) => formatRate(v) },
  { title: msg('Bytes per second (in solid, out dashed)'), metrics: ['inBps', 'outBps'], format: (v) => formatRate(v) },
];
/** The most series one chart draws per destination: bucket sizes are chosen for it. */
const SERIES_PER_DESTINATION = Math.max(...CHARTS.map((c) => c.metrics.length));

/** The service total chart: new connections per second (left axis) and active connections (right). */
const TOTALS = [
  { key: 'cps', label: msg('new conn/s'), colour: '#1d4ed8', axis: 'left' },
  { key: 'activeConns', label: msg('active connections'), colour: '#b45309', axis: 'right' },
] as const;

const METRIC_LABEL: Record<Metric, string> = {
  activeConns: msg('active'),
  inactiveConns: msg('inactive'),
  cps: msg('new/s'),
  inPps: msg('in'),
  outPps: msg('out'),
  inBps: msg('in'),
  outBps: msg('out'),
};

function sampleToPoint(time: number, d: LiveSample['services'][number]['destinations'][number]): SeriesPoint {
  return { time, ...d.rates, activeConns: d.activeConns, inactiveConns: d.inactiveConns };
}

/**
 * What the charts draw: per-destination buckets of one size, the newest
 * sample taken in, and the window they were fetched for (0 until the first
 * history arrives). The charts follow this window, not the URL's: a new
 * window is drawn once, when its history has come, rather than first as the
 * old window's samples stretched over the new range and then again.
 */
interface WatchData {
  bucketMs: number;
  newest: number;
  byId: ReadonlyMap<string, Buckets>;
  horizonMs: number;
  minutes: WindowMinutes;
}
const EMPTY: WatchData = { bucketMs: 1000, newest: 0, byId: new Map(), horizonMs: 0, minutes: 1 };

/**
 * @param destinationCount how many destinations the service has (null while
 * unknown): the bucket size, and so the agent query, depends on it.
 */
export default function WatchView({ serviceIdValue, destinationCount }: { serviceIdValue: string; destinationCount: number | null }) {
  // Window and hidden series live in the URL (shareable); the Set is rebuilt only when they change.
  const navigate = useNavigate({ from: '/services/$id/watch' });
  const [urlState, setUrlState] = useSearchState(
    useSearch({ from: '/services/$id/watch' }).watch,
    watchKey,
    (next) => void navigate({ search: searchRecord(watchParams(next)), replace: true, resetScroll: false }),
  );
  const minutes = urlState.minutes;
  const hiddenKey = urlState.hidden.join(',');
  const hidden = useMemo<ReadonlySet<string>>(() => new Set(hiddenKey ? hiddenKey.split(',') : []), [hiddenKey]);
  const zoom = urlState.zoom;
  // A new window shows all of it; hiding a series keeps the zoom.
  const setMinutes = (w: WindowMinutes) => setUrlState({ ...urlState, minutes: w, zoom: null });
  const [paused, setPaused] = useState(false);
  const [data, setData] = useState<WatchData>(EMPTY);
  const [streamError, setStreamError] = useState<string | null>(null);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  // A zoomed range older than the window (a shared link opened later) needs a longer history.
  const zoomStart = zoom?.from ?? null;
  const historyMinutes = useMemo(() => windowCovering(minutes, zoomStart, Date.now()), [minutes, zoomStart]);
  const horizonMs = historyMinutes * 60_000;
  const stepSeconds = bucketSeconds(historyMinutes, Math.max(1, destinationCount ?? 1) * SERIES_PER_DESTINATION);
  const bucketMs = stepSeconds * 1000;

  // The agent averages its history into the same aligned buckets the view keeps.
  const history = useQuery({
    ...trpc.stats.window.queryOptions({ minutes: historyMinutes, services: [serviceIdValue], stepSeconds, includeDestinations: true }),
    enabled: destinationCount !== null,
    // Fetched once per window choice; live samples take over from there. Not
    // kept once unused: coming back to a window must not show a stale history.
    refetchOnWindowFocus: false,
    staleTime: Infinity,
    gcTime: 0,
  });

  // Seed from the agent's history whenever the window changes.
  useEffect(() => {
    const svc = history.data?.services.find((s) => s.id === serviceIdValue);
    if (!svc || !history.data) return;
    const seeded = new Map(svc.destinations.map((d) => [d.id, bucketsFromPoints(d.points, bucketMs)]));
    startTransition(() => setData({ bucketMs, newest: history.data.to, byId: seeded, horizonMs, minutes }));
  }, [history.data, serviceIdValue, bucketMs, horizonMs, minutes]);

  // Samples before the first history are kept for the URL's window.
  const urlHorizonMs = useRef(horizonMs);
  urlHorizonMs.current = horizonMs;

  // Then fold the 1 s samples in as they arrive.
  useEffect(() => {
    const subscription = trpcClient.stats.onSample.subscribe(
      { services: [serviceIdValue] },
      {
        onData: (sample) => {
          setStreamError(null);
          if (pausedRef.current) return;
          const svc = sample.services.find((s) => s.id === serviceIdValue);
          if (!svc) return;
          // A transition: drawing many series must not block typing or scrolling.
          startTransition(() => {
            setData((prev) => {
              // Samples the seed already holds are not counted twice.
              if (sample.time <= prev.newest) return prev;
              const byId = new Map<string, Buckets>();
              for (const d of svc.destinations)
                byId.set(
                  d.id,
                  addSample(prev.byId.get(d.id) ?? NO_BUCKETS, sampleToPoint(sample.time, d), prev.bucketMs, prev.horizonMs || urlHorizonMs.current),
                );
              return { ...prev, newest: sample.time, byId };
            });
          });
        },
        onError: (error) => setStreamError(errorMessage(error)),
      },
    );
    return () => subscription.unsubscribe();
  }, [serviceIdValue]);

  // Change markers: the audit log's changes of this service (the charts skip those outside their range).
  const audit = useQuery({ ...trpc.audit.list.queryOptions({ limit: 1000 }), refetchInterval: 10_000, refetchOnWindowFocus: false });
  const markers = useMemo(
    () =>
      changeMarkers(audit.data ?? [], serviceIdValue, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).map((m): ChartMarker => ({
        key: String(m.seq),
        time: m.time,
        who: m.who,
        what: localRecorded(m),
      })),
    // The language is a dependency: a marker says what changed in it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [audit.data, serviceIdValue, currentLanguage()],
  );

  // The scheduler model's shares (and the agent's 1-minute measurement) for the share chart and the table.
  const serviceKey = useMemo(() => parseServiceId(serviceIdValue), [serviceIdValue]);
  const sharesQuery = useQuery({
    ...trpc.stats.shares.queryOptions(serviceKey ? { service: serviceKey, seconds: 60 } : skipToken),
    refetchInterval: 10_000,
    refetchOnWindowFocus: false,
  });
  const predicted = useMemo(() => new Map((sharesQuery.data?.rows ?? []).map((row) => [row.destination, row.predicted])), [sharesQuery.data]);
  const measuredShares = useMemo(() => sharesOverTime(data.byId), [data.byId]);
  const rateRows = useMemo(() => latestRates(data.byId), [data.byId]);
  const newestShare = useMemo(
    () =>
      new Map(
        rateRows.flatMap((row) => {
          const series = measuredShares.get(row.id);
          return series && series.times.at(-1) === row.time ? [[row.id, series.values.at(-1) ?? 0] as const] : [];
        }),
      ),
    [rateRows, measuredShares],
  );

  const ids = useMemo(() => [...data.byId.keys()].sort(), [data.byId]);
  const colourOf = useMemo(() => new Map(ids.map((id, i) => [id, PALETTE[i % PALETTE.length] ?? '#334155'])), [ids]);
  const [totalsHidden, setTotalsHidden] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) => setUrlState({ ...urlState, hidden: [...toggled(hidden, id)] });
  const zoomFrom = zoom?.from;
  const zoomTo = zoom?.to;
  // Stable for the memoised charts: only a new range re-renders them for it.
  const latestUrl = useRef({ urlState, setUrlState });
  latestUrl.current = { urlState, setUrlState };
  const setZoom = useMemo(
    () => (range: TimeRange | null) => startTransition(() => latestUrl.current.setUrlState({ ...latestUrl.current.urlState, zoom: range })),
    [],
  );

  const liveTo = data.newest || Date.now();
  // Zoomed: the charts hold still on the chosen range while samples go on arriving.
  const to = zoomTo ?? liveTo;
  const from = zoomFrom ?? liveTo - (data.horizonMs || horizonMs);
  const rangeText = zoom
    ? t('{{from}} to {{to}}', { from: dateTime(zoom.from), to: dateTime(zoom.to) })
    : t('last {{window}}', { window: windowLabel(data.horizonMs ? data.minutes : minutes) });
  const chartSeries = useMemo(
    () =>
      CHARTS.map((chart) =>
        ids
          .filter((id) => !hidden.has(id))
          .flatMap((id) => {
            const buckets = data.byId.get(id);
            if (!buckets) return [];
            return chart.metrics.map((metric, mi): ChartSeries => ({
              key: `${id}|${metric}`,
              label: `${id}${chart.metrics.length > 1 ? ` ${t(METRIC_LABEL[metric])}` : ''}`,
              colour: colourOf.get(id) ?? '#334155',
              dashed: mi === 1,
              times: buckets.times,
              values: buckets.values[metric],
            }));
          }),
      ),
    [data.byId, hidden, ids, colourOf],
  );
  // Measured share solid; the prediction as a dashed level line in the same colour.
  const shareSeries = useMemo(
    () =>
      ids
        .filter((id) => !hidden.has(id))
        .flatMap((id): ChartSeries[] => {
          const measured = measuredShares.get(id);
          const colour = colourOf.get(id) ?? '#334155';
          const lines: ChartSeries[] = measured
            ? [{ key: `${id}|measured`, label: t('{{server}} measured', { server: id }), colour, times: measured.times, values: measured.values }]
            : [];
          const model = predicted.get(id);
          // At the measured times, so that the crosshair lists both.
          const times = measured?.times.length ? measured.times : [from, to];
          if (model !== undefined && model !== null)
            lines.push({
              key: `${id}|predicted`,
              label: t('{{server}} predicted', { server: id }),
              colour,
              dashed: true,
              times,
              values: times.map(() => model),
            });
          return lines;
        }),
    [ids, hidden, measuredShares, predicted, colourOf, from, to],
  );
  const totals = useMemo(() => {
    const rows = totalsOf(data.byId.values());
    const times = rows.map((r) => r.time);
    return TOTALS.filter((total) => !totalsHidden.has(total.key)).map((total): ChartSeries => ({
      key: total.key,
      label: t(total.label),
      colour: total.colour,
      axis: total.axis,
      times,
      values: rows.map((r) => r[total.key]),
    }));
  }, [data.byId, totalsHidden]);

  return (
    <div className="grid grid-cols-1 gap-3 xl:grid-cols-[minmax(0,1fr)_minmax(0,600px)]">
      <Panel
        title={t('Live charts')}
        actions={
          <>
            <div role="group" aria-label={t('Window')} className="flex flex-wrap gap-1">
              {WINDOWS.map((w) => (
                <Button
                  key={w}
                  variant={w === minutes ? 'primary' : 'secondary'}
                  aria-pressed={w === minutes}
                  onClick={() => startTransition(() => setMinutes(w))}
                >
                  {buttonLabel(w)}
                </Button>
              ))}
            </div>
            <Button onClick={() => setZoom(zoomIn({ from, to }, (from + to) / 2))}>{t('Zoom in')}</Button>
            {zoom ? <Button onClick={() => setZoom(null)}>{t('Reset zoom')}</Button> : null}
            <Button aria-pressed={paused} onClick={() => setPaused(!paused)}>
              {paused ? t('Resume') : t('Pause')}
            </Button>
          </>
        }
      >
        {history.error ? <Notice tone="error">{errorMessage(history.error)}</Notice> : null}
        {streamError ? <Notice tone="warn">{t('Live samples interrupted: {{reason}}. Reconnecting…', { reason: streamError })}</Notice> : null}
        {paused ? <Notice tone="info">{t('Paused: new samples are not drawn.')}</Notice> : null}
        {zoom ? <Notice tone="info">{t('Zoomed to {{range}}. "Reset zoom" shows the whole window again.', { range: rangeText })}</Notice> : null}
        <p className="mb-2 text-xs text-slate-600">
          {t(
            'Drag across a chart to zoom into a range, or focus a chart and press + at the crosshair (arrow keys move it). Dashed violet lines mark changes to this service.',
          )}
        </p>
        <figure className="mb-3">
          <figcaption className="mb-1 flex flex-wrap items-center gap-x-3 text-xs">
            <span className="font-medium text-slate-700">{t('Service total')}</span>
            {TOTALS.map((total) => (
              <label key={total.key} className="flex items-center gap-1">
                <input
                  type="checkbox"
                  checked={!totalsHidden.has(total.key)}
                  onChange={() => setTotalsHidden((prev) => toggled(prev, total.key))}
                  aria-label={t('Show {{series}}', { series: t(total.label) })}
                />
                <span className="inline-block h-0.5 w-3" style={{ background: total.colour }} aria-hidden="true" />
                {t(total.label)} ({total.axis === 'left' ? t('left axis') : t('right axis')})
              </label>
            ))}
          </figcaption>
          <LineChart
            title={t('Service total: new connections per second and active connections, {{range}}', { range: rangeText })}
            series={totals}
            from={from}
            to={to}
            format={formatRate}
            formatRight={formatCount}
            markers={markers}
            onZoom={setZoom}
            height={170}
          />
        </figure>
        <div role="group" aria-label={t('Legend: real servers shown')} className="mb-2 flex flex-wrap gap-x-3 gap-y-1">
          {ids.map((id) => (
            <label key={id} className="flex items-center gap-1 font-mono text-xs">
              <input type="checkbox" checked={!hidden.has(id)} onChange={() => toggle(id)} aria-label={t('Show {{series}}', { series: id })} />
              <span className="inline-block h-2 w-3" style={{ background: colourOf.get(id) }} aria-hidden="true" />
              {id}
            </label>
          ))}
        </div>
        <div className="grid grid-cols-1 gap-4 2xl:grid-cols-2">
          {CHARTS.map((chart, index) => (
            <figure key={chart.title} className="min-w-0">
              <figcaption className="mb-1 text-xs font-medium text-slate-700">{t(chart.title)}</figcaption>
              <LineChart
                title={t('{{chart}}, {{range}}', { chart: t(chart.title), range: rangeText })}
                series={chartSeries[index] ?? []}
                from={from}
                to={to}
                format={chart.format}
                markers={markers}
                onZoom={setZoom}
              />
            </figure>
          ))}
          <figure className="min-w-0">
            <figcaption className="mb-1 text-xs font-medium text-slate-700">{t('Share of new connections (measured solid, predicted dashed)')}</figcaption>
            <LineChart
              title={t('{{chart}}, {{range}}', { chart: t('Share of new connections (measured solid, predicted dashed)'), range: rangeText })}
              series={shareSeries}
              from={from}
              to={to}
              format={formatShare}
              markers={markers}
              onZoom={setZoom}
            />
          </figure>
        </div>
      </Panel>
      <IpvsadmPanel serviceIdValue={serviceIdValue} />
      {/* Under both panels, across the page: ten columns fit a desktop's width (cards at phone width). */}
      <RateTable
        className="rounded-md border border-slate-200 bg-white p-3 shadow-sm xl:col-span-2"
        rows={rateRows}
        measured={newestShare}
        predicted={predicted}
        bucketSeconds={data.bucketMs / 1000}
      />
    </div>
  );
}

const watchKey = (state: WatchUrlState) => watchParams(state).toString();

// Axis formats as constants: a new function per render would redraw the memoised charts.
const formatCount = (v: number) => formatNumber(v);
const formatShare = (v: number) => formatPercent(v, 0);

function windowLabel(minutes: WindowMinutes): string {
  if (minutes === 1440) return t('24 hours');
  return minutes === 60 ? t('1 hour') : t('{{count}} minutes', { count: minutes });
}

function buttonLabel(minutes: WindowMinutes): string {
  if (minutes === 1440) return t('24 h');
  return minutes === 60 ? t('1 h') : t('{{count}} min', { count: minutes });
}

function toggled(set: ReadonlySet<string>, key: string): ReadonlySet<string> {
  const next = new Set(set);
  if (next.has(key)) next.delete(key);
  else next.add(key);
  return next;
}
