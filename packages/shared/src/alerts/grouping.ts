// Grouping and repeat interval: events of one group (a service, drift, a
// VRRP instance) wait groupWaitMs so a whole rack failing is one message,
// and a group sends at most once per repeatIntervalMs. Changes in between
// collapse to the latest state per alert with a count of transitions, so a
// real server flapping 20 times a minute sends a few messages, not 40.
// Pure: the caller passes the time and schedules a wake-up at nextDueAt().
import type { AlertEvent } from './events';

export interface GroupingPolicy {
  groupWaitMs: number;
  repeatIntervalMs: number;
}

export interface GroupedAlert extends AlertEvent {
  /** Changes of this alert since the group's last notification (2 or more: it flapped). */
  transitions: number;
}

export interface Notification {
  group: string;
  time: number;
  alerts: GroupedAlert[];
}

interface GroupState {
  lastSentAt: number | null;
  pendingSince: number | null;
  pending: Map<string, GroupedAlert>;
}

export class AlertGrouper {
  private readonly groups = new Map<string, GroupState>();

  constructor(private policy: GroupingPolicy) {}

  setPolicy(policy: GroupingPolicy): void {
    this.policy = policy;
  }

  add(events: readonly AlertEvent[], now: number): void {
    for (const event of events) {
      let group = this.groups.get(event.group);
      if (!group) {
        group = { lastSentAt: null, pendingSince: null, pending: new Map() };
        this.groups.set(event.group, group);
      }
      group.pendingSince ??= now;
      const known = group.pending.get(event.key);
      group.pending.set(event.key, { ...event, transitions: (known?.transitions ?? 0) + 1 });
    }
  }

  private dueAt(group: GroupState): number | null {
    if (group.pendingSince === null) return null;
    const waited = group.pendingSince + this.policy.groupWaitMs;
    return group.lastSentAt === null ? waited : Math.max(waited, group.lastSentAt + this.policy.repeatIntervalMs);
  }

  /** Notifications whose time has come; their groups start a new repeat interval. */
  take(now: number): Notification[] {
    const out: Notification[] = [];
    for (const [name, group] of this.groups) {
      const due = this.dueAt(group);
      if (due === null || due > now) continue;
      out.push({ group: name, time: now, alerts: [...group.pending.values()] });
      group.pending = new Map();
      group.pendingSince = null;
      group.lastSentAt = now;
    }
    // Forget quiet groups once their interval is over: the map stays as small as the active groups.
    for (const [name, group] of this.groups) {
      if (group.pendingSince === null && group.lastSentAt !== null && group.lastSentAt + this.policy.repeatIntervalMs <= now) this.groups.delete(name);
    }
    return out;
  }

  /** When take() next has something to give, or null when nothing waits. */
  nextDueAt(): number | null {
    let next: number | null = null;
    for (const group of this.groups.values()) {
      const due = this.dueAt(group);
      if (due !== null && (next === null || due < next)) next = due;
    }
    return next;
  }
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000 };

/**
 * Delay before attempt `attempt + 1` after attempt `attempt` (1-based)
 * failed: base × 2^(attempt-1), capped; null when no attempt is left.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number | null {
  if (attempt >= policy.maxAttempts) return null;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}
