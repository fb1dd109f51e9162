// People with passwords: `lvs-console user ...` beside a running agent, and
// auth.loginWithPassword over HTTP. The file holds scrypt hashes only.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli';
import type { AuditEntry } from '@lvs-console/shared/api';
import { data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

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
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    readStdin: () => Promise.resolve(stdin),
    env: {},
    cwd: '/',
  };
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

  it("ends a removed person's sessions at once, and passwd changes the password", async () => {
    expect((await user(['add', 'carl', '--role', 'viewer'], 'first password here\n')).status).toBe(0);
    const login = await fetch(`${h.url}/trpc/auth.loginWithPassword`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'carl', password: 'first password here' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(await whoami(cookie)).toBe(200);
    expect((await user(['passwd', 'carl'], 'second password here\n')).status).toBe(0);
    expect((await trpcMutation(h.url, 'auth.loginWithPassword', { name: 'carl', password: 'first password here' }, null)).status).toBe(401);
    expect((await user(['remove', 'carl'])).status).toBe(0);
    expect(await whoami(cookie)).toBe(401);
  });
});

describe('the Users page (users.* procedures, admins only)', () => {
  async function login(name: string, password: string): Promise<string> {
    const answer = await fetch(`${h.url}/trpc/auth.loginWithPassword`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    expect(answer.status).toBe(200);
    return (answer.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  }
  async function listed(): Promise<Array<{ name: string; role: string; sessions: number }>> {
    return data(await trpcQuery(h.url, 'users.list'));
  }

  it('adds a person who logs in, re-roles them (their sessions end), logs them out everywhere and removes them, each audited', async () => {
    expect((await trpcMutation(h.url, 'users.add', { name: 'dana', role: 'operator', password: 'dana password one' })).status).toBe(200);
    const cookie = await login('dana', 'dana password one');
    expect(await listed()).toContainEqual(expect.objectContaining({ name: 'dana', role: 'operator', sessions: 1 }));
    expect(await readFile(join(stateDir, 'users.json'), 'utf8')).not.toContain('dana password one');

    expect((await trpcMutation(h.url, 'users.setRole', { name: 'dana', role: 'viewer' })).status).toBe(200);
    expect(await whoami(cookie)).toBe(401);
    const second = await login('dana', 'dana password one');
    const who = (await (await fetch(`${h.url}/trpc/auth.whoami`, { headers: { cookie: second } })).json()) as { result: { data: unknown } };
    expect(who.result.data).toMatchObject({ name: 'dana', role: 'viewer' });

    expect(data(await trpcMutation(h.url, 'users.endSessions', { name: 'dana' }))).toEqual({ ended: 1 });
    expect(await whoami(second)).toBe(401);

    expect((await trpcMutation(h.url, 'users.setPassword', { name: 'dana', password: 'dana password two' })).status).toBe(200);
    expect((await trpcMutation(h.url, 'auth.loginWithPassword', { name: 'dana', password: 'dana password one' }, null)).status).toBe(401);
    const third = await login('dana', 'dana password two');

    expect((await trpcMutation(h.url, 'users.remove', { name: 'dana' })).status).toBe(200);
    expect((await listed()).map((u) => u.name)).not.toContain('dana');
    expect(await whoami(third)).toBe(401);

    const audit = data<AuditEntry[]>(await trpcQuery(h.url, 'audit.list', { limit: 200 })).map((e) => `${e.who}: ${e.what}`);
    for (const line of [
      'added user dana (operator)',
      'set the role of dana to viewer',
      'logged dana out everywhere (1 sessions)',
      'changed the password of dana',
      'removed user dana',
    ]) {
      expect(audit.some((a) => a.endsWith(`: ${line}`))).toBe(true);
    }
  });

  it('refuses bad input, a second person of a name and removing the last admin, changing nothing', async () => {
    const before = await readFile(join(stateDir, 'users.json'), 'utf8');
    expect((await trpcMutation(h.url, 'users.add', { name: 'eve', role: 'operator', password: 'short' })).status).toBe(400);
    expect((await trpcMutation(h.url, 'users.add', { name: 'eve;rm', role: 'operator', password: 'long enough password' })).status).toBe(400);
    expect((await trpcMutation(h.url, 'users.add', { name: 'eve', role: 'root', password: 'long enough password' })).status).toBe(400);
    expect((await trpcMutation(h.url, 'users.add', { name: 'alice', role: 'viewer', password: 'long enough password' })).status).toBe(409);
    expect((await trpcMutation(h.url, 'users.setRole', { name: 'nobody', role: 'viewer' })).status).toBe(404);
    expect(await readFile(join(stateDir, 'users.json'), 'utf8')).toBe(before);

    expect((await trpcMutation(h.url, 'users.add', { name: 'root-admin', role: 'admin', password: 'long enough password' })).status).toBe(200);
    const lastAdmin = await trpcMutation(h.url, 'users.remove', { name: 'root-admin' });
    expect(lastAdmin.status).toBe(409);
    expect(lastAdmin.body.error?.message).toMatch(/last admin/);
    expect((await trpcMutation(h.url, 'users.setRole', { name: 'root-admin', role: 'viewer' })).status).toBe(409);
    expect(await listed()).toContainEqual(expect.objectContaining({ name: 'root-admin', role: 'admin' }));
  });
});
