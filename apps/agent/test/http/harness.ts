// A real agent on 127.0.0.1 with an ephemeral port, a simulated kernel, a
// manual clock and a temp state directory. No mocks of our own code.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/config/clock';
import { SimHostBackend } from '../../src/host';
import { hostPortOf } from '../../src/reconcile/ports';
import { DEMO_DIRECTOR_ADDRESSES, loadDemo } from '../../src/kernel/demo';
import { SimBackend } from '../../src/kernel/sim';
import { silentLogger } from '../../src/log';
import { startAgent, type RunningAgent, type ServeOptions } from '../../src/server';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const VIEWER_TOKEN = 'test-viewer-token-0123456789';
export const REALSERVER_TOKEN = 'test-realserver-token-0123456789';

export interface Harness {
  running: RunningAgent;
  sim: SimBackend;
  clock: ManualClock;
  stateDir: string;
  url: string;
  close(): Promise<void>;
}

export async function startHarness(
  options: Partial<ServeOptions> & { demo?: boolean; sim?: SimBackend; stateDir?: string; clock?: ManualClock } = {},
): Promise<Harness> {
  const clock = options.clock ?? new ManualClock(1_700_000_000_000);
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'lvs-agent-')));
  const sim = options.sim ?? new SimBackend({ clock, seed: 7 });
  if ((options.demo ?? true) && !options.sim) await loadDemo(sim);
  const running = await startAgent({
    listen: '127.0.0.1:0',
    backend: 'sim',
    stateDir,
    demo: false,
    driftMode: 'report',
    webDir: null,
    adminToken: ADMIN_TOKEN,
    viewerToken: VIEWER_TOKEN,
    realserverToken: REALSERVER_TOKEN,
    log: silentLogger,
    timers: false,
    ...options,
    clock,
    backendOverride: {
      backend: sim,
      sim,
      choice: { kind: 'sim', label: 'Simulated kernel', reason: 'test' },
      host: hostPortOf(new SimHostBackend((options.demo ?? true) ? { interfaceAddresses: DEMO_DIRECTOR_ADDRESSES } : {})),
    },
  });
  return {
    running,
    sim,
    clock,
    stateDir,
    url: running.url,
    async close() {
      await running.close();
      if (!options.stateDir) await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export interface TrpcResponse {
  status: number;
  body: {
    result?: { data: unknown };
    error?: { message: string; data: { code: string; httpStatus: number; domainCode: string | null; issues: Array<{ path: string; message: string }> } };
  };
}

export async function trpcQuery(url: string, path: string, input?: unknown, token: string | null = ADMIN_TOKEN): Promise<TrpcResponse> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const res = await fetch(`${url}/trpc/${path}${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as TrpcResponse['body'] };
}

export async function trpcMutation(url: string, path: string, input: unknown, token: string | null = ADMIN_TOKEN): Promise<TrpcResponse> {
  const res = await fetch(`${url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof input === 'string' ? input : JSON.stringify(input),
  });
  const text = await res.text();
  let body: TrpcResponse['body'];
  try {
    body = JSON.parse(text) as TrpcResponse['body'];
  } catch {
    body = {};
  }
  return { status: res.status, body };
}

export function data<T>(response: TrpcResponse): T {
  if (!response.body.result) throw new Error(`expected a result, got ${JSON.stringify(response.body)}`);
  return response.body.result.data as T;
}

export const WEB = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 } as const;
export const WEB1 = { address: '198.51.100.11', port: 8080 } as const;
