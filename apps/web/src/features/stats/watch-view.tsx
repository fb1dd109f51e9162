// The `watch -n 1 ipvsadm` view, live: per-destination connections, new
// connections per second, packets and bytes per second, from the agent's
// 1-second samples. Window 1/5/15/60 min, pause, tooltips, a legend that
// toggles destinations, and beside it the ipvsadm listing as of now.
import { useQuery } from '@tanstack/react-query';
import { memo, startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LiveSample, SeriesPoint } from '@lvs-console/shared/api';
import { Button } from '../../components/ui/button';
import { Panel } from '../../components/ui/panel';
import { Notice } from '../../components/ui/notice';
import { errorMessage, trpc, trpcClient } from '../../lib/trpc';
import { IpvsadmPanel } from './ipvsadm-panel';
import { formatRate } from './rates';
import { appendBounded, downsample, METRICS, pointsPerSeries, type Metric } from './series';
import { LineChart, type ChartSeries } from './line-chart';

const WINDOWS = [1, 5, 15, 60] as const;
type WindowMinutes = (typeof WINDOWS)[number];
const PALETTE = ['#1d4ed8', '#15803d', '#b45309', '#7e22ce', '#be123c', '#0e7490', '#4d7c0f', '#a21caf', '#c2410c', '#334155'];

interface ChartSpec { title: string; metrics: readonly Metric[]; format: (v: number) => string }
const CHARTS: readonly ChartSpec[] = [
  { title: 'Connections (active solid, inactive dashed)', metrics: ['activeConns', 'inactiveConns'], format: (v) => v.toFixed(0) },
  { title: 'New connections per second', metrics: ['cps'], format: (v) => formatRate(v) },
  { title: 'Packets per second (in solid, out dashed)', metrics: ['inPps', 'outPps'], format: (v) => formatRate(v) },
  { title: 'Bytes per second (in solid, out dashed)', metrics: ['inBps', 'outBps'], format: (v) => formatRate(v) },
];

const METRIC_LABEL: Record<Metric, string> = { activeConns: 'active', inactiveConns: 'inactive', cps: 'new/s', inPps: 'in', outPps: 'out', inBps: 'in', outBps: 'out' };

function sampleToPoint(time: number, d: LiveSample['services'][number]['destinations'][number]): SeriesPoint {
  return { time, ...d.rates, activeConns: d.activeConns, inactiveConns: d.inactiveConns };
}

export default function WatchView({ serviceIdValue }: { serviceIdValue: string }) {
  const [minutes, setMinutes] = useState<WindowMinutes>(1);
  const [paused, setPaused] = useState(false);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [series, setSeries] = useState<ReadonlyMap<string, SeriesPoint[]>>(new Map());
  const [streamError, setStreamError] = useState<string | null>(null);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const horizonMs = minutes * 60_000;

  const history = useQuery({
    ...trpc.stats.window.queryOptions({ minutes, services: [serviceIdValue], maxPoints: Math.min(3600, minutes * 60), includeDestinations: true }),
    refetchOnWindowFocus: false,
    staleTime: Infinity,
  });

  // Seed from the agent's history whenever the window changes.
  useEffect(() => {
    const svc = history.data?.services.find((s) => s.id === serviceIdValue);
    if (!svc) return;
    setSeries(new Map(svc.destinations.map((d) => [d.id, d.points.slice()])));
  }, [history.data, serviceIdValue]);

  // Then append the 1 s samples as they arrive.
  useEffect(() => {
    const subscription = trpcClient.stats.onSample.subscribe({ services: [serviceIdValue] }, {
      onData: (sample) => {
        setStreamError(null);
        if (pausedRef.current) return;
        const svc = sample.services.find((s) => s.id === serviceIdValue);
        if (!svc) return;
        // A transition: drawing many series must not block typing or scrolling.
        startTransition(() => {
          setSeries((prev) => {
            const next = new Map(prev);
            for (const d of svc.destinations) next.set(d.id, appendBounded(prev.get(d.id) ?? [], sampleToPoint(sample.time, d), horizonMs));
            return next;
          });
        });
      },
      onError: (error) => setStreamError(errorMessage(error)),
    });
    return () => subscription.unsubscribe();
  }, [serviceIdValue, horizonMs]);

  const ids = [...series.keys()].sort();
  const perSeries = pointsPerSeries(ids.length * 2);
  const bucketMs = Math.max(1000, Math.ceil(horizonMs / perSeries / 1000) * 1000);
  const colour = (id: string) => PALETTE[ids.indexOf(id) % PALETTE.length] ?? '#334155';
  const [totalsHidden, setTotalsHidden] = useState<ReadonlySet<string>>(new Set());
  const toggleTotals = useCallback((key: string) => setTotalsHidden((prev) => { const next = new Set(prev); if (next.has(key)) next.delete(key); else next.add(key); return next; }), []);
  const toggle = (id: string) => setHidden((prev) => { const next = new Set(prev); if (next.has(id)) next.delete(id); else next.add(id); return next; });

  // Downsample once per update; every chart reads the same arrays.
  const sampled = useMemo(() => {
    const out = new Map<string, { times: number[]; values: Record<Metric, number[]> }>();
    for (const [id, points] of series) {
      const ds = downsample(points, bucketMs);
      const values = {} as Record<Metric, number[]>;
      for (const m of METRICS) values[m] = ds.map((p) => p[m]);
      out.set(id, { times: ds.map((p) => p.time), values });
    }
    return out;
  }, [series, bucketMs]);
  const newest = Math.max(0, ...[...sampled.values()].map((s) => s.times[s.times.length - 1] ?? 0));
  const to = newest || Date.now();
  const from = to - horizonMs;
  const chartSeries = useMemo(() => CHARTS.map((chart) => ids.filter((id) => !hidden.has(id)).flatMap((id) => {
    const data = sampled.get(id);
    if (!data) return [];
    return chart.metrics.map((metric, mi): ChartSeries => ({
      key: `${id}|${metric}`, label: `${id}${chart.metrics.length > 1 ? ` ${METRIC_LABEL[metric]}` : ''}`,
      colour: colour(id), dashed: mi === 1, times: data.times, values: data.values[metric],
    }));
  // colour depends on ids only
  })), [sampled, hidden, ids.join(',')]);
  const totals = useMemo(() => {
    const byTime = new Map<number, { time: number; cps: number; activeConns: number }>();
    for (const data of sampled.values()) {
      data.times.forEach((t, i) => {
        const row = byTime.get(t) ?? { time: t, cps: 0, activeConns: 0 };
        row.cps += data.values.cps[i] ?? 0;
        row.activeConns += data.values.activeConns[i] ?? 0;
        byTime.set(t, row);
      });
    }
    return [...byTime.values()].sort((a, b) => a.time - b.time);
  }, [sampled]);

  return (
    <div className="grid grid-cols-1 gap-3 xl:grid-cols-[minmax(0,1fr)_minmax(0,600px)]">
      <Panel title="Live charts" actions={(
        <>
          <div role="group" aria-label="Window" className="flex gap-1">
            {WINDOWS.map((w) => (
              <Button key={w} variant={w === minutes ? 'primary' : 'secondary'} aria-pressed={w === minutes} onClick={() => setMinutes(w)}>{w === 60 ? '1 h' : `${w} min`}</Button>
            ))}
          </div>
          <Button aria-pressed={paused} onClick={() => setPaused(!paused)}>{paused ? 'Resume' : 'Pause'}</Button>
        </>
      )}>
        {history.error ? <Notice tone="error">{errorMessage(history.error)}</Notice> : null}
        {streamError ? <Notice tone="warn">Live samples interrupted: {streamError}. Reconnecting…</Notice> : null}
        {paused ? <Notice tone="info">Paused: new samples are not drawn.</Notice> : null}
        <figure className="mb-3">
          <figcaption className="mb-1 text-xs font-medium text-slate-700">Service total: new connections per second and active connections</figcaption>
          <div className="h-40">
            <TotalsChart data={totals} from={from} to={to} hidden={totalsHidden} toggle={toggleTotals} />
          </div>
        </figure>
        <div role="group" aria-label="Legend: real servers shown" className="mb-2 flex flex-wrap gap-x-3 gap-y-1">
          {ids.map((id) => (
            <label key={id} className="flex items-center gap-1 font-mono text-xs">
              <input type="checkbox" checked={!hidden.has(id)} onChange={() => toggle(id)} aria-label={`Show ${id}`} />
              <span className="inline-block h-2 w-3" style={{ background: colour(id) }} aria-hidden="true" />
              {id}
            </label>
          ))}
        </div>
        <div className="grid grid-cols-1 gap-4 2xl:grid-cols-2">
          {CHARTS.map((chart, index) => (
            <figure key={chart.title} className="min-w-0">
              <figcaption className="mb-1 text-xs font-medium text-slate-700">{chart.title}</figcaption>
              <LineChart title={`${chart.title}, last ${minutes === 60 ? '1 hour' : `${minutes} minutes`}`} series={chartSeries[index] ?? []} from={from} to={to} format={chart.format} />
            </figure>
          ))}
        </div>
      </Panel>
      <IpvsadmPanel serviceIdValue={serviceIdValue} />
    </div>
  );
}

/** Few series, so Recharts (tooltip and toggling legend included) stays cheap here. */
const TotalsChart = memo(function TotalsChart({ data, from, to, hidden, toggle }: { data: Array<{ time: number; cps: number; activeConns: number }>; from: number; to: number; hidden: ReadonlySet<string>; toggle: (key: string) => void }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
    <ComposedChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
      <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
      <XAxis dataKey="time" type="number" domain={[from, to]} allowDataOverflow tickFormatter={(t: number) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })} fontSize={10} />
      <YAxis yAxisId="cps" fontSize={10} width={44} tickFormatter={(v: number) => formatRate(v)} />
      <YAxis yAxisId="active" orientation="right" fontSize={10} width={44} />
      <Tooltip isAnimationActive={false} labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()} formatter={(v) => formatRate(Number(v))} />
      <Legend wrapperStyle={{ fontSize: 11, cursor: 'pointer' }} onClick={(entry) => toggle(String(entry.dataKey ?? ''))} />
      <Line yAxisId="cps" dataKey="cps" name="new conn/s" stroke="#1d4ed8" dot={false} isAnimationActive={false} hide={hidden.has('cps')} />
      <Line yAxisId="active" dataKey="activeConns" name="active connections" stroke="#b45309" dot={false} isAnimationActive={false} hide={hidden.has('activeConns')} />
    </ComposedChart>
    </ResponsiveContainer>
  );
});
