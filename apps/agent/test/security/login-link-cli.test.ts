// `lvs-console login-link` beside a running agent: the link it prints logs
// in once, as the role and person asked for.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli';
import { startHarness, trpcMutation, type Harness } from '../http/harness';

let stateDir: string;
let h: Harness;
beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'lvs-loginlink-'));
  h = await startHarness({ stateDir });
});
afterAll(async () => {
  await h.close();
  await rm(stateDir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    readStdin: () => Promise.resolve(''),
    env: {},
    cwd: '/',
  };
  const status = await main(args, io);
  return { status, stdout, stderr };
}

describe('lvs-console login-link', () => {
  it('prints a link to the running agent that logs in once as the role and person asked for', async () => {
    const { status, stdout, stderr } = await run(['login-link', '--role', 'operator', '--for', 'olga', '--state-dir', stateDir]);
    expect(status).toBe(0);
    expect(stderr).toMatch(/one-time operator login for olga/);
    const match = new RegExp(`^${h.url.replace(/[.]/g, '\\.')}/#login=([A-Za-z0-9_-]+)\\n$`).exec(stdout);
    expect(match).not.toBeNull();
    const code = match?.[1] ?? '';
    const login = await trpcMutation(h.url, 'auth.login', { code }, null);
    expect(login.status).toBe(200);
    expect(login.body.result?.data).toMatchObject({ name: 'olga', role: 'operator' });
    expect((await trpcMutation(h.url, 'auth.login', { code }, null)).status).toBe(401);
  });

  it('refuses an unknown role or a name with odd characters, with exit status 2', async () => {
    expect((await run(['login-link', '--role', 'root', '--state-dir', stateDir])).status).toBe(2);
    const odd = await run(['login-link', '--for', 'eve;rm', '--state-dir', stateDir]);
    expect(odd.status).toBe(2);
    expect(odd.stderr).toMatch(/--for: a name is/);
  });
});
