// Ask before a destructive edit: plan it with state.preview, show the
// ipvsadm lines it will run in a dialog, and commit that same edit only
// when confirmed.
import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { EditInput } from '@lvs-console/shared/api';
import { ConfirmDialog, LinesToRun } from '../../components/ui/confirm-dialog';
import { useCommit, usePreviewPlan, type CommitCallbacks } from '../../lib/commit';

interface Question {
  title: string;
  confirmLabel: string;
  description?: ReactNode;
}

export function useConfirmedEdit(callbacks: CommitCallbacks<EditInput> = {}) {
  const previewPlan = usePreviewPlan();
  const commit = useCommit<EditInput>(undefined, callbacks);
  const [asking, setAsking] = useState<(Question & { edit: EditInput; lines: string[] }) | null>(null);
  const preview = useMutation({
    mutationFn: ({ edit }: { edit: EditInput; question: Question }) => previewPlan(edit),
    onSuccess: (outcome, { edit, question }) => setAsking({ ...question, edit, lines: outcome.lines }),
  });
  const ask = (edit: EditInput, question: Question) => preview.mutate({ edit, question });
  const dialog = asking ? (
    <ConfirmDialog
      title={asking.title}
      confirmLabel={asking.confirmLabel}
      onCancel={() => setAsking(null)}
      onConfirm={() => {
        setAsking(null);
        commit.mutate(asking.edit);
      }}
    >
      {asking.description}
      <LinesToRun lines={asking.lines} />
    </ConfirmDialog>
  ) : null;
  return { ask, dialog, asking: preview.isPending, committing: commit.isPending, error: preview.error ?? commit.error };
}
