// `ipvsadm -Z -t VIP:port` from the service page: the kernel's packet, byte
// and connection counters of this service start from zero (audited).
import { useMutation } from '@tanstack/react-query';
import { serviceLabel, type ServiceKey } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { Notice } from '../../components/ui/notice';
import { useInvalidateAfterChange } from '../../lib/agent';
import { errorMessage, trpcClient } from '../../lib/trpc';
import { t } from '../../lib/i18n';

export function ZeroCountersButton({ serviceKey }: { serviceKey: ServiceKey }) {
  const invalidate = useInvalidateAfterChange();
  const zero = useMutation({
    mutationFn: () => trpcClient.services.zeroCounters.mutate({ service: serviceKey }),
    onSuccess: async () => {
      await invalidate();
    },
  });
  return (
    <div className="flex items-center gap-2">
      <Button aria-label={t('Zero the counters of {{service}}', { service: serviceLabel(serviceKey) })} disabled={zero.isPending} onClick={() => zero.mutate()}>
        {t('Zero counters')}
      </Button>
      {zero.isSuccess ? (
        <Notice tone="ok">
          {t('Counters zeroed:')} <code className="font-mono">{zero.data.line}</code>
        </Notice>
      ) : null}
      {zero.error ? <Notice tone="error">{errorMessage(zero.error)}</Notice> : null}
    </div>
  );
}
