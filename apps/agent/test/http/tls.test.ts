// HTTPS: --tls-cert/--tls-key serve the same API over TLS (self-signed here).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHarness, type Harness } from './harness';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
let dir: string;
let h: Harness | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvs-tls-'));
  if (!hasOpenssl) return;
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(made.stderr);
  h = await startHarness({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
});
afterAll(async () => {
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

function get(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!hasOpenssl)('serving over TLS', () => {
  it('should answer API calls over https', async () => {
    if (!h) throw new Error('no agent');
    expect(h.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(h.running.loginUrl.startsWith('https://')).toBe(true);
    const res = await get(`${h.url}/trpc/auth.whoami`, ADMIN_TOKEN);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ result: { data: { name: 'admin', role: 'admin' } } });
  });
});
