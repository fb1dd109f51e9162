// What follows from a director's VRRP role, as pure functions: the sync
// daemon it runs (master on the MASTER, backup otherwise, one sync id per
// pair) and how the console words a member it may no longer hear from.
import type { HaConfig, SyncDaemon, VrrpState } from '../model';
import { syncInstance } from '../model';

/**
 * The kernel sync daemons a director should run for its role in the
 * instance the daemon follows. A MASTER sends its connections; every other
 * state (BACKUP, FAULT, unknown) listens, so a later takeover has them.
 */
export function syncDaemonsFor(ha: HaConfig | undefined, roles: ReadonlyMap<string, VrrpState>): SyncDaemon[] {
  if (!ha?.sync) return [];
  const instance = syncInstance(ha);
  const role = instance ? roles.get(instance.name) : undefined;
  return [{ state: role === 'MASTER' ? 'master' : 'backup', interface: ha.sync.interface, syncId: ha.sync.syncId }];
}

/** A member is stale when nothing was heard from it for three poll periods. */
export function isStale(lastHeardAt: number | null, now: number, pollIntervalMs: number): boolean {
  return lastHeardAt === null || now - lastHeardAt > 3 * pollIntervalMs;
}
