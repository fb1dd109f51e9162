// The entry module's early requests are only worth sending if the tRPC client
// later asks for exactly the same thing: same method, address and body, else
// its answer is never taken and the request goes out twice. These tests run
// the real tRPC client over a recording fetch (the browser's part, not ours).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface Sent {
  method: string;
  url: string;
  body: string | undefined;
  headers: Record<string, string>;
}

/** What the agent answers per procedure (tRPC's JSON envelope; batched calls answer an array). */
const ANSWERS: Record<string, unknown> = {
  'auth.startSession': { name: 'ops', role: 'admin', expiresAt: 1 },
  'auth.whoami': { name: 'ops', role: 'admin' },
  'state.get': { revision: 7 },
};

function recordingFetch(sent: Sent[]) {
  return (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    sent.push({
      method: init?.method ?? 'GET',
      url,
      body: typeof init?.body === 'string' ? init.body : undefined,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
    });
    const path = new URL(url, 'http://console.test').pathname.slice('/trpc/'.length);
    const batched = url.includes('batch=1');
    const envelope = { result: { data: ANSWERS[path] } };
    return Promise.resolve(new Response(JSON.stringify(batched ? [envelope] : envelope), { headers: { 'content-type': 'application/json' } }));
  };
}

function fakeSessionStorage(items: Record<string, string>): Storage {
  const map = new Map(Object.entries(items));
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (key) => map.get(key) ?? null,
    key: (index) => [...map.keys()][index] ?? null,
    removeItem: (key) => void map.delete(key),
    setItem: (key, value) => void map.set(key, value),
  };
}

describe('boot requests', () => {
  let sent: Sent[];
  beforeEach(() => {
    vi.resetModules();
    sent = [];
    vi.stubGlobal('fetch', recordingFetch(sent));
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('with a cookie session: whoami and the snapshot go out once, and the client takes their answers', async () => {
    vi.stubGlobal('sessionStorage', fakeSessionStorage({}));
    const { sendBootRequests } = await import('../src/lib/boot-requests');
    const { trpcClient } = await import('../src/lib/trpc');
    sendBootRequests();
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /trpc/auth.whoami?batch=1&input=%7B%7D', 'GET /trpc/state.get']);
    expect(sent[0]?.headers).toEqual({ 'x-lvs-console': '1' });

    expect(await trpcClient.auth.whoami.query()).toEqual(ANSWERS['auth.whoami']);
    expect(await trpcClient.state.get.query()).toEqual(ANSWERS['state.get']);
    expect(sent).toHaveLength(2);
    // Taken once: the next poll asks the agent again.
    await trpcClient.state.get.query();
    expect(sent).toHaveLength(3);
  });

  it('with an API token: the session starts from it and the snapshot is asked with it', async () => {
    vi.stubGlobal('sessionStorage', fakeSessionStorage({ 'lvs-console.token': 'tok-123' }));
    const { sendBootRequests } = await import('../src/lib/boot-requests');
    const { trpcClient } = await import('../src/lib/trpc');
    sendBootRequests();
    expect(sent.map((s) => `${s.method} ${s.url} ${s.body ?? ''}`)).toEqual(['POST /trpc/auth.startSession?batch=1 {}', 'GET /trpc/state.get ']);
    expect(sent[1]?.headers.authorization).toBe('Bearer tok-123');

    expect(await trpcClient.auth.startSession.mutate()).toEqual(ANSWERS['auth.startSession']);
    expect(await trpcClient.state.get.query()).toEqual(ANSWERS['state.get']);
    expect(sent).toHaveLength(2);
  });

  it('after a login or logout, an unanswered boot request is never taken', async () => {
    vi.stubGlobal('sessionStorage', fakeSessionStorage({}));
    const { sendBootRequests, dropBootAnswers } = await import('../src/lib/boot-requests');
    const { trpcClient } = await import('../src/lib/trpc');
    sendBootRequests();
    dropBootAnswers();
    await trpcClient.state.get.query();
    expect(sent.map((s) => s.url)).toEqual(['/trpc/auth.whoami?batch=1&input=%7B%7D', '/trpc/state.get', '/trpc/state.get']);
  });
});
