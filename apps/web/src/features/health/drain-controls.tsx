// The tracked drain: the kernel gets weight 0 while the configured weight is
// kept, connections are watched to zero, and the server can be removed then.
// Unlike the plain "Drain" (configured weight := 0), cancelling restores it.
import { useState } from 'react';
import type { ServiceKey } from '@lvs-console/shared';
import { Button } from '../../components/ui/button';
import { CheckboxField, TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { useCommit } from '../../lib/commit';
import { errorMessage } from '../../lib/trpc';
import { t } from '../../lib/i18n';

interface DestinationRef {
  address: string;
  port: number;
}

/** drainStartInput's limit (7 days), kept here so the first screen does not load the health module. */
const MAX_DRAIN_DEADLINE_SECONDS = 7 * 24 * 3600;

/** Start or cancel a tracked drain; the health view refreshes with it. */
export function useDrainMutations(serviceKey: ServiceKey, onError: (destination: DestinationRef, message: string) => void) {
  const start = useCommit(
    (input: { destination: DestinationRef; removeWhenDrained: boolean; expireQuiescentTemplate: boolean; deadlineSeconds?: number }) => ({
      op: 'start-drain',
      service: serviceKey,
      ...input,
    }),
    { onError: (error, input) => onError(input.destination, errorMessage(error)) },
  );
  const cancel = useCommit((destination: DestinationRef) => ({ op: 'cancel-drain', service: serviceKey, destination }), {
    onError: (error, destination) => onError(destination, errorMessage(error)),
  });
  return { start, cancel };
}

/** The options of a tracked drain, asked before it starts. */
export function TrackedDrainForm({
  endpoint,
  persistent,
  onStart,
  onClose,
  pending,
}: {
  endpoint: string;
  /** The service is persistent: templates may keep sending clients here. */
  persistent: boolean;
  onStart: (options: { removeWhenDrained: boolean; expireQuiescentTemplate: boolean; deadlineSeconds?: number }) => void;
  onClose: () => void;
  pending: boolean;
}) {
  const [removeWhenDrained, setRemoveWhenDrained] = useState(false);
  const [expireQuiescentTemplate, setExpireQuiescentTemplate] = useState(false);
  const [deadlineMinutes, setDeadlineMinutes] = useState('');
  const deadlineSeconds = deadlineMinutes.trim() === '' ? undefined : Math.round(Number(deadlineMinutes) * 60);
  const deadlineProblem =
    deadlineSeconds !== undefined && (!Number.isFinite(deadlineSeconds) || deadlineSeconds < 1 || deadlineSeconds > MAX_DRAIN_DEADLINE_SECONDS)
      ? t('The deadline is a number of minutes, at most 7 days (10080).')
      : null;
  return (
    <form
      className="flex flex-col gap-2"
      aria-label={t('Tracked drain options for {{server}}', { server: endpoint })}
      onSubmit={(e) => {
        e.preventDefault();
        if (!deadlineProblem) onStart({ removeWhenDrained, expireQuiescentTemplate, ...(deadlineSeconds !== undefined ? { deadlineSeconds } : {}) });
      }}
    >
      <p className="text-xs text-slate-600">
        {t(
          'The kernel gets weight 0 and the configured weight is kept; existing connections finish and are counted down. Cancel the drain to restore the weight.',
        )}
      </p>
      <div className="flex flex-wrap items-start gap-4">
        <CheckboxField
          label={t('Remove when drained')}
          hint={t('Remove the real server once no connections are left.')}
          checked={removeWhenDrained}
          onChange={(e) => setRemoveWhenDrained(e.target.checked)}
        />
        <CheckboxField
          label={t('Expire quiescent templates')}
          hint={
            persistent
              ? t('Sets net.ipv4.vs.expire_quiescent_template=1 (host-wide): persistent clients stop being sent here.')
              : t('Sets net.ipv4.vs.expire_quiescent_template=1 (host-wide).')
          }
          checked={expireQuiescentTemplate}
          onChange={(e) => setExpireQuiescentTemplate(e.target.checked)}
        />
        <TextField
          label={t('Deadline in minutes (optional)')}
          type="number"
          min={1}
          step="any"
          className="w-48"
          value={deadlineMinutes}
          onChange={(e) => setDeadlineMinutes(e.target.value)}
          hint={t('Remove it then even if connections remain.')}
          aria-invalid={deadlineProblem ? true : undefined}
        />
      </div>
      {deadlineProblem ? <Notice tone="error">{deadlineProblem}</Notice> : null}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={pending || deadlineProblem !== null}>
          {t('Start tracked drain')}
        </Button>
        <Button variant="ghost" onClick={onClose}>
          {t('Close')}
        </Button>
      </div>
    </form>
  );
}
