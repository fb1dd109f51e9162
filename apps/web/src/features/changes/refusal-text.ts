// The audit log's lines about calls refused for want of a valid token: the
// agent records why in English words (a closed set) and counts them in one
// fixed form, so the console says them in its language, old lines included.
import { OTHER_REFUSALS, UNKNOWN_PROCEDURE, isRefusalReason, parseRefusalSummary, type RefusalCount } from '@lvs-console/shared/api';
import { localRecordedText } from '../../lib/error-text';
import { msg, t } from '../../lib/i18n';

const REASON_LABELS: Record<RefusalCount['reason'], string> = {
  'no token': msg('no token'),
  'wrong or expired token': msg('wrong or expired token'),
  'wrong or used login code': msg('wrong or used login code'),
  'wrong name or password': msg('wrong name or password'),
  'too many login attempts': msg('too many login attempts'),
  'request body too large': msg('request body too large'),
  'not a JSON request': msg('not a JSON request'),
  'too many calls in one batch': msg('too many calls in one batch'),
  [OTHER_REFUSALS]: msg('other'),
};

/** A procedure as the agent named it; its words ("unknown procedure", "batch of") in the console's language. */
function procedureLabel(procedure: string): string {
  const batch = /^(.*) \(batch of (\d+)\)$/.exec(procedure);
  if (batch) return t('{{procedure}} (batch of {{calls}})', { procedure: procedureLabel(batch[1] ?? ''), calls: batch[2] });
  return procedure === UNKNOWN_PROCEDURE ? t('(unknown procedure)') : procedure;
}

/** A refusal line's error: one reason, or the window's counts per reason and procedure; anything else as recorded. */
export function localRefusalError(error: string): string {
  if (isRefusalReason(error)) return t(REASON_LABELS[error]);
  const counts = parseRefusalSummary(error);
  if (!counts) return localRecordedText(error);
  return counts
    .map((count) =>
      count.procedure === null
        ? t('{{reason}} ×{{calls}}', { reason: t(REASON_LABELS[count.reason]), calls: count.calls })
        : t('{{reason}}: {{procedure}} ×{{calls}}', { reason: t(REASON_LABELS[count.reason]), procedure: procedureLabel(count.procedure), calls: count.calls }),
    )
    .join(t('; '));
}
