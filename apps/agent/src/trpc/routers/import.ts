// state.import: pasted ipvsadm text, keepalived.conf or desired-state JSON.
import { DomainError, describedText, emptyState, formatIssues, nestedParams } from '@lvs-console/shared';
import { findUnsafeStrings, UNSAFE_STRING_MESSAGE, type Caller, type ImportOutcome } from '@lvs-console/shared/api';
import { checkDeleteConfirmation, parseImportText, type ImportRequest, type ParsedImport } from '../../reconcile/import-text';
import type { Agent } from '../agent';

/**
 * Import pasted ipvsadm text or desired-state JSON (dry run by default).
 * Parsed once against the current state for the audit line, and again
 * under the writer's lock against the state it commits on.
 */
export async function importText(agent: Agent, request: ImportRequest & { baseRevision: number }, caller: Caller): Promise<ImportOutcome> {
  let preview: ParsedImport;
  try {
    preview = parseImportText(request, agent.store.current()?.state ?? emptyState());
    // The rules every other input meets: no shell metacharacters in any stored string.
    const unsafe = findUnsafeStrings(preview.next);
    if (unsafe.length) {
      throw new DomainError('INVALID_INPUT', formatIssues(unsafe.slice(0, 20).map((path) => ({ path, message: UNSAFE_STRING_MESSAGE }))));
    }
  } catch (error) {
    if (error instanceof DomainError && !request.dryRun) {
      await agent.audit.reject({
        who: caller.name,
        role: caller.role,
        what: describedText('auditImportRefused', { format: request.format }),
        error: error.message,
      });
    }
    throw error;
  }
  checkDeleteConfirmation(preview.summary, request);
  const { summary } = preview;
  // The mode is a word of the console's language too (nested: its id beside it).
  const counts = nestedParams('mode', describedText(request.mode === 'merge' ? 'auditModeMerge' : 'auditModeReplace'), {
    format: preview.format,
    lines: summary.ruleLines,
  });
  const what = summary.deletes.length
    ? describedText('auditImportDeletes', { ...counts, deletes: summary.deletes.length })
    : describedText('auditImport', counts);
  let read = preview;
  const outcome = await agent.reconciler.commitParsed(
    request.baseRevision,
    caller,
    what,
    request.dryRun,
    request.mode === 'merge' && !summary.replaces,
    (current) => {
      read = parseImportText(request, current);
      checkDeleteConfirmation(read.summary, request);
      return read.next;
    },
  );
  // The reader's warnings (a keepalived.conf's notes, a paste's) come back with the outcome too.
  return { ...outcome, warnings: [...read.summary.warnings, ...outcome.warnings], import: read.summary };
}
