import { serviceLabel, type ServiceKey } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { Notice } from '../../components/ui/notice';
import { errorMessage } from '../../lib/trpc';
import { useNavigate } from '@tanstack/react-router';
import { useConfirmedEdit } from '../changes/confirm-edit';
import { t } from '../../lib/i18n';

export function RemoveServiceButton({ serviceKey }: { serviceKey: ServiceKey }) {
  const navigate = useNavigate();
  const confirm = useConfirmedEdit({ onSuccess: () => void navigate({ to: '/' }) });
  const label = serviceLabel(serviceKey);
  return (
    <div className="flex items-center gap-2">
      <Button
        variant="danger"
        disabled={confirm.committing || confirm.asking}
        onClick={() =>
          confirm.ask(
            { op: 'remove-service', service: serviceKey },
            {
              title: t('Remove {{service}}?', { service: label }),
              confirmLabel: t('Remove {{service}}', { service: label }),
              description: <p>{t('The service and all its real servers are deleted; open connections are cut.')}</p>,
            },
          )
        }
      >
        {t('Remove service')}
      </Button>
      {confirm.dialog}
      {confirm.error ? <Notice tone="error">{errorMessage(confirm.error)}</Notice> : null}
    </div>
  );
}
