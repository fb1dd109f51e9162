import { useEffect, useState } from 'react';
import { dateTime } from '../../lib/format-time';
import { msg, t } from '../../lib/i18n';

/** "2 s ago"; the tick keeps it honest while nothing new arrives. */
export function formatAge(ms: number): string {
  if (ms < 1500) return t('just now');
  const s = Math.round(ms / 1000);
  if (s < 90) return t('{{count}} s ago', { count: s });
  const m = Math.round(s / 60);
  if (m < 90) return t('{{count}} min ago', { count: m });
  return t('{{count}} h ago', { count: Math.round(m / 60) });
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
export function Age({ at, label = msg('updated'), neutral = false }: { at: number | null | undefined; label?: string; neutral?: boolean }) {
  const now = useNow();
  if (!at) return <span className="text-xs text-slate-600">{t('{{label}} never', { label: t(label) })}</span>;
  const age = Math.max(0, now - at);
  const tone = neutral ? 'text-slate-600' : age > 30_000 ? 'text-red-700' : age > 5_000 ? 'text-amber-700' : 'text-slate-600';
  return (
    <span className={`text-xs ${tone}`} title={dateTime(at)}>
      {label ? `${t(label)} ${formatAge(age)}` : formatAge(age)}
    </span>
  );
}
