// Console sessions over real HTTP: an HttpOnly, SameSite=Strict cookie kept
// in the state directory (a restart logs nobody out), changes by cookie need
// the console's header (CSRF), no token in any URL, log out everywhere.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/config/clock';
import { WEB, WEB1, data, startHarness, trpcQuery, type Harness } from '../http/harness';

let stateDir: string;
const clock = new ManualClock(1_700_000_000_000);
let h: Harness;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'lvs-sessions-'));
  h = await startHarness({ stateDir, clock });
});
afterAll(async () => {
  await h.close();
  await rm(stateDir, { recursive: true, force: true });
});

async function login(role: 'admin' | 'operator' | 'viewer' = 'admin', name = 'dana'): Promise<{ cookie: string; setCookie: string }> {
  const code = await h.running.agent.auth.createLoginCode({ name, role });
  const res = await fetch(`${h.url}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0] ?? '', setCookie };
}

function withCookie(cookie: string, extra: Record<string, string> = {}): Record<string, string> {
  return { cookie, ...extra };
}

async function mutate(path: string, input: unknown, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${h.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input),
  });
  await res.arrayBuffer();
  return res.status;
}

async function revision(): Promise<number> {
  return data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision;
}

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, for the whole site', async () => {
    const { setCookie } = await login();
    expect(setCookie).toMatch(/^lvsc_session=lvsc_session_[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
  });

  it('reads with the cookie alone, and changes only with the x-lvs-console header too', async () => {
    const { cookie } = await login();
    const read = await fetch(`${h.url}/trpc/auth.whoami`, { headers: withCookie(cookie) });
    expect(await read.json()).toMatchObject({ result: { data: { name: 'dana', role: 'admin' } } });
    const base = await revision();
    const change = { baseRevision: base, service: WEB, destination: WEB1, weight: 4 };
    expect(await mutate('destinations.setWeight', change, withCookie(cookie))).toBe(403);
    expect(await revision()).toBe(base);
    expect(await mutate('destinations.setWeight', change, withCookie(cookie, { 'x-lvs-console': '1' }))).toBe(200);
    const audit = data<Array<{ who: string; what: string }>>(await trpcQuery(h.url, 'audit.list', { limit: 3 }));
    expect(audit[0]).toMatchObject({ who: 'dana' });
  });

  it('lets an operator change weights but not services', async () => {
    const { cookie } = await login('operator', 'oscar');
    const headers = withCookie(cookie, { 'x-lvs-console': '1' });
    const base = await revision();
    expect(await mutate('destinations.setWeight', { baseRevision: base, service: WEB, destination: WEB1, weight: 5 }, headers)).toBe(200);
    expect(await mutate('services.remove', { baseRevision: base + 1, service: WEB }, headers)).toBe(403);
    expect(await revision()).toBe(base + 1);
  });

  it('ignores a token in the URL of a subscription, and streams with the cookie', async () => {
    const { cookie } = await login();
    const token = (await h.running.agent.auth.login(await h.running.agent.auth.createLoginCode())).token;
    const read = async (url: string, headers: Record<string, string>): Promise<string> => {
      const controller = new AbortController();
      const res = await fetch(url, { headers, signal: controller.signal });
      const reader = res.body?.getReader();
      const first = reader ? new TextDecoder().decode((await reader.read()).value as Uint8Array | undefined) : '';
      controller.abort();
      return first;
    };
    const inUrl = await read(`${h.url}/trpc/events.onEvent?connectionParams=${encodeURIComponent(JSON.stringify({ token }))}`, {});
    expect(inUrl).toMatch(/UNAUTHORIZED/);
    const byCookie = await read(`${h.url}/trpc/events.onEvent`, withCookie(cookie));
    expect(byCookie).not.toMatch(/UNAUTHORIZED/);
  });

  it('survives an agent restart, and "log out everywhere" ends every session of the person', async () => {
    const first = await login('viewer', 'erin');
    const second = await login('viewer', 'erin');
    await h.running.agent.auth.sessions.flushed();
    await h.close();
    h = await startHarness({ stateDir, clock });
    const whoami = async (cookie: string) => (await fetch(`${h.url}/trpc/auth.whoami`, { headers: withCookie(cookie) })).status;
    expect(await whoami(first.cookie)).toBe(200);
    const res = await fetch(`${h.url}/trpc/auth.logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-lvs-console': '1', cookie: first.cookie },
      body: JSON.stringify({ everywhere: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^lvsc_session=; .*Max-Age=0/);
    expect(await whoami(first.cookie)).toBe(401);
    expect(await whoami(second.cookie)).toBe(401);
  });

  it('ends after two idle hours', async () => {
    const { cookie } = await login('viewer', 'ivan');
    clock.advance(2 * 3600 * 1000 + 1);
    expect((await fetch(`${h.url}/trpc/auth.whoami`, { headers: withCookie(cookie) })).status).toBe(401);
  });
});
