// The session token lives in sessionStorage: it survives reloads of this tab
// but not the browser, and a login link is single-use anyway.
const TOKEN_KEY = 'lvs-console.token';

export function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
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
