// Search params as the router reads and writes them: flat text pairs, the
// shape of every existing bookmark, with each screen's typed view beside them.
import { describe, expect, it } from 'vitest';
import type { SearchSchemaInput } from '@tanstack/react-router';
import { paramsOf, parseSearchText, searchRecord, searchView, stringifySearchRecord, type SearchRecord } from '../src/app/search-params';
import { DEFAULT_QUERY, listQueryParams, parseListQuery } from '../src/features/services/service-list-model';
import { parseWatchParams, watchParams } from '../src/features/stats/watch-url';

/** Search text pairs as the router hands them to validateSearch (the marker type is compile-time only). */
const raw = (pairs: SearchRecord) => pairs as SearchRecord & SearchSchemaInput;

describe('search params', () => {
  it('reads text as text: no JSON, the first of a repeated name', () => {
    expect(parseSearchText('?q=80&sort=cps&q=81')).toEqual({ q: '80', sort: 'cps' });
    expect(parseSearchText('?hide=10.0.0.1%3A80%2C10.0.0.2%3A80')).toEqual({ hide: '10.0.0.1:80,10.0.0.2:80' });
    expect(parseSearchText('')).toEqual({});
    // A name like __proto__ is a plain key, not the object's prototype.
    const odd = parseSearchText('__proto__=x');
    expect(Object.getPrototypeOf(odd)).toBe(Object.prototype);
    expect(odd.__proto__).toBe('x');
  });

  it('writes only non-empty text: a typed view never reaches the URL', () => {
    expect(stringifySearchRecord({ q: '80', sort: '', list: { q: '80' }, rows: 5, hide: undefined })).toBe('?q=80');
    expect(stringifySearchRecord({})).toBe('');
    expect(stringifySearchRecord({ service: 'replace desired', hide: '10.0.0.1:80' })).toBe('?service=replace+desired&hide=10.0.0.1%3A80');
  });

  it('round-trips a screen state through its own format and parse functions', () => {
    const query = { ...DEFAULT_QUERY, q: 'web', protocol: 'udp', sort: 'cps' as const, dir: 'desc' as const };
    const url = stringifySearchRecord(searchRecord(listQueryParams(query)));
    expect(url).toBe('?q=web&protocol=udp&sort=cps&dir=desc');
    expect(searchView('list', parseListQuery)(raw(parseSearchText(url)))).toEqual({ list: query });
    const watch = { minutes: 15 as const, hidden: ['10.0.0.1:80'], zoom: { from: 1_700_000_000_000, to: 1_700_000_060_000 } };
    expect(searchView('watch', parseWatchParams)(raw(searchRecord(watchParams(watch))))).toEqual({ watch });
  });

  it('gives the defaults for bad values, and reads the raw pairs even beside a typed view', () => {
    expect(searchView('list', parseListQuery)(raw({ sort: 'bogus', dir: 'sideways', status: 'weird' }))).toEqual({ list: DEFAULT_QUERY });
    expect(searchView('watch', parseWatchParams)(raw({ range: '7' }))).toEqual({ watch: { minutes: 1, hidden: [], zoom: null } });
    // The router validates the merged search again on navigation: the typed view is ignored, the text re-read.
    expect(paramsOf({ range: '5', watch: { minutes: 1, hidden: [] } }).toString()).toBe('range=5');
  });
});
