// Alert events from state transitions: the agent takes a snapshot of what
// can be alerted on (health, quorum, drains, drift, VRRP roles) whenever
// something may have changed, and deriveAlertEvents(previous, next) says
// what changed. Pure: snapshots in, events out.
import { describedText, nestedParams, wordParam, type MessageId, type MessageParams, type RecordedWhat } from '../model/messages';

export const ALERT_KINDS = [
  'destination-down',
  'destination-up',
  'quorum-lost',
  'quorum-regained',
  'sorry-server-on',
  'sorry-server-off',
  'drift-detected',
  'drift-cleared',
  'apply-failed',
  'drain-finished',
  'failover',
  'test',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export type AlertSeverity = 'critical' | 'warning' | 'info';

export interface AlertEvent {
  kind: AlertKind;
  /** What the event is about, the same for its firing and resolving kinds ("destination tcp:… 10.0.0.1:80"). */
  key: string;
  /** Events of one group are sent together ("service tcp:192.0.2.10:80", "drift", "vrrp VI_1"). */
  group: string;
  /** A problem now (firing) or a problem gone (resolved); info events are neither. */
  status: 'firing' | 'resolved' | 'info';
  severity: AlertSeverity;
  time: number;
  /** In English (webhooks and commands receive it). */
  summary: string;
  /** The summary by message id, so the console's delivery log says it in its language. */
  summaryId?: MessageId;
  summaryParams?: MessageParams;
  /** Labels for receivers to route on: service, destination, director, instance, … */
  labels: Record<string, string>;
}

/** What can be alerted on, at one moment. Keys are the ids the console shows. */
export interface AlertSnapshot {
  /** `${service} ${destination}` → state. */
  destinations: Record<string, { service: string; destination: string; healthy: boolean; drainFinished: boolean }>;
  services: Record<string, { quorumUp: boolean; sorryServer: string | null; sorryServerActive: boolean }>;
  drift: { count: number; descriptions: string[] };
  /** `${director} ${instance}` → VRRP state, as this agent last heard it. */
  vrrp: Record<string, { director: string; instance: string; state: string }>;
}

export function emptyAlertSnapshot(): AlertSnapshot {
  return { destinations: {}, services: {}, drift: { count: 0, descriptions: [] }, vrrp: {} };
}

const serviceGroup = (service: string) => `service ${service}`;

/** An event's summary: the English text with its message id and parameters beside. */
function summary(id: MessageId, params: MessageParams = {}): Pick<AlertEvent, 'summary' | 'summaryId' | 'summaryParams'> {
  const said = describedText(id, params);
  return { summary: said.message, summaryId: said.messageId, summaryParams: said.params };
}

/**
 * The events between two snapshots. Something that appears or disappears
 * (a new service, a removed real server) is configuration, not an event:
 * only a change of a thing present in both snapshots counts.
 */
export function deriveAlertEvents(previous: AlertSnapshot, next: AlertSnapshot, time: number): AlertEvent[] {
  const events: AlertEvent[] = [];
  for (const [key, now] of Object.entries(next.destinations)) {
    const before = previous.destinations[key];
    if (!before) continue;
    const labels = { service: now.service, destination: now.destination };
    if (before.healthy !== now.healthy) {
      events.push(
        now.healthy
          ? {
              kind: 'destination-up',
              key: `destination ${key}`,
              group: serviceGroup(now.service),
              status: 'resolved',
              severity: 'warning',
              time,
              labels,
              ...summary('alertDestinationUp', { destination: now.destination, service: now.service }),
            }
          : {
              kind: 'destination-down',
              key: `destination ${key}`,
              group: serviceGroup(now.service),
              status: 'firing',
              severity: 'warning',
              time,
              labels,
              ...summary('alertDestinationDown', { destination: now.destination, service: now.service }),
            },
      );
    }
    if (!before.drainFinished && now.drainFinished) {
      events.push({
        kind: 'drain-finished',
        key: `drain ${key}`,
        group: serviceGroup(now.service),
        status: 'info',
        severity: 'info',
        time,
        labels,
        ...summary('alertDrainFinished', { destination: now.destination, service: now.service }),
      });
    }
  }
  for (const [service, now] of Object.entries(next.services)) {
    const before = previous.services[service];
    if (!before) continue;
    if (before.quorumUp !== now.quorumUp) {
      events.push(
        now.quorumUp
          ? {
              kind: 'quorum-regained',
              key: `quorum ${service}`,
              group: serviceGroup(service),
              status: 'resolved',
              severity: 'critical',
              time,
              labels: { service },
              ...summary('alertQuorumRegained', { service }),
            }
          : {
              kind: 'quorum-lost',
              key: `quorum ${service}`,
              group: serviceGroup(service),
              status: 'firing',
              severity: 'critical',
              time,
              labels: { service },
              ...summary('alertQuorumLost', { service }),
            },
      );
    }
    if (before.sorryServerActive !== now.sorryServerActive && now.sorryServer !== null) {
      const labels = { service, sorry_server: now.sorryServer };
      events.push(
        now.sorryServerActive
          ? {
              kind: 'sorry-server-on',
              key: `sorry ${service}`,
              group: serviceGroup(service),
              status: 'firing',
              severity: 'warning',
              time,
              labels,
              ...summary('alertSorryOn', { server: now.sorryServer, service }),
            }
          : {
              kind: 'sorry-server-off',
              key: `sorry ${service}`,
              group: serviceGroup(service),
              status: 'resolved',
              severity: 'warning',
              time,
              labels,
              ...summary('alertSorryOff', { server: now.sorryServer, service }),
            },
      );
    }
  }
  if (previous.drift.count === 0 && next.drift.count > 0) {
    const first = next.drift.descriptions.slice(0, 3).join('; ');
    events.push({
      kind: 'drift-detected',
      key: 'drift',
      group: 'drift',
      status: 'firing',
      severity: 'warning',
      time,
      labels: { differences: String(next.drift.count) },
      ...(first ? summary('alertDrift', { differences: next.drift.count, first }) : summary('alertDriftNoDetail', { differences: next.drift.count })),
    });
  } else if (previous.drift.count > 0 && next.drift.count === 0) {
    events.push({
      kind: 'drift-cleared',
      key: 'drift',
      group: 'drift',
      status: 'resolved',
      severity: 'warning',
      time,
      labels: {},
      ...summary('alertDriftCleared'),
    });
  }
  for (const [key, now] of Object.entries(next.vrrp)) {
    const before = previous.vrrp[key];
    if (!before || before.state === now.state) continue;
    if (now.state !== 'MASTER' && before.state !== 'MASTER') continue;
    events.push({
      kind: 'failover',
      key: `vrrp ${key}`,
      group: `vrrp ${now.instance}`,
      status: 'info',
      severity: now.state === 'MASTER' ? 'warning' : 'info',
      time,
      labels: { director: now.director, vrrp_instance: now.instance, state: now.state, previous_state: before.state },
      ...(now.state === 'MASTER'
        ? summary('alertBecameMaster', { director: now.director, instance: now.instance, ...wordParam('previous', before.state) })
        : summary('alertNoLongerMaster', { director: now.director, instance: now.instance, ...wordParam('state', now.state) })),
    });
  }
  return events;
}

/** A change the kernel refused (the agent's own apply, or an operator's). */
export function applyFailedEvent(time: number, who: string, what: RecordedWhat, error: string): AlertEvent {
  const change = { message: what.what, ...(what.whatId ? { messageId: what.whatId } : {}), ...(what.whatParams ? { params: what.whatParams } : {}) };
  return {
    kind: 'apply-failed',
    key: 'apply',
    group: 'apply',
    status: 'firing',
    severity: 'critical',
    time,
    labels: { who },
    ...summary('alertApplyFailed', nestedParams('what', change, { error })),
  };
}

export function testEvent(time: number, who: string): AlertEvent {
  return {
    kind: 'test',
    key: `test ${time}`,
    group: 'test',
    status: 'info',
    severity: 'info',
    time,
    labels: { who },
    ...summary('alertTest', { who }),
  };
}
