// Forms check their input with the shared schemas and rules (the agent's
// own); these helpers put each issue next to the field it is about.
import type { Issue } from '@lvs-console/shared';
import { localIssue } from './error-text';

/** A number field's text as the schema should see it: empty is missing, not 0. */
export function numberOf(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/** Messages by field path (key.port, destinations[0].port …); a path no field shows goes to ''. */
export function issuesByField(issues: readonly Issue[], fields: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const issue of issues) {
    const field = fields.has(issue.path) ? issue.path : ([...fields].find((f) => issue.path.startsWith(`${f}.`)) ?? '');
    const held = out.get(field);
    const message = localIssue(issue);
    out.set(field, held ? `${held}; ${message}` : message);
  }
  return out;
}
