// Never a blank page: a screen that throws, or whose code chunk cannot be
// fetched (an agent restarted under an open tab, a deploy replaced the
// hashed files), is replaced by a plain message inside the shell, which with
// the last data stays on screen. The router gives every route its own
// boundary (routes.tsx: defaultErrorComponent), cleared by moving to another
// screen. Render errors offer "Retry"; a failed chunk offers a reload, since
// the browser will not fetch a failed module again.
import { Link, useLocation, useRouter, type ErrorComponentProps } from '@tanstack/react-router';
import type { ReactElement } from 'react';
import { t } from '../lib/i18n';
import { errorMessage } from '../lib/trpc';

/** Chromium, Firefox and Safari word a failed dynamic import differently. */
export function isChunkLoadError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /dynamically imported module|Importing a module script failed|error loading dynamically imported module|Unable to preload CSS/i.test(message);
}

export function ScreenFailed({ error, reset }: ErrorComponentProps): ReactElement {
  const router = useRouter();
  const chunk = isChunkLoadError(error);
  const retry = () => {
    reset();
    void router.invalidate();
  };
  return (
    <div role="alert" className="flex max-w-2xl flex-col gap-2 rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-900">
      <h1 className="text-base font-semibold">{chunk ? t('This screen could not be loaded') : t('This screen failed')}</h1>
      <p>
        {chunk
          ? t('The browser could not fetch its code (the agent may be restarting, or the console was updated). Reload the page to fetch it again.')
          : t('Something went wrong while showing it. The rest of the console still works.')}
      </p>
      <p className="font-mono text-xs text-red-800">{errorMessage(error)}</p>
      <div className="flex gap-2">
        {chunk ? (
          <button type="button" className="rounded bg-red-800 px-2.5 py-1 font-medium text-white hover:bg-red-700" onClick={() => window.location.reload()}>
            {t('Reload the page')}
          </button>
        ) : (
          <button type="button" className="rounded bg-red-800 px-2.5 py-1 font-medium text-white hover:bg-red-700" onClick={retry}>
            {t('Retry')}
          </button>
        )}
        <Link to="/" className="rounded px-2.5 py-1 font-medium underline">
          {t('Back to services')}
        </Link>
      </div>
    </div>
  );
}

/** While a screen's code loads. */
export function LoadingScreen(): ReactElement {
  return (
    <p role="status" className="text-sm text-slate-600">
      {t('Loading…')}
    </p>
  );
}

/** An address no route has (a mistyped or outdated link). */
export function NoSuchPage(): ReactElement {
  const path = useLocation({ select: (location) => location.pathname.replace(/^\//, '') });
  return (
    <p>
      {t('No such page:')} <code className="font-mono">{path}</code>.{' '}
      <Link className="underline" to="/">
        {t('Back to services')}
      </Link>
    </p>
  );
}
