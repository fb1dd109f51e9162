// Text an operator imports: pasted shell text with ipvsadm commands or
// listings (read by the shared paste reader, the same one the web and the
// CLI use), a keepalived.conf, or a desired-state JSON document. Any error names its line and
// nothing is applied. A merge runs the commands on the live desired state;
// a replace (or a paste with `ipvsadm -C`) that deletes services needs the
// operator's confirmation.
import { isDeepStrictEqual } from 'node:util';
import { DomainError, formatIssues, serviceId, serviceLabel, type DesiredState, type Service } from '@lvs-console/shared';
import type { ImportSummary } from '@lvs-console/shared/api';
import { detectImportFormat, nothingToImport, readPaste, type ImportFormat } from '@lvs-console/shared/ipvsadm';
import { formatPlace, readKeepalivedConf } from '@lvs-console/shared/keepalived';
import { mergeHostSettings } from '@lvs-console/shared/host';
import { validateState } from '@lvs-console/shared/validate';

export interface ImportRequest {
  text: string;
  format: 'auto' | ImportFormat;
  mode: 'replace' | 'merge';
  dryRun: boolean;
  /** The operator confirmed that a replace deletes the services it does not define. */
  confirmDeletes?: boolean | undefined;
}

export interface ParsedImport {
  format: ImportFormat;
  /** The whole next desired state. */
  next: DesiredState;
  summary: ImportSummary;
}

/** Kept for callers that only need the format (the CLI's file reader). */
export const detectFormat = detectImportFormat;

function invalid(issues: { path: string; message: string }[]): never {
  throw new DomainError('INVALID_INPUT', formatIssues(issues), issues);
}

function readJson(text: string): DesiredState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DomainError('INVALID_INPUT', `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const validated = validateState(json);
  if (!validated.ok) invalid(validated.issues);
  return validated.value;
}

/**
 * The next desired state an import makes of `current`; throws INVALID_INPUT
 * ("line 40: ...") and changes nothing when any line fails.
 */
export function parseImportText(request: Pick<ImportRequest, 'text' | 'format' | 'mode'>, current: DesiredState): ParsedImport {
  const format = request.format === 'auto' ? detectImportFormat(request.text) : request.format;
  if (format === 'keepalived') {
    const { state: imported, warnings } = readKeepalivedText(request.text);
    const replaces = request.mode === 'replace';
    const next = replaces
      ? {
          ...imported,
          hostSettings: current.hostSettings,
          timeouts: imported.timeouts ?? current.timeouts,
          syncDaemons: imported.syncDaemons.length ? imported.syncDaemons : current.syncDaemons,
        }
      : mergeServices(current, imported);
    return {
      format,
      next,
      summary: summarize(format, current, next, replaces, { ruleLines: imported.services.length, source: 'keepalived', skipped: [], warnings }),
    };
  }
  if (format === 'json') {
    const imported = readJson(request.text);
    // A document's host settings come with it (never dropped silently); without any, the desired ones stay.
    const warnings: string[] = [];
    let hostSettings = current.hostSettings;
    if (imported.hostSettings.length && request.mode === 'merge') {
      hostSettings = mergeHostSettings([...imported.hostSettings, ...current.hostSettings]);
      warnings.push(`${imported.hostSettings.length} host settings in the document were added to the desired ones (same setting: the document's value wins)`);
    } else if (imported.hostSettings.length) {
      hostSettings = imported.hostSettings;
    } else if (request.mode === 'replace') {
      warnings.push('the document has no host settings: the desired host settings stay as they are');
    }
    const next =
      request.mode === 'replace'
        ? {
            ...imported,
            hostSettings,
            timeouts: imported.timeouts ?? current.timeouts,
            syncDaemons: imported.syncDaemons.length ? imported.syncDaemons : current.syncDaemons,
          }
        : { ...mergeServices(current, imported), hostSettings };
    return {
      format,
      next,
      summary: summarize(format, current, next, request.mode === 'replace', { ruleLines: imported.services.length, source: 'json', skipped: [], warnings }),
    };
  }
  const merge = request.mode === 'merge';
  const paste = readPaste(request.text, merge ? { base: current } : {});
  if (!paste.ok) invalid(paste.errors);
  if (paste.source === 'nothing') {
    throw new DomainError('INVALID_INPUT', nothingToImport(paste));
  }
  const validated = validateState(paste.state);
  if (!validated.ok) invalid(validated.issues);
  const imported = validated.value;
  const next: DesiredState = merge
    ? { ...current, services: keepUnchanged(imported.services, current.services), timeouts: imported.timeouts, syncDaemons: imported.syncDaemons }
    : {
        ...imported,
        hostSettings: current.hostSettings,
        // Rule text rarely carries timeouts or sync daemons; absent means "keep what is there".
        timeouts: imported.timeouts ?? current.timeouts,
        syncDaemons: imported.syncDaemons.length ? imported.syncDaemons : current.syncDaemons,
      };
  const summary = summarize(format, current, next, !merge || paste.clears, {
    ruleLines: paste.commands.length,
    source: paste.source,
    skipped: paste.skipped,
    warnings: paste.warnings.map((w) => `${w.path}: ${w.message}`),
  });
  return { format, next, summary };
}

/**
 * The validated paste is a copy of every service; a service the commands
 * left as it was becomes the current object again, so the commit's scope
 * (editScope, by identity) is what the paste changed, not the whole table.
 */
function keepUnchanged(services: Service[], current: readonly Service[]): Service[] {
  const before = new Map(current.map((s) => [serviceId(s.key), s]));
  return services.map((service) => {
    const same = before.get(serviceId(service.key));
    return same && isDeepStrictEqual(same, service) ? same : service;
  });
}

function mergeServices(current: DesiredState, imported: DesiredState): DesiredState {
  const incoming = new Set(imported.services.map((s) => serviceId(s.key)));
  return {
    ...current,
    services: [...current.services.filter((s) => !incoming.has(serviceId(s.key))), ...imported.services],
    timeouts: imported.timeouts ?? current.timeouts,
    syncDaemons: imported.syncDaemons.length ? imported.syncDaemons : current.syncDaemons,
  };
}

function summarize(
  format: ImportFormat,
  current: DesiredState,
  next: DesiredState,
  replaces: boolean,
  paste: Pick<ImportSummary, 'ruleLines' | 'source' | 'skipped' | 'warnings'> | null,
): ImportSummary {
  const kept = new Set(next.services.map((s) => serviceId(s.key)));
  const deleted = current.services.filter((s) => !kept.has(serviceId(s.key))).map((s) => serviceLabel(s.key));
  return {
    format,
    replaces,
    deletes: deleted,
    ruleLines: paste?.ruleLines ?? next.services.length,
    source: paste?.source ?? 'json',
    skipped: paste?.skipped ?? [],
    warnings: paste?.warnings ?? [],
  };
}

/** A replace that deletes services goes ahead only when the operator confirmed it. */
export function checkDeleteConfirmation(summary: ImportSummary, request: Pick<ImportRequest, 'dryRun' | 'confirmDeletes'>): void {
  if (request.dryRun || !summary.replaces || summary.deletes.length === 0 || request.confirmDeletes === true) return;
  const count = summary.deletes.length;
  throw new DomainError(
    'CONFLICT',
    `this import replaces the table and deletes ${count} service${count === 1 ? '' : 's'} it does not define (${summary.deletes.slice(0, 5).join(', ')}${count > 5 ? ', ...' : ''}); confirm the deletion to go ahead (confirmDeletes), or import in merge mode`,
  );
}

/**
 * keepalived.conf through the API: no include resolver (the agent reads no
 * file a request names), so an include is an error with its line. Every
 * note comes back as a warning, "line N: ...".
 */
function readKeepalivedText(text: string): { state: DesiredState; warnings: string[] } {
  const result = readKeepalivedConf(text);
  const issues = result.notes.map((note) => ({ path: formatPlace(note), message: note.message, level: note.level }));
  if (!result.ok) {
    const errors = issues.filter((issue) => issue.level === 'error').map(({ path, message }) => ({ path, message }));
    throw new DomainError('INVALID_INPUT', formatIssues(errors), errors);
  }
  return { state: result.state, warnings: issues.map((issue) => `${issue.path}: ${issue.message}`) };
}
