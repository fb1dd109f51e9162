// Every edit can first be shown as a plan ("these ipvsadm lines will run")
// and then applied or discarded. The apply goes through the edit's own
// mutation; the preview through state.preview with the same Edit.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { EditInput } from '@lvs-console/shared/api';
import { Button } from '../../components/ui/button';
import { Notice } from '../../components/ui/notice';
import { noteRevision, useInvalidateAfterChange, useRevision } from '../../lib/agent';
import { errorMessage, trpcClient } from '../../lib/trpc';
import type { CommitOutcome } from '../../lib/types';
import { PlanLines } from './plan-view';
import { t } from '../../lib/i18n';

export function ApplyWithPreview({ edit, apply, applyLabel, onApplied, disabled, preview: previewWith }: {
  /** null while the form is incomplete or invalid. */
  edit: EditInput | null;
  /** A dry run other than state.preview (a whole state is too long for a GET URL). */
  preview?: (baseRevision: number) => Promise<CommitOutcome>;
  apply: (baseRevision: number) => Promise<CommitOutcome>;
  applyLabel: string;
  onApplied?: (outcome: CommitOutcome) => void;
  disabled?: boolean;
}) {
  const revision = useRevision();
  const invalidate = useInvalidateAfterChange();
  const [preview, setPreview] = useState<CommitOutcome | null>(null);
  const previewMutation = useMutation({
    mutationFn: (e: EditInput) => previewWith ? previewWith(revision()) : trpcClient.state.preview.query({ baseRevision: revision(), edit: e }),
    onSuccess: (outcome) => setPreview(outcome),
  });
  const applyMutation = useMutation({
    mutationFn: () => apply(revision()),
    onSuccess: async (outcome) => {
      noteRevision(outcome.revision);
      setPreview(null);
      await invalidate();
      onApplied?.(outcome);
    },
  });
  const failed = applyMutation.data?.results.filter((r) => !r.ok) ?? [];
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap gap-2">
        <Button disabled={!edit || disabled || previewMutation.isPending} onClick={() => edit && previewMutation.mutate(edit)}>{t('Preview plan')}</Button>
        <Button variant="primary" disabled={!edit || disabled || applyMutation.isPending} onClick={() => applyMutation.mutate()}>{applyLabel}</Button>
        {preview ? <Button variant="ghost" onClick={() => setPreview(null)}>{t('Discard')}</Button> : null}
      </div>
      {previewMutation.error ? <Notice tone="error">{errorMessage(previewMutation.error)}</Notice> : null}
      {preview ? <PlanLines outcome={preview} title={t('These ipvsadm lines will run')} /> : null}
      {applyMutation.error ? <Notice tone="error">{errorMessage(applyMutation.error)}</Notice> : null}
      {applyMutation.isSuccess && failed.length === 0 ? <Notice tone="ok">{t('Applied (revision {{revision}}, {{count}} ipvsadm lines).', { revision: applyMutation.data.revision, count: applyMutation.data.lines.length })}</Notice> : null}
      {failed.map((r, i) => <Notice key={i} tone="error">{r.error ?? t('a change failed')}</Notice>)}
    </div>
  );
}
