// The console's session is an HttpOnly cookie the agent sets at login: no
// script (ours or an injected one) can read it, and it never goes in a URL.
// sessionStorage only remembers that this tab logged in (nothing secret), and
// may hold an API token a script handed the page, which is exchanged for a
// cookie session once (auth.startSession) and then forgotten.
const TOKEN_KEY = 'lvs-console.token';
const SIGNED_IN_KEY = 'lvs-console.signed-in';

/** An API token handed to this page (scripts, tests), not yet exchanged. */
export function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export function markSignedIn(): void {
  sessionStorage.setItem(SIGNED_IN_KEY, '1');
}

export function isSignedIn(): boolean {
  try {
    return sessionStorage.getItem(SIGNED_IN_KEY) === '1';
  } catch {
    return false;
  }
}

export function clearSignedIn(): void {
  sessionStorage.removeItem(SIGNED_IN_KEY);
  sessionStorage.removeItem(TOKEN_KEY);
}

/** The one-time code of a banner URL like http://127.0.0.1:8080/#login=CODE, or null. */
export function loginCodeFromHash(hash: string): string | null {
  const match = /^#\/?login=([A-Za-z0-9_-]+)/.exec(hash);
  return match?.[1] ?? null;
}

/** Accepts a pasted banner URL, a "#login=CODE" fragment or the bare code. */
export function loginCodeFromInput(text: string): string | null {
  const trimmed = text.trim();
  const hashAt = trimmed.indexOf('#');
  if (hashAt >= 0) return loginCodeFromHash(trimmed.slice(hashAt));
  return /^[A-Za-z0-9_-]{1,200}$/.test(trimmed) ? trimmed : null;
}
