// A tiny hash router: the agent serves one index.html, so routes live after
// "#" and survive reloads without server routes. A screen's own state that
// should be shareable (list filters, sort) rides in search params after the
// path: "#/?q=web&sort=cps".
import { useSyncExternalStore } from 'react';

export type Route =
  | { name: 'services' }
  | { name: 'new-service' }
  | { name: 'service'; id: string; tab: ServiceTab }
  | { name: 'changes' }
  | { name: 'settings' }
  | { name: 'import' }
  | { name: 'sim' }
  | { name: 'directors' }
  | { name: 'notifications' }
  | { name: 'users' }
  | { name: 'not-found'; path: string };

export const SERVICE_TABS = ['overview', 'watch', 'connections', 'setup'] as const;
export type ServiceTab = (typeof SERVICE_TABS)[number];

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '').replace(/\?.*$/, '');
  if (path === '' || path === 'services') return { name: 'services' };
  if (path === 'services/new') return { name: 'new-service' };
  const service = /^services\/([^/]+)(?:\/([a-z]+))?$/.exec(path);
  if (service?.[1]) {
    const tab = (SERVICE_TABS as readonly string[]).includes(service[2] ?? '') ? (service[2] as ServiceTab) : 'overview';
    return { name: 'service', id: decodeURIComponent(service[1]), tab };
  }
  if (path === 'changes' || path === 'settings' || path === 'import' || path === 'sim' || path === 'directors' || path === 'notifications' || path === 'users') return { name: path };
  return { name: 'not-found', path };
}

export function hrefFor(route: Route): string {
  switch (route.name) {
    case 'services':
      return '#/';
    case 'new-service':
      return '#/services/new';
    case 'service':
      return `#/services/${encodeURIComponent(route.id)}${route.tab === 'overview' ? '' : `/${route.tab}`}`;
    case 'changes':
    case 'settings':
    case 'import':
    case 'sim':
    case 'directors':
    case 'notifications':
    case 'users':
      return `#/${route.name}`;
    case 'not-found':
      return `#/${route.path}`;
  }
}

export function serviceHref(id: string, tab: ServiceTab = 'overview'): string {
  return hrefFor({ name: 'service', id, tab });
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}

/** The search params of the current hash ("#/changes?who=ann" -> who=ann). */
export function hashSearchParams(hash: string): URLSearchParams {
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

export function useHashSearchParams(): URLSearchParams {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return hashSearchParams(hash);
}

/**
 * Replace the current hash's search params in place (no history entry per
 * keystroke); subscribers hear it as a hashchange.
 */
export function replaceHashSearchParams(params: URLSearchParams): void {
  const path = window.location.hash.replace(/\?.*$/, '') || '#/';
  const search = params.toString();
  const next = `${path}${search ? `?${search}` : ''}`;
  if (next === window.location.hash) return;
  const oldURL = window.location.href;
  window.history.replaceState(window.history.state, '', next);
  window.dispatchEvent(new HashChangeEvent('hashchange', { oldURL, newURL: window.location.href }));
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '');
}
