// Changes: drift the agent found (adopt or revert), recent revisions (undo to
// any of them, after seeing the plan) and the audit log.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Button } from '../../components/ui/button';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { Age } from '../../components/ui/age';
import { useIsAdmin, useRevision, useSnapshot } from '../../lib/agent';
import { useCommit } from '../../lib/commit';
import { errorMessage, trpc, trpcClient } from '../../lib/trpc';
import type { CommitOutcome } from '../../lib/types';
import { PlanLines } from './plan-view';
import { useDriftReport } from './use-drift';
import { AuditPanel } from './audit-panel';
import { t } from '../../lib/i18n';
import { localRecorded } from '../../lib/error-text';

export default function ChangesPage() {
  return (
    <div className="flex flex-col gap-3">
      <h1 className="text-lg font-semibold">{t('Changes')}</h1>
      <DriftPanel />
      <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">
        <RevisionsPanel />
        <AuditPanel />
      </div>
    </div>
  );
}

function DriftPanel() {
  const drift = useDriftReport();
  const isAdmin = useIsAdmin();
  const act = useCommit((kind: 'adopt' | 'revert') => ({ op: kind === 'adopt' ? 'adopt-drift' : 'revert-drift' }), {
    onSuccess: async () => {
      await drift.refetch();
    },
  });
  const data = drift.data;
  return (
    <Panel title={t('Drift')} actions={data ? <Age at={data.checkedAt} label={t('checked')} /> : null}>
      {drift.error ? <Notice tone="error">{errorMessage(drift.error)}</Notice> : null}
      {data && data.descriptions.length === 0 ? <p className="text-sm text-green-800">{t('No drift: the kernel matches the desired state.')}</p> : null}
      {data && data.descriptions.length > 0 ? (
        <div className="flex flex-col gap-2">
          <p className="text-sm">
            {t('The kernel differs from the desired state (someone changed it by hand, or a change failed):')}
            {data.since ? (
              <>
                {' '}
                <Age at={data.since} label={t('since')} neutral />
              </>
            ) : null}
          </p>
          <ul className="list-disc pl-5 text-sm">
            {data.descriptions.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
          <p className="text-sm font-medium">{t('Revert would run:')}</p>
          <pre className="overflow-x-auto rounded bg-slate-900 p-2 font-mono text-xs text-slate-100">{data.lines.join('\n')}</pre>
          {isAdmin ? (
            <div className="flex gap-2">
              <Button variant="primary" disabled={act.isPending} onClick={() => act.mutate('adopt')}>
                {t('Adopt kernel state')}
              </Button>
              <Button variant="danger" disabled={act.isPending} onClick={() => act.mutate('revert')}>
                {t('Revert kernel to desired')}
              </Button>
            </div>
          ) : null}
        </div>
      ) : null}
      {act.error ? <Notice tone="error">{errorMessage(act.error)}</Notice> : null}
      {act.isSuccess ? <Notice tone="ok">{t('Done.')}</Notice> : null}
    </Panel>
  );
}

function RevisionsPanel() {
  const revisions = useQuery({ ...trpc.state.revisions.queryOptions({ limit: 30 }), refetchInterval: 5000 });
  const snapshot = useSnapshot();
  const isAdmin = useIsAdmin();
  const revision = useRevision();
  const [target, setTarget] = useState<number | null>(null);
  const [plan, setPlan] = useState<CommitOutcome | null>(null);
  const previewUndo = useMutation({
    mutationFn: async (toRevision: number) => {
      const old = await trpcClient.state.revision.query({ revision: toRevision });
      return trpcClient.state.preview.query({ baseRevision: revision(), edit: { op: 'replace-state', state: old.state } });
    },
    onSuccess: (outcome) => setPlan(outcome),
  });
  const undo = useCommit((toRevision: number) => ({ op: 'undo', toRevision }), {
    onSuccess: async () => {
      setTarget(null);
      setPlan(null);
      await revisions.refetch();
    },
  });
  // The plan and the outcome open below a long table: bring them into view.
  const planRef = useRef<HTMLDivElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (plan) planRef.current?.scrollIntoView({ block: 'nearest' });
  }, [plan]);
  useEffect(() => {
    if (undo.isSuccess) resultRef.current?.scrollIntoView({ block: 'nearest' });
  }, [undo.isSuccess]);
  return (
    <Panel title={t('Revisions')}>
      {revisions.error ? <Notice tone="error">{errorMessage(revisions.error)}</Notice> : null}
      <div className="overflow-x-auto">
        <table className="stack-table w-full text-sm">
          <caption className="sr-only">{t('Recent revisions, newest first')}</caption>
          <thead className="text-left text-xs uppercase tracking-wide text-slate-600">
            <tr className="[&>th]:px-2 [&>th]:py-1 [&>th]:whitespace-nowrap">
              <th scope="col">{t('Rev')}</th>
              <th scope="col">{t('When')}</th>
              <th scope="col">{t('Who')}</th>
              <th scope="col">{t('What')}</th>
              {isAdmin ? (
                <th scope="col">
                  <span className="sr-only">{t('Actions')}</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {(revisions.data ?? []).map((r) => (
              <tr key={r.revision} className="border-t border-slate-100 align-top [&>td]:px-2">
                <td data-label={t('Rev')} className="py-1 text-right font-mono">
                  {r.revision}
                </td>
                <td data-label={t('When')} className="whitespace-nowrap py-1 text-xs">
                  <Age at={r.time} label="" neutral />
                </td>
                <td data-label={t('Who')} className="py-1">
                  {r.who}
                </td>
                <td data-label={t('What')} className="stack-full break-words py-1 [overflow-wrap:anywhere]">
                  {localRecorded(r)}
                </td>
                {isAdmin ? (
                  <td className="stack-full py-1 text-right">
                    {r.revision !== snapshot.data?.revision ? (
                      <Button
                        aria-label={t('Undo to revision {{revision}}', { revision: r.revision })}
                        onClick={() => {
                          setTarget(r.revision);
                          setPlan(null);
                          previewUndo.mutate(r.revision);
                        }}
                      >
                        {t('Undo to here')}
                      </Button>
                    ) : (
                      <span className="text-xs text-slate-600">{t('current')}</span>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {target !== null ? (
        <div ref={planRef} className="mt-3 flex flex-col gap-2 rounded border border-slate-200 bg-slate-50 p-2">
          {previewUndo.error ? <Notice tone="error">{errorMessage(previewUndo.error)}</Notice> : null}
          {plan ? (
            <PlanLines outcome={plan} title={t('Undo to revision {{revision}}: these ipvsadm lines will run', { revision: target })} />
          ) : (
            <p role="status" className="text-sm">
              {t('Planning…')}
            </p>
          )}
          <div className="flex gap-2">
            <Button variant="primary" disabled={undo.isPending} onClick={() => undo.mutate(target)}>
              {t('Apply undo')}
            </Button>
            <Button
              variant="ghost"
              onClick={() => {
                setTarget(null);
                setPlan(null);
              }}
            >
              {t('Discard')}
            </Button>
          </div>
          {undo.error ? <Notice tone="error">{errorMessage(undo.error)}</Notice> : null}
        </div>
      ) : null}
      <div ref={resultRef}>
        {undo.isSuccess ? (
          <Notice tone="ok" className="mt-2">
            {t('Undone: now revision {{revision}}.', { revision: undo.data.revision })}
          </Notice>
        ) : null}
      </div>
    </Panel>
  );
}
