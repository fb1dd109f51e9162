// The console's routes (TanStack Router). The agent serves one index.html, so
// routes live after "#" (hash history) and survive reloads without server
// routes; every address of the earlier hand-written router still opens the
// same screen ("#/services/ID/watch?range=15", "#/changes?who=ann",
// "#/?q=web&sort=cps"). Screens other than the services overview load lazily
// so the first screen stays small. A screen's shareable state rides in search
// params, typed by the screen's own pure parse function (search-params.ts).
import {
  createHashHistory,
  createRootRouteWithContext,
  createRoute,
  createRouter,
  redirect,
  useParams,
  type RouteComponent,
  type StaticDataRouteOption,
} from '@tanstack/react-router';
import { lazy, type ReactElement } from 'react';
import { msg } from '../lib/i18n';
import { ServicesOverview } from '../features/services/services-overview';
import { parseListQuery } from '../features/services/service-list-model';
import { parseAuditFilter } from '../features/changes/audit-filter';
import { parseWatchParams } from '../features/stats/watch-url';
import type { ServiceTab } from '../features/services/service-page';
import { paramsOf, parseSearchText, searchRecord, searchView, stringifySearchRecord } from './search-params';
import { LoadingScreen, NoSuchPage, ScreenFailed } from './route-boundary';
import { Shell, type ShellContext } from './shell';

const ServicePage = lazy(() => import('../features/services/service-page'));
const NewServicePage = lazy(() => import('../features/services/new-service-page'));
const ChangesPage = lazy(() => import('../features/changes/changes-page'));
const SettingsPage = lazy(() => import('../features/settings/settings-page'));
const ImportExportPage = lazy(() => import('../features/importexport/import-export-page'));
const SimPage = lazy(() => import('../features/sim/sim-page'));
const DirectorsPage = lazy(() => import('../features/directors/directors-page'));
const NotificationsPage = lazy(() => import('../features/notifications/notifications-page'));
const UsersPage = lazy(() => import('../features/users/users-page'));

declare module '@tanstack/react-router' {
  interface Register {
    router: ConsoleRouter;
  }
  interface StaticDataRouteOption {
    /** The screen's name for the browser tab (a message key); service screens are named by their service. */
    title?: string;
    /** The main navigation entry this screen belongs to. */
    section?: 'services' | 'directors' | 'changes' | 'import' | 'settings' | 'notifications' | 'sim' | 'users';
  }
}

const rootRoute = createRootRouteWithContext<ShellContext>()({ component: Shell, notFoundComponent: NoSuchPage });

const servicesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  validateSearch: searchView('list', parseListQuery),
  staticData: { title: msg('Virtual services'), section: 'services' },
  component: ServicesOverview,
});

// "#/services" was the list's other address.
const servicesAliasRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'services',
  // The list's route validates the text pairs handed on.
  beforeLoad: ({ location }) => {
    redirect({ to: '/', search: searchRecord(paramsOf(location.search)), replace: true, throw: true });
  },
});

const newServiceRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'services/new',
  staticData: { title: msg('Add virtual service'), section: 'services' },
  component: NewServicePage,
});

/** A service's screen with one tab open; keyed by service, so forms start from the service shown. */
function serviceScreen(tab: ServiceTab) {
  return function ServiceScreen(): ReactElement {
    const { id = '' } = useParams({ strict: false });
    return <ServicePage key={id} id={id} tab={tab} />;
  };
}

const serviceRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'services/$id',
  staticData: { section: 'services' },
  component: serviceScreen('overview'),
});

const serviceWatchRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'services/$id/watch',
  validateSearch: searchView('watch', parseWatchParams),
  staticData: { section: 'services' },
  component: serviceScreen('watch'),
});

const serviceConnectionsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'services/$id/connections',
  staticData: { section: 'services' },
  component: serviceScreen('connections'),
});

const serviceSetupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'services/$id/setup',
  staticData: { section: 'services' },
  component: serviceScreen('setup'),
});

// The earlier router opened a service's overview for a tab it did not know.
const serviceUnknownTabRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'services/$id/$tab',
  beforeLoad: ({ params }) => {
    redirect({ to: '/services/$id', params: { id: params.id }, replace: true, throw: true });
  },
});

const changesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'changes',
  validateSearch: searchView('audit', parseAuditFilter),
  staticData: { title: msg('Changes'), section: 'changes' },
  component: ChangesPage,
});

/** A screen without search params of its own. */
function screenRoute<P extends string>(path: P, title: string, section: NonNullable<StaticDataRouteOption['section']>, component: RouteComponent) {
  return createRoute({ getParentRoute: () => rootRoute, path, staticData: { title, section }, component });
}

const routeTree = rootRoute.addChildren([
  servicesRoute,
  servicesAliasRoute,
  newServiceRoute,
  serviceRoute,
  serviceWatchRoute,
  serviceConnectionsRoute,
  serviceSetupRoute,
  serviceUnknownTabRoute,
  changesRoute,
  screenRoute('settings', msg('Settings'), 'settings', SettingsPage),
  screenRoute('import', msg('Import / export'), 'import', ImportExportPage),
  screenRoute('sim', msg('Sim traffic'), 'sim', SimPage),
  screenRoute('directors', msg('Directors'), 'directors', DirectorsPage),
  screenRoute('notifications', msg('Notifications'), 'notifications', NotificationsPage),
  screenRoute('users', msg('Users'), 'users', UsersPage),
]);

/**
 * One router per logged-in shell: made after login, so it reads the address
 * as it is then (the one-time "#login=CODE" is gone by that time).
 */
export function createConsoleRouter(context: ShellContext) {
  return createRouter({
    routeTree,
    history: createHashHistory(),
    context,
    parseSearch: parseSearchText,
    stringifySearch: stringifySearchRecord,
    defaultPendingComponent: LoadingScreen,
    defaultErrorComponent: ScreenFailed,
    defaultNotFoundComponent: NoSuchPage,
  });
}

export type ConsoleRouter = ReturnType<typeof createConsoleRouter>;
