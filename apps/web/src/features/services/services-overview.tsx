// Every virtual service at a glance: identity, method, scheduler, persistence,
// destinations up/total, live rates and connection numbers, and warnings
// (failing, drift and advisories told apart by icon, word and colour). Search,
// filters, sort and the page (how many rows are drawn) live in the URL
// (service-list-model.ts, read by the router: routes.tsx). At phone width
// each row becomes a card (index.css, .stack-table).
import { memo, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, type MouseEvent, type ReactNode } from 'react';
import { Link, useNavigate, useRouter, useSearch } from '@tanstack/react-router';
import { destinationId, serviceLabel } from '@lvs-console/shared';
import { Notice } from '../../components/ui/notice';
import { serviceViews, useIsAdmin, useSnapshot } from '../../lib/agent';
import { searchRecord } from '../../app/search-params';
import { useSearchState } from '../../app/use-search-state';
import { topologyMethod } from '../topology/layout';
import { formatRate } from '../stats/rates';
import { DRIFT_TEXT, useServiceDrift } from '../changes/use-drift';
import type { ServiceDriftKind } from '@lvs-console/shared/drift';
import type { StateSnapshot } from '../../lib/types';
import { useHostProblems } from '../realservers/host-problems';
import { useRealServerReports } from '../realservers/use-real-server-reports';
import { serviceHasFailingReports } from '../realservers/real-server-reports';
import { useSimStatus } from '../sim/use-sim-status';
import { useHealthProblems, type ServiceHealthView } from '../health/use-health-status';
import { msg, t } from '../../lib/i18n';
import {
  choices,
  DEFAULT_QUERY,
  filterRows,
  listQueryParams,
  PAGE_ROWS,
  pageForAll,
  parseListQuery,
  sameRow,
  sortRows,
  STATUS_FILTERS,
  type ListQuery,
  type RowWarning,
  type ServiceRow,
  type SortKey,
  type WarningKind,
} from './service-list-model';
import { DrainEverywherePanel } from './drain-everywhere-panel';

/** Failing checks, a lost quorum and an active sorry server, as warning lines. */
function healthWarnings(view: ServiceHealthView | undefined): { lines: string[]; checkDown: Set<string> } {
  const checkDown = new Set<string>();
  const lines: string[] = [];
  if (!view) return { lines, checkDown };
  for (const dest of view.destinations) {
    if (dest.status === 'down') {
      checkDown.add(dest.id);
      lines.push(t('{{server}} health check failing', { server: dest.id }));
    }
  }
  if (view.quorum.lost && (view.enabled || view.quorum.sorryServer)) {
    lines.push(
      t('quorum lost (healthy weight {{healthy}} < {{required}})', { healthy: view.quorum.healthyWeight, required: view.quorum.required }) +
        (view.quorum.sorryServerActive && view.quorum.sorryServer ? t(': sorry server {{server}} serving', { server: view.quorum.sorryServer }) : ''),
    );
  }
  return { lines, checkDown };
}

let firstRenderMarked = false;

/** How long the search text waits for the next keystroke before it goes into the URL. */
const SEARCH_URL_DELAY_MS = 300;

/** Rows drawn at first (and added per "Show more"): a thousand rows cost seconds to draw and to redraw per keystroke. */

const queryKey = (query: ListQuery) => listQueryParams(query).toString();

const STATUS_LABELS: Record<(typeof STATUS_FILTERS)[number], string> = {
  failing: msg('Failing'),
  draining: msg('Draining (a server at weight 0)'),
  drift: msg('Drift'),
  advisory: msg('Host setting advisories'),
  ok: msg('No warnings'),
};

/** Icon, word and colour per kind: never colour alone. */
const WARNING_STYLE: Record<WarningKind, { icon: string; word: string; className: string }> = {
  failing: { icon: '✖', word: msg('Failing:'), className: 'warning-failing text-red-800' },
  drift: { icon: '⚠', word: msg('Drift:'), className: 'warning-drift text-amber-800' },
  advisory: { icon: 'ⓘ', word: msg('Advisory:'), className: 'warning-advisory text-sky-800' },
};

const COLUMNS: Array<{ key: SortKey; label: string; numeric?: boolean }> = [
  { key: 'service', label: msg('Service') },
  { key: 'method', label: msg('Method') },
  { key: 'scheduler', label: msg('Scheduler') },
  { key: 'persistence', label: msg('Persistence') },
  { key: 'up', label: msg('Servers up/total'), numeric: true },
  { key: 'cps', label: msg('New conn/s'), numeric: true },
  { key: 'active', label: msg('Active'), numeric: true },
  { key: 'inactive', label: msg('Inactive'), numeric: true },
  { key: 'warnings', label: msg('Warnings') },
];

/** What a service's row is built from, besides the snapshot: each input keeps its identity until its query answers anew. */
interface RowInputs {
  failed: ReadonlyArray<{ service: string; destination: string }> | undefined;
  health: readonly ServiceHealthView[] | undefined;
  driftById: ReadonlyMap<string, ServiceDriftKind>;
  hostProblems: ReadonlyMap<string, string[]>;
  reports: Parameters<typeof serviceHasFailingReports>[2];
}

function buildRows(snapshot: StateSnapshot | undefined, inputs: RowInputs): ServiceRow[] {
  const healthById = new Map((inputs.health ?? []).map((view) => [view.id, view]));
  const failedById = new Map<string, string[]>();
  for (const f of inputs.failed ?? []) failedById.set(f.service, [...(failedById.get(f.service) ?? []), f.destination]);
  const rows: ServiceRow[] = [];
  for (const view of serviceViews(snapshot)) {
    const svc = view.desired ?? view.observed;
    if (!svc) continue;
    const observedDests = view.observed?.destinations ?? [];
    const dests = view.desired?.destinations ?? observedDests;
    const method = topologyMethod(
      svc.key,
      dests.map((d) => d.forwarding),
      snapshot?.desired.hostSettings,
    );
    const failing = failedById.get(view.id) ?? [];
    const drift = inputs.driftById.get(view.id);
    const health = healthWarnings(healthById.get(view.id));
    // A sim-failed server whose check is down is said once, by the health line.
    const simOnly = failing.filter((d) => !health.checkDown.has(d));
    const warnings: RowWarning[] = [
      ...(drift ? [{ kind: 'drift' as const, text: t(DRIFT_TEXT[drift]) }] : []),
      ...simOnly.map((d) => ({ kind: 'failing' as const, text: t('{{server}} failing', { server: d }) })),
      ...health.lines.map((text) => ({ kind: 'failing' as const, text })),
      ...(serviceHasFailingReports(svc.key, dests, inputs.reports) ? [{ kind: 'failing' as const, text: t('real server settings failing') }] : []),
      ...(inputs.hostProblems.get(view.id) ?? []).map((text) => ({ kind: 'advisory' as const, text })),
    ];
    rows.push({
      id: view.id,
      label: serviceLabel(svc.key),
      protocol: svc.key.kind === 'fwmark' ? 'fwmark' : svc.key.protocol,
      method,
      scheduler: svc.scheduler,
      schedulerText: `${svc.scheduler}${svc.flags.length ? ` (${svc.flags.join(',')})` : ''}`,
      persistenceSeconds: svc.persistence ? svc.persistence.timeout : null,
      up: observedDests.filter((d) => d.weight > 0 && !d.overloaded && !failing.includes(destinationId(d))).length,
      total: dests.length,
      cps: view.observed?.rates.cps,
      active: observedDests.reduce((sum, d) => sum + d.activeConns, 0),
      inactive: observedDests.reduce((sum, d) => sum + d.inactiveConns, 0),
      servers: dests.map((d) => d.address),
      draining: dests.some((d) => d.weight === 0) || observedDests.some((d) => d.weight === 0),
      warnings,
    });
  }
  return rows;
}

/**
 * The row model, rebuilt only when an input changes (each second: the
 * snapshot's live numbers), never per keystroke. A rebuilt row equal to the
 * one before keeps the old object, so only rows whose numbers moved redraw.
 */
function useServiceRows(snapshot: StateSnapshot | undefined): ServiceRow[] {
  const failed = useSimStatus().data?.failed;
  const health = useHealthProblems().data?.services;
  const driftById = useServiceDrift();
  const hostProblems = useHostProblems();
  const reports = useRealServerReports().data?.reports;
  const previous = useRef<ReadonlyMap<string, ServiceRow>>(new Map());
  return useMemo(() => {
    const rows = buildRows(snapshot, { failed, health, driftById, hostProblems, reports }).map((row) => {
      const before = previous.current.get(row.id);
      return before && sameRow(before, row) ? before : row;
    });
    previous.current = new Map(rows.map((row) => [row.id, row]));
    return rows;
  }, [snapshot, failed, health, driftById, hostProblems, reports]);
}

export function ServicesOverview() {
  const snapshot = useSnapshot();
  const isAdmin = useIsAdmin();
  const rows = useServiceRows(snapshot.data);
  const navigate = useNavigate();
  // The list answers each keystroke at once; the URL follows, replaced for a filter (no history entry per
  // keystroke) and pushed for another page, so back and forward step through the pages. Search text
  // reaches the URL once typing pauses: each write is a router navigation (history.replaceState and the
  // route drawn again, tens of ms at 1,000 services) that the next keystroke would otherwise wait for.
  const urlWrite = useRef<{ timer: number; next: ListQuery; write: () => void } | null>(null);
  const flushUrlWrite = () => {
    if (!urlWrite.current) return;
    window.clearTimeout(urlWrite.current.timer);
    const { write } = urlWrite.current;
    urlWrite.current = null;
    write();
  };
  useEffect(() => () => window.clearTimeout(urlWrite.current?.timer), []);
  const router = useRouter();
  // Leaving the list (a navigation link, a row, any route change) while the search text waits for its pause:
  // the list's history entry gets the full text first, so Back finds what was typed. It is written straight
  // into the browser's entry, not as a router navigation that would race the one leaving.
  useEffect(
    () =>
      router.history.block({
        enableBeforeUnload: false,
        blockerFn: ({ nextLocation, action }) => {
          const pending = urlWrite.current;
          if (!pending || (action !== 'PUSH' && action !== 'REPLACE') || nextLocation.pathname === '/') return false;
          window.clearTimeout(pending.timer);
          urlWrite.current = null;
          const href = router.buildLocation({ to: '/', search: searchRecord(listQueryParams(pending.next)) }).href;
          window.history.replaceState(window.history.state, '', router.history.createHref(href));
          return false;
        },
      }),
    [router],
  );
  const [query, setListQuery] = useSearchState(useSearch({ from: '/' }).list, queryKey, (next) => {
    const pageOnly = queryKey({ ...next, page: 1 }) === queryKey({ ...query, page: 1 });
    const write = () => void navigate({ to: '/', search: searchRecord(listQueryParams(next)), replace: !pageOnly, resetScroll: false });
    if (urlWrite.current) window.clearTimeout(urlWrite.current.timer);
    urlWrite.current = null;
    if (next.q === query.q) write();
    else urlWrite.current = { timer: window.setTimeout(flushUrlWrite, SEARCH_URL_DELAY_MS), next, write };
  });
  // Row links are plain anchors, opened here through the router as a Link would: a Link per row
  // subscribes to the router and builds its location, a cost paid for every row a keystroke draws.
  const openService = (event: MouseEvent<HTMLElement>) => {
    const anchor = (event.target as Element).closest<HTMLAnchorElement>('a[data-service-id]');
    const id = anchor?.dataset.serviceId;
    if (!id || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    void navigate({ to: '/services/$id', params: { id } });
  };
  // Each new filter starts from one page again.
  const setQuery = (patch: Partial<ListQuery>) => setListQuery({ ...query, ...patch, page: 1 });

  const queryText = queryKey(query);
  // Sorted once per row model and order; filtered once per filter (a keystroke
  // costs a pass over the rows, no sort): the router's catching up with the
  // URL, or another page, renders the same filter again.
  const filterText = queryKey({ ...query, page: 1 });
  const sorted = useMemo(() => sortRows(rows, query.sort, query.dir), [rows, query.sort, query.dir]);
  const shown = useMemo(() => filterRows(sorted, parseListQuery(new URLSearchParams(filterText))), [sorted, filterText]);
  const rowLimit = query.page * PAGE_ROWS;
  const visible = useMemo(() => shown.slice(0, rowLimit), [shown, rowLimit]);
  const { protocols, methods, schedulers } = useMemo(
    () => ({ protocols: choices(rows, (r) => r.protocol), methods: choices(rows, (r) => r.method), schedulers: choices(rows, (r) => r.scheduler) }),
    [rows],
  );
  const filtered = shown.length !== rows.length;
  const words = useMemo(rowWords, []);
  // The drain panel (a choice per real server: 2,000 of them at 1,000 services) draws after the list, not with its first paint.
  const drainState = useDeferredValue(snapshot.data?.desired ?? null);

  useEffect(() => {
    // The first-render benchmark reads this mark (e2e/bench).
    if (snapshot.data && !firstRenderMarked) {
      firstRenderMarked = true;
      performance.mark('lvs-console:services-rendered', { detail: { rows: rows.length } });
    }
  }, [snapshot.data, rows.length]);
  useLayoutEffect(() => {
    // The filtering benchmark reads this mark: the list for a query is in the DOM.
    performance.mark('lvs-console:services-filtered', { detail: { query: queryText, shown: shown.length } });
  }, [queryText, shown.length]);

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-lg font-semibold">{t('Virtual services')}</h1>
        <span className="text-sm text-slate-600" role="status">
          {filtered ? t('{{shown}} of {{total}} services shown', { shown: shown.length, total: rows.length }) : t('{{count}} services', { count: rows.length })}
        </span>
        {isAdmin ? (
          <div className="ml-auto flex flex-wrap gap-2">
            <Link to="/services/new" className="rounded bg-slate-800 px-2.5 py-1 text-sm font-medium text-white hover:bg-slate-700">
              {t('Add service')}
            </Link>
            <Link to="/import" className="rounded border border-slate-300 bg-white px-2.5 py-1 text-sm font-medium hover:bg-slate-50">
              {t('Import rules')}
            </Link>
          </div>
        ) : null}
      </div>
      {snapshot.isPending ? (
        <p role="status" className="text-sm text-slate-600">
          {t('Loading services…')}
        </p>
      ) : null}
      {snapshot.data && rows.length === 0 ? (
        <Notice>
          {t('No virtual services yet.')} {isAdmin ? t('Add one or import ipvsadm rules.') : ''}
        </Notice>
      ) : null}
      {rows.length > 0 ? (
        <div role="search" aria-label={t('Find services')} className="flex flex-wrap items-end gap-2 text-sm">
          <label className="flex flex-col gap-0.5">
            <span className="text-xs text-slate-600">{t('Search')}</span>
            <input
              type="search"
              value={query.q}
              onChange={(e) => setQuery({ q: e.target.value })}
              placeholder={t('address, port or real server')}
              className="w-64 max-w-full rounded border border-slate-300 bg-white px-2 py-1"
            />
          </label>
          <FilterSelect
            label={t('Protocol')}
            value={query.protocol}
            onChange={(protocol) => setQuery({ protocol })}
            options={protocols.map((p) => ({ value: p, label: p === 'fwmark' ? 'fwmark' : p.toUpperCase() }))}
          />
          <FilterSelect
            label={t('Method')}
            value={query.method}
            onChange={(method) => setQuery({ method })}
            options={methods.map((m) => ({ value: m, label: m === 'NONE' ? '—' : m }))}
          />
          <FilterSelect
            label={t('Scheduler')}
            value={query.scheduler}
            onChange={(scheduler) => setQuery({ scheduler })}
            options={schedulers.map((s) => ({ value: s, label: s }))}
          />
          <FilterSelect
            label={t('Status')}
            value={query.status}
            onChange={(status) => setQuery({ status: status as ListQuery['status'] })}
            options={STATUS_FILTERS.map((s) => ({ value: s, label: t(STATUS_LABELS[s]) }))}
          />
          {queryText ? (
            <button type="button" className="rounded px-2 py-1 text-sm text-slate-700 underline hover:bg-slate-100" onClick={() => setListQuery(DEFAULT_QUERY)}>
              {t('Clear filters')}
            </button>
          ) : null}
        </div>
      ) : null}
      {rows.length > 0 ? (
        // A service link clicked while the search text waits: the text goes into this entry first, so Back finds it.
        <div className="overflow-x-auto rounded-md border border-slate-200 bg-white" onClickCapture={flushUrlWrite} onClick={openService}>
          <table className="stack-table w-full text-sm">
            <caption className="sr-only">{t('Virtual services')}</caption>
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
              <tr>
                {COLUMNS.map((column) => (
                  <SortHeader key={column.key} column={column} query={query} onSort={(sort, dir) => setQuery({ sort, dir })} />
                ))}
              </tr>
            </thead>
            <tbody>
              {visible.map((row) => (
                <ServiceRowView key={row.id} row={row} words={words} />
              ))}
            </tbody>
          </table>
          {shown.length === 0 ? <p className="p-3 text-sm text-slate-600">{t('No service matches these filters.')}</p> : null}
          {shown.length > rowLimit ? (
            <div className="flex flex-wrap gap-2 border-t border-slate-100 p-2">
              <button
                type="button"
                className="rounded border border-slate-300 bg-white px-2.5 py-1 text-sm font-medium hover:bg-slate-50"
                onClick={() => setListQuery({ ...query, page: query.page + 1 })}
              >
                {t('Show {{count}} more', { count: Math.min(PAGE_ROWS, shown.length - rowLimit) })}
              </button>
              <button
                type="button"
                className="rounded px-2.5 py-1 text-sm font-medium underline hover:bg-slate-100"
                onClick={() => setListQuery({ ...query, page: pageForAll(shown.length) })}
              >
                {t('Show all {{count}}', { count: shown.length })}
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
      {isAdmin && drainState && rows.length > 0 ? <DrainEverywherePanel state={drainState} /> : null}
    </div>
  );
}

/** The words every row repeats, translated once per list rather than per row and cell. */
function rowWords() {
  return {
    method: t('Method'),
    scheduler: t('Scheduler'),
    persistence: t('Persistence'),
    up: t('Servers up/total'),
    cps: t('New conn/s'),
    active: t('Active'),
    inactive: t('Inactive'),
    warnings: t('Warnings'),
    none: t('none'),
    failing: t(WARNING_STYLE.failing.word),
    drift: t(WARNING_STYLE.drift.word),
    advisory: t(WARNING_STYLE.advisory.word),
  };
}
type RowWords = ReturnType<typeof rowWords>;

/** A service's page, as the router writes its address (hash history). */
export function serviceHref(id: string): string {
  return `/#/services/${encodeURIComponent(id)}`;
}

/** One service's row; memoised: a keystroke or a new second redraws only the rows that changed. */
const ServiceRowView = memo(function ServiceRowView({ row, words }: { row: ServiceRow; words: RowWords }) {
  return (
    <tr className="border-t border-slate-100 hover:bg-slate-50">
      <th scope="row" className="px-3 py-1.5 text-left font-normal">
        <a href={serviceHref(row.id)} data-service-id={row.id} className="font-mono text-blue-800 underline-offset-2 hover:underline">
          {row.label}
        </a>
      </th>
      <Cell label={words.method}>{row.method === 'NONE' ? '—' : row.method}</Cell>
      <Cell label={words.scheduler} className="font-mono">
        {row.schedulerText}
      </Cell>
      <Cell label={words.persistence}>{row.persistenceSeconds === null ? '—' : t('{{seconds}} s', { seconds: row.persistenceSeconds })}</Cell>
      <Cell label={words.up} className="text-right font-mono">
        {row.up}/{row.total}
      </Cell>
      <Cell label={words.cps} className="text-right font-mono">
        {row.cps === undefined ? '—' : formatRate(row.cps)}
      </Cell>
      <Cell label={words.active} className="text-right font-mono">
        {row.active}
      </Cell>
      <Cell label={words.inactive} className="text-right font-mono">
        {row.inactive}
      </Cell>
      <Cell label={words.warnings} className="stack-full text-xs">
        {row.warnings.length === 0 ? (
          <span className="text-slate-600">{words.none}</span>
        ) : (
          <ul className="flex flex-col gap-0.5">
            {row.warnings.map((w) => {
              const style = WARNING_STYLE[w.kind];
              return (
                <li key={`${w.kind}:${w.text}`} className={style.className}>
                  <span aria-hidden="true">{style.icon} </span>
                  <strong className="font-semibold">{words[w.kind]}</strong> {w.text}
                </li>
              );
            })}
          </ul>
        )}
      </Cell>
    </tr>
  );
});

/** A data cell that names its column when the table is laid out as cards (phone width). */
function Cell({ label, className = '', children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <td data-label={label} className={`px-3 py-1.5 ${className}`}>
      {children}
    </td>
  );
}

function FilterSelect({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange: (value: string) => void;
}) {
  return (
    <label className="flex flex-col gap-0.5">
      <span className="text-xs text-slate-600">{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} className="rounded border border-slate-300 bg-white px-2 py-1">
        <option value="">{t('All')}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function SortHeader({
  column,
  query,
  onSort,
}: {
  column: { key: SortKey; label: string; numeric?: boolean };
  query: ListQuery;
  onSort: (key: SortKey, dir: 'asc' | 'desc') => void;
}) {
  const active = query.sort === column.key;
  // Numbers and warnings sort biggest first on the first click: the busy or broken ones on top.
  const firstDir = column.numeric || column.key === 'warnings' ? 'desc' : 'asc';
  const nextDir = active ? (query.dir === 'asc' ? 'desc' : 'asc') : firstDir;
  return (
    <th
      scope="col"
      aria-sort={active ? (query.dir === 'asc' ? 'ascending' : 'descending') : undefined}
      className={`px-3 py-2 ${column.numeric ? 'text-right' : ''}`}
    >
      <button type="button" onClick={() => onSort(column.key, nextDir)} className="inline-flex items-center gap-1 uppercase tracking-wide hover:text-slate-900">
        {t(column.label)}
        <span aria-hidden="true">{active ? (query.dir === 'asc' ? '▲' : '▼') : '↕'}</span>
      </button>
    </th>
  );
}
