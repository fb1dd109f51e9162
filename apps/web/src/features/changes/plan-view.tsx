// "These ipvsadm lines will run": a plan shown before it is applied, and the
// per-change results after.
import type { CommitOutcome } from '../../lib/types';
import { Notice } from '../../components/ui/notice';
import { t } from '../../lib/i18n';

export function PlanLines({ outcome, title }: { outcome: CommitOutcome; title: string }) {
  return (
    <div className="flex flex-col gap-2" aria-label={title} role="group">
      <p className="text-sm font-medium">{title}</p>
      {outcome.lines.length === 0 ? (
        <p className="text-sm text-slate-600">{t('Nothing to do: the kernel already matches.')}</p>
      ) : (
        <pre className="overflow-x-auto rounded bg-slate-900 p-2 font-mono text-xs leading-5 text-slate-100">{outcome.lines.join('\n')}</pre>
      )}
      {outcome.warnings.map((w) => (
        <Notice key={w} tone="warn">
          {w}
        </Notice>
      ))}
      {outcome.results
        .filter((r) => !r.ok)
        .map((r, i) => (
          <Notice key={i} tone="error">
            {r.error ?? t('a change failed')}
          </Notice>
        ))}
    </div>
  );
}
