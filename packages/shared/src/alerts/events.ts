// Alert events from state transitions: the agent takes a snapshot of what
// can be alerted on (health, quorum, drains, drift, VRRP roles) whenever
// something may have changed, and deriveAlertEvents(previous, next) says
// what changed. Pure: snapshots in, events out.

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
  summary: string;
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
              summary: `real server ${now.destination} of ${now.service} is up again`,
            }
          : {
              kind: 'destination-down',
              key: `destination ${key}`,
              group: serviceGroup(now.service),
              status: 'firing',
              severity: 'warning',
              time,
              labels,
              summary: `real server ${now.destination} of ${now.service} is down`,
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
        summary: `real server ${now.destination} of ${now.service} is drained: no connections left`,
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
              summary: `${service} has quorum again`,
            }
          : {
              kind: 'quorum-lost',
              key: `quorum ${service}`,
              group: serviceGroup(service),
              status: 'firing',
              severity: 'critical',
              time,
              labels: { service },
              summary: `${service} lost quorum: too few healthy real servers`,
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
              summary: `sorry server ${now.sorryServer} answers for ${service}`,
            }
          : {
              kind: 'sorry-server-off',
              key: `sorry ${service}`,
              group: serviceGroup(service),
              status: 'resolved',
              severity: 'warning',
              time,
              labels,
              summary: `sorry server ${now.sorryServer} no longer answers for ${service}`,
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
      summary: `the kernel drifted from the desired state: ${next.drift.count} differences${first ? ` (${first})` : ''}`,
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
      summary: 'the kernel matches the desired state again',
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
      summary:
        now.state === 'MASTER'
          ? `${now.director} became MASTER of VRRP instance ${now.instance} (was ${before.state})`
          : `${now.director} is no longer MASTER of VRRP instance ${now.instance} (now ${now.state})`,
    });
  }
  return events;
}

/** A change the kernel refused (the agent's own apply, or an operator's). */
export function applyFailedEvent(time: number, who: string, what: string, error: string): AlertEvent {
  return {
    kind: 'apply-failed',
    key: 'apply',
    group: 'apply',
    status: 'firing',
    severity: 'critical',
    time,
    labels: { who },
    summary: `applying "${what}" to the kernel failed: ${error}`,
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
    summary: `test notification sent by ${who}`,
  };
}
