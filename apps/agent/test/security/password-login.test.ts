// Issue 16: the name + password login (auth.loginWithPassword) is throttled
// per client like the login code, says when to try again, and its outcomes
// reach the audit (a success by the person's name).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '@lvs-console/shared/api';
import { LOGIN_ATTEMPTS_PER_WINDOW, LOGIN_WINDOW_MS } from '../../src/auth/login-throttle';
import { hashPassword, writeUsers } from '../../src/auth/users';
import { startHarness, trpcMutation, type Harness } from '../http/harness';

const PASSWORD = 'grace correct password';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await writeUsers(h.stateDir, [{ name: 'grace', role: 'operator', password: await hashPassword(PASSWORD), createdAt: h.clock.now() }]);
});
afterAll(async () => {
  await h.close();
});

async function auditLines(): Promise<AuditEntry[]> {
  await h.running.agent.refusals.closeWindow();
  await h.running.agent.audit.flushed();
  const text = await readFile(join(h.stateDir, 'audit.log'), 'utf8');
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEntry);
}

describe('auth.loginWithPassword', () => {
  it('refuses guesses past the limit without checking them, says when to retry, and audits refusals and the login by name', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_ATTEMPTS_PER_WINDOW + 3; i++) {
      statuses.push((await trpcMutation(h.url, 'auth.loginWithPassword', { name: 'grace', password: `guess number ${i}` }, null)).status);
    }
    expect(statuses.slice(0, LOGIN_ATTEMPTS_PER_WINDOW).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(-3)).toEqual([429, 429, 429]);

    // The right password waits too; the answer says how long, as data the console can put in words.
    const throttled = await trpcMutation(h.url, 'auth.loginWithPassword', { name: 'grace', password: PASSWORD }, null);
    expect(throttled.status).toBe(429);
    const retryAfter = (throttled.body.error?.data as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LOGIN_WINDOW_MS / 1000);

    h.clock.advance(LOGIN_WINDOW_MS + 1000);
    const login = await trpcMutation(h.url, 'auth.loginWithPassword', { name: 'grace', password: PASSWORD }, null);
    expect(login.status).toBe(200);

    const audit = await auditLines();
    expect(audit.some((e) => e.who === 'grace' && e.role === 'operator' && e.what.startsWith('logged in') && e.result === 'ok')).toBe(true);
    const refusals = audit
      .filter((e) => e.result !== 'ok')
      .map((e) => `${e.what}: ${e.error ?? ''}`)
      .join('\n');
    expect(refusals).toMatch(/wrong name or password/);
    expect(refusals).toMatch(/too many login attempts/);
  });
});
