// Start and stop an LVS Console agent (sim backend, demo cluster) for the
// browser tests and benchmarks, and talk to its API over plain HTTP.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
export const VIEWER_TOKEN = 'e2e-viewer-token-0123456789abcdef';
export const REALSERVER_TOKEN = 'e2e-realserver-token-0123456789abcdef';

export interface AgentHandle {
  baseURL: string;
  loginUrl: string;
  port: number;
  stateDir: string;
  child: ChildProcess;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `npm run build` unless both bundles exist (the orchestrator builds first); LVS_E2E_BUILD=1 forces it. */
export function ensureBuilt(): void {
  const built = existsSync(join(repoRoot, 'apps/web/dist/index.html')) && existsSync(join(repoRoot, 'apps/agent/dist/lvs-console.js'));
  if (built && process.env.LVS_E2E_BUILD !== '1') return;
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}

/** A free port whose next port is free too (the demo pair's lb2 listens there). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort();
    const next = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port + 1, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (next) return port;
  }
  throw new Error('no two adjacent free ports on 127.0.0.1');
}

export async function startAgent(options: { port?: number; stateDir?: string; pair?: boolean } = {}): Promise<AgentHandle> {
  const port = options.port ?? (options.pair ? await freePortPair() : await freePort());
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'lvs-e2e-'));
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'apps/agent/bin/lvs-console.js'),
      'serve',
      '--backend',
      'sim',
      '--demo',
      '--seed',
      '1',
      '--listen',
      `127.0.0.1:${port}`,
      '--state-dir',
      stateDir,
      '--admin-token',
      ADMIN_TOKEN,
      '--viewer-token',
      VIEWER_TOKEN,
      '--realserver-token',
      REALSERVER_TOKEN,
      '--log-level',
      'warn',
      ...(options.pair ? ['--demo-pair'] : []),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const loginUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not print a login URL in 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/\S+#login=[A-Za-z0-9_-]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited (${code}) before it was ready:\n${output}`));
    });
  });
  return { baseURL: `http://127.0.0.1:${port}`, loginUrl, port, stateDir, child };
}

export async function stopAgent(agent: Pick<AgentHandle, 'child'>, options: { removeState?: string } = {}): Promise<void> {
  const { child } = agent;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000));
    await Promise.race([exited, timeout]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  if (options.removeState) rmSync(options.removeState, { recursive: true, force: true });
}

/** Call one tRPC procedure over HTTP (no batching), as the admin unless told otherwise. */
export async function callApi<T>(baseURL: string, path: string, kind: 'query' | 'mutation', input?: unknown, token = ADMIN_TOKEN): Promise<T> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const url = `${baseURL}/trpc/${path}`;
  const response =
    kind === 'query'
      ? await fetch(input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await fetch(url, { method: 'POST', headers, body: JSON.stringify(input ?? {}) });
  const body = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  if (!response.ok || !body.result) throw new Error(`${path}: ${body.error?.message ?? response.status}`);
  return body.result.data;
}

/** A fresh one-time login URL (codes work once). */
export async function newLoginUrl(baseURL: string): Promise<string> {
  const link = await callApi<{ url: string; code: string }>(baseURL, 'auth.createLoginLink', 'mutation', {});
  return `${baseURL}/#login=${link.code}`;
}

/**
 * A real server's agent on a simulated host (nothing set yet), reporting to
 * the director and applying its settings only when the console asks.
 */
export async function startRealServerAgent(options: {
  directorUrl: string;
  address: string;
  vip: string;
  mode: 'dr' | 'tun';
  intervalSeconds: number;
}): Promise<{ stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'apps/agent/bin/lvs-console.js'),
      'serve',
      '--role',
      'realserver',
      '--host-backend',
      'sim',
      '--fix',
      'on-request',
      '--mode',
      options.mode,
      '--vip',
      options.vip,
      '--address',
      options.address,
      '--report-to',
      options.directorUrl,
      '--report-token',
      REALSERVER_TOKEN,
      '--report-interval',
      String(options.intervalSeconds),
      '--log-level',
      'warn',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`real-server agent did not start reporting in 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('reporting to')) {
        clearTimeout(timer);
        if (output.includes('failed')) reject(new Error(`real-server agent could not report:\n${output}`));
        else resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`real-server agent exited (${code}):\n${output}`));
    });
  });
  return { stop: () => stopAgent({ child }) };
}

/** A TUN service VIP:80 with one real server, merged into the agent's desired state unless it is there already. */
export async function addTunService(baseURL: string, vip: string, realServer: string): Promise<void> {
  const state = await callApi<{ revision: number; desired: { services: Array<{ key: { address?: string } }> } }>(baseURL, 'state.get', 'query');
  if (state.desired.services.some((s) => s.key.address === vip)) return;
  await callApi(baseURL, 'state.import', 'mutation', {
    baseRevision: state.revision,
    format: 'ipvsadm',
    mode: 'merge',
    dryRun: false,
    text: `-A -t ${vip}:80 -s rr\n-a -t ${vip}:80 -r ${realServer}:80 -i -w 1\n`,
  });
}
