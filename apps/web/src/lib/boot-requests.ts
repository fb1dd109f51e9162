// The first screen's requests, sent by the entry module (main.tsx) as soon as
// index.html has loaded it, while the app's code is still being fetched and
// evaluated: the session check and the snapshot. Without this they waited for
// the app to evaluate, then for each other (session -> whoami -> router ->
// state.get), about a second on a busy machine before the list could draw.
// The tRPC client's fetch (lib/trpc.ts) takes each answer once, for a request
// to the very same method, address and body; anything else goes to the
// network as before. Nothing here imports the app: the entry stays tiny.
import { readToken } from './session';

/** One request exactly as the tRPC client sends it (apps/web/test/boot-requests.test.ts checks that). */
export interface BootRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: string;
}

export const BOOT_REQUESTS = {
  /** A page handed an API token exchanges it for a session cookie (AuthGate, app.tsx). */
  startSession: { method: 'POST', url: '/trpc/auth.startSession?batch=1', body: '{}' },
  /** A page without a token asks who its session cookie belongs to. */
  whoami: { method: 'GET', url: '/trpc/auth.whoami?batch=1&input=%7B%7D' },
  /** The snapshot every screen waits for; it travels alone (lib/trpc.ts). */
  snapshot: { method: 'GET', url: '/trpc/state.get' },
} as const satisfies Record<string, BootRequest>;

/**
 * The headers of every console request: the session cookie rides along by
 * itself; x-lvs-console tells the agent a change comes from this console, not
 * from a foreign page; a token handed to the page goes in Authorization until
 * it has been exchanged.
 */
export function consoleHeaders(): Record<string, string> {
  const token = readToken();
  return { 'x-lvs-console': '1', ...(token ? { Authorization: `Bearer ${token}` } : {}) };
}

const requestKey = (method: string, url: string, body: string | undefined) => `${method} ${url} ${body ?? ''}`;

const pending = new Map<string, Promise<Response>>();

function send(request: BootRequest): void {
  const key = requestKey(request.method, request.url, request.body);
  const answer = fetch(request.url, {
    method: request.method,
    headers: { ...consoleHeaders(), ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: request.body,
    credentials: 'same-origin',
  });
  // Not taken (a login screen instead): no unhandled rejection.
  answer.catch(() => undefined);
  pending.set(key, answer);
}

/** Sends the session check and the snapshot request (main.tsx, before the app loads). */
export function sendBootRequests(): void {
  send(readToken() ? BOOT_REQUESTS.startSession : BOOT_REQUESTS.whoami);
  // With a token, the snapshot is asked with it (Authorization), not waiting for the cookie.
  send(BOOT_REQUESTS.snapshot);
}

/** The answer to a boot request like this one, once; undefined when none is waiting. */
export function takeBootAnswer(method: string, url: string, body: string | undefined): Promise<Response> | undefined {
  const key = requestKey(method, url, body);
  const answer = pending.get(key);
  pending.delete(key);
  return answer;
}

/** Forget unanswered boot requests: after a login or logout they speak for another session. */
export function dropBootAnswers(): void {
  pending.clear();
}

/** fetch for the tRPC links: a boot request's answer when one is waiting, the network otherwise. */
export function fetchWithBootAnswers(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const body = typeof init?.body === 'string' ? init.body : undefined;
  return takeBootAnswer(init?.method ?? 'GET', url, body) ?? fetch(input, init);
}
