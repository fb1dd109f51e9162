// Login: a person of users.json (`lvs-console user add`) with name and
// password, or the one-time link the agent prints at start
// (http://127.0.0.1:8080/#login=CODE). Either becomes a session cookie.
import { useMutation } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';
import { useEffect, useRef, useState } from 'react';
import { Button } from '../../components/ui/button';
import { TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { loginCodeFromHash, loginCodeFromInput, markSignedIn } from '../../lib/session';
import { errorMessage, isUnreachable, trpc } from '../../lib/trpc';
import { t } from '../../lib/i18n';
import { Trans } from 'react-i18next';

type LoginKind = 'password' | 'link';

/** A refused login in words: unreachable, too many attempts (and when to retry), wrong secret, or the agent's reason. */
export function loginErrorText(error: unknown, kind: LoginKind): string {
  if (isUnreachable(error)) return t('The agent is unreachable. Is it running?');
  const data = error instanceof TRPCClientError ? (error.data as { code?: string; retryAfterSeconds?: number | null } | undefined) : undefined;
  if (data?.code === 'TOO_MANY_REQUESTS') {
    return data.retryAfterSeconds
      ? t('Too many login attempts from this address. Try again in {{seconds}} s.', { seconds: data.retryAfterSeconds })
      : t('Too many login attempts from this address. Try again in a minute.');
  }
  if (data?.code === 'UNAUTHORIZED') {
    return kind === 'password'
      ? t('The name or the password is wrong.')
      : t('This login link was already used or has expired. Ask for a new one (lvs-console login-link on the director).');
  }
  return t('Login failed: {{reason}}', { reason: errorMessage(error) });
}

export function LoginScreen({ onLoggedIn, reason }: { onLoggedIn: () => void; reason?: string }) {
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [inputError, setInputError] = useState<string | null>(null);
  const [passwordInputError, setPasswordInputError] = useState<string | null>(null);
  const onSuccess = () => {
    // The agent set the session cookie; nothing secret is kept in the page.
    markSignedIn();
    // The spent code leaves the address bar (and history); the router then opens the services list.
    if (loginCodeFromHash(window.location.hash)) window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
    onLoggedIn();
  };
  const login = useMutation(trpc.auth.login.mutationOptions({ onSuccess }));
  const passwordLogin = useMutation(
    trpc.auth.loginWithPassword.mutationOptions({
      onSuccess,
      // A refused password is cleared so the next try starts from an empty field.
      onError: () => setPassword(''),
    }),
  );
  const tried = useRef(false);

  // A banner URL opened directly logs in at once.
  useEffect(() => {
    const code = loginCodeFromHash(window.location.hash);
    if (code && !tried.current) {
      tried.current = true;
      login.mutate({ code });
    }
  }, [login]);

  const submitLink = () => {
    const code = loginCodeFromInput(text);
    if (!code) {
      setInputError(t('Paste the login URL the agent printed (…/#login=CODE) or the code itself.'));
      return;
    }
    setInputError(null);
    login.mutate({ code });
  };

  const submitPassword = () => {
    if (!name.trim() || !password) {
      setPasswordInputError(t('Enter your name and your password.'));
      return;
    }
    setPasswordInputError(null);
    passwordLogin.mutate({ name: name.trim(), password });
  };

  const pending = login.isPending || passwordLogin.isPending;
  return (
    <main className="mx-auto mt-24 max-w-lg">
      <div className="rounded-md border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold">{t('LVS Console — log in')}</h1>
        {reason ? (
          <Notice tone="warn" className="mt-3">
            {reason}
          </Notice>
        ) : null}
        <section aria-labelledby="login-password-heading" className="mt-4">
          <h2 id="login-password-heading" className="text-sm font-semibold">
            {t('Name and password')}
          </h2>
          {/* A real form with name/id and autocomplete tokens, so password managers recognise and fill it. */}
          <form
            className="mt-2 flex flex-col gap-3"
            method="post"
            action="#"
            onSubmit={(event) => {
              event.preventDefault();
              submitPassword();
            }}
          >
            <TextField
              label={t('Name')}
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoFocus
              required
            />
            <TextField
              label={t('Password')}
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
            <Button type="submit" variant="primary" className="self-start" disabled={pending}>
              {t('Log in')}
            </Button>
          </form>
          {passwordInputError ? (
            <Notice tone="error" className="mt-3">
              {passwordInputError}
            </Notice>
          ) : null}
          {passwordLogin.error ? (
            <Notice tone="error" className="mt-3">
              {loginErrorText(passwordLogin.error, 'password')}
            </Notice>
          ) : null}
        </section>
        <section aria-labelledby="login-link-heading" className="mt-6 border-t border-slate-200 pt-4">
          <h2 id="login-link-heading" className="text-sm font-semibold">
            {t('One-time login link')}
          </h2>
          <p className="mt-2 text-sm text-slate-600">
            <Trans
              i18nKey={
                'The agent prints a one-time login link when it starts, like <code>http://127.0.0.1:8080/#login=CODE</code>. Open it, or paste it here. A new link: <code>lvs-console login-link</code> on the director.'
              }
              components={{ code: <code className="font-mono text-xs" /> }}
            />
          </p>
          <form
            className="mt-3 flex items-end gap-2"
            onSubmit={(event) => {
              event.preventDefault();
              submitLink();
            }}
          >
            <TextField label={t('Login link or code')} autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} className="flex-1" />
            <Button type="submit" disabled={pending}>
              {t('Log in with the link')}
            </Button>
          </form>
          {inputError ? (
            <Notice tone="error" className="mt-3">
              {inputError}
            </Notice>
          ) : null}
          {login.error ? (
            <Notice tone="error" className="mt-3">
              {loginErrorText(login.error, 'link')}
            </Notice>
          ) : null}
        </section>
        {pending ? (
          <p className="mt-3 text-sm text-slate-600" role="status">
            {t('Logging in…')}
          </p>
        ) : null}
      </div>
    </main>
  );
}
