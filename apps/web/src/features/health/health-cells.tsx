// Small pieces of the real servers table: the health badge, the strip of the
// last probe results (Varnish-style), configured → kernel weight, the "why no
// traffic" lines and a tracked drain's progress.
import type { DestinationHealthView, DrainProgressView, HealthLabel, HealthReason, ProbeHistoryEntry } from './use-health-status';
import { effectiveWeightReason, formatDuration, healthLabel, isSimulated } from './use-health-status';
import { clockTime } from '../../lib/format-time';
import { msg, t } from '../../lib/i18n';
import { formatNumber } from '../../lib/format-number';
import { localNestedMessage } from '../../lib/error-text';

const LABEL_STYLES: Record<HealthLabel, string> = {
  up: 'bg-green-100 text-green-800 border-green-300',
  down: 'bg-red-100 text-red-800 border-red-300',
  rising: 'bg-lime-100 text-lime-900 border-lime-300',
  alpha: 'bg-sky-100 text-sky-900 border-sky-300',
  ramping: 'bg-teal-100 text-teal-900 border-teal-300',
  draining: 'bg-amber-100 text-amber-900 border-amber-300',
  'no checks': 'bg-slate-100 text-slate-600 border-slate-300',
};

/** "down" reads as "check down" so row text never collides with the sim's own "failing" badge. */
const LABEL_TEXT: Record<HealthLabel, string> = {
  up: msg('check up'),
  down: msg('check down'),
  rising: msg('rising'),
  alpha: msg('alpha'),
  ramping: msg('slow start'),
  draining: msg('tracked drain'),
  'no checks': msg('no checks'),
};

export function HealthBadge({ view }: { view: DestinationHealthView }) {
  const label = healthLabel(view);
  return (
    <span className="inline-flex items-center gap-1">
      <span className={`inline-block whitespace-nowrap rounded border px-1.5 py-0.5 text-xs font-medium ${LABEL_STYLES[label]}`}>{t(LABEL_TEXT[label])}</span>
      {isSimulated(view) ? (
        <span className="text-xs text-slate-600" title={t("Probed through the sim's failing flag, not over the network")}>
          {t('simulated')}
        </span>
      ) : null}
    </span>
  );
}

/** What a probe found, in the console's language (the agent's English text when it sent no id). */
export function probeText(entry: Pick<ProbeHistoryEntry, 'message' | 'messageId' | 'params'>): string {
  return localNestedMessage(entry.messageId, entry.params, entry.message);
}

function probeTitle(entry: ProbeHistoryEntry): string {
  return `${clockTime(entry.time)} · ${entry.kind} · ${entry.latencyMs} ms · ${probeText(entry)}`;
}

/** The newest probe results, oldest first; each square's tooltip has time, latency and message. */
export function HistoryStrip({ history, flaps, max = 20 }: { history: readonly ProbeHistoryEntry[]; flaps: number; max?: number }) {
  if (history.length === 0) return null;
  const recent = history.slice(-max);
  const failed = recent.filter((entry) => !entry.ok).length;
  const latest = recent[recent.length - 1];
  const summary =
    t('last {{count}} probes: {{ok}} ok, {{failed}} failed', { count: recent.length, ok: recent.length - failed, failed }) +
    (latest
      ? latest.ok
        ? t('; latest ok: {{message}}', { message: probeText(latest) })
        : t('; latest failed: {{message}}', { message: probeText(latest) })
      : '');
  return (
    <div className="mt-1 flex items-center gap-1.5">
      <span role="img" aria-label={summary} className="flex gap-px">
        {recent.map((entry, index) => (
          <span
            key={`${entry.time}-${entry.check}-${index}`}
            title={probeTitle(entry)}
            className={`inline-block h-2.5 w-1.5 rounded-[1px] ${entry.ok ? 'bg-green-500' : 'bg-red-500'}`}
          />
        ))}
      </span>
      {flaps > 0 ? (
        <span className="text-xs text-slate-600" title={t('Up/down changes within the kept history')}>
          {t('{{count}} flaps', { count: flaps })}
        </span>
      ) : null}
    </div>
  );
}

/** "1 → 0 (check failing)" when the kernel's weight differs from the configured one. */
export function EffectiveWeight({ view, endpoint }: { view: DestinationHealthView; endpoint: string }) {
  const effective = view.effectiveWeight;
  if (effective === view.configuredWeight) return null;
  const reason = effectiveWeightReason(view);
  return (
    <span
      className="whitespace-nowrap text-xs text-amber-900"
      data-testid={`effective-weight-${endpoint}`}
      title={t('The weight the kernel has now; the configured weight is kept')}
    >
      {view.configuredWeight} → {effective === 'removed' ? t('removed') : effective} {t('in kernel')}
      {reason ? ` (${reason})` : ''}
    </span>
  );
}

const SEVERITY_STYLE: Record<HealthReason['severity'], string> = {
  blocks: 'text-red-800',
  reduces: 'text-amber-800',
  note: 'text-slate-600',
};

/** The agent's "why no (or little) traffic" lines; kernel notes fold away. */
export function WhyNoTraffic({ reasons }: { reasons: readonly HealthReason[] }) {
  const main = reasons.filter((reason) => reason.severity !== 'note');
  const notes = reasons.filter((reason) => reason.severity === 'note');
  return (
    <div className="flex flex-col gap-0.5 text-xs">
      {main.length > 0 ? (
        <ul className="flex flex-col gap-0.5">
          {main.map((reason) => (
            <li key={reason.code} className={SEVERITY_STYLE[reason.severity]}>
              <span
                aria-hidden="true"
                className={`mr-1.5 inline-block h-1.5 w-1.5 rounded-full align-middle ${reason.severity === 'blocks' ? 'bg-red-600' : 'bg-amber-500'}`}
              />
              {localNestedMessage(reason.messageId, reason.params, reason.message)}
              {reason.since ? <span className="text-slate-600"> {t('(since {{time}})', { time: clockTime(reason.since) })}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {notes.length > 0 ? (
        <details>
          <summary className="cursor-pointer text-slate-600">{t('{{count}} notes on weights', { count: notes.length })}</summary>
          <ul className="mt-0.5 flex flex-col gap-0.5 pl-3">
            {notes.map((reason) => (
              <li key={reason.code} className={SEVERITY_STYLE.note}>
                {localNestedMessage(reason.messageId, reason.params, reason.message)}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

/** Connections left, how fast they end, time left, and whether removal is safe. */
export function DrainProgressLine({ progress }: { progress: DrainProgressView }) {
  const left = progress.current ? progress.current.active + progress.current.inactive : null;
  const percent = Math.round(progress.fractionDone * 100);
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs" data-testid="drain-progress">
      <span className="font-medium text-amber-900">{t('Tracked drain')}</span>
      <progress className="h-2 w-28 accent-amber-600" max={100} value={percent} aria-label={t('Connections ended')}>
        {percent} %
      </progress>
      <span>{left === null ? t('waiting for the first observation') : t('{{count}} connections left', { count: left })}</span>
      {progress.current && progress.current.persistent > 0 ? <span>{t('{{count}} persistence templates', { count: progress.current.persistent })}</span> : null}
      <span>{progress.ratePerSecond === null ? t('rate: measuring…') : t('{{rate}} ending/s', { rate: formatNumber(progress.ratePerSecond, 1) })}</span>
      {progress.estimatedSecondsLeft !== null && !progress.safeToRemove ? (
        <span>{t('about {{duration}} left', { duration: formatDuration(progress.estimatedSecondsLeft) })}</span>
      ) : null}
      {progress.deadline !== null ? (
        <span>{progress.deadlinePassed ? t('deadline passed') : t('deadline {{time}}', { time: clockTime(progress.deadline) })}</span>
      ) : null}
      {progress.safeToRemove ? (
        <span className="rounded border border-green-300 bg-green-100 px-1.5 py-0.5 font-medium text-green-800">{t('safe to remove')}</span>
      ) : (
        <span className="text-slate-600">{t('not yet safe to remove')}</span>
      )}
    </div>
  );
}
