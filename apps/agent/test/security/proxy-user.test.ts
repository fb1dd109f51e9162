// --trust-proxy-user: a header names the person, believed only from loopback
// or the configured proxies, only for people of users.json, audited under
// their name, and changes still need the console's CSRF header.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '@lvs-console/shared/api';
import { hashPassword, writeUsers } from '../../src/auth/users';
import { ProxyUserTrust } from '../../src/auth/proxy-user';
import { WEB, WEB1, data, startHarness, trpcQuery, type Harness } from '../http/harness';

const HEADER = 'X-Forwarded-User';

describe('which addresses may name a user', () => {
  const trust = new ProxyUserTrust({ header: HEADER, proxies: ['10.1.0.0/16', '2001:db8::7'] });

  it('trusts loopback and the configured proxies only', () => {
    for (const address of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '10.1.200.3', '::ffff:10.1.0.1', '2001:db8::7'])
      expect(trust.trusts(address), address).toBe(true);
    for (const address of ['10.2.0.1', '192.0.2.7', '::ffff:192.0.2.7', '2001:db8::8', '', undefined])
      expect(trust.trusts(address), String(address)).toBe(false);
  });

  it('ignores the header from anyone else, and refuses what is not one name', () => {
    expect(trust.identify('192.0.2.7', { 'x-forwarded-user': 'pat' })).toEqual({ kind: 'none' });
    expect(trust.identify('127.0.0.1', {})).toEqual({ kind: 'none' });
    expect(trust.identify('127.0.0.1', { 'x-forwarded-user': 'pat' })).toEqual({ kind: 'name', name: 'pat' });
    expect(trust.identify('127.0.0.1', { 'x-forwarded-user': 'pat; rm -rf /' })).toMatchObject({ kind: 'invalid' });
  });

  it('refuses a header or proxy it cannot use, naming it', () => {
    expect(() => new ProxyUserTrust({ header: 'Authorization', proxies: [] })).toThrow(/--trust-proxy-user: "Authorization"/);
    expect(() => new ProxyUserTrust({ header: 'X User', proxies: [] })).toThrow(/--trust-proxy-user/);
    expect(() => new ProxyUserTrust({ header: HEADER, proxies: ['10.0.0.0/33'] })).toThrow(/--trusted-proxy: "10.0.0.0\/33"/);
    expect(() => new ProxyUserTrust({ header: HEADER, proxies: ['proxy.example'] })).toThrow(/--trusted-proxy/);
  });
});

describe('an agent behind an SSO proxy', () => {
  let stateDir: string;
  let h: Harness;
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'lvs-proxy-user-'));
    await writeUsers(stateDir, [{ name: 'pat', role: 'operator', password: await hashPassword('pat password here'), createdAt: 0 }]);
    h = await startHarness({ stateDir, trustProxyUser: { header: HEADER, proxies: [] } });
  });
  afterAll(async () => {
    await h.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  async function asProxy(
    path: string,
    user: string,
    body?: unknown,
    consoleHeader = true,
  ): Promise<{ status: number; body: { result?: { data: unknown }; error?: { message: string } } }> {
    const headers: Record<string, string> = { [HEADER]: user, ...(consoleHeader ? { 'x-lvs-console': '1' } : {}) };
    const response =
      body === undefined
        ? await fetch(`${h.url}/trpc/${path}`, { headers })
        : await fetch(`${h.url}/trpc/${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as never };
  }

  it('takes the person and role from users.json, and audits changes under their name', async () => {
    expect((await asProxy('auth.whoami', 'pat')).body.result?.data).toEqual({ name: 'pat', role: 'operator' });
    const revision = data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision;
    expect((await asProxy('destinations.setWeight', 'pat', { baseRevision: revision, service: WEB, destination: WEB1, weight: 7 })).status).toBe(200);
    // An operator is still an operator: no service changes.
    expect((await asProxy('services.remove', 'pat', { baseRevision: revision + 1, service: WEB })).status).toBe(403);
    const audit = data<AuditEntry[]>(await trpcQuery(h.url, 'audit.list', { limit: 20 }));
    expect(audit.find((e) => e.result === 'ok' && e.revision === revision + 1)).toMatchObject({ who: 'pat', role: 'operator' });
  });

  it('refuses an unknown person, a malformed name, and a change without the console header', async () => {
    const unknown = await asProxy('auth.whoami', 'mallory');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error?.message).toMatch(/"mallory" is not a user of this agent/);
    expect((await asProxy('auth.whoami', 'pat;id')).status).toBe(401);
    const revision = data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision;
    expect((await asProxy('destinations.setWeight', 'pat', { baseRevision: revision, service: WEB, destination: WEB1, weight: 8 }, false)).status).toBe(403);
    expect(data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision).toBe(revision);
  });

  it('lets a bearer token win over the header', async () => {
    const response = await fetch(`${h.url}/trpc/auth.whoami`, { headers: { [HEADER]: 'pat', authorization: 'Bearer test-viewer-token-0123456789' } });
    expect(((await response.json()) as { result: { data: unknown } }).result.data).toMatchObject({ role: 'viewer' });
  });
});
