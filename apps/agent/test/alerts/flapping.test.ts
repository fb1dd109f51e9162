// A real server flapping (down/up 20 times in a minute) reaches a real HTTP
// receiver on loopback as a bounded number of messages: the notifier's
// grouping and repeat interval, on manual time (ManualTimers), with the real
// webhook delivery. The last message tells the state the server ended in.
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyAlertSnapshot, notificationSettingsSchema, type AlertSnapshot, type WebhookPayload } from '@lvs-console/shared/alerts';
import { ManualTimers } from '../../src/health/timers';
import { Notifier } from '../../src/alerts/notifier';
import { webhookTarget } from '../../src/alerts/targets';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function receiver(): Promise<{ url: string; got: WebhookPayload[] }> {
  const got: WebhookPayload[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      got.push(JSON.parse(text) as WebhookPayload);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const address = server.address();
  return { url: `http://127.0.0.1:${address !== null && typeof address === 'object' ? address.port : 0}/hook`, got };
}

function snapshotWith(healthy: boolean): AlertSnapshot {
  return {
    ...emptyAlertSnapshot(),
    destinations: { 'tcp:192.0.2.10:80 198.51.100.11:80': { service: 'tcp:192.0.2.10:80', destination: '198.51.100.11:80', healthy, drainFinished: false } },
  };
}

describe('a flapping real server', () => {
  it.each([[15_000], [60_000]])('should send a bounded number of messages with a repeat interval of %i ms', async (repeatIntervalMs) => {
    const hook = await receiver();
    const timers = new ManualTimers();
    let healthy = true;
    const settings = notificationSettingsSchema.parse({ groupWaitMs: 200, repeatIntervalMs, webhooks: [{ id: 'r', name: 'R', url: hook.url }] });
    const notifier = new Notifier(
      { timers, snapshot: () => snapshotWith(healthy), source: () => ({ director: 'lb1', cluster: null, consoleUrl: 'http://127.0.0.1:8080' }) },
      settings,
    );
    notifier.configure(settings, settings.webhooks.map(webhookTarget));
    notifier.start();
    const settle = () => notifier.idle();
    // 40 transitions: down and up 20 times within one minute.
    for (let i = 0; i < 40; i++) {
      healthy = !healthy;
      notifier.check();
      await timers.advance(1500, settle);
    }
    await timers.advance(2 * repeatIntervalMs, settle);
    await notifier.stop();
    const bound = 1 + Math.ceil(60_000 / repeatIntervalMs) + 1;
    expect(hook.got.length).toBeGreaterThanOrEqual(2);
    expect(hook.got.length).toBeLessThanOrEqual(bound);
    const last = hook.got[hook.got.length - 1]?.alerts[0];
    expect(last?.kind).toBe('destination-up');
    expect(last?.transitions).toBeGreaterThan(1);
  });
});
