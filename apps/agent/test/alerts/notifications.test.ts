// Notifications end to end: a real agent (simulated kernel), real TCP health
// checks against real listeners on loopback, and a real HTTP receiver on
// loopback that records what it gets. Real time with generous deadlines:
// the promise is fall x interval + timeout + group wait, plus slack for a
// busy machine.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertmanagerAlert, WebhookPayload } from '@lvs-console/shared/alerts';
import { data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

const CHECK = { kind: 'tcp', intervalMs: 200, timeoutMs: 150, rise: 1, fall: 1, warmupMs: 0 };
/** fall x interval + timeout + group wait (0 here), and slack for a loaded machine. */
const PROMISED_MS = 1 * 200 + 150 + 0 + 4000;

interface Received {
  at: number;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

const cleanups: Array<() => Promise<void>> = [];
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A webhook receiver that answers with the next status of `statuses` (the last one repeats). */
async function receiver(statuses: number[] = [200]): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  let calls = 0;
  const server: HttpServer = createHttpServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      got.push({ at: Date.now(), path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(text) as unknown });
      const status = statuses[Math.min(calls++, statuses.length - 1)] ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver is down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}/hook`, got };
}

/** A real server: a TCP listener that can stop and start again on its port. */
async function realServer(): Promise<{ port: number; stop(): Promise<void>; start(): Promise<void> }> {
  let server: Server | null = null;
  let port = 0;
  const start = async () => {
    const next = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => next.listen(port, '127.0.0.1', resolve));
    const address = next.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    port = address.port;
    server = next;
  };
  const stop = async () => {
    const current = server;
    server = null;
    if (current) await new Promise((resolve) => current.close(resolve));
  };
  await start();
  cleanups.push(stop);
  return {
    get port() {
      return port;
    },
    stop,
    start,
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function revision(harness: Harness): Promise<number> {
  return data<{ revision: number }>(await trpcQuery(harness.url, 'state.get')).revision;
}

async function configure(harness: Harness, webhooks: Array<Record<string, unknown>>, repeatIntervalMs = 1000): Promise<void> {
  const answer = await trpcMutation(harness.url, 'notifications.update', { enabled: true, groupWaitMs: 0, repeatIntervalMs, webhooks });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

function alertsOf(got: Received[]): Array<WebhookPayload['alerts'][number]> {
  return got.flatMap((r) => (r.body as WebhookPayload).alerts);
}

describe('notifications from the agent', () => {
  it('should POST each event to a loopback receiver in time: down, quorum lost, sorry server, up, drift', async () => {
    const hook = await receiver();
    const rs = await realServer();
    h = await startHarness({ demo: false });
    const harness = h;
    await configure(harness, [{ id: 'ops', name: 'Ops', url: hook.url, token: 'receiver-token-0123' }]);
    const added = await trpcMutation(harness.url, 'services.add', {
      baseRevision: await revision(harness),
      service: {
        key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.60', port: 80 },
        scheduler: 'wrr',
        destinations: [{ address: '127.0.0.1', port: rs.port, forwarding: 'masq', weight: 5 }],
        health: { checks: [CHECK], quorum: 5, sorryServer: { address: '127.0.0.9', port: 80, forwarding: 'masq', weight: 1 } },
      },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    await until('the first probe', async () => {
      const status = data<{ services: Array<{ destinations: Array<{ checks: Array<{ lastResult: unknown }> }> }> }>(
        await trpcQuery(harness.url, 'health.status'),
      );
      return status.services[0]?.destinations[0]?.checks[0]?.lastResult != null;
    });
    expect(hook.got).toEqual([]);

    const failedAt = Date.now();
    await rs.stop();
    await until('the down notification', () => alertsOf(hook.got).some((a) => a.kind === 'destination-down'));
    const down = hook.got[0];
    expect(down?.at).toBeDefined();
    expect((down?.at ?? Infinity) - failedAt).toBeLessThan(PROMISED_MS);
    expect(down?.authorization).toBe('Bearer receiver-token-0123');
    const payload = down?.body as WebhookPayload;
    expect(payload).toMatchObject({ version: 1, status: 'firing', group: 'service tcp:192.0.2.60:80', source: { agent: 'lvs-console', console: harness.url } });
    // One message for the three things that happened at once.
    expect(payload.alerts.map((a) => a.kind).sort()).toEqual(['destination-down', 'quorum-lost', 'sorry-server-on']);
    expect(payload.alerts.find((a) => a.kind === 'destination-down')?.labels).toEqual({ service: 'tcp:192.0.2.60:80', destination: `127.0.0.1:${rs.port}` });

    const recoveredAt = Date.now();
    await rs.start();
    await until('the up notification', () => alertsOf(hook.got).some((a) => a.kind === 'destination-up'));
    const up = hook.got.find((r) => (r.body as WebhookPayload).alerts.some((a) => a.kind === 'destination-up'));
    // The repeat interval (1 s) may hold it back after the down message.
    expect((up?.at ?? Infinity) - recoveredAt).toBeLessThan(PROMISED_MS + 1000);
    expect((up?.body as WebhookPayload).alerts.map((a) => a.kind).sort()).toEqual(['destination-up', 'quorum-regained', 'sorry-server-off']);

    // Drift: someone changes the kernel by hand.
    const plain = await trpcMutation(harness.url, 'services.add', {
      baseRevision: await revision(harness),
      service: {
        key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.61', port: 80 },
        scheduler: 'rr',
        destinations: [{ address: '198.51.100.61', port: 80, forwarding: 'masq', weight: 3 }],
      },
    });
    expect(plain.status).toBe(200);
    const dest = { address: '198.51.100.61', port: 80, forwarding: 'masq', upperThreshold: 0, lowerThreshold: 0 } as const;
    await harness.sim.apply([
      {
        kind: 'edit-destination',
        service: { kind: 'addr', protocol: 'tcp', address: '192.0.2.61', port: 80 },
        from: { ...dest, weight: 3 },
        to: { ...dest, weight: 9 },
      },
    ]);
    const driftAt = Date.now();
    await harness.running.agent.reconciler.checkDrift();
    await until('the drift notification', () => alertsOf(hook.got).some((a) => a.kind === 'drift-detected'));
    const drift = hook.got.find((r) => (r.body as WebhookPayload).group === 'drift');
    expect((drift?.at ?? Infinity) - driftAt).toBeLessThan(PROMISED_MS);
    expect((drift?.body as WebhookPayload).alerts[0]?.summary).toContain('weight 9 in the kernel, 3 desired');

    // The delivery log says what went where and what the receiver answered.
    const log = data<Array<{ ok: boolean; status: number; target: string; group: string }>>(await trpcQuery(harness.url, 'notifications.log'));
    expect(log.length).toBe(hook.got.length);
    expect(log.every((entry) => entry.ok && entry.status === 200 && entry.target === 'Ops')).toBe(true);
  });

  it('should deliver exactly once to a receiver that answers 500 and then 200, in Alertmanager form', async () => {
    const hook = await receiver([500, 200]);
    const rs = await realServer();
    h = await startHarness({ demo: false });
    const harness = h;
    await configure(harness, [{ id: 'am', name: 'Alertmanager', url: hook.url.replace('/hook', '/api/v2/alerts'), mode: 'alertmanager' }]);
    const added = await trpcMutation(harness.url, 'services.add', {
      baseRevision: await revision(harness),
      service: {
        key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.62', port: 80 },
        scheduler: 'wrr',
        destinations: [{ address: '127.0.0.1', port: rs.port, forwarding: 'masq', weight: 5 }],
        health: { checks: [CHECK] },
      },
    });
    expect(added.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await rs.stop();
    await until('the retried delivery', () => hook.got.length >= 2);
    // Nothing more comes once it was delivered.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(hook.got.length).toBe(2);
    expect(hook.got.map((r) => r.path)).toEqual(['/api/v2/alerts', '/api/v2/alerts']);
    const alerts = hook.got[1]?.body as AlertmanagerAlert[];
    // One destination and the default quorum of 1: the service loses quorum with it.
    expect(alerts.map((a) => a.labels.alertname).sort()).toEqual(['LvsQuorumLost', 'LvsRealServerDown']);
    expect(alerts.find((a) => a.labels.alertname === 'LvsRealServerDown')?.labels).toMatchObject({
      severity: 'warning',
      service: 'tcp:192.0.2.62:80',
      destination: `127.0.0.1:${rs.port}`,
    });
    const log = data<Array<{ ok: boolean; status: number; attempt: number; answer: string; retryAt: number | null }>>(
      await trpcQuery(harness.url, 'notifications.log'),
    );
    expect(log.map((e) => [e.attempt, e.ok, e.status])).toEqual([
      [2, true, 200],
      [1, false, 500],
    ]);
    expect(log[1]?.answer).toContain('receiver is down');
    expect(log[1]?.retryAt).not.toBeNull();
  });

  it('should send a test notification, audit settings changes and never show a token back', async () => {
    const hook = await receiver([200]);
    h = await startHarness({ demo: false });
    const harness = h;
    await configure(harness, [{ id: 'ops', name: 'Ops', url: `${hook.url}?key=very-secret`, token: 'receiver-token-0123' }]);
    const settings = await trpcQuery(harness.url, 'notifications.settings');
    expect(JSON.stringify(settings.body)).not.toContain('receiver-token-0123');
    expect(JSON.stringify(settings.body)).not.toContain('very-secret');
    // Saving the settings as shown (token left out) keeps the token.
    await configure(harness, [{ id: 'ops', name: 'Ops renamed', url: `${hook.url}?key=very-secret` }]);
    const results = data<Array<{ ok: boolean; status: number }>>(await trpcMutation(harness.url, 'notifications.test', {}));
    expect(results.map((r) => [r.ok, r.status])).toEqual([[true, 200]]);
    expect(hook.got[0]?.authorization).toBe('Bearer receiver-token-0123');
    expect((hook.got[0]?.body as WebhookPayload).alerts[0]?.kind).toBe('test');
    const audit = data<Array<{ what: string }>>(await trpcQuery(harness.url, 'audit.list', { limit: 20 }));
    const lines = audit.map((e) => e.what).join('\n');
    expect(lines).toContain('notification settings: on, 1 webhooks (ops)');
    expect(lines).toContain('test notification to every target: 1 of 1 answered ok');
    expect(lines).not.toContain('receiver-token-0123');
    // Bad input changes nothing.
    const bad = await trpcMutation(harness.url, 'notifications.update', {
      enabled: true,
      groupWaitMs: 0,
      repeatIntervalMs: 1000,
      webhooks: [{ id: 'x', name: 'X', url: 'file:///etc/passwd' }],
    });
    expect(bad.status).toBe(400);
    const after = data<{ webhooks: Array<{ name: string }> }>(await trpcQuery(harness.url, 'notifications.settings'));
    expect(after.webhooks.map((w) => w.name)).toEqual(['Ops renamed']);
  });
});
