// Every edit can first be shown as a plan ("these ipvsadm lines will run")
// and then applied or discarded. The preview (state.preview) and the apply
// (useCommit) take the very same Edit, so what was shown is what runs.
import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { EditInput } from '@lvs-console/shared/api';
import { Button } from '../../components/ui/button';
import { Notice } from '../../components/ui/notice';
import { usePreviewPlan, useCommit } from '../../lib/commit';
import { errorMessage } from '../../lib/trpc';
import type { CommitOutcome } from '../../lib/types';
import { PlanLines } from './plan-view';
import { t } from '../../lib/i18n';

export function ApplyWithPreview({
  edit,
  applyLabel,
  onApplied,
  disabled,
  disabledReason,
}: {
  /** null while the form is incomplete or invalid. */
  edit: EditInput | null;
  applyLabel: string;
  onApplied?: (outcome: CommitOutcome) => void;
  disabled?: boolean;
  /** Why the buttons are off, said next to them (and read with them). */
  disabledReason?: string | null;
}) {
  const previewPlan = usePreviewPlan();
  const [preview, setPreview] = useState<CommitOutcome | null>(null);
  const reasonId = useId();
  const previewMutation = useMutation({ mutationFn: previewPlan, onSuccess: (outcome) => setPreview(outcome) });
  const applyMutation = useCommit<EditInput>(undefined, {
    onSuccess: (outcome) => {
      setPreview(null);
      onApplied?.(outcome);
    },
  });
  const off = !edit || !!disabled;
  const reason = off ? (disabledReason ?? null) : null;
  const described = reason ? { 'aria-describedby': reasonId, title: reason } : {};
  const failed = applyMutation.data?.results.filter((r) => !r.ok) ?? [];
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <Button disabled={off || previewMutation.isPending} onClick={() => edit && previewMutation.mutate(edit)} {...described}>
          {t('Preview plan')}
        </Button>
        <Button variant="primary" disabled={off || applyMutation.isPending} onClick={() => edit && applyMutation.mutate(edit)} {...described}>
          {applyLabel}
        </Button>
        {preview ? (
          <Button variant="ghost" onClick={() => setPreview(null)}>
            {t('Discard')}
          </Button>
        ) : null}
        {reason ? (
          <span id={reasonId} className="text-xs text-slate-600">
            {reason}
          </span>
        ) : null}
      </div>
      {previewMutation.error ? <Notice tone="error">{errorMessage(previewMutation.error)}</Notice> : null}
      {preview ? <PlanLines outcome={preview} title={t('These ipvsadm lines will run')} /> : null}
      {applyMutation.error ? <Notice tone="error">{errorMessage(applyMutation.error)}</Notice> : null}
      {applyMutation.isSuccess && failed.length === 0 ? (
        <Notice tone="ok">
          {t('Applied (revision {{revision}}, {{count}} ipvsadm lines).', { revision: applyMutation.data.revision, count: applyMutation.data.lines.length })}
        </Notice>
      ) : null}
      {failed.map((r, i) => (
        <Notice key={i} tone="error">
          {r.error ?? t('a change failed')}
        </Notice>
      ))}
    </div>
  );
}
