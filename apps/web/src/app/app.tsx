// Providers, the login gate, and the router with the shell (routes.tsx, shell.tsx).
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { LoginScreen } from '../features/auth/login-screen';
import { clearSignedIn, clearToken, isSignedIn, loginCodeFromHash, markSignedIn, readToken } from '../lib/session';
import { isAuthError, queryClient, trpc, trpcClient, type RouterOutputs } from '../lib/trpc';
import { dropBootAnswers } from '../lib/boot-requests';
import { ServingWeightsProvider } from '../features/weights/serving-weights';
import { t } from '../lib/i18n';
import { useTranslation } from 'react-i18next';
import { createConsoleRouter } from './routes';
import type { ShellContext } from './shell';

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
        // Both answers name the caller: the shell's whoami needs no request of its own.
        // (Sent by main.tsx while the app loaded: lib/boot-requests.ts.)
        let caller: RouterOutputs['auth']['whoami'];
        if (readToken()) {
          const session = await trpcClient.auth.startSession.mutate();
          clearToken();
          caller = { name: session.name, role: session.role };
        } else caller = await trpcClient.auth.whoami.query();
        queryClient.setQueryData(trpc.auth.whoami.queryKey(), caller);
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
  if (state === 'checking')
    return (
      <p role="status" className="p-4 text-sm text-slate-600">
        {t('Checking your session…')}
      </p>
    );
  if (state === 'out' || hasLoginCode) {
    return (
      <LoginScreen
        reason={reason}
        onLoggedIn={() => {
          dropBootAnswers();
          queryClient.clear();
          setReason(undefined);
          setState('in');
        }}
      />
    );
  }
  return (
    <RoutedShell
      onLoggedOut={(why) => {
        clearSignedIn();
        dropBootAnswers();
        queryClient.clear();
        setReason(why);
        setState('out');
      }}
    />
  );
}

function RoutedShell({ onLoggedOut }: ShellContext) {
  // Made once per login (see createConsoleRouter). The first callback serves
  // for good: it only calls the gate's state setters, which never change.
  const [router] = useState(() => createConsoleRouter({ onLoggedOut }));
  return <RouterProvider router={router} />;
}
