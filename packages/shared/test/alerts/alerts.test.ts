import { describe, expect, it } from 'vitest';
import {
  AlertGrouper,
  deriveAlertEvents,
  emptyAlertSnapshot,
  mergeNotificationSettings,
  notificationSettingsInputSchema,
  notificationSettingsSchema,
  notificationSettingsView,
  renderAlertmanagerPayload,
  renderWebhookPayload,
  retryDelayMs,
  type AlertSnapshot,
} from '../../src/alerts';

const SVC = 'tcp:192.0.2.10:80';
const RS = '198.51.100.11:80';

function snapshot(healthy: boolean, extra: Partial<AlertSnapshot> = {}): AlertSnapshot {
  return {
    ...emptyAlertSnapshot(),
    destinations: { [`${SVC} ${RS}`]: { service: SVC, destination: RS, healthy, drainFinished: false } },
    services: { [SVC]: { quorumUp: true, sorryServer: null, sorryServerActive: false } },
    ...extra,
  };
}

describe('deriveAlertEvents', () => {
  it('should report a real server going down and up, keyed alike', () => {
    const down = deriveAlertEvents(snapshot(true), snapshot(false), 1000);
    expect(down.map((e) => [e.kind, e.status, e.group])).toEqual([['destination-down', 'firing', `service ${SVC}`]]);
    const up = deriveAlertEvents(snapshot(false), snapshot(true), 2000);
    expect(up.map((e) => e.kind)).toEqual(['destination-up']);
    expect(up[0]?.key).toBe(down[0]?.key);
  });

  it('should say nothing for things that appear or vanish, or for no change', () => {
    expect(deriveAlertEvents(emptyAlertSnapshot(), snapshot(false), 1)).toEqual([]);
    expect(deriveAlertEvents(snapshot(false), emptyAlertSnapshot(), 1)).toEqual([]);
    expect(deriveAlertEvents(snapshot(true), snapshot(true), 1)).toEqual([]);
  });

  it('should report quorum, the sorry server, drift, drains and a failover', () => {
    const before = snapshot(true, {
      services: { [SVC]: { quorumUp: true, sorryServer: '198.51.100.99:80', sorryServerActive: false } },
      vrrp: { 'lb1 VI_1': { director: 'lb1', instance: 'VI_1', state: 'MASTER' }, 'lb2 VI_1': { director: 'lb2', instance: 'VI_1', state: 'BACKUP' } },
    });
    const after = snapshot(true, {
      destinations: { [`${SVC} ${RS}`]: { service: SVC, destination: RS, healthy: true, drainFinished: true } },
      services: { [SVC]: { quorumUp: false, sorryServer: '198.51.100.99:80', sorryServerActive: true } },
      drift: { count: 2, descriptions: ['a', 'b'] },
      vrrp: { 'lb1 VI_1': { director: 'lb1', instance: 'VI_1', state: 'BACKUP' }, 'lb2 VI_1': { director: 'lb2', instance: 'VI_1', state: 'MASTER' } },
    });
    const kinds = deriveAlertEvents(before, after, 5)
      .map((e) => e.kind)
      .sort();
    expect(kinds).toEqual(['drain-finished', 'drift-detected', 'failover', 'failover', 'quorum-lost', 'sorry-server-on']);
    const back = deriveAlertEvents(after, before, 6)
      .map((e) => e.kind)
      .sort();
    expect(back).toEqual(['drift-cleared', 'failover', 'failover', 'quorum-regained', 'sorry-server-off']);
  });
});

describe('AlertGrouper', () => {
  const policy = { groupWaitMs: 200, repeatIntervalMs: 30_000 };

  it('should send the first event of a quiet group after the group wait, with others that came meanwhile', () => {
    const grouper = new AlertGrouper(policy);
    grouper.add(deriveAlertEvents(snapshot(true), snapshot(false), 0), 0);
    expect(grouper.take(100)).toEqual([]);
    expect(grouper.nextDueAt()).toBe(200);
    const [sent] = grouper.take(200);
    expect(sent?.alerts.map((a) => [a.kind, a.transitions])).toEqual([['destination-down', 1]]);
    expect(grouper.nextDueAt()).toBeNull();
  });

  it('should send a bounded number of messages for a server flapping 20 times a minute', () => {
    const grouper = new AlertGrouper(policy);
    let healthy = true;
    let sent = 0;
    let lastState: string | undefined;
    for (let t = 0; t < 60_000; t += 1500) {
      grouper.add(deriveAlertEvents(snapshot(healthy), snapshot(!healthy), t), t);
      healthy = !healthy;
      for (const n of grouper.take(t)) {
        sent++;
        lastState = n.alerts[0]?.kind;
      }
    }
    for (const n of grouper.take(120_000)) {
      sent++;
      lastState = n.alerts[0]?.kind;
    }
    // 40 transitions: the first after the wait, then one per repeat interval.
    expect(sent).toBeLessThanOrEqual(1 + Math.ceil(60_000 / policy.repeatIntervalMs) + 1);
    expect(sent).toBeGreaterThanOrEqual(2);
    // The last message tells the state it ended in (40 changes: up).
    expect(lastState).toBe('destination-up');
  });
});

describe('retryDelayMs', () => {
  it('should double the delay up to the cap and stop after the last attempt', () => {
    const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, policy))).toEqual([100, 200, 400, 500, null]);
  });
});

describe('payloads', () => {
  const source = { director: 'lb1', cluster: 'pair', consoleUrl: 'http://127.0.0.1:8080' };
  const [event] = deriveAlertEvents(snapshot(true), snapshot(false), Date.UTC(2026, 0, 1));
  const notification = { group: `service ${SVC}`, time: Date.UTC(2026, 0, 1), alerts: [{ ...event!, transitions: 3 }] };

  it('should render the documented JSON', () => {
    const payload = renderWebhookPayload(notification, source);
    expect(payload).toMatchObject({
      version: 1,
      status: 'firing',
      group: `service ${SVC}`,
      source: { director: 'lb1', cluster: 'pair' },
      time: '2026-01-01T00:00:00.000Z',
    });
    expect(payload.alerts[0]).toMatchObject({ kind: 'destination-down', labels: { service: SVC, destination: RS }, transitions: 3 });
    expect(payload.alerts[0]?.summary).toContain('changed 3 times');
  });

  it('should render Alertmanager alerts whose resolved form has the same labels and an end', () => {
    const [firing] = renderAlertmanagerPayload(notification, source);
    const [up] = deriveAlertEvents(snapshot(false), snapshot(true), Date.UTC(2026, 0, 1, 0, 5));
    const [resolved] = renderAlertmanagerPayload({ ...notification, alerts: [{ ...up!, transitions: 1 }] }, source);
    expect(firing?.labels).toEqual({ alertname: 'LvsRealServerDown', severity: 'warning', director: 'lb1', cluster: 'pair', service: SVC, destination: RS });
    expect(firing?.endsAt).toBeUndefined();
    expect(resolved?.labels).toEqual(firing?.labels);
    expect(resolved?.endsAt).toBe('2026-01-01T00:05:00.000Z');
  });
});

describe('notification settings', () => {
  const stored = notificationSettingsSchema.parse({
    webhooks: [{ id: 'ops', name: 'Ops', url: 'https://hooks.example.net/x?key=abc', token: 'secret-token-123456' }],
  });

  it('should never show a token or a query string in full', () => {
    const view = notificationSettingsView(stored);
    expect(JSON.stringify(view)).not.toContain('secret-token-123456');
    expect(JSON.stringify(view)).not.toContain('key=abc');
    expect(view.webhooks[0]?.token).toBe('••••3456');
  });

  it('should keep a token the input leaves out, and drop one set to null', () => {
    const input = notificationSettingsInputSchema.parse({
      enabled: true,
      groupWaitMs: 0,
      repeatIntervalMs: 5000,
      webhooks: [{ id: 'ops', name: 'Ops', url: 'https://hooks.example.net/x', mode: 'alertmanager' }],
    });
    expect(mergeNotificationSettings(stored, input).webhooks?.[0]?.token).toBe('secret-token-123456');
    const cleared = notificationSettingsInputSchema.parse({ ...input, webhooks: [{ ...input.webhooks[0], token: null }] });
    expect(mergeNotificationSettings(stored, cleared).webhooks?.[0]?.token).toBeNull();
  });

  it.each([
    ['ftp://x/y', 'http:// or https://'],
    ['http://user:pw@host/', 'no user:password'],
    ['not a url', 'no spaces'],
    ['http://host/a b', 'no spaces'],
  ])('should refuse the webhook url %s', (url, message) => {
    const result = notificationSettingsSchema.safeParse({ webhooks: [{ id: 'a', name: 'A', url }] });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });
});
