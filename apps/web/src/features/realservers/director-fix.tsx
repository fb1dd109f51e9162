// "Fix director settings": ask the agent for a dry run of the host apply
// (the same steps it will run), show those lines in a confirmation, and only
// then save the rows and apply them; the result is listed line by line.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { HostSetting } from '@lvs-console/shared';
import { mergeHostSettings } from '@lvs-console/shared/host';
import { Button } from '../../components/ui/button';
import { ConfirmDialog } from '../../components/ui/confirm-dialog';
import { Notice } from '../../components/ui/notice';
import { useInvalidateAfterChange, useSnapshot } from '../../lib/agent';
import { useCommit } from '../../lib/commit';
import { t } from '../../lib/i18n';
import { errorMessage, trpcClient } from '../../lib/trpc';
import { localHostMessage, localHostSetting } from './host-messages';

type PlanRows = Awaited<ReturnType<typeof trpcClient.host.plan.query>>;
type ResultRows = Awaited<ReturnType<typeof trpcClient.host.apply.mutate>>;

export function DirectorFix({ required }: { required: HostSetting[] }) {
  const snapshot = useSnapshot();
  const invalidate = useInvalidateAfterChange();
  const [planned, setPlanned] = useState<PlanRows | null>(null);

  const dryRun = useMutation({
    mutationFn: () => trpcClient.host.plan.query({ adding: required }),
    onSuccess: (rows) => setPlanned(rows),
  });
  const apply = useMutation({
    mutationFn: (baseRevision: number) => trpcClient.host.apply.mutate({ baseRevision }),
    onSuccess: () => invalidate(),
  });
  // Save the director's requirements into the desired host settings, then apply them to this host.
  const save = useCommit<void>(
    () => ({ op: 'set-host-settings', settings: mergeHostSettings([...(snapshot.data?.desired.hostSettings ?? []), ...required]) }),
    {
      onSuccess: (saved) => apply.mutateAsync(saved.revision).then(() => undefined),
    },
  );
  const busy = dryRun.isPending || save.isPending || apply.isPending;
  const error = dryRun.error ?? save.error ?? apply.error;
  const toRun = planned?.filter((row) => row.lines.length > 0) ?? [];
  const inPlace = planned?.filter((row) => row.lines.length === 0) ?? [];

  return (
    <div className="mt-3 flex flex-col items-start gap-2">
      <Button variant="primary" disabled={busy} onClick={() => dryRun.mutate()}>
        {t('Fix director settings')}
      </Button>
      {error ? <Notice tone="error">{errorMessage(error)}</Notice> : null}
      {apply.data ? <FixResults results={apply.data} /> : null}
      {planned ? (
        <ConfirmDialog
          title={t("Change this host's settings?")}
          confirmLabel={t('Run these commands')}
          busy={busy}
          onCancel={() => setPlanned(null)}
          onConfirm={() => {
            setPlanned(null);
            save.mutate(undefined);
          }}
        >
          <div role="group" aria-label={t('These commands will run on this host')} className="flex flex-col gap-1">
            <p className="font-medium">{t('These commands will run on this host')}</p>
            {toRun.length === 0 ? (
              <p className="text-slate-600">{t('Nothing to run: this host already has every setting.')}</p>
            ) : (
              <pre className="overflow-x-auto rounded bg-slate-900 p-2 font-mono text-xs leading-5 text-slate-100">
                {toRun.flatMap((row) => row.lines).join('\n')}
              </pre>
            )}
          </div>
          {inPlace.length > 0 ? (
            <details>
              <summary className="cursor-pointer">{t('Already in place ({{number}})', { number: inPlace.length })}</summary>
              <ul className="ml-4 list-disc text-slate-600">
                {inPlace.map((row) => (
                  <li key={row.id}>{localHostMessage(row)}</li>
                ))}
              </ul>
            </details>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/** What ran, line by line, with each row's outcome. */
function FixResults({ results }: { results: ResultRows }) {
  const ran = results.filter((row) => row.lines.length > 0 || !row.ok);
  const allOk = results.every((row) => row.ok);
  return (
    <Notice tone={allOk ? 'ok' : 'error'}>
      <p>{t('{{done}} of {{total}} settings applied.', { done: results.filter((r) => r.ok).length, total: results.length })}</p>
      {ran.length > 0 ? (
        <ul aria-label={t('Commands run on this host')} className="mt-1 flex flex-col gap-1">
          {ran.map((row) => (
            <li key={row.id} className="flex items-start gap-2">
              <span aria-hidden="true" className={row.ok ? 'text-green-700' : 'text-red-700'}>
                {row.ok ? '✓' : '✗'}
              </span>
              <span>
                <code className="whitespace-pre-wrap font-mono text-xs [overflow-wrap:anywhere]">{row.lines.join('\n') || localHostSetting(row.setting)}</code>
                <span className="sr-only">{row.ok ? t(' — done') : t(' — failed')}</span>
                {row.ok ? null : <span className="block text-red-700">{localHostMessage(row)}</span>}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </Notice>
  );
}
