// The services list's search, filters and sort, and their round trip through the URL.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QUERY,
  filterRows,
  listQueryParams,
  pageForAll,
  parseListQuery,
  sameRow,
  selectRows,
  sortRows,
  type ServiceRow,
} from '../src/features/services/service-list-model';

function row(id: string, patch: Partial<ServiceRow> = {}): ServiceRow {
  return {
    id,
    label: id.toUpperCase(),
    protocol: 'tcp',
    method: 'NAT',
    scheduler: 'wlc',
    schedulerText: 'wlc',
    persistenceSeconds: null,
    up: 2,
    total: 2,
    cps: 0,
    active: 0,
    inactive: 0,
    servers: ['10.0.0.1'],
    draining: false,
    warnings: [],
    ...patch,
  };
}

const rows = [
  row('tcp:192.0.2.10:80', { cps: 50, servers: ['10.0.0.1', '10.0.0.2'] }),
  row('udp:192.0.2.11:53', {
    protocol: 'udp',
    method: 'DR',
    scheduler: 'sh',
    schedulerText: 'sh',
    cps: 5,
    warnings: [{ kind: 'advisory', text: 'arp_ignore missing' }],
  }),
  row('tcp:192.0.2.9:443', { cps: 120, up: 1, warnings: [{ kind: 'failing', text: '10.0.0.3:443 failing' }], servers: ['10.0.0.3'] }),
  row('tcp:192.0.2.12:8080', { draining: true, warnings: [{ kind: 'drift', text: 'drift: not in the kernel' }] }),
];
const ids = (query: Partial<typeof DEFAULT_QUERY>) => selectRows(rows, { ...DEFAULT_QUERY, ...query }).map((r) => r.id);

describe('services list query', () => {
  it('sorts by service address with numbers in order by default', () => {
    expect(ids({})).toEqual(['tcp:192.0.2.9:443', 'tcp:192.0.2.10:80', 'tcp:192.0.2.12:8080', 'udp:192.0.2.11:53']);
  });

  it('searches labels and real-server addresses', () => {
    expect(ids({ q: '192.0.2.11' })).toEqual(['udp:192.0.2.11:53']);
    expect(ids({ q: '10.0.0.2' })).toEqual(['tcp:192.0.2.10:80']);
    expect(ids({ q: 'nothing-like-this' })).toEqual([]);
  });

  it('filters a sorted list into the same selection, in the same order, as sorting the filtered one', () => {
    for (const query of [{ q: '10.0.0' }, { q: '192.0.2.1', sort: 'cps' as const, dir: 'desc' as const }, { protocol: 'tcp', sort: 'warnings' as const }]) {
      const full = { ...DEFAULT_QUERY, ...query };
      expect(filterRows(sortRows(rows, full.sort, full.dir), full)).toEqual(selectRows(rows, full));
    }
    // No match across two fields: the label's end and the next field's start are apart.
    expect(ids({ q: '80tcp' })).toEqual([]);
  });

  it('searches a changed row by its new text (the search text is kept per row object)', () => {
    const before = row('tcp:192.0.2.20:80', { servers: ['10.0.0.7'] });
    const query = { ...DEFAULT_QUERY, q: '10.0.0.8' };
    expect(filterRows([before], query)).toEqual([]);
    const after = { ...before, servers: ['10.0.0.8'] };
    expect(filterRows([after], query)).toEqual([after]);
  });

  it('filters by protocol, method, scheduler and status', () => {
    expect(ids({ protocol: 'udp' })).toEqual(['udp:192.0.2.11:53']);
    expect(ids({ method: 'DR' })).toEqual(['udp:192.0.2.11:53']);
    expect(ids({ scheduler: 'wlc', status: 'failing' })).toEqual(['tcp:192.0.2.9:443']);
    expect(ids({ status: 'draining' })).toEqual(['tcp:192.0.2.12:8080']);
    expect(ids({ status: 'drift' })).toEqual(['tcp:192.0.2.12:8080']);
    expect(ids({ status: 'advisory' })).toEqual(['udp:192.0.2.11:53']);
    expect(ids({ status: 'ok' })).toEqual(['tcp:192.0.2.10:80']);
  });

  it('sorts by rate and by the worst warning, both directions', () => {
    expect(ids({ sort: 'cps', dir: 'desc' })).toEqual(['tcp:192.0.2.9:443', 'tcp:192.0.2.10:80', 'udp:192.0.2.11:53', 'tcp:192.0.2.12:8080']);
    expect(ids({ sort: 'warnings', dir: 'desc' })[0]).toBe('tcp:192.0.2.9:443');
    expect(ids({ sort: 'warnings', dir: 'desc' }).slice(1, 3)).toEqual(['tcp:192.0.2.12:8080', 'udp:192.0.2.11:53']);
  });

  it('round-trips through URL params, keeping only what differs from the defaults', () => {
    const query = { ...DEFAULT_QUERY, q: 'web', protocol: 'tcp', status: 'failing' as const, sort: 'cps' as const, dir: 'desc' as const };
    const params = listQueryParams(query);
    expect(params.toString()).toBe('q=web&protocol=tcp&status=failing&sort=cps&dir=desc');
    expect(parseListQuery(params)).toEqual(query);
    expect(listQueryParams(DEFAULT_QUERY).toString()).toBe('');
  });

  it('ignores unknown sort keys and statuses from a stale link', () => {
    expect(parseListQuery(new URLSearchParams('sort=bogus&status=weird&dir=sideways'))).toEqual(DEFAULT_QUERY);
  });

  it('keeps the page in the URL, a bad or out-of-range page falling back to the first', () => {
    const third = { ...DEFAULT_QUERY, q: 'web', page: 3 };
    expect(listQueryParams(third).toString()).toBe('q=web&page=3');
    expect(parseListQuery(listQueryParams(third))).toEqual(third);
    for (const bad of ['0', '-2', '1.5', 'x', '', '99999999', '10001']) expect(parseListQuery(new URLSearchParams({ page: bad })).page).toBe(1);
    expect(parseListQuery(new URLSearchParams('page=10000')).page).toBe(10_000);
  });

  it('the page that draws every row', () => {
    expect([0, 1, 50, 51, 1003].map(pageForAll)).toEqual([1, 1, 1, 2, 21]);
  });

  it('tells a row that shows the same from one whose numbers, servers or warnings changed', () => {
    const base = row('tcp:192.0.2.10:80', { servers: ['10.0.0.1'], warnings: [{ kind: 'drift', text: 'drift' }] });
    expect(sameRow(base, { ...base, servers: ['10.0.0.1'], warnings: [{ kind: 'drift', text: 'drift' }] })).toBe(true);
    expect(sameRow(base, { ...base, cps: 1 })).toBe(false);
    expect(sameRow(base, { ...base, active: 3 })).toBe(false);
    expect(sameRow(base, { ...base, servers: ['10.0.0.2'] })).toBe(false);
    expect(sameRow(base, { ...base, warnings: [{ kind: 'failing', text: 'drift' }] })).toBe(false);
    expect(sameRow(base, { ...base, warnings: [] })).toBe(false);
  });
});
