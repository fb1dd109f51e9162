import { useMutation } from '@tanstack/react-query';
import { serviceLabel, type ServiceKey } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { Notice } from '../../components/ui/notice';
import { noteRevision, useInvalidateAfterChange, useRevision } from '../../lib/agent';
import { errorMessage, trpcClient } from '../../lib/trpc';
import { navigate } from '../../app/router';
import { useConfirmedEdit } from '../changes/confirm-edit';
import { t } from '../../lib/i18n';

export function RemoveServiceButton({ serviceKey }: { serviceKey: ServiceKey }) {
  const revision = useRevision();
  const invalidate = useInvalidateAfterChange();
  const confirm = useConfirmedEdit();
  const remove = useMutation({
    mutationFn: () => trpcClient.services.remove.mutate({ baseRevision: revision(), service: serviceKey }),
    onSuccess: async (outcome) => { noteRevision(outcome.revision); await invalidate(); navigate('#/'); },
  });
  const label = serviceLabel(serviceKey);
  return (
    <div className="flex items-center gap-2">
      <Button variant="danger" disabled={remove.isPending || confirm.asking} onClick={() => confirm.ask({ op: 'remove-service', service: serviceKey }, {
        title: t('Remove {{service}}?', { service: label }),
        confirmLabel: t('Remove {{service}}', { service: label }),
        description: <p>{t('The service and all its real servers are deleted; open connections are cut.')}</p>,
        run: () => remove.mutate(),
      })}>{t('Remove service')}</Button>
      {confirm.dialog}
      {remove.error ?? confirm.error ? <Notice tone="error">{errorMessage(remove.error ?? confirm.error)}</Notice> : null}
    </div>
  );
}
