// What a receiver gets. Two formats: the console's own JSON (documented in
// docs/alerts.md) and Alertmanager's POST /api/v2/alerts body, so an
// Alertmanager can be a webhook target as it is. Pure.
import type { AlertKind } from './events';
import type { GroupedAlert, Notification } from './grouping';

export interface NotificationSource {
  /** This director (hostname or the cluster member name). */
  director: string;
  cluster: string | null;
  /** The console's address, for links back. */
  consoleUrl: string;
}

export const WEBHOOK_FORMAT_VERSION = 1;

export interface WebhookPayload {
  version: typeof WEBHOOK_FORMAT_VERSION;
  source: { agent: 'lvs-console'; director: string; cluster: string | null; console: string };
  group: string;
  /** firing when any alert in it is firing, else resolved, else info. */
  status: 'firing' | 'resolved' | 'info';
  time: string;
  alerts: Array<{
    kind: AlertKind;
    status: GroupedAlert['status'];
    severity: GroupedAlert['severity'];
    summary: string;
    key: string;
    labels: Record<string, string>;
    time: string;
    transitions: number;
  }>;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

function flapNote(alert: GroupedAlert): string {
  return alert.transitions > 1 ? ` (changed ${alert.transitions} times since the last notification)` : '';
}

export function renderWebhookPayload(notification: Notification, source: NotificationSource): WebhookPayload {
  const statuses = new Set(notification.alerts.map((a) => a.status));
  return {
    version: WEBHOOK_FORMAT_VERSION,
    source: { agent: 'lvs-console', director: source.director, cluster: source.cluster, console: source.consoleUrl },
    group: notification.group,
    status: statuses.has('firing') ? 'firing' : statuses.has('resolved') ? 'resolved' : 'info',
    time: iso(notification.time),
    alerts: notification.alerts.map((alert) => ({
      kind: alert.kind,
      status: alert.status,
      severity: alert.severity,
      summary: `${alert.summary}${flapNote(alert)}`,
      key: alert.key,
      labels: alert.labels,
      time: iso(alert.time),
      transitions: alert.transitions,
    })),
  };
}

/** The alert names of the shipped Prometheus rules, so both paths route alike. */
export const ALERTNAME: Record<AlertKind, string> = {
  'destination-down': 'LvsRealServerDown',
  'destination-up': 'LvsRealServerDown',
  'quorum-lost': 'LvsQuorumLost',
  'quorum-regained': 'LvsQuorumLost',
  'sorry-server-on': 'LvsSorryServerActive',
  'sorry-server-off': 'LvsSorryServerActive',
  'drift-detected': 'LvsKernelDrift',
  'drift-cleared': 'LvsKernelDrift',
  'apply-failed': 'LvsApplyFailing',
  'drain-finished': 'LvsDrainFinished',
  failover: 'LvsDirectorFailover',
  test: 'LvsTestNotification',
};

/** Events that are not a lasting condition stay in Alertmanager this long. */
const INFO_ALERT_MS = 5 * 60_000;

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL: string;
}

/**
 * Alertmanager API v2 (POST /api/v2/alerts): an array of alerts. A resolved
 * alert carries the same labels as its firing one with endsAt set, which is
 * how Alertmanager learns it is over; firing ones leave endsAt to
 * Alertmanager's resolve_timeout.
 */
export function renderAlertmanagerPayload(notification: Notification, source: NotificationSource): AlertmanagerAlert[] {
  return notification.alerts.map((alert) => {
    const labels: Record<string, string> = {
      alertname: ALERTNAME[alert.kind],
      severity: alert.severity,
      director: source.director,
      ...(source.cluster ? { cluster: source.cluster } : {}),
      ...alert.labels,
    };
    if (alert.kind === 'test') labels.key = alert.key;
    const out: AlertmanagerAlert = {
      labels,
      annotations: { summary: `${alert.summary}${flapNote(alert)}`, kind: alert.kind },
      startsAt: iso(alert.time),
      generatorURL: source.consoleUrl,
    };
    if (alert.status === 'resolved') out.endsAt = iso(alert.time);
    if (alert.status === 'info') out.endsAt = iso(alert.time + INFO_ALERT_MS);
    return out;
  });
}
