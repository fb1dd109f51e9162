// The services list as data: one row per service with its warnings sorted by
// kind, and the search / filters / sort the operator chose, which live in the
// URL ("#/?q=web&protocol=tcp&sort=cps&dir=desc") so a view can be shared.
// Pure: no React, no I/O (unit-tested, and fast enough for 1,000 rows per keystroke).

/** failing: a server is down or settings fail; advisory: a host setting to fix; drift: kernel and desired differ. */
export type WarningKind = 'failing' | 'advisory' | 'drift';

export interface RowWarning {
  kind: WarningKind;
  text: string;
}

export interface ServiceRow {
  id: string;
  /** What the list shows and search matches ("TCP 192.0.2.10:80"). */
  label: string;
  protocol: string;
  method: string;
  scheduler: string;
  /** Scheduler with flags, as shown ("sh (sh-port)"). */
  schedulerText: string;
  persistenceSeconds: number | null;
  up: number;
  total: number;
  cps: number | undefined;
  active: number;
  inactive: number;
  /** Real-server addresses, so a search for one finds its services. */
  servers: string[];
  /** Some real server is at weight 0 (no new connections). */
  draining: boolean;
  warnings: RowWarning[];
}

export const SORT_KEYS = ['service', 'method', 'scheduler', 'persistence', 'up', 'cps', 'active', 'inactive', 'warnings'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const STATUS_FILTERS = ['failing', 'draining', 'drift', 'advisory', 'ok'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface ListQuery {
  q: string;
  protocol: string;
  method: string;
  scheduler: string;
  status: StatusFilter | '';
  sort: SortKey;
  dir: 'asc' | 'desc';
  /** How many pages of rows are drawn (1 = the first PAGE_ROWS); kept in the URL so back/forward and links restore it. */
  page: number;
}

export const DEFAULT_QUERY: ListQuery = { q: '', protocol: '', method: '', scheduler: '', status: '', sort: 'service', dir: 'asc', page: 1 };

/**
 * Rows drawn per page of the services list: two screens of a desktop window.
 * Each keystroke in the search box draws a new page of rows (tens of ms per
 * 50 rows on a busy 2-core machine; the budget for a keystroke is 100 ms).
 */
export const PAGE_ROWS = 50;
/** A bound on the page param: 10,000 pages of 50 rows is more than any director holds. */
const MAX_PAGE = 10_000;

function pageOf(text: string | null): number {
  if (text === null || !/^\d{1,5}$/.test(text)) return DEFAULT_QUERY.page;
  const page = Number(text);
  return page >= 1 && page <= MAX_PAGE ? page : DEFAULT_QUERY.page;
}

/** The page that draws every one of `rowCount` rows. */
export function pageForAll(rowCount: number): number {
  return Math.min(MAX_PAGE, Math.max(1, Math.ceil(rowCount / PAGE_ROWS)));
}

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined =>
  (values as readonly string[]).includes(value ?? '') ? (value as T) : undefined;

/** Unknown or malformed params fall back to the defaults: a stale link still opens. */
export function parseListQuery(params: URLSearchParams): ListQuery {
  const text = (name: string) => (params.get(name) ?? '').slice(0, 200);
  return {
    q: text('q'),
    protocol: text('protocol'),
    method: text('method'),
    scheduler: text('scheduler'),
    status: oneOf(STATUS_FILTERS, params.get('status')) ?? '',
    sort: oneOf(SORT_KEYS, params.get('sort')) ?? DEFAULT_QUERY.sort,
    dir: params.get('dir') === 'desc' ? 'desc' : 'asc',
    page: pageOf(params.get('page')),
  };
}

/** Only what differs from the defaults goes into the URL. */
export function listQueryParams(query: ListQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of ['q', 'protocol', 'method', 'scheduler', 'status', 'sort', 'dir'] as const) {
    if (query[name] !== DEFAULT_QUERY[name]) params.set(name, query[name]);
  }
  if (query.page !== DEFAULT_QUERY.page) params.set('page', String(query.page));
  return params;
}

export function hasWarning(row: ServiceRow, kind: WarningKind): boolean {
  return row.warnings.some((w) => w.kind === kind);
}

function matchesStatus(row: ServiceRow, status: ListQuery['status']): boolean {
  switch (status) {
    case '':
      return true;
    case 'draining':
      return row.draining;
    case 'ok':
      return row.warnings.length === 0;
    case 'failing':
    case 'drift':
    case 'advisory':
      return hasWarning(row, status);
  }
}

/** Failing first, then drift, then advisories: the worst problem decides a row's rank. */
function severity(row: ServiceRow): number {
  return hasWarning(row, 'failing') ? 3 : hasWarning(row, 'drift') ? 2 : hasWarning(row, 'advisory') ? 1 : 0;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function compare(a: ServiceRow, b: ServiceRow, key: SortKey): number {
  switch (key) {
    case 'service':
      return collator.compare(a.label, b.label);
    case 'method':
      return collator.compare(a.method, b.method);
    case 'scheduler':
      return collator.compare(a.schedulerText, b.schedulerText);
    case 'persistence':
      return (a.persistenceSeconds ?? -1) - (b.persistenceSeconds ?? -1);
    case 'up':
      // Fewest servers up (as a share) first when ascending: the ones to look at.
      return (a.total ? a.up / a.total : 1) - (b.total ? b.up / b.total : 1) || a.up - b.up;
    case 'cps':
      return (a.cps ?? -1) - (b.cps ?? -1);
    case 'active':
      return a.active - b.active;
    case 'inactive':
      return a.inactive - b.inactive;
    case 'warnings':
      return severity(a) - severity(b) || a.warnings.length - b.warnings.length;
  }
}

/** The rows the query selects, in its order (ties keep the service order). */
export function selectRows(rows: readonly ServiceRow[], query: ListQuery): ServiceRow[] {
  return filterRows(sortRows(rows, query.sort, query.dir), query);
}

/**
 * Every row in a sort order (ties keep the service order). The list sorts once
 * per row model and order, not per keystroke: filtering a sorted list keeps
 * its order, so filterRows(sortRows(rows)) is the query's selection.
 */
export function sortRows(rows: readonly ServiceRow[], sort: SortKey, dir: ListQuery['dir']): ServiceRow[] {
  const sign = dir === 'desc' ? -1 : 1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => sign * compare(a.row, b.row, sort) || collator.compare(a.row.label, b.row.label) || a.index - b.index)
    .map(({ row }) => row);
}

/** What the search box looks in, lower case, per row object (a row that did not change keeps its object, and its text). */
const searchTexts = new WeakMap<ServiceRow, string>();

function searchText(row: ServiceRow): string {
  let text = searchTexts.get(row);
  if (text === undefined) {
    // One line per field: a search box has no line breaks, so no match spans two fields.
    text = [row.label, row.id, ...row.servers].join('\n').toLowerCase();
    searchTexts.set(row, text);
  }
  return text;
}

/** The rows, in their order, that the query's search text and filters select. */
export function filterRows(rows: readonly ServiceRow[], query: ListQuery): ServiceRow[] {
  const needle = query.q.trim().toLowerCase();
  return rows.filter(
    (row) =>
      (!needle || searchText(row).includes(needle)) &&
      (!query.protocol || row.protocol === query.protocol) &&
      (!query.method || row.method === query.method) &&
      (!query.scheduler || row.scheduler === query.scheduler) &&
      matchesStatus(row, query.status),
  );
}

/** The distinct values of one column, for a filter's choices. */
export function choices(rows: readonly ServiceRow[], pick: (row: ServiceRow) => string): string[] {
  return [...new Set(rows.map(pick))].filter(Boolean).sort(collator.compare);
}

/** Two rows that show the same (a row rebuilt from an unchanged service keeps its old object, and is not redrawn). */
export function sameRow(a: ServiceRow, b: ServiceRow): boolean {
  return (
    a.id === b.id &&
    a.label === b.label &&
    a.protocol === b.protocol &&
    a.method === b.method &&
    a.scheduler === b.scheduler &&
    a.schedulerText === b.schedulerText &&
    a.persistenceSeconds === b.persistenceSeconds &&
    a.up === b.up &&
    a.total === b.total &&
    a.cps === b.cps &&
    a.active === b.active &&
    a.inactive === b.inactive &&
    a.draining === b.draining &&
    a.servers.length === b.servers.length &&
    a.servers.every((server, i) => server === b.servers[i]) &&
    a.warnings.length === b.warnings.length &&
    a.warnings.every((w, i) => w.kind === b.warnings[i]?.kind && w.text === b.warnings[i]?.text)
  );
}
