// Which backend is live, how old the kernel observation is, and a clear
// state when the agent cannot be reached (the last data stays on screen).
import { Age, formatAge, useNow } from '../components/ui/age';
import { useSnapshot, useSystemInfo } from '../lib/agent';
import { errorMessage, isUnreachable } from '../lib/trpc';
import { msg, t } from '../lib/i18n';

/** The agent's backend label, by kind, in the console's language (the agent's own words for a kind it does not know). */
const BACKEND_LABELS: Readonly<Record<string, string>> = {
  sim: msg('Simulated kernel'),
  netlink: msg('Linux IPVS (generic netlink)'),
  ipvsadm: msg('Linux IPVS (ipvsadm)'),
};

export function StatusBar() {
  const snapshot = useSnapshot();
  const info = useSystemInfo();
  const now = useNow();
  const unreachable = isUnreachable(snapshot.error) && snapshot.isError;
  const backend = info.data?.backend;
  const known = backend ? BACKEND_LABELS[backend.kind] : undefined;
  const backendLabel = backend ? (known ? t(known) : backend.label) : '…';
  const lastOk = snapshot.dataUpdatedAt || null;
  return (
    <div className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-[1400px] flex-wrap items-center gap-4 px-4 py-1.5 text-xs text-slate-600">
        <span>
          {t('Backend:')}{' '}
          <strong className="font-semibold text-slate-800" data-testid="backend-label">
            {backendLabel}
          </strong>
        </span>
        <span>
          {t('Revision')} <span className="font-mono">{snapshot.data?.revision ?? '—'}</span>
        </span>
        <Age at={snapshot.data?.observedAt ?? null} label={t('kernel observed')} />
        {snapshot.data?.updatedAt ? <Age at={snapshot.data.updatedAt} label={t('desired state changed')} neutral /> : null}
      </div>
      {unreachable ? (
        <div role="alert" className="border-t border-red-300 bg-red-50">
          <div className="mx-auto max-w-[1400px] px-4 py-2 text-sm text-red-900">
            <strong>{t('Agent unreachable.')}</strong> {lastOk ? t('Showing data from {{age}};', { age: formatAge(now - lastOk) }) : ''}
            {t('retrying every second.')} ({errorMessage(snapshot.error)})
          </div>
        </div>
      ) : snapshot.isError ? (
        <div role="alert" className="border-t border-amber-300 bg-amber-50">
          <div className="mx-auto max-w-[1400px] px-4 py-2 text-sm text-amber-900">
            {t('The agent answered with an error: {{reason}}', { reason: errorMessage(snapshot.error) })}
          </div>
        </div>
      ) : null}
    </div>
  );
}
