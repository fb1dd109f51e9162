import { useEffect, useState } from 'react';
import { dateTime } from '../../lib/format-time';

/** "2 s ago"; the tick keeps it honest while nothing new arrives. */
export function formatAge(ms: number): string {
  if (ms < 1500) return 'just now';
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min ago`;
  return `${Math.round(m / 60)} h ago`;
}

export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** How old a datum is; amber when stale (over 5 s), red over 30 s. */
/** neutral: an event time (a change), not the age of live data, so never coloured as stale. */
export function Age({ at, label = 'updated', neutral = false }: { at: number | null | undefined; label?: string; neutral?: boolean }) {
  const now = useNow();
  if (!at) return <span className="text-xs text-slate-500">{label} never</span>;
  const age = Math.max(0, now - at);
  const tone = neutral ? 'text-slate-500' : age > 30_000 ? 'text-red-700' : age > 5_000 ? 'text-amber-700' : 'text-slate-500';
  return <span className={`text-xs ${tone}`} title={dateTime(at)}>{label} {formatAge(age)}</span>;
}
