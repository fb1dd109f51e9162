// Login with the one-time link the agent prints at start
// (http://127.0.0.1:8080/#login=CODE): the code becomes a session cookie.
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Button } from '../../components/ui/button';
import { TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { loginCodeFromHash, loginCodeFromInput, markSignedIn } from '../../lib/session';
import { errorMessage, isUnreachable, trpc } from '../../lib/trpc';
import { t } from '../../lib/i18n';
import { Trans } from 'react-i18next';

export function LoginScreen({ onLoggedIn, reason }: { onLoggedIn: () => void; reason?: string }) {
  const [text, setText] = useState('');
  const [inputError, setInputError] = useState<string | null>(null);
  const login = useMutation(trpc.auth.login.mutationOptions({
    onSuccess: () => {
      // The agent set the session cookie; nothing secret is kept in the page.
      markSignedIn();
      // The spent code leaves the address bar (and history); the router then opens the services list.
      if (loginCodeFromHash(window.location.hash)) window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
      onLoggedIn();
    },
  }));
  const tried = useRef(false);

  // A banner URL opened directly logs in at once.
  useEffect(() => {
    const code = loginCodeFromHash(window.location.hash);
    if (code && !tried.current) {
      tried.current = true;
      login.mutate({ code });
    }
  }, [login]);

  const submit = () => {
    const code = loginCodeFromInput(text);
    if (!code) {
      setInputError(t('Paste the login URL the agent printed (…/#login=CODE) or the code itself.'));
      return;
    }
    setInputError(null);
    login.mutate({ code });
  };

  return (
    <main className="mx-auto mt-24 max-w-lg">
      <div className="rounded-md border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold">{t('LVS Console — log in')}</h1>
        <p className="mt-2 text-sm text-slate-600">
          <Trans i18nKey={'The agent prints a one-time login link when it starts, like <code>http://127.0.0.1:8080/#login=CODE</code>. Open it, or paste it here. A new link: <code>lvs-console login-link</code> on the director.'}
            components={{ code: <code className="font-mono text-xs" /> }} />
        </p>
        {reason ? <Notice tone="warn" className="mt-3">{reason}</Notice> : null}
        <form className="mt-4 flex items-end gap-2" onSubmit={(event) => { event.preventDefault(); submit(); }}>
          <TextField label={t('Login link or code')} value={text} onChange={(e) => setText(e.target.value)} className="flex-1" autoFocus />
          <Button type="submit" variant="primary" disabled={login.isPending}>{t('Log in')}</Button>
        </form>
        {inputError ? <Notice tone="error" className="mt-3">{inputError}</Notice> : null}
        {login.isPending ? <p className="mt-3 text-sm text-slate-600" role="status">{t('Logging in…')}</p> : null}
        {login.error ? (
          <Notice tone="error" className="mt-3">
            {isUnreachable(login.error) ? t('The agent is unreachable. Is it running?') : t('Login failed: {{reason}}', { reason: errorMessage(login.error) })}
          </Notice>
        ) : null}
      </div>
    </main>
  );
}
