// Ask before a destructive edit: plan it with state.preview, show the
// ipvsadm lines it will run in a dialog, and run it only when confirmed.
import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import type { EditInput } from '@lvs-console/shared/api';
import { ConfirmDialog, LinesToRun } from '../../components/ui/confirm-dialog';
import { useRevision } from '../../lib/agent';
import { trpcClient } from '../../lib/trpc';

interface Question {
  title: string;
  confirmLabel: string;
  description?: ReactNode;
  run: () => void;
}

export function useConfirmedEdit() {
  const revision = useRevision();
  const [asking, setAsking] = useState<(Question & { lines: string[] }) | null>(null);
  const preview = useMutation({
    mutationFn: ({ edit }: { edit: EditInput; question: Question }) => trpcClient.state.preview.query({ baseRevision: revision(), edit }),
    onSuccess: (outcome, { question }) => setAsking({ ...question, lines: outcome.lines }),
  });
  const ask = (edit: EditInput, question: Question) => preview.mutate({ edit, question });
  const dialog = asking ? (
    <ConfirmDialog title={asking.title} confirmLabel={asking.confirmLabel} onCancel={() => setAsking(null)}
      onConfirm={() => { setAsking(null); asking.run(); }}>
      {asking.description}
      <LinesToRun lines={asking.lines} />
    </ConfirmDialog>
  ) : null;
  return { ask, dialog, asking: preview.isPending, error: preview.error };
}
