// The watch view's window, hidden series and zoomed range ride in the page's
// address ("#/services/tcp%3A192.0.2.10%3A80/watch?range=15&hide=10.0.0.1:80
// &zoom=1765015200000-1765015500000"), so a view can be shared or reloaded as
// it is. Pure: the router only hands these functions its search params.
/** Minutes; 60 and 1440 reach into the agent's 10 s history kept on disk. */
export const WINDOWS = [1, 5, 15, 60, 1440] as const;
export type WindowMinutes = (typeof WINDOWS)[number];

/** An absolute time range, epoch ms. */
export interface TimeRange {
  from: number;
  to: number;
}

export interface WatchUrlState {
  minutes: WindowMinutes;
  /** Destination ids ("10.0.0.1:80") whose series are hidden. */
  hidden: string[];
  /** The range zoomed into, or null for the whole (live) window. */
  zoom: TimeRange | null;
}

/** The narrowest zoom: a few samples. */
export const MIN_ZOOM_MS = 5_000;
const MAX_ZOOM_MS = 24 * 3_600_000;

/** "FROM-TO" in epoch ms; anything else (reversed, too narrow or too wide, not numbers) is no zoom. */
function parseZoom(value: string | null): TimeRange | null {
  const match = /^(\d{1,15})-(\d{1,15})$/.exec(value ?? '');
  if (!match) return null;
  const from = Number(match[1]);
  const to = Number(match[2]);
  return to - from >= MIN_ZOOM_MS && to - from <= MAX_ZOOM_MS ? { from, to } : null;
}

/** Unknown windows fall back to 1 minute; at most 200 hidden ids are read. */
export function parseWatchParams(params: URLSearchParams): WatchUrlState {
  const range = Number(params.get('range'));
  const minutes = (WINDOWS as readonly number[]).includes(range) ? (range as WindowMinutes) : 1;
  const hide = params.get('hide') ?? '';
  return { minutes, hidden: hide ? hide.split(',').filter(Boolean).slice(0, 200) : [], zoom: parseZoom(params.get('zoom')) };
}

export function watchParams(state: WatchUrlState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.minutes !== 1) params.set('range', String(state.minutes));
  if (state.hidden.length) params.set('hide', [...state.hidden].sort().join(','));
  if (state.zoom) params.set('zoom', `${Math.round(state.zoom.from)}-${Math.round(state.zoom.to)}`);
  return params;
}

/**
 * The range a zoom selection becomes: ordered, whole milliseconds, widened
 * around its middle to MIN_ZOOM_MS. Null for a click without a drag.
 */
export function zoomRange(a: number, b: number, minimumDragMs: number): TimeRange | null {
  const from = Math.min(a, b);
  const to = Math.max(a, b);
  if (to - from < minimumDragMs) return null;
  const middle = (from + to) / 2;
  const half = Math.max(to - from, MIN_ZOOM_MS) / 2;
  return { from: Math.round(middle - half), to: Math.round(middle + half) };
}

/** "Zoom in" without a pointer: half the range, around `centre` (kept inside the range). */
export function zoomIn(range: TimeRange, centre: number): TimeRange {
  const half = Math.max((range.to - range.from) / 4, MIN_ZOOM_MS / 2);
  const middle = Math.min(range.to - half, Math.max(range.from + half, centre));
  return { from: Math.round(middle - half), to: Math.round(middle + half) };
}

/**
 * The window whose history holds a zoomed range: the chosen one, or a longer
 * one when the range began before it (a link opened later).
 */
export function windowCovering(minutes: WindowMinutes, zoomFrom: number | null, now: number): WindowMinutes {
  if (zoomFrom === null) return minutes;
  return WINDOWS.find((w) => w >= minutes && now - w * 60_000 <= zoomFrom) ?? 1440;
}
