// Which observed services changed since an observation a tab holds, for
// state.since. Each service's settings are fingerprinted (numbers that move
// every second left out) when a tab asks, and stamped with the observation
// that first showed them changed: a service changed after the tab's
// observation is stamped later than it, so the tab gets it.
import { observedServiceFingerprint, type ObservedServiceChanges } from '@lvs-console/shared/api';
import { serviceId, type ObservedTable } from '@lvs-console/shared';

/** Removed services remembered; older callers get the whole table. */
const MAX_REMOVED = 10_000;

export class ObservedChangeLog {
  /** The observation the stamps are up to date with (-1: none yet). */
  private seenSeq = -1;
  /** Callers at this observation or later can be answered with changes. */
  private knownFrom = Number.POSITIVE_INFINITY;
  private readonly fingerprints = new Map<string, string>();
  private readonly changedAt = new Map<string, number>();
  private readonly removedAt = new Map<string, number>();

  /** Stamp what changed between the last observation seen and this one. */
  update(seq: number, table: ObservedTable): void {
    if (seq === this.seenSeq) return;
    const present = new Set<string>();
    for (const service of table.services) {
      const id = serviceId(service.key);
      present.add(id);
      const fingerprint = observedServiceFingerprint(service);
      if (this.fingerprints.get(id) !== fingerprint) {
        this.fingerprints.set(id, fingerprint);
        this.changedAt.set(id, seq);
        this.removedAt.delete(id);
      }
    }
    for (const id of [...this.fingerprints.keys()]) {
      if (present.has(id)) continue;
      this.fingerprints.delete(id);
      this.changedAt.delete(id);
      this.removedAt.set(id, seq);
    }
    if (this.removedAt.size > MAX_REMOVED) {
      // Forget the oldest removals; callers from before them get everything.
      const oldest = [...this.removedAt].sort((a, b) => a[1] - b[1]).slice(0, this.removedAt.size - MAX_REMOVED);
      for (const [id, at] of oldest) {
        this.removedAt.delete(id);
        this.knownFrom = Math.max(this.knownFrom, at);
      }
    }
    if (this.seenSeq === -1) this.knownFrom = seq;
    this.seenSeq = seq;
  }

  /** The services changed after `since` (whole) and those gone; null when `since` is not one this log can answer for. */
  changesSince(since: number, table: ObservedTable): ObservedServiceChanges | null {
    if (since < this.knownFrom || since > this.seenSeq) return null;
    return {
      changed: table.services.filter((service) => (this.changedAt.get(serviceId(service.key)) ?? Number.POSITIVE_INFINITY) > since),
      removed: [...this.removedAt].filter(([, at]) => at > since).map(([id]) => id),
      timeouts: table.timeouts,
      syncDaemons: table.syncDaemons,
    };
  }
}
