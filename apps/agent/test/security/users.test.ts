// People with passwords: `lvs-console user ...` beside a running agent, and
// auth.loginWithPassword over HTTP. The file holds scrypt hashes only.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli';
import { startHarness, trpcMutation, type Harness } from '../http/harness';

let stateDir: string;
let h: Harness;
beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'lvs-users-'));
  h = await startHarness({ stateDir });
});
afterAll(async () => {
  await h.close();
  await rm(stateDir, { recursive: true, force: true });
});

async function user(args: string[], stdin = ''): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, readStdin: () => Promise.resolve(stdin), env: {}, cwd: '/' };
  const status = await main(['user', ...args, '--state-dir', stateDir], io);
  return { status, stdout, stderr };
}

async function whoami(cookie: string): Promise<number> {
  return (await fetch(`${h.url}/trpc/auth.whoami`, { headers: { cookie } })).status;
}

describe('people with passwords', () => {
  it('adds a person whose password logs in (as their role), and no other password does', async () => {
    expect((await user(['add', 'alice', '--role', 'operator'], 'correct horse battery\n')).status).toBe(0);
    const file = await readFile(join(stateDir, 'users.json'), 'utf8');
    expect(file).toMatch(/"password": "scrypt\$32768\$8\$1\$/);
    expect(file).not.toContain('correct horse');
    expect((await stat(join(stateDir, 'users.json'))).mode & 0o777).toBe(0o600);
    expect((await trpcMutation(h.url, 'auth.loginWithPassword', { name: 'alice', password: 'wrong horse battery' }, null)).status).toBe(401);
    expect((await trpcMutation(h.url, 'auth.loginWithPassword', { name: 'mallory', password: 'correct horse battery' }, null)).status).toBe(401);
    const ok = await trpcMutation(h.url, 'auth.loginWithPassword', { name: 'alice', password: 'correct horse battery' }, null);
    expect(ok.body.result?.data).toMatchObject({ name: 'alice', role: 'operator' });
    expect((await user(['list'])).stdout).toMatch(/^alice\toperator\tsince /);
  });

  it('refuses short passwords, unknown roles and a second person of the same name', async () => {
    expect((await user(['add', 'bob', '--role', 'viewer'], 'short\n')).stderr).toMatch(/at least 12 characters/);
    expect((await user(['add', 'bob', '--role', 'root'], 'long enough password\n')).status).toBe(2);
    expect((await user(['add', 'alice', '--role', 'viewer'], 'long enough password\n')).stderr).toMatch(/alice already exists/);
  });

  it('ends a removed person\'s sessions at once, and passwd changes the password', async () => {
    expect((await user(['add', 'carl', '--role', 'viewer'], 'first password here\n')).status).toBe(0);
    const login = await fetch(`${h.url}/trpc/auth.loginWithPassword`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'carl', password: 'first password here' }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(await whoami(cookie)).toBe(200);
    expect((await user(['passwd', 'carl'], 'second password here\n')).status).toBe(0);
    expect((await trpcMutation(h.url, 'auth.loginWithPassword', { name: 'carl', password: 'first password here' }, null)).status).toBe(401);
    expect((await user(['remove', 'carl'])).status).toBe(0);
    expect(await whoami(cookie)).toBe(401);
  });
});
