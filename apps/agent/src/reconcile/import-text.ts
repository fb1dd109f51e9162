// Text an operator imports: ipvsadm rule text (ipvsadm -Sn, or command
// lines), a keepalived.conf, or a desired-state JSON document. Any error
// names its line and nothing is applied.
import { DomainError, formatIssues, type DesiredState } from '@lvs-console/shared';
import { parseRules } from '@lvs-console/shared/ipvsadm';
import { detectImportFormat, formatPlace, readKeepalivedConf } from '@lvs-console/shared/keepalived';
import { validateState } from '@lvs-console/shared/validate';

export interface ImportRequest {
  text: string;
  format: 'auto' | 'ipvsadm' | 'json' | 'keepalived';
  mode: 'replace' | 'merge';
  dryRun: boolean;
}

export interface ParsedImport {
  format: 'ipvsadm' | 'json' | 'keepalived';
  state: DesiredState;
  warnings: string[];
}

export function detectFormat(text: string): 'ipvsadm' | 'json' {
  return /^\s*[{[]/.test(text) ? 'json' : 'ipvsadm';
}

/** Parse and validate; throws INVALID_INPUT ("line 40: ...") and applies nothing. */
export function parseImportText(request: Pick<ImportRequest, 'text' | 'format'>): ParsedImport {
  const format = request.format === 'auto' ? detectImportFormat(request.text) : request.format;
  if (format === 'keepalived') return parseKeepalivedText(request.text);
  if (format === 'json') {
    let json: unknown;
    try {
      json = JSON.parse(request.text);
    } catch (error) {
      throw new DomainError('INVALID_INPUT', `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const validated = validateState(json);
    if (!validated.ok) throw new DomainError('INVALID_INPUT', formatIssues(validated.issues), validated.issues);
    return { format, state: validated.value, warnings: [] };
  }
  const parsed = parseRules(request.text);
  if (!parsed.ok) throw new DomainError('INVALID_INPUT', formatIssues(parsed.errors), parsed.errors);
  const validated = validateState(parsed.state);
  if (!validated.ok) throw new DomainError('INVALID_INPUT', formatIssues(validated.issues), validated.issues);
  return { format, state: validated.value, warnings: parsed.warnings.map((w) => (w.path ? `${w.path}: ${w.message}` : w.message)) };
}

/**
 * keepalived.conf through the API: no include resolver (the agent reads no
 * file a request names), so an include is an error with its line. Every
 * note comes back as a warning, "line N: ...".
 */
function parseKeepalivedText(text: string): ParsedImport {
  const result = readKeepalivedConf(text);
  const issues = result.notes.map((note) => ({ path: formatPlace(note), message: note.message, level: note.level }));
  if (!result.ok) {
    const errors = issues.filter((issue) => issue.level === 'error').map(({ path, message }) => ({ path, message }));
    throw new DomainError('INVALID_INPUT', formatIssues(errors), errors);
  }
  return { format: 'keepalived', state: result.state, warnings: issues.map((issue) => `${issue.path}: ${issue.message}`) };
}
