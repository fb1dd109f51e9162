// The watch view's window and hidden series ride in the page's address
// ("#/services/tcp%3A192.0.2.10%3A80/watch?range=15&hide=10.0.0.1:80"), so a
// view can be shared or reloaded as it is. Pure.
export const WINDOWS = [1, 5, 15, 60] as const;
export type WindowMinutes = (typeof WINDOWS)[number];

export interface WatchUrlState {
  minutes: WindowMinutes;
  /** Destination ids ("10.0.0.1:80") whose series are hidden. */
  hidden: string[];
}

/** Unknown windows fall back to 1 minute; at most 200 hidden ids are read. */
export function parseWatchParams(params: URLSearchParams): WatchUrlState {
  const range = Number(params.get('range'));
  const minutes = (WINDOWS as readonly number[]).includes(range) ? (range as WindowMinutes) : 1;
  const hide = params.get('hide') ?? '';
  return { minutes, hidden: hide ? hide.split(',').filter(Boolean).slice(0, 200) : [] };
}

export function watchParams(state: WatchUrlState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.minutes !== 1) params.set('range', String(state.minutes));
  if (state.hidden.length) params.set('hide', [...state.hidden].sort().join(','));
  return params;
}
