// The audit log's filters (who, service, time) and its export as CSV and
// JSON. Pure; the filters ride in the Changes page's URL.
import type { AuditEntry } from '@lvs-console/shared/api';

export interface AuditFilter {
  who: string;
  /** Text the entry's "what" contains (a service as "192.0.2.10:80", or any words). */
  service: string;
  /** Epoch ms bounds, inclusive; null = open. */
  from: number | null;
  to: number | null;
}

function timeParam(value: string | null): number | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isFinite(time) ? time : null;
}

export function parseAuditFilter(params: URLSearchParams): AuditFilter {
  return {
    who: (params.get('who') ?? '').slice(0, 64),
    service: (params.get('service') ?? '').slice(0, 200),
    from: timeParam(params.get('from')),
    to: timeParam(params.get('to')),
  };
}

/** ISO times in the URL: a shared link means the same instants in every time zone. */
export function auditFilterParams(filter: AuditFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.who) params.set('who', filter.who);
  if (filter.service) params.set('service', filter.service);
  if (filter.from !== null) params.set('from', new Date(filter.from).toISOString());
  if (filter.to !== null) params.set('to', new Date(filter.to).toISOString());
  return params;
}

export function filterAudit(entries: readonly AuditEntry[], filter: AuditFilter): AuditEntry[] {
  const needle = filter.service.trim().toLowerCase();
  return entries.filter(
    (e) =>
      (!filter.who || e.who === filter.who) &&
      (!needle || e.what.toLowerCase().includes(needle)) &&
      (filter.from === null || e.time >= filter.from) &&
      (filter.to === null || e.time <= filter.to),
  );
}

// `what` stays the agent's English text; whatId is its message id (empty for entries recorded before ids).
const CSV_COLUMNS = ['seq', 'time', 'who', 'role', 'what', 'result', 'revision', 'error', 'lines', 'whatId'] as const;

/**
 * One RFC 4180 field. A cell a spreadsheet would run as a formula (=, +, -, @,
 * tab, CR first) gets a leading apostrophe: a `what` typed by one operator
 * must not execute in another's spreadsheet.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Entries as CSV (header row, ISO times, CRLF line ends as RFC 4180 has them). */
export function auditCsv(entries: readonly AuditEntry[]): string {
  const rows = entries.map((e) =>
    [
      String(e.seq),
      new Date(e.time).toISOString(),
      e.who,
      e.role,
      e.what,
      e.result,
      e.revision === undefined ? '' : String(e.revision),
      e.error ?? '',
      (e.lines ?? []).join('\n'),
      e.whatId ?? '',
    ]
      .map(csvField)
      .join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].map((line) => `${line}\r\n`).join('');
}

export function auditJson(entries: readonly AuditEntry[]): string {
  return `${JSON.stringify(
    entries.map((e) => ({ ...e, timeIso: new Date(e.time).toISOString() })),
    null,
    2,
  )}\n`;
}
