// The auth matrix, generated from the router: every procedure × every kind
// of caller, over real HTTP. A procedure added to the router without an
// entry in ACCESS fails here, so none can be forgotten.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../src/trpc/router';
import { ADMIN_TOKEN, REALSERVER_TOKEN, VIEWER_TOKEN, startHarness, type Harness } from '../http/harness';

type Access = 'public' | 'viewer' | 'operator' | 'admin' | 'realserver';
type CallerKind = 'no session' | 'viewer' | 'operator' | 'admin' | 'realserver';

/** Who may call what. Keep in step with docs/api.md. */
const ACCESS: Record<string, Access> = {
  'auth.login': 'public',
  'auth.loginWithPassword': 'public',
  'auth.whoami': 'viewer',
  'auth.logout': 'viewer',
  'auth.startSession': 'viewer',
  'auth.createLoginLink': 'admin',
  'users.list': 'admin',
  'users.add': 'admin',
  'users.setRole': 'admin',
  'users.setPassword': 'admin',
  'users.remove': 'admin',
  'users.endSessions': 'admin',
  'system.info': 'viewer',
  'state.get': 'viewer',
  'state.since': 'viewer',
  'state.drift': 'viewer',
  'state.revisions': 'viewer',
  'state.revision': 'viewer',
  'state.preview': 'viewer',
  'state.replace': 'admin',
  'state.import': 'admin',
  'cluster.members': 'viewer',
  'cluster.failover': 'admin',
  'cluster.release': 'admin',
  'cluster.setHa': 'admin',
  'cluster.setVipInterface': 'admin',
  'state.undo': 'admin',
  'state.adoptDrift': 'admin',
  'state.revertDrift': 'admin',
  'services.add': 'admin',
  'services.zeroCounters': 'admin',
  'services.edit': 'admin',
  'services.remove': 'admin',
  'services.setScheduler': 'admin',
  'services.setPersistence': 'admin',
  'services.setHealth': 'admin',
  'destinations.add': 'admin',
  'destinations.edit': 'admin',
  'destinations.remove': 'admin',
  'destinations.setWeight': 'operator',
  'destinations.drain': 'operator',
  'host.status': 'viewer',
  'host.setTimeouts': 'admin',
  'host.setSyncDaemons': 'admin',
  'host.setSysctl': 'admin',
  'host.setSettings': 'admin',
  'host.apply': 'admin',
  'host.plan': 'admin',
  'stats.window': 'viewer',
  'stats.shares': 'viewer',
  'stats.onSample': 'viewer',
  'connections.list': 'viewer',
  'audit.list': 'viewer',
  'events.onEvent': 'viewer',
  'sim.status': 'viewer',
  'sim.setTraffic': 'admin',
  'sim.failDestination': 'admin',
  'health.status': 'viewer',
  'health.markSimFailing': 'admin',
  'drain.start': 'operator',
  'drain.cancel': 'operator',
  'drain.status': 'viewer',
  'realServers.report': 'realserver',
  'realServers.list': 'viewer',
  'realServers.requestFix': 'admin',
  'realServers.forget': 'admin',
  'notifications.settings': 'admin',
  'notifications.update': 'admin',
  'notifications.test': 'admin',
  'notifications.log': 'admin',
};

/** The operator has no API token: a session from a login link with that role, as a person gets one. */
const TOKENS: Record<CallerKind, string | null> = {
  'no session': null,
  viewer: VIEWER_TOKEN,
  operator: null,
  admin: ADMIN_TOKEN,
  realserver: REALSERVER_TOKEN,
};

function allowed(access: Access, caller: CallerKind): boolean {
  switch (access) {
    case 'public':
      return true;
    case 'viewer':
      return caller === 'viewer' || caller === 'operator' || caller === 'admin';
    case 'operator':
      return caller === 'operator' || caller === 'admin';
    case 'admin':
      return caller === 'admin';
    case 'realserver':
      return caller === 'realserver' || caller === 'admin';
  }
}

interface ProcedureDef {
  _def: { type: 'query' | 'mutation' | 'subscription' };
}
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDef>).map(([path, proc]) => ({ path, type: proc._def.type }));

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const auth = h.running.agent.auth;
  TOKENS.operator = (await auth.login(await auth.createLoginCode({ name: 'olga', role: 'operator' }))).token;
});
afterAll(async () => {
  await h.close();
});

/** The HTTP status (or, for a stream, the error code inside it) of one call with an input no procedure accepts as a change. */
async function statusOf(path: string, type: string, token: string | null): Promise<{ status: number; code: string | null }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (type === 'mutation') {
    const res = await fetch(`${h.url}/trpc/${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"probe":true}' });
    const body = (await res.json()) as { error?: { data?: { code?: string } } };
    return { status: res.status, code: body.error?.data?.code ?? null };
  }
  const controller = new AbortController();
  const res = await fetch(`${h.url}/trpc/${path}?input=${encodeURIComponent('{"probe":true}')}`, { headers, signal: controller.signal });
  if (type === 'subscription') {
    // A stream answers 200 and sends its error (if any) as the first event.
    const reader = res.body?.getReader();
    const first = reader ? new TextDecoder().decode((await reader.read()).value as Uint8Array | undefined) : '';
    controller.abort();
    const code = /"code":"([A-Z_]+)"/.exec(first)?.[1] ?? null;
    return { status: res.status, code };
  }
  const body = (await res.json()) as { error?: { data?: { code?: string } } };
  return { status: res.status, code: body.error?.data?.code ?? null };
}

describe('auth matrix', () => {
  it('has an access rule for every procedure of the router, and none for procedures that are gone', () => {
    expect(procedures.map((p) => p.path).filter((path) => !(path in ACCESS))).toEqual([]);
    expect(Object.keys(ACCESS).filter((path) => !procedures.some((p) => p.path === path))).toEqual([]);
  });

  for (const { path, type } of procedures) {
    it(`${path} (${type})`, async () => {
      const access = ACCESS[path] ?? 'admin';
      const outcome: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const caller of Object.keys(TOKENS) as CallerKind[]) {
        const { code } = await statusOf(path, type, TOKENS[caller]);
        const refused = code === 'UNAUTHORIZED' || code === 'FORBIDDEN';
        outcome[caller] = refused ? code : 'allowed';
        expected[caller] = allowed(access, caller) ? 'allowed' : caller === 'no session' ? 'UNAUTHORIZED' : 'FORBIDDEN';
      }
      expect(outcome).toEqual(expected);
    });
  }
});
