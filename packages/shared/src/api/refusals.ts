// Calls refused for want of a valid token reach the audit log as counted
// summaries (apps/agent/src/auth/refusals.ts). The reasons are a closed set of
// English words, and the summary line has one fixed form, so the console can
// read one back and say it in its own language, old entries included.

export const REFUSAL_REASONS = [
  'no token',
  'wrong or expired token',
  'wrong or used login code',
  'wrong name or password',
  'too many login attempts',
  'request body too large',
  'not a JSON request',
  'too many calls in one batch',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** Paths that are not procedures are named by this, not by what the caller sent. */
export const UNKNOWN_PROCEDURE = '(unknown procedure)';

/** Refusals beyond the kinds a summary lists, summed. */
export const OTHER_REFUSALS = 'other';

/** One kind of refusal in a window: why, of which procedure, how many calls (procedure null: the summed rest). */
export interface RefusalCount {
  reason: RefusalReason | typeof OTHER_REFUSALS;
  procedure: string | null;
  calls: number;
}

export function isRefusalReason(text: string): text is RefusalReason {
  return (REFUSAL_REASONS as readonly string[]).includes(text);
}

/** A batch request names its first procedure and how many calls it held. */
export function batchProcedure(first: string, calls: number): string {
  return `${first} (batch of ${calls})`;
}

/** "no token: audit.list ×3; other ×2": the summary line's error text. */
export function refusalSummaryText(counts: readonly RefusalCount[]): string {
  return counts.map((c) => (c.procedure === null ? `${c.reason} ×${c.calls}` : `${c.reason}: ${c.procedure} ×${c.calls}`)).join('; ');
}

/** A summary line's counts read back; null when the text is not one (any other error). */
export function parseRefusalSummary(text: string): RefusalCount[] | null {
  const counts: RefusalCount[] = [];
  for (const part of text.split('; ')) {
    const other = /^other ×(\d+)$/.exec(part);
    if (other) {
      counts.push({ reason: OTHER_REFUSALS, procedure: null, calls: Number(other[1]) });
      continue;
    }
    const kind = /^(.+?): (.+) ×(\d+)$/.exec(part);
    if (!kind || !isRefusalReason(kind[1] ?? '')) return null;
    counts.push({ reason: kind[1] as RefusalReason, procedure: kind[2] ?? '', calls: Number(kind[3]) });
  }
  return counts.length ? counts : null;
}
