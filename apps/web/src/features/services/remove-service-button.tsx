import { useMutation } from '@tanstack/react-query';
import { serviceLabel, type ServiceKey } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { Notice } from '../../components/ui/notice';
import { noteRevision, useInvalidateAfterChange, useRevision } from '../../lib/agent';
import { errorMessage, trpcClient } from '../../lib/trpc';
import { navigate } from '../../app/router';

export function RemoveServiceButton({ serviceKey }: { serviceKey: ServiceKey }) {
  const revision = useRevision();
  const invalidate = useInvalidateAfterChange();
  const remove = useMutation({
    mutationFn: () => trpcClient.services.remove.mutate({ baseRevision: revision(), service: serviceKey }),
    onSuccess: async (outcome) => { noteRevision(outcome.revision); await invalidate(); navigate('#/'); },
  });
  return (
    <div className="flex items-center gap-2">
      <Button variant="danger" disabled={remove.isPending} onClick={() => {
        if (window.confirm(`Remove ${serviceLabel(serviceKey)} and all its real servers? Open connections are cut.`)) remove.mutate();
      }}>Remove service</Button>
      {remove.error ? <Notice tone="error">{errorMessage(remove.error)}</Notice> : null}
    </div>
  );
}
