// A tiny hash router: the agent serves one index.html, so routes live after
// "#" and survive reloads without server routes.
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
  const path = hash.replace(/^#\/?/, '');
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

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '');
}
