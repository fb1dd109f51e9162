// The shell around every screen: header, navigation, status line, page
// title; the routed screen renders in <main> (each route inside its own error
// boundary and suspense fallback, see routes.tsx).
import { useEffect, type MouseEvent, type ReactElement } from 'react';
import { Link, Outlet, useMatches, useRouteContext, type StaticDataRouteOption } from '@tanstack/react-router';
import { parseServiceId, serviceLabel } from '@lvs-console/shared';
import { useSnapshot, useWhoami } from '../lib/agent';
import { isAuthError, trpcClient } from '../lib/trpc';
import { msg, t } from '../lib/i18n';
import { codeLabel } from '../lib/labels';
import { StatusBar } from './status-bar';
import { LanguagePicker } from './language-picker';
import { ThemePicker } from './theme-picker';

/** What the shell needs from the login gate around it. */
export interface ShellContext {
  onLoggedOut: (why?: string) => void;
}

type Section = NonNullable<StaticDataRouteOption['section']>;

const NAV: ReadonlyArray<{
  label: string;
  to: '/' | '/directors' | '/changes' | '/import' | '/settings' | '/notifications' | '/sim' | '/users';
  section: Section;
  adminOnly?: boolean;
}> = [
  { label: msg('Services'), to: '/', section: 'services' },
  { label: msg('Directors'), to: '/directors', section: 'directors' },
  { label: msg('Changes'), to: '/changes', section: 'changes' },
  { label: msg('Import / export'), to: '/import', section: 'import' },
  { label: msg('Settings'), to: '/settings', section: 'settings' },
  { label: msg('Notifications'), to: '/notifications', section: 'notifications' },
  { label: msg('Sim traffic'), to: '/sim', section: 'sim' },
  { label: msg('Users'), to: '/users', section: 'users', adminOnly: true },
];

/** The screen shown: its navigation section and what the browser tab says. */
function useScreen(): { section: Section | undefined; title: string } {
  const screen = useMatches({
    select: (matches) => {
      const last = matches[matches.length - 1];
      // Only the root matched: no route has this address.
      if (!last || matches.length === 1) return { section: undefined, title: undefined, serviceId: undefined, found: false };
      const params: Partial<Record<string, string>> = last.params;
      return { section: last.staticData.section, title: last.staticData.title, serviceId: params.id, found: true };
    },
  });
  if (!screen.found) return { section: undefined, title: t('No such page') };
  if (screen.title) return { section: screen.section, title: t(screen.title) };
  const key = screen.serviceId === undefined ? null : parseServiceId(screen.serviceId);
  return { section: screen.section, title: key ? serviceLabel(key) : (screen.serviceId ?? '') };
}

export function Shell(): ReactElement {
  const { onLoggedOut } = useRouteContext({ from: '__root__' });
  const whoami = useWhoami();
  const snapshot = useSnapshot();
  const authFailed = isAuthError(whoami.error) || isAuthError(snapshot.error);
  const screen = useScreen();
  const title = t('{{page}} · LVS Console', { page: screen.title });
  useEffect(() => {
    document.title = title;
  }, [title]);
  useEffect(() => {
    if (authFailed) onLoggedOut(t('Your session is no longer valid: log in again with a fresh link.'));
  }, [authFailed, onLoggedOut]);

  return (
    <div className="min-h-screen">
      <a href="#main" onClick={skipToContent} className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2">
        {t('Skip to content')}
      </a>
      <header className="app-header border-b border-slate-700 bg-slate-800 text-slate-100">
        <div className="mx-auto flex max-w-[1400px] flex-wrap items-center gap-4 px-4 py-2">
          <Link to="/" className="font-semibold tracking-wide text-white">
            {t('LVS Console')}
          </Link>
          <nav aria-label={t('Main')}>
            <ul className="flex flex-wrap gap-1">
              {NAV.filter((item) => !item.adminOnly || whoami.data?.role === 'admin').map((item) => {
                const current = item.section === screen.section;
                return (
                  <li key={item.label}>
                    {/* Current by section: a service's screens are under Services too. */}
                    <Link
                      to={item.to}
                      aria-current={current ? 'page' : undefined}
                      className={`rounded px-2 py-1 text-sm ${current ? 'bg-slate-600 text-white' : 'text-slate-300 hover:bg-slate-700'}`}
                    >
                      {t(item.label)}
                    </Link>
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
            <button
              type="button"
              className="rounded px-2 py-0.5 text-xs text-slate-300 hover:bg-slate-700"
              onClick={() => {
                void trpcClient.auth.logout
                  .mutate()
                  .catch(() => undefined)
                  .finally(() => onLoggedOut());
              }}
            >
              {t('Log out')}
            </button>
            <button
              type="button"
              className="rounded px-2 py-0.5 text-xs text-slate-300 hover:bg-slate-700"
              onClick={() => {
                void trpcClient.auth.logout
                  .mutate({ everywhere: true })
                  .catch(() => undefined)
                  .finally(() => onLoggedOut(t('You were logged out on every browser.')));
              }}
            >
              {t('Log out everywhere')}
            </button>
          </div>
        </div>
      </header>
      <StatusBar />
      <main id="main" tabIndex={-1} className="mx-auto max-w-[1400px] px-4 py-4">
        <Outlet />
      </main>
    </div>
  );
}

/** The router owns "#…": the skip link moves focus to the content instead of navigating. */
function skipToContent(event: MouseEvent<HTMLAnchorElement>): void {
  event.preventDefault();
  document.getElementById('main')?.focus();
}
