// Text an operator imports: ipvsadm rule text (ipvsadm -Sn, or command
// lines) or a desired-state JSON document. Any error names its line and
// nothing is applied.
import { DomainError, formatIssues, type DesiredState } from '@lvs-console/shared';
import { parseRules } from '@lvs-console/shared/ipvsadm';
import { validateState } from '@lvs-console/shared/validate';

export interface ImportRequest {
  text: string;
  format: 'auto' | 'ipvsadm' | 'json';
  mode: 'replace' | 'merge';
  dryRun: boolean;
}

export interface ParsedImport {
  format: 'ipvsadm' | 'json';
  state: DesiredState;
  warnings: string[];
}

export function detectFormat(text: string): 'ipvsadm' | 'json' {
  return /^\s*[{[]/.test(text) ? 'json' : 'ipvsadm';
}

/** Parse and validate; throws INVALID_INPUT ("line 40: ...") and applies nothing. */
export function parseImportText(request: Pick<ImportRequest, 'text' | 'format'>): ParsedImport {
  const format = request.format === 'auto' ? detectFormat(request.text) : request.format;
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
