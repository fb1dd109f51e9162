// Issue 16, defects 1 and 9: what a caller without a token (or a
// cross-origin page) can do to the agent over real HTTP on loopback.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '@lvs-console/shared/api';
import { LOGIN_ATTEMPTS_PER_WINDOW } from '../../src/auth/login-throttle';
import { ADMIN_TOKEN, WEB, WEB1, data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function auditLines(): Promise<AuditEntry[]> {
  await h.running.agent.audit.flushed();
  const text = await readFile(join(h.stateDir, 'audit.log'), 'utf8');
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEntry);
}

async function revision(): Promise<number> {
  return data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision;
}

/** A raw POST (node:http, so a reset shows as an error, not a retry). */
function rawPost(
  path: string,
  headers: Record<string, string | number>,
  body: Buffer | string,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.url}${path}`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('unauthenticated traffic and the audit log', () => {
  it('keeps an admin change in audit.log however many refused calls follow', async () => {
    const base = await revision();
    const change = await trpcMutation(h.url, 'destinations.setWeight', { baseRevision: base, service: WEB, destination: WEB1, weight: 7 });
    expect(change.status).toBe(200);
    const before = (await auditLines()).length;
    // 200 requests of 10 batched wrong logins, plus unauthenticated and wrong-token mutations.
    const batch = Array.from({ length: 10 }, () => 'auth.login').join(',');
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i), { code: `guess${'x'.repeat(150)}${i}` }])));
    for (let i = 0; i < 200; i++) {
      await rawPost(`/trpc/${batch}?batch=1`, { 'content-type': 'application/json' }, body);
      await trpcMutation(h.url, 'services.remove', { baseRevision: base + 1, service: WEB }, i % 2 ? null : 'wrong-token-0123456789abcdef');
      await trpcMutation(h.url, `no.such.procedure${'y'.repeat(2000)}`, {}, null);
    }
    const lines = await auditLines();
    // Two lines per minute at most (the first refusal, then a count); the clock did not move.
    expect(lines.length - before).toBeLessThanOrEqual(2);
    expect(lines.some((e) => e.what.startsWith('set weight of') && e.result === 'ok')).toBe(true);
    expect(lines.every((e) => !JSON.stringify(e).includes('yyyy') && !JSON.stringify(e).includes('xxxx'))).toBe(true);
    // The count comes when the window closes.
    h.clock.advance(61_000);
    await h.running.agent.refusals.closeWindow();
    const summary = (await auditLines()).at(-1);
    expect(summary?.what).toMatch(/^refused \d+ more calls without a valid token/);
    expect(summary?.error).toMatch(/no token: services\.remove ×100/);
  }, 60_000);

  it('refuses a batch of more than 10 calls without running any', async () => {
    const batch = Array.from({ length: 11 }, () => 'auth.whoami').join(',');
    const res = await fetch(`${h.url}/trpc/${batch}?batch=1`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/at most 10 calls in one batch/);
  });

  it('refuses multipart/form-data and other non-JSON bodies, even with an admin token, and changes nothing', async () => {
    const base = await revision();
    const form = new FormData();
    form.set('baseRevision', String(base));
    for (const contentType of [null, 'text/plain']) {
      const res =
        contentType === null
          ? await fetch(`${h.url}/trpc/destinations.remove`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: form })
          : await fetch(`${h.url}/trpc/destinations.remove`, {
              method: 'POST',
              headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': contentType },
              body: JSON.stringify({ baseRevision: base, service: WEB, destination: WEB1 }),
            });
      expect(res.status).toBe(415);
      expect(await res.text()).toMatch(/application\/json/);
    }
    expect(await revision()).toBe(base);
  });
});

describe('small ones', () => {
  it('answers a 2 MiB body with 413 (no reset) and audits no text the caller chose', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 'z');
    const path = `/trpc/services.add${'q'.repeat(3000)}`;
    const res = await rawPost(path, { 'content-type': 'application/json', 'content-length': body.length }, body);
    expect(res.status).toBe(413);
    expect(res.text).toMatch(/larger than 1048576 bytes/);
    const lines = await auditLines();
    expect(lines.every((e) => !JSON.stringify(e).includes('qqqq'))).toBe(true);
  });

  it('refuses ::192.0.2.1 (IPv4 written as IPv6) and keeps ::1', async () => {
    const base = await revision();
    const add = (address: string) =>
      trpcMutation(h.url, 'destinations.add', {
        baseRevision: base,
        service: WEB,
        destination: { address, port: 8080, forwarding: 'masq', weight: 1 },
        dryRun: undefined,
      });
    const refused = await add('::192.0.2.1');
    expect(refused.status).toBe(400);
    expect(refused.body.error?.message).toMatch(/IPv4 address written as IPv6/);
    expect((await add('::c000:201')).body.error?.message).toMatch(/IPv4 address written as IPv6/);
    expect(await revision()).toBe(base);
  });

  it.each([
    ['a right-to-left override', 'ok\u202Eevil'],
    ['a control character', 'bell\u0007'],
    ['an escape sequence', '\u001b[31mred'],
  ])('refuses %s in a free-text field', async (_name, reason) => {
    const base = await revision();
    const response = await trpcMutation(h.url, 'host.setSysctl', { baseRevision: base, name: 'net.ipv4.ip_forward', value: '1', reason });
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toMatch(/reason contains characters that are not allowed/);
    expect(await revision()).toBe(base);
  });

  it('sends Cache-Control: no-store with API answers', async () => {
    const res = await fetch(`${h.url}/trpc/state.get`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const refused = await fetch(`${h.url}/trpc/state.get`);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('tells a wrong token from a missing one', async () => {
    const missing = await trpcQuery(h.url, 'state.get', undefined, null);
    expect(missing.status).toBe(401);
    expect(missing.body.error?.message).toMatch(/a token is required/);
    const wrong = await trpcQuery(h.url, 'state.get', undefined, 'not-a-real-token-0123456789');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.message).toMatch(/the token is wrong or expired/);
  });

  it('limits login attempts per client: guesses past the limit in a minute are not checked', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_ATTEMPTS_PER_WINDOW + 5; i++) statuses.push((await trpcMutation(h.url, 'auth.login', { code: `guess${i}` }, null)).status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(LOGIN_ATTEMPTS_PER_WINDOW);
    expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429]);
    // Even the right code waits for the window to pass.
    const code = await h.running.agent.auth.createLoginCode();
    expect((await trpcMutation(h.url, 'auth.login', { code }, null)).status).toBe(429);
    h.clock.advance(61_000);
    const login = await trpcMutation(h.url, 'auth.login', { code }, null);
    expect(login.status).toBe(200);
    expect((await auditLines()).some((e) => e.what.startsWith('logged in') && e.result === 'ok')).toBe(true);
  });
});
