// Search params as the console writes them: flat text pairs after the route
// ("#/?q=web&sort=cps", "#/changes?who=ann"), the shape every bookmark already
// has. The router (routes.tsx) reads and writes them with these functions
// instead of its JSON default, so "q=80" stays the text "80" and no value
// gains quotes. A screen's typed view of its params (the services list query,
// the audit filter, the watch window) is made by that screen's own pure
// parse/format pair and kept under one key of its own (searchView), apart from
// the raw text pairs: only text ever goes back into the URL. Pure.
import type { SearchSchemaInput } from '@tanstack/react-router';

/** Search params as they are in the URL: text values only. */
export type SearchRecord = Readonly<Record<string, string>>;

/** "?a=1&b=x" -> { a: '1', b: 'x' }; of a name given twice the first counts, as URLSearchParams.get reads it. */
export function parseSearchText(searchText: string): Record<string, string> {
  const pairs = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(searchText)) if (!pairs.has(name)) pairs.set(name, value);
  return Object.fromEntries(pairs);
}

/** Only non-empty text values are written: a screen's typed view (an object) never reaches the URL. */
export function stringifySearchRecord(search: Readonly<Record<string, unknown>>): string {
  const params = paramsOf(search);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The text pairs of a search object, for a screen's parse function. */
export function paramsOf(search: Readonly<Record<string, unknown>>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(search)) if (typeof value === 'string' && value !== '') params.set(name, value);
  return params;
}

/** What a screen's format function produced, as the search a link or navigation takes. */
export function searchRecord(params: URLSearchParams): SearchRecord {
  return parseSearchText(params.toString());
}

/**
 * A route's validateSearch made of a screen's pure parse function: the typed
 * value under `key`, beside the raw text pairs. Parse functions fall back to
 * defaults on bad input, so a stale or hand-edited link opens, never crashes.
 * Links and navigations give the URL's text pairs (searchRecord of the
 * screen's format function); the router hands components the typed value.
 */
export function searchView<K extends string, T>(key: K, parse: (params: URLSearchParams) => T) {
  return (search: SearchRecord & SearchSchemaInput): { [P in K]: T } => ({ [key]: parse(paramsOf(search)) }) as { [P in K]: T };
}
