// The API end to end over HTTP: login, changes reaching the kernel, previews,
// revisions and undo, drift, live streams, metrics and the static console.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destinationId, serviceId } from '@lvs-console/shared';
import { applyStateChanges, type CommitOutcome, type DriftReport, type RevisionSummary, type StateChanges, type StateSnapshot } from '@lvs-console/shared/api';
import { ADMIN_TOKEN, VIEWER_TOKEN, WEB, WEB1, data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

let h: Harness;

async function revision(): Promise<number> {
  return data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision;
}

async function kernelWeight(): Promise<number | undefined> {
  const table = await h.sim.observe();
  return table.services.find((s) => serviceId(s.key) === serviceId(WEB))?.destinations.find((d) => destinationId(d) === destinationId(WEB1))?.weight;
}

/** A console session cookie for an API token (auth.startSession), as EventSource would send it. */
async function sessionCookie(token: string): Promise<string> {
  const res = await fetch(`${h.url}/trpc/auth.startSession`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/** Read the first SSE data event of a subscription (authenticated by the session cookie: never a token in the URL). */
async function firstEvent(path: string, params: Record<string, unknown>, trigger?: () => Promise<unknown>): Promise<unknown> {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) search.set(k, JSON.stringify(v));
  const controller = new AbortController();
  const cookie = await sessionCookie(VIEWER_TOKEN);
  const res = await fetch(`${h.url}/trpc/${path}?${search.toString()}`, { headers: { accept: 'text/event-stream', cookie }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  if (!res.body) throw new Error('no body');
  const chunks = res.body as unknown as AsyncIterable<Uint8Array>;
  const decoder = new TextDecoder();
  let buffer = '';
  let triggered = false;
  try {
    for await (const value of chunks) {
      buffer += decoder.decode(value, { stream: true });
      if (!triggered && trigger && buffer.includes('connected')) {
        triggered = true;
        void trigger();
      }
      for (const block of buffer.split('\n\n')) {
        const dataLine = block.split('\n').find((line) => line.startsWith('data: '));
        const isMessage = !block.includes('event: ') || block.includes('event: message');
        if (dataLine && isMessage && !block.includes('event: connected')) {
          const parsed = JSON.parse(dataLine.slice(6)) as unknown;
          if (parsed !== null && typeof parsed === 'object') return parsed;
        }
      }
    }
    throw new Error('stream ended');
  } finally {
    controller.abort();
  }
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('the agent API', () => {
  describe('auth', () => {
    it('should exchange the banner login code for a session token exactly once', async () => {
      const code = new URL(h.running.loginUrl).hash.replace('#login=', '');
      const login = data<{ token: string; role: string }>(await trpcMutation(h.url, 'auth.login', { code }, null));
      expect(login.role).toBe('admin');
      const who = data<{ name: string; role: string }>(await trpcQuery(h.url, 'auth.whoami', undefined, login.token));
      expect(who).toEqual({ name: 'console', role: 'admin' });
      const again = await trpcMutation(h.url, 'auth.login', { code }, null);
      expect(again.status).toBe(401);
      expect(again.body.error?.message).toMatch(/already used/);
    });

    it('should let a viewer read but not change', async () => {
      expect((await trpcQuery(h.url, 'state.get', undefined, VIEWER_TOKEN)).status).toBe(200);
      expect((await trpcQuery(h.url, 'auth.whoami', undefined, VIEWER_TOKEN)).body.result?.data).toEqual({ name: 'viewer', role: 'viewer' });
      const denied = await trpcMutation(h.url, 'auth.createLoginLink', {}, VIEWER_TOKEN);
      expect(denied.status).toBe(403);
    });

    it('should refuse queries without a token', async () => {
      const response = await trpcQuery(h.url, 'system.info', undefined, null);
      expect(response.status).toBe(401);
    });

    it('should let an admin make a new login link', async () => {
      const link = data<{ url: string; code: string }>(await trpcMutation(h.url, 'auth.createLoginLink', {}));
      expect(link.url).toBe(`${h.url}/#login=${link.code}`);
      expect((await trpcMutation(h.url, 'auth.login', { code: link.code }, null)).status).toBe(200);
    });
  });

  describe('changes', () => {
    it('should set a weight in the kernel and return the ipvsadm lines that ran', async () => {
      const base = await revision();
      const outcome = data<CommitOutcome>(
        await trpcMutation(h.url, 'destinations.setWeight', { baseRevision: base, service: WEB, destination: WEB1, weight: 7 }),
      );
      expect(outcome.revision).toBe(base + 1);
      expect(outcome.lines).toEqual(['ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 7']);
      expect(outcome.results.every((r) => r.ok)).toBe(true);
      expect(await kernelWeight()).toBe(7);
    });

    it('should preview a change without applying it', async () => {
      const base = await revision();
      const preview = data<CommitOutcome>(
        await trpcQuery(h.url, 'state.preview', { baseRevision: base, edit: { op: 'drain', service: WEB, destination: WEB1 } }, VIEWER_TOKEN),
      );
      expect(preview.dryRun).toBe(true);
      expect(preview.lines).toEqual(['ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 0']);
      expect(await kernelWeight()).toBe(7);
      expect(await revision()).toBe(base);
    });

    it('should add and remove a service', async () => {
      let base = await revision();
      const service = {
        key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.80', port: 8080 },
        scheduler: 'sh',
        flags: ['sh-port'],
        destinations: [{ address: '10.1.0.1', port: 8080, forwarding: 'masq', weight: 1 }],
      };
      const added = data<CommitOutcome>(await trpcMutation(h.url, 'services.add', { baseRevision: base, service }));
      expect(added.lines).toHaveLength(2);
      expect((await h.sim.observe()).services.some((s) => serviceId(s.key) === 'tcp:192.0.2.80:8080')).toBe(true);
      base = added.revision;
      data<CommitOutcome>(await trpcMutation(h.url, 'services.remove', { baseRevision: base, service: service.key }));
      expect((await h.sim.observe()).services.some((s) => serviceId(s.key) === 'tcp:192.0.2.80:8080')).toBe(false);
    });

    it('should import ipvsadm text as a dry run first, then apply it', async () => {
      const base = await revision();
      const text = '-A -u 192.0.2.99:53 -s rr\n-a -u 192.0.2.99:53 -r 10.2.0.1:53 -m -w 1\n';
      const preview = data<CommitOutcome>(await trpcMutation(h.url, 'state.import', { baseRevision: base, text, mode: 'merge' }));
      expect(preview.dryRun).toBe(true);
      expect(preview.lines).toEqual(['ipvsadm -A -u 192.0.2.99:53 -s rr', 'ipvsadm -a -u 192.0.2.99:53 -r 10.2.0.1:53 -m -w 1']);
      expect(await revision()).toBe(base);
      const applied = data<CommitOutcome>(await trpcMutation(h.url, 'state.import', { baseRevision: base, text, mode: 'merge', dryRun: false }));
      expect(applied.revision).toBe(base + 1);
      expect((await h.sim.observe()).services.some((s) => serviceId(s.key) === 'udp:192.0.2.99:53')).toBe(true);
    });

    it('should list revisions and undo to an earlier one', async () => {
      const revisions = data<RevisionSummary[]>(await trpcQuery(h.url, 'state.revisions', { limit: 10 }));
      expect(revisions[0]?.revision).toBe(await revision());
      expect(revisions.at(-1)?.revision).toBe(1);
      const base = await revision();
      const undone = data<CommitOutcome>(await trpcMutation(h.url, 'state.undo', { baseRevision: base, toRevision: 1 }));
      expect(undone.revision).toBe(base + 1);
      expect(await kernelWeight()).toBe(3);
      expect((await h.sim.observe()).services.some((s) => serviceId(s.key) === 'udp:192.0.2.99:53')).toBe(false);
    });

    it('should report drift made by hand, then adopt or revert it', async () => {
      await h.sim.apply([
        {
          kind: 'edit-destination',
          service: WEB,
          from: { ...WEB1, forwarding: 'masq', weight: 3, upperThreshold: 0, lowerThreshold: 0 },
          to: { ...WEB1, forwarding: 'masq', weight: 9, upperThreshold: 0, lowerThreshold: 0 },
        },
      ]);
      await h.running.agent.reconciler.checkDrift();
      const drift = data<DriftReport>(await trpcQuery(h.url, 'state.drift'));
      expect(drift.descriptions).toEqual(['real server 198.51.100.11:8080 in TCP 192.0.2.10:80: weight 9 in the kernel, 3 desired']);
      expect(drift.lines).toEqual(['ipvsadm -e -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3']);

      const base = await revision();
      const reverted = data<CommitOutcome>(await trpcMutation(h.url, 'state.revertDrift', { baseRevision: base }));
      expect(reverted.revision).toBe(base);
      expect(await kernelWeight()).toBe(3);
      expect(data<DriftReport>(await trpcQuery(h.url, 'state.drift')).changes).toEqual([]);

      await h.sim.apply([
        {
          kind: 'edit-destination',
          service: WEB,
          from: { ...WEB1, forwarding: 'masq', weight: 3, upperThreshold: 0, lowerThreshold: 0 },
          to: { ...WEB1, forwarding: 'masq', weight: 4, upperThreshold: 0, lowerThreshold: 0 },
        },
      ]);
      const adopted = data<CommitOutcome>(await trpcMutation(h.url, 'state.adoptDrift', { baseRevision: base }));
      expect(adopted.revision).toBe(base + 1);
      expect(adopted.lines).toEqual([]);
      expect(await kernelWeight()).toBe(4);
      const state = data<{ desired: { services: Array<{ key: { address: string }; destinations: Array<{ address: string; weight: number }> }> } }>(
        await trpcQuery(h.url, 'state.get'),
      );
      expect(state.desired.services.find((s) => s.key.address === '192.0.2.10')?.destinations.find((d) => d.address === WEB1.address)?.weight).toBe(4);
    });

    it('should show host settings per service and apply the desired ones', async () => {
      const status = data<{
        available: boolean;
        services: Array<{ service: string; methods: string[]; settings: Array<{ id: string; ok: boolean }>; directorAddresses: Record<string, string | null> }>;
      }>(await trpcQuery(h.url, 'host.status'));
      expect(status.available).toBe(true);
      const web = status.services.find((s) => s.service === 'tcp:192.0.2.10:80');
      expect(web?.methods).toEqual(['masq']);
      // The demo director reaches its real servers from 198.51.100.1: the DIP the diagram labels.
      expect(web?.directorAddresses).toEqual({ '198.51.100.11': '198.51.100.1', '198.51.100.12': '198.51.100.1', '198.51.100.13': '198.51.100.1' });
      expect(web?.settings.find((r) => r.id === 'sysctl:net.ipv4.ip_forward')?.ok).toBe(false);

      // The dry run of "Fix director settings": the lines the apply will run, and nothing changes.
      const forward = { kind: 'sysctl', name: 'net.ipv4.ip_forward', value: '1', reason: 'NAT replies' };
      const planned = data<Array<{ id: string; ok: boolean; lines: string[] }>>(await trpcQuery(h.url, 'host.plan', { adding: [forward] }));
      expect(planned).toEqual([expect.objectContaining({ id: 'sysctl:net.ipv4.ip_forward', ok: false, lines: ['echo 1 > /proc/sys/net/ipv4/ip_forward'] })]);
      expect((await trpcQuery(h.url, 'host.plan', { adding: [{ ...forward, name: 'kernel.panic' }] })).status).toBe(400);
      // The services list asks only for what fails: the failing rows of the services that have one.
      const problems = data<{ services: Array<{ service: string; settings: Array<{ id: string; ok: boolean }> }> }>(
        await trpcQuery(h.url, 'host.status', { problems: true }),
      );
      expect(problems.services.find((s) => s.service === 'tcp:192.0.2.10:80')?.settings.map((r) => [r.id, r.ok])).toEqual([
        ['sysctl:net.ipv4.ip_forward', false],
      ]);
      expect(problems.services.every((s) => s.settings.length > 0 && s.settings.every((r) => !r.ok))).toBe(true);
      expect((await trpcQuery(h.url, 'host.status', { problems: 'yes' })).status).toBe(400);
      const unchanged = data<{ services: Array<{ service: string; settings: Array<{ id: string; ok: boolean }> }> }>(await trpcQuery(h.url, 'host.status'));
      expect(unchanged.services.find((s) => s.service === 'tcp:192.0.2.10:80')?.settings.find((r) => r.id === 'sysctl:net.ipv4.ip_forward')?.ok).toBe(false);

      const base = await revision();
      const set = data<CommitOutcome>(
        await trpcMutation(h.url, 'host.setSysctl', { baseRevision: base, name: 'net.ipv4.ip_forward', value: '1', reason: 'NAT replies' }),
      );
      expect(set.lines).toEqual([]);
      const applied = data<Array<{ id: string; ok: boolean; lines: string[] }>>(await trpcMutation(h.url, 'host.apply', { baseRevision: set.revision }));
      expect(applied).toEqual([expect.objectContaining({ id: 'sysctl:net.ipv4.ip_forward', ok: true, lines: planned[0]?.lines })]);
      const after = data<{ settings: Array<{ id: string; ok: boolean }>; services: Array<{ service: string; settings: Array<{ id: string; ok: boolean }> }> }>(
        await trpcQuery(h.url, 'host.status'),
      );
      expect(after.settings).toEqual([expect.objectContaining({ id: 'sysctl:net.ipv4.ip_forward', ok: true })]);
      expect(after.services.find((s) => s.service === 'tcp:192.0.2.10:80')?.settings.find((r) => r.id === 'sysctl:net.ipv4.ip_forward')?.ok).toBe(true);
      expect((await trpcMutation(h.url, 'host.apply', { baseRevision: set.revision - 1 })).status).toBe(409);
    });

    it('should control the simulated traffic and fail a real server', async () => {
      const base = await revision();
      const status = data<{ available: boolean; failed: unknown[] }>(
        await trpcMutation(h.url, 'sim.failDestination', { baseRevision: base, service: WEB, destination: WEB1, failed: true }),
      );
      expect(status.available).toBe(true);
      expect(status.failed).toEqual([{ service: 'tcp:192.0.2.10:80', destination: '198.51.100.11:8080' }]);
      const traffic = data<{ traffic: { connectionsPerSecond: number } }>(
        await trpcMutation(h.url, 'sim.setTraffic', { baseRevision: base, connectionsPerSecond: 20 }),
      );
      expect(traffic.traffic.connectionsPerSecond).toBe(20);
      // A stale revision is a conflict, audited like any refused change, and changes nothing.
      expect((await trpcMutation(h.url, 'sim.setTraffic', { baseRevision: base - 1, connectionsPerSecond: 99 })).status).toBe(409);
      const [newest] = data<Array<{ result: string; what: string; who: string }>>(await trpcQuery(h.url, 'audit.list'));
      expect(newest).toMatchObject({ result: 'rejected', what: 'set simulated traffic', who: 'admin' });
      expect(data<{ traffic: { connectionsPerSecond: number } }>(await trpcQuery(h.url, 'sim.status')).traffic.connectionsPerSecond).toBe(20);
    });
  });

  describe('views', () => {
    it('should describe the system and the live backend in plain words', async () => {
      const info = data<{ backend: { kind: string; label: string }; caller: { role: string } }>(await trpcQuery(h.url, 'system.info', undefined, VIEWER_TOKEN));
      expect(info.backend).toMatchObject({ kind: 'sim', label: 'Simulated kernel' });
      expect(info.caller.role).toBe('viewer');
    });

    it('should page connections', async () => {
      h.sim.setTraffic({ connectionsPerSecond: 50 });
      h.clock.advance(5000);
      h.sim.advanceTo(h.clock.now());
      const page = data<{ entries: unknown[]; matched: number; total: number }>(await trpcQuery(h.url, 'connections.list', { limit: 5 }));
      expect(page.entries.length).toBeLessThanOrEqual(5);
      expect(page.total).toBeGreaterThan(0);
      const bad = await trpcQuery(h.url, 'connections.list', { limit: 5000 });
      expect(bad.status).toBe(400);
    });

    it('should give stats windows and predicted vs measured shares from 1 s samples', async () => {
      for (let i = 0; i < 30; i++) {
        h.clock.advance(1000);
        h.sim.advanceTo(h.clock.now());
        await h.running.agent.stats.sampleOnce();
      }
      const window = data<{ services: Array<{ id: string; points: Array<{ cps: number }> }> }>(
        await trpcQuery(h.url, 'stats.window', { minutes: 1, services: ['tcp:192.0.2.10:80'] }),
      );
      expect(window.services).toHaveLength(1);
      expect(window.services[0]?.points.length).toBeGreaterThanOrEqual(29);
      expect(window.services[0]?.points.some((p) => p.cps > 0)).toBe(true);
      const shares = data<{ rows: Array<{ destination: string; predicted: number | null; measured: number | null }> }>(
        await trpcQuery(h.url, 'stats.shares', { service: WEB }),
      );
      expect(shares.rows).toHaveLength(3);
      const predictedTotal = shares.rows.reduce((sum, r) => sum + (r.predicted ?? 0), 0);
      expect(predictedTotal).toBeCloseTo(1, 5);
      expect(shares.rows.some((r) => r.measured !== null)).toBe(true);
      const badWindow = await trpcQuery(h.url, 'stats.window', { minutes: 7 });
      expect(badWindow.status).toBe(400);
    });

    it('should stream live samples over SSE with the session cookie', async () => {
      const sample = (await firstEvent('stats.onSample', { input: { services: ['tcp:192.0.2.10:80'] } })) as { services: Array<{ id: string }> };
      expect(sample.services.map((s) => s.id)).toEqual(['tcp:192.0.2.10:80']);
    });

    it('should refuse an SSE subscription without a token', async () => {
      const res = await fetch(`${h.url}/trpc/events.onEvent`, { headers: { accept: 'text/event-stream' } });
      const text = await res.text();
      expect(text).toMatch(/UNAUTHORIZED|token is required/);
    });

    it('should stream events of changes as they happen', async () => {
      const base = await revision();
      const event = (await firstEvent('events.onEvent', {}, () =>
        trpcMutation(h.url, 'destinations.setWeight', { baseRevision: base, service: WEB, destination: WEB1, weight: 2 }, ADMIN_TOKEN),
      )) as { type: string };
      expect(['apply', 'revision']).toContain(event.type);
    });

    it('should list the audit log newest first', async () => {
      const entries = data<Array<{ seq: number; result: string; who: string }>>(await trpcQuery(h.url, 'audit.list'));
      expect(entries.length).toBeGreaterThan(3);
      expect((entries[0]?.seq ?? 0) > (entries[1]?.seq ?? 0)).toBe(true);
    });
  });

  describe('/metrics', () => {
    it('should need a token', async () => {
      expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
    });

    it('should serve Prometheus text with service, destination and agent figures', async () => {
      const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
      expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      const text = await res.text();
      for (const name of [
        'lvs_service_connections_total',
        'lvs_service_bytes_out_total',
        'lvs_destination_packets_in_total',
        'lvs_destination_active_connections',
        'lvs_destination_inactive_connections',
        'lvs_destination_persistent_connections',
        'lvs_destination_weight',
        'lvs_console_apply_duration_seconds',
        'lvs_console_drift_changes',
      ]) {
        expect(text).toContain(`# TYPE ${name} `);
      }
      expect(text).toMatch(/^lvs_destination_weight\{service="tcp:192\.0\.2\.10:80",destination="198\.51\.100\.11:8080",forwarding="masq"\} \d+$/m);
      expect(text).toMatch(/^lvs_console_apply_duration_seconds_bucket\{le="\+Inf"\} \d+$/m);
      // Every non-comment line is "name{labels} value".
      for (const line of text
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('#'))) {
        expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? [-+0-9.eInfa]+$/);
      }
    });
  });
});

describe('state.since: what a polling tab does not have yet', () => {
  it('answers a few numbers when nothing changed, the new desired state after a change, the new observation after a sample', async () => {
    // Its own agent: the API suite's harness carries the other tests' changes.
    const h = await startHarness();
    try {
      const full = data<StateSnapshot>(await trpcQuery(h.url, 'state.get'));
      const since = async (held: StateSnapshot) => {
        const res = await trpcQuery(h.url, 'state.since', { sinceRevision: held.revision, sinceObservation: held.observationSeq });
        return { changes: data<StateChanges>(res), bytes: JSON.stringify(res.body).length };
      };
      const quiet = await since(full);
      expect(quiet.changes.unchanged).toBe(true);
      expect('desired' in quiet.changes || 'observed' in quiet.changes).toBe(false);
      expect(quiet.bytes).toBeLessThan(400);
      expect(applyStateChanges(full, quiet.changes)).toEqual({ ...full, observationAgeMs: quiet.changes.observationAgeMs });

      expect((await trpcMutation(h.url, 'destinations.setWeight', { baseRevision: full.revision, service: WEB, destination: WEB1, weight: 9 })).status).toBe(
        200,
      );
      const changed = await since(full);
      expect(changed.changes.unchanged).toBe(false);
      expect(changed.changes.revision).toBe(full.revision + 1);
      // The merged snapshot is what state.get answers now.
      const merged = applyStateChanges(full, changed.changes);
      const now = data<StateSnapshot>(await trpcQuery(h.url, 'state.get'));
      expect({ ...merged, observationAgeMs: 0 }).toEqual({ ...now, observationAgeMs: 0 });
      expect(
        merged.desired.services.find((s) => serviceId(s.key) === serviceId(WEB))?.destinations.find((d) => destinationId(d) === destinationId(WEB1))?.weight,
      ).toBe(9);

      // A new observation with only new counters brings no service: numbers come by stats.onSample.
      await h.running.agent.stats.sampleOnce();
      const sampled = await since(now);
      expect(sampled.changes.desired).toBeUndefined();
      expect(sampled.changes.observed).toBeUndefined();
      expect(sampled.changes.observedChanges).toMatchObject({ changed: [], removed: [] });
      // An observation the agent cannot know (another run's) gets the whole table.
      const unknown = await trpcQuery(h.url, 'state.since', { sinceRevision: now.revision, sinceObservation: 1 });
      expect(data<StateChanges>(unknown).observed?.services.length).toBe(now.observed?.services.length);
      const bad = await trpcQuery(h.url, 'state.since', { sinceRevision: -1, sinceObservation: 0 });
      expect(bad.status).toBe(400);
    } finally {
      await h.close();
    }
  });
});

describe('the static web console', () => {
  let webDir: string;
  let w: Harness;
  beforeAll(async () => {
    webDir = await mkdtemp(join(tmpdir(), 'lvs-web-'));
    await mkdir(join(webDir, 'assets'));
    await writeFile(join(webDir, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(webDir, 'assets', 'index-BvK3a9xQ.js'), 'console.log(1)');
    await writeFile(join(webDir, 'favicon.svg'), '<svg/>');
    w = await startHarness({ webDir });
  });
  afterAll(async () => {
    await w.close();
    await rm(webDir, { recursive: true, force: true });
  });

  it('should serve hashed assets as immutable with the right content type', async () => {
    const res = await fetch(`${w.url}/assets/index-BvK3a9xQ.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('should fall back to index.html for console routes, uncached', async () => {
    const res = await fetch(`${w.url}/services/tcp:192.0.2.10:80`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('<title>console</title>');
  });

  it('should answer 404 for a missing file and never leave the web directory', async () => {
    expect((await fetch(`${w.url}/assets/missing-12345678.js`)).status).toBe(404);
    const traversal = await fetch(`${w.url}/..%2f..%2fetc%2fpasswd`);
    expect(await traversal.text()).not.toContain('root:');
    expect((await fetch(`${w.url}/favicon.svg`)).headers.get('content-type')).toBe('image/svg+xml');
  });
});
