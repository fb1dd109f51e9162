// A desired-state file as `apply`, `plan` and `predict` read it: JSON or
// ipvsadm text. Its own module: the format detection brings in every import
// reader, which the other commands do not need at start.
import { formatIssues, type DesiredState } from '@lvs-console/shared';
import { parseRules } from '@lvs-console/shared/ipvsadm';
import { validateState } from '@lvs-console/shared/validate';
import { detectFormat } from '../reconcile/import-text';
import { formatError, UsageError } from './io';

/** JSON or ipvsadm text -> a validated desired state; errors as "line N: message". */
export function parseStateText(text: string, origin: 'operator' | 'kernel' = 'operator'): DesiredState {
  if (detectFormat(text) === 'json') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`not valid JSON: ${formatError(error)}`);
    }
    const validated = validateState(json);
    if (!validated.ok) throw new UsageError(formatIssues(validated.issues));
    return validated.value;
  }
  const parsed = parseRules(text, { origin });
  if (!parsed.ok) throw new UsageError(formatIssues(parsed.errors));
  const validated = validateState(parsed.state);
  if (!validated.ok) throw new UsageError(formatIssues(validated.issues));
  return validated.value;
}
