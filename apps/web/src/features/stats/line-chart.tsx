// A lean SVG line chart for many series (50 destinations × 2 metrics at 1 Hz):
// one <path> per series, no per-point elements, so a redraw stays far under a
// 50 ms frame budget. A crosshair tooltip follows the pointer or the arrow
// keys. Series may use a second y axis on the right (the service totals:
// connections per second and active connections). Recharts was tried here:
// its internal store re-renders synchronously and measures every tick label,
// which alone took 20-50 ms per update of the watch view.
// Change markers (from the audit log) are HTML buttons over the plot, so each
// is a tab stop with a name; hover or focus shows who changed what. A drag
// across the plot (or "+" at the crosshair) asks the owner to zoom.
import { memo, useEffect, useId, useMemo, useRef, useState, type RefObject } from 'react';
import { clockTime, dateTime } from '../../lib/format-time';
import { t } from '../../lib/i18n';
import { zoomIn, zoomRange, type TimeRange } from './watch-url';

export interface ChartSeries {
  key: string;
  label: string;
  colour: string;
  dashed?: boolean;
  /** Which y axis the series is read against (default left). */
  axis?: 'left' | 'right';
  /** Sorted by time. */
  times: readonly number[];
  values: readonly number[];
}

/** A change drawn as a vertical line at its time. */
export interface ChartMarker {
  key: string;
  time: number;
  who: string;
  what: string;
}

const MARGIN = { top: 8, right: 10, bottom: 22, left: 50 };
const RIGHT_AXIS_MARGIN = 50;

/** A round upper bound for the y axis. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

/** Room one time label ("12:34:56" at 10 px, with a gap) needs on the x axis. */
const TIME_LABEL_WIDTH = 64;

/**
 * Fractions of the plot width where time labels go: as many as fit without
 * overlapping (a 390 px phone gets three, a desktop five), always both ends.
 */
export function timeTickFractions(plotWidth: number): number[] {
  const intervals = Math.max(1, Math.min(4, Math.floor(plotWidth / (TIME_LABEL_WIDTH * 1.5))));
  return Array.from({ length: intervals + 1 }, (_, i) => i / intervals);
}

/** SVG path text for one series in a plot of the given size (0.1 px steps). */
export function linePath(times: readonly number[], values: readonly number[], from: number, to: number, yMax: number, width: number, height: number): string {
  // Scaled once, rounded with Math.round: toFixed and template strings per
  // point cost a third more for the 400 series the watch view redraws each second.
  const xScale = (width * 10) / Math.max(1, to - from);
  const yScale = (height * 10) / yMax;
  const bottom = height * 10;
  let d = '';
  for (let i = 0; i < times.length; i++) {
    const t = times[i] ?? 0;
    if (t < from) continue;
    // A zoomed chart stops at its range's end.
    if (t > to) break;
    d += (d ? 'L' : 'M') + Math.round((t - from) * xScale) / 10 + ',' + Math.round(bottom - (values[i] ?? 0) * yScale) / 10;
  }
  return d;
}

const NO_MARKERS: readonly ChartMarker[] = [];

function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    const observer = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w && Math.abs(w - width) > 1) setWidth(w);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [width]);
  return [ref, width];
}

/** Memoised: the page around it re-renders every second for other reasons. */
export const LineChart = memo(function LineChart({
  title,
  series,
  from,
  to,
  format,
  formatRight,
  markers = NO_MARKERS,
  onZoom,
  height = 200,
}: {
  title: string;
  series: readonly ChartSeries[];
  from: number;
  to: number;
  format: (value: number) => string;
  markers?: readonly ChartMarker[];
  /** Called with the range dragged across (or "+" at the crosshair); no zooming without it. */
  onZoom?: (range: TimeRange) => void;
  /** Labels of the right axis; the axis is drawn when a series uses it. */
  formatRight?: (value: number) => string;
  height?: number;
}) {
  const [containerRef, width] = useWidth();
  const [cursor, setCursor] = useState<number | null>(null);
  const [openMarker, setOpenMarker] = useState<string | null>(null);
  const [drag, setDrag] = useState<{ start: number; end: number } | null>(null);
  const tooltipId = useId();
  const markerTipId = useId();
  const hasRight = series.some((s) => s.axis === 'right');
  const marginRight = hasRight ? RIGHT_AXIS_MARGIN : MARGIN.right;
  const plotWidth = Math.max(50, width - MARGIN.left - marginRight);
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const [yMax, yMaxRight] = useMemo(() => {
    const max = { left: 0, right: 0 };
    for (const s of series) {
      const side = s.axis ?? 'left';
      for (let i = 0; i < s.values.length; i++) if ((s.times[i] ?? 0) >= from) max[side] = Math.max(max[side], s.values[i] ?? 0);
    }
    return [niceMax(max.left), niceMax(max.right)];
  }, [series, from]);
  const paths = useMemo(
    () => series.map((s) => ({ s, d: linePath(s.times, s.values, from, to, s.axis === 'right' ? yMaxRight : yMax, plotWidth, plotHeight) })),
    [series, from, to, yMax, yMaxRight, plotWidth, plotHeight],
  );
  const xTickFractions = timeTickFractions(plotWidth);
  const yTicks = [0, 0.25, 0.5, 0.75, 1];

  // The tooltip shows the values at the sample nearest the cursor time.
  const reference = series[0];
  let cursorIndex = -1;
  if (cursor !== null && reference && reference.times.length > 0) {
    let lo = 0;
    let hi = reference.times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((reference.times[mid] ?? 0) < cursor) lo = mid + 1;
      else hi = mid;
    }
    cursorIndex = lo;
  }
  const nearest = cursorIndex >= 0 ? (reference?.times[cursorIndex] ?? null) : null;
  // Only samples inside the drawn range get a crosshair.
  const cursorTime = nearest !== null && nearest >= from && nearest <= to ? nearest : null;
  const rows =
    cursorTime === null
      ? []
      : series
          .map((s) => ({ s, value: s.values[s.times.indexOf(cursorTime)] }))
          .filter((r): r is { s: ChartSeries; value: number } => r.value !== undefined)
          .sort((a, b) => b.value - a.value);
  const formatOf = (s: ChartSeries) => (s.axis === 'right' ? (formatRight ?? format) : format);

  const moveCursor = (step: number) => {
    if (!reference || reference.times.length === 0) return;
    const index = cursorIndex < 0 ? reference.times.length - 1 : Math.min(reference.times.length - 1, Math.max(0, cursorIndex + step));
    setCursor(reference.times[index] ?? null);
  };
  /** Home and End: the oldest and the newest point. */
  const cursorToEnd = (newest: boolean) => {
    if (!reference || reference.times.length === 0) return;
    const inRange = reference.times.filter((time) => time >= from && time <= to);
    setCursor((newest ? inRange.at(-1) : inRange[0]) ?? null);
  };

  return (
    <div ref={containerRef} className="relative">
      <svg
        width={width}
        height={height}
        role="img"
        aria-label={title}
        aria-describedby={rows.length ? tooltipId : undefined}
        tabIndex={0}
        aria-keyshortcuts={onZoom ? 'ArrowLeft ArrowRight Home End +' : 'ArrowLeft ArrowRight Home End'}
        className={onZoom ? 'block cursor-crosshair touch-pan-y' : 'block'}
        onPointerDown={(e) => {
          if (!onZoom || e.button !== 0) return;
          const x = e.clientX - e.currentTarget.getBoundingClientRect().left - MARGIN.left;
          if (x < 0 || x > plotWidth) return;
          const time = from + (x / plotWidth) * (to - from);
          e.currentTarget.setPointerCapture(e.pointerId);
          setDrag({ start: time, end: time });
        }}
        onPointerMove={(e) => {
          const x = e.clientX - e.currentTarget.getBoundingClientRect().left - MARGIN.left;
          const inside = Math.min(plotWidth, Math.max(0, x));
          if (drag) setDrag({ start: drag.start, end: from + (inside / plotWidth) * (to - from) });
          setCursor(x < 0 || x > plotWidth ? null : from + (x / plotWidth) * (to - from));
        }}
        onPointerUp={() => {
          if (!drag) return;
          setDrag(null);
          // Less than 4 px is a click, not a selection.
          const range = zoomRange(drag.start, drag.end, (4 / plotWidth) * (to - from));
          if (range && onZoom) onZoom(range);
        }}
        onPointerCancel={() => setDrag(null)}
        onPointerLeave={() => setCursor(null)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowLeft') {
            e.preventDefault();
            moveCursor(-1);
          }
          if (e.key === 'ArrowRight') {
            e.preventDefault();
            moveCursor(1);
          }
          if (e.key === 'Home' || e.key === 'End') {
            e.preventDefault();
            cursorToEnd(e.key === 'End');
          }
          if (e.key === 'Escape') setCursor(null);
          if ((e.key === '+' || e.key === '=') && onZoom) {
            e.preventDefault();
            onZoom(zoomIn({ from, to }, cursorTime ?? (from + to) / 2));
          }
        }}
        onBlur={() => setCursor(null)}
      >
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          {yTicks.map((f) => {
            const y = plotHeight - f * plotHeight;
            return (
              <g key={f}>
                <line x1={0} x2={plotWidth} y1={y} y2={y} stroke="var(--chart-grid)" strokeDasharray="3 3" />
                <text x={-6} y={y + 3} textAnchor="end" fontSize={10} fill="var(--chart-text)">
                  {format(f * yMax)}
                </text>
                {hasRight ? (
                  <text x={plotWidth + 6} y={y + 3} textAnchor="start" fontSize={10} fill="var(--chart-text)">
                    {(formatRight ?? format)(f * yMaxRight)}
                  </text>
                ) : null}
              </g>
            );
          })}
          {xTickFractions.map((f) => (
            <text
              key={f}
              x={f * plotWidth}
              y={plotHeight + 15}
              textAnchor={f === 0 ? 'start' : f === 1 ? 'end' : 'middle'}
              fontSize={10}
              fill="var(--chart-text)"
            >
              {clockTime(from + f * (to - from))}
            </text>
          ))}
          <line x1={0} x2={plotWidth} y1={plotHeight} y2={plotHeight} stroke="var(--chart-muted)" />
          {paths.map(({ s, d }) => (
            <path key={s.key} d={d} fill="none" stroke={s.colour} strokeWidth={1.4} strokeDasharray={s.dashed ? '4 3' : undefined} strokeLinejoin="round" />
          ))}
          {drag ? (
            <rect
              x={((Math.min(drag.start, drag.end) - from) / (to - from)) * plotWidth}
              y={0}
              width={(Math.abs(drag.end - drag.start) / (to - from)) * plotWidth}
              height={plotHeight}
              fill="var(--chart-accent)"
              fillOpacity={0.15}
              stroke="var(--chart-accent)"
            />
          ) : null}
          {cursorTime !== null ? (
            <line
              x1={((cursorTime - from) / (to - from)) * plotWidth}
              x2={((cursorTime - from) / (to - from)) * plotWidth}
              y1={0}
              y2={plotHeight}
              stroke="var(--chart-cursor)"
              strokeWidth={1}
            />
          ) : null}
        </g>
      </svg>
      {markers.map((marker) => {
        if (marker.time < from || marker.time > to) return null;
        const x = MARGIN.left + ((marker.time - from) / Math.max(1, to - from)) * plotWidth;
        const open = openMarker === marker.key;
        return (
          <button
            key={marker.key}
            type="button"
            aria-label={t('Change at {{time}} by {{who}}: {{what}}', { time: clockTime(marker.time), who: marker.who, what: marker.what })}
            aria-describedby={open ? markerTipId : undefined}
            className="group absolute w-3 -translate-x-1/2 cursor-help focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-500"
            style={{ left: x, top: MARGIN.top, height: plotHeight }}
            onPointerEnter={() => setOpenMarker(marker.key)}
            onPointerLeave={() => setOpenMarker(null)}
            onFocus={() => setOpenMarker(marker.key)}
            onBlur={() => setOpenMarker(null)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setOpenMarker(null);
            }}
          >
            <span
              aria-hidden="true"
              className="pointer-events-none absolute inset-y-0 left-1/2 border-l-2 border-dashed"
              style={{ borderColor: 'var(--chart-marker)' }}
            />
          </button>
        );
      })}
      {(() => {
        const marker = markers.find((m) => m.key === openMarker);
        if (!marker) return null;
        const x = MARGIN.left + ((marker.time - from) / Math.max(1, to - from)) * plotWidth;
        return (
          <div
            id={markerTipId}
            role="tooltip"
            className="pointer-events-none absolute z-10 w-64 rounded border border-slate-300 bg-white/95 p-2 text-xs shadow"
            style={{ left: Math.max(0, Math.min(x + 8, width - 264)), top: MARGIN.top }}
          >
            <div className="font-medium">{t('Change by {{who}}', { who: marker.who })}</div>
            <div className="text-slate-600">{dateTime(marker.time)}</div>
            <div className="mt-1 break-words">{marker.what}</div>
          </div>
        );
      })()}
      {cursorTime !== null && rows.length > 0 ? (
        <div
          id={tooltipId}
          role="tooltip"
          className="pointer-events-none absolute right-2 top-2 max-w-[60%] rounded border border-slate-300 bg-white/95 p-2 text-xs shadow"
        >
          <div className="mb-1 font-medium">{clockTime(cursorTime)}</div>
          {rows.slice(0, 8).map(({ s, value }) => (
            <div key={s.key} className="flex items-center gap-2 font-mono">
              <span className="inline-block h-0.5 w-3" style={{ background: s.colour }} aria-hidden="true" />
              <span className="truncate">{s.label}</span>
              <span className="ml-auto pl-2">{formatOf(s)(value)}</span>
            </div>
          ))}
          {rows.length > 8 ? <div className="text-slate-600">{t('and {{count}} more', { count: rows.length - 8 })}</div> : null}
        </div>
      ) : null}
    </div>
  );
});
