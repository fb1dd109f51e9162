// Providers, the login gate and the shell (header, navigation, status line).
// Screens other than the services overview load lazily so the first screen stays small.
import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState, type MouseEvent } from 'react';
import { LoginScreen } from '../features/auth/login-screen';
import { ServicesOverview } from '../features/services/services-overview';
import { clearSignedIn, clearToken, isSignedIn, loginCodeFromHash, markSignedIn, readToken } from '../lib/session';
import { isAuthError, queryClient, trpcClient } from '../lib/trpc';
import { useSnapshot, useWhoami } from '../lib/agent';
import { ServingWeightsProvider } from '../features/weights/serving-weights';
import { StatusBar } from './status-bar';
import { hrefFor, useRoute, type Route } from './router';
import { msg, t } from '../lib/i18n';
import { useTranslation } from 'react-i18next';
import { LanguagePicker } from './language-picker';
import { codeLabel } from '../lib/labels';
import { ThemePicker } from './theme-picker';
import { RouteBoundary } from './route-boundary';
import { parseServiceId, serviceLabel } from '@lvs-console/shared';

const ServicePage = lazy(() => import('../features/services/service-page'));
const NewServicePage = lazy(() => import('../features/services/new-service-page'));
const ChangesPage = lazy(() => import('../features/changes/changes-page'));
const SettingsPage = lazy(() => import('../features/settings/settings-page'));
const ImportExportPage = lazy(() => import('../features/importexport/import-export-page'));
const SimPage = lazy(() => import('../features/sim/sim-page'));
const DirectorsPage = lazy(() => import('../features/directors/directors-page'));
const NotificationsPage = lazy(() => import('../features/notifications/notifications-page'));
const UsersPage = lazy(() => import('../features/users/users-page'));

export function App() {
  // A language switch re-renders every screen: strings are translated as they render.
  const { i18n } = useTranslation();
  return (
    <QueryClientProvider client={queryClient}>
      <ServingWeightsProvider>
        <AuthGate key={i18n.language} />
      </ServingWeightsProvider>
    </QueryClientProvider>
  );
}

type GateState = 'checking' | 'in' | 'out';

/**
 * Logged in means the agent knows this browser's session cookie. A page
 * handed an API token (scripts, tests) exchanges it for a cookie first, so
 * live streams (EventSource) are authenticated without a token in the URL.
 */
function AuthGate() {
  const hasLoginCode = loginCodeFromHash(window.location.hash) !== null;
  const [state, setState] = useState<GateState>(() => (hasLoginCode ? 'out' : 'checking'));
  const [reason, setReason] = useState<string | undefined>();
  useEffect(() => {
    if (state !== 'checking') return;
    let cancelled = false;
    void (async () => {
      try {
        if (readToken()) {
          await trpcClient.auth.startSession.mutate();
          clearToken();
        }
        await trpcClient.auth.whoami.query();
        if (!cancelled) {
          markSignedIn();
          setState('in');
        }
      } catch (error) {
        // Unreachable is not logged out: the shell says the agent is away.
        if (!cancelled) setState(isAuthError(error) || !isSignedIn() ? 'out' : 'in');
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [state]);
  if (state === 'checking') return <p role="status" className="p-4 text-sm text-slate-600">{t('Checking your session…')}</p>;
  if (state === 'out' || hasLoginCode) {
    return <LoginScreen reason={reason} onLoggedIn={() => { queryClient.clear(); setReason(undefined); setState('in'); }} />;
  }
  return <Shell onLoggedOut={(why) => { clearSignedIn(); queryClient.clear(); setReason(why); setState('out'); }} />;
}

const NAV: Array<{ label: string; route: Route; match: Route['name'][]; adminOnly?: boolean }> = [
  { label: msg('Services'), route: { name: 'services' }, match: ['services', 'service', 'new-service'] },
  { label: msg('Directors'), route: { name: 'directors' }, match: ['directors'] },
  { label: msg('Changes'), route: { name: 'changes' }, match: ['changes'] },
  { label: msg('Import / export'), route: { name: 'import' }, match: ['import'] },
  { label: msg('Settings'), route: { name: 'settings' }, match: ['settings'] },
  { label: msg('Notifications'), route: { name: 'notifications' }, match: ['notifications'] },
  { label: msg('Sim traffic'), route: { name: 'sim' }, match: ['sim'] },
  { label: msg('Users'), route: { name: 'users' }, match: ['users'], adminOnly: true },
];

function Shell({ onLoggedOut }: { onLoggedOut: (why?: string) => void }) {
  const route = useRoute();
  const whoami = useWhoami();
  const snapshot = useSnapshot();
  const authFailed = isAuthError(whoami.error) || isAuthError(snapshot.error);
  const title = t('{{page}} · LVS Console', { page: pageTitle(route) });
  useEffect(() => {
    document.title = title;
  }, [title]);
  useEffect(() => {
    if (authFailed) onLoggedOut(t('Your session is no longer valid: log in again with a fresh link.'));
  }, [authFailed, onLoggedOut]);

  return (
    <div className="min-h-screen">
      <a href="#main" onClick={skipToContent} className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2">{t('Skip to content')}</a>
      <header className="app-header border-b border-slate-700 bg-slate-800 text-slate-100">
        <div className="mx-auto flex max-w-[1400px] flex-wrap items-center gap-4 px-4 py-2">
          <a href="#/" className="font-semibold tracking-wide text-white">{t('LVS Console')}</a>
          <nav aria-label={t('Main')}>
            <ul className="flex flex-wrap gap-1">
              {NAV.filter((item) => !item.adminOnly || whoami.data?.role === 'admin').map((item) => {
                const current = item.match.includes(route.name);
                return (
                  <li key={item.label}>
                    <a href={hrefFor(item.route)} aria-current={current ? 'page' : undefined}
                      className={`rounded px-2 py-1 text-sm ${current ? 'bg-slate-600 text-white' : 'text-slate-300 hover:bg-slate-700'}`}>
                      {t(item.label)}
                    </a>
                  </li>
                );
              })}
            </ul>
          </nav>
          <div className="ml-auto flex flex-wrap items-center gap-3 text-sm">
            <LanguagePicker />
            <ThemePicker />
            {whoami.data ? (
              <span className="rounded bg-slate-700 px-2 py-0.5 text-xs" title={t('Who you are logged in as')}>
                {whoami.data.name} · {codeLabel(whoami.data.role)}
              </span>
            ) : null}
            <button type="button" className="rounded px-2 py-0.5 text-xs text-slate-300 hover:bg-slate-700"
              onClick={() => { void trpcClient.auth.logout.mutate().catch(() => undefined).finally(() => onLoggedOut()); }}>{t('Log out')}</button>
            <button type="button" className="rounded px-2 py-0.5 text-xs text-slate-300 hover:bg-slate-700"
              onClick={() => { void trpcClient.auth.logout.mutate({ everywhere: true }).catch(() => undefined).finally(() => onLoggedOut(t('You were logged out on every browser.'))); }}>{t('Log out everywhere')}</button>
          </div>
        </div>
      </header>
      <StatusBar />
      <main id="main" tabIndex={-1} className="mx-auto max-w-[1400px] px-4 py-4">
        <Suspense fallback={<p role="status" className="text-sm text-slate-600">{t('Loading…')}</p>}>
          <RouteBoundary routeKey={window.location.hash}>
            <Screen route={route} />
          </RouteBoundary>
        </Suspense>
      </main>
    </div>
  );
}

const ROUTE_TITLES: Record<Exclude<Route['name'], 'service' | 'not-found'>, string> = {
  services: msg('Virtual services'),
  'new-service': msg('Add virtual service'),
  changes: msg('Changes'),
  settings: msg('Settings'),
  import: msg('Import / export'),
  sim: msg('Sim traffic'),
  directors: msg('Directors'),
  notifications: msg('Notifications'),
  users: msg('Users'),
};

/** What the browser tab says: the screen, or the service shown. */
function pageTitle(route: Route): string {
  if (route.name === 'service') {
    const key = parseServiceId(route.id);
    return key ? serviceLabel(key) : route.id;
  }
  if (route.name === 'not-found') return t('No such page');
  return t(ROUTE_TITLES[route.name]);
}

/** The hash router owns "#…": the skip link moves focus to the content instead of navigating. */
function skipToContent(event: MouseEvent<HTMLAnchorElement>): void {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'services':
      return <ServicesOverview />;
    case 'new-service':
      return <NewServicePage />;
    case 'service':
      // Keyed by service: forms start from the service shown, never from the previous one.
      return <ServicePage key={route.id} id={route.id} tab={route.tab} />;
    case 'changes':
      return <ChangesPage />;
    case 'settings':
      return <SettingsPage />;
    case 'import':
      return <ImportExportPage />;
    case 'sim':
      return <SimPage />;
    case 'directors':
      return <DirectorsPage />;
    case 'notifications':
      return <NotificationsPage />;
    case 'users':
      return <UsersPage />;
    case 'not-found':
      return <p>{t('No such page:')}{' '}<code className="font-mono">{route.path}</code>. <a className="underline" href="#/">{t('Back to services')}</a></p>;
  }
}
