// lblc and lblcr: a table from the packet's *destination* address (the VIP,
// or each address a fwmark service matches) to a server (lblc) or a server
// set (lblcr). With one VIP every connection shares one entry, so these
// schedulers stick to one server until it is "overloaded" in their own sense.
//
// Entries are keyed by canonical address text. The kernel's hash buckets only
// decide the order in which its periodic garbage collector visits entries; the
// model collects in insertion order instead (see collectGarbage).
import { canonicalIp } from '../model/address';
import type { BoundList, PickContext, SchedulerCore } from './core';
import { connOverhead, pickLocalityFallback } from './least-connection';
import type { SchedDestination } from './types';

/** CHECK_EXPIRE_INTERVAL: the garbage-collection timer period. */
export const LOCALITY_TIMER_MS = 60_000;
/** ENTRY_TIMEOUT: entries idle this long may go when the table is over-full. */
export const LOCALITY_ENTRY_TIMEOUT_MS = 6 * 60_000;
/** DEFAULT_EXPIRATION: lblc_expiration / lblcr_expiration sysctl default (24 h). */
export const LOCALITY_DEFAULT_EXPIRATION_MS = 24 * 60 * 60_000;
/** COUNT_FOR_FULL_EXPIRATION: every 30th timer tick does a full expiry pass. */
const COUNT_FOR_FULL_EXPIRATION = 30;
/** max_size = IP_VS_LBLC_TAB_SIZE * 16 with the default 10 table bits. */
const LOCALITY_MAX_ENTRIES = 1024 * 16;

/**
 * is_overloaded() of ip_vs_lblc.c / ip_vs_lblcr.c (not the threshold flag):
 * more active connections than weight while some dest is below half its weight.
 */
export function localityOverloaded(dest: SchedDestination, dests: readonly SchedDestination[]): boolean {
  if (dest.activeConns <= dest.weight) return false;
  for (const other of dests) {
    if (other.activeConns * 2 < other.weight) return true;
  }
  return false;
}

export function localityKey(address: string): string {
  return canonicalIp(address) ?? address;
}

interface TimerState {
  nextTickMs: number;
  counter: number;
}

interface LastUse {
  readonly lastUseMs: number;
}

/**
 * ip_vs_lblc(r)_check_expire(), run for every timer tick due by `nowMs`.
 * Returns the entries to keep (the same map when nothing went).
 */
function runTimers<E extends LastUse>(entries: Map<string, E>, timer: TimerState, nowMs: number, expirationMs: number): Map<string, E> {
  let current = entries;
  while (timer.nextTickMs <= nowMs) {
    const tickMs = timer.nextTickMs;
    if (timer.counter % COUNT_FOR_FULL_EXPIRATION === 0) {
      // Full check: drop entries not used within the expiration.
      current = filterEntries(current, (entry) => tickMs < entry.lastUseMs + expirationMs, Infinity);
      timer.counter = 1;
    } else if (current.size <= LOCALITY_MAX_ENTRIES) {
      timer.counter++;
    } else {
      const goal = Math.min(Math.trunc(((current.size - LOCALITY_MAX_ENTRIES) * 4) / 3), LOCALITY_MAX_ENTRIES / 2);
      current = filterEntries(current, (entry) => tickMs < entry.lastUseMs + LOCALITY_ENTRY_TIMEOUT_MS, goal);
    }
    timer.nextTickMs += LOCALITY_TIMER_MS;
  }
  return current;
}

function filterEntries<E>(entries: Map<string, E>, keep: (entry: E) => boolean, maxRemovals: number): Map<string, E> {
  let result: Map<string, E> | null = null;
  let removed = 0;
  for (const [key, entry] of entries) {
    if (removed >= maxRemovals) break;
    if (keep(entry)) continue;
    result ??= new Map(entries);
    result.delete(key);
    removed++;
  }
  return result ?? entries;
}

// ---------------------------------------------------------------------------
// lblc

/**
 * The locality table lblc and lblcr share: a map from destination address
 * to its entry, copied on first write after a clone (clones are cheap and
 * the pure API clones per decision), and the kernel's expiry timer.
 */
abstract class LocalityCore<E extends LastUse> {
  protected entries: Map<string, E>;
  protected readonly timer: TimerState;
  private shared = false;

  constructor(
    entries: Map<string, E>,
    timer: TimerState,
    protected readonly expirationMs: number,
  ) {
    this.entries = entries;
    this.timer = { ...timer };
  }

  /** The current table: destination address -> entry. */
  get table(): ReadonlyMap<string, E> {
    return this.entries;
  }

  /** Both this core and its copy now share the map; whichever writes first copies it. */
  protected shareWith<C extends LocalityCore<E>>(copy: C): C {
    copy.shared = true;
    this.shared = true;
    return copy;
  }

  /** No dest hooks: entries pointing at removed dests fail the AVAILABLE test later. */
  destinationsChanged(): void {}

  protected writable(): Map<string, E> {
    if (this.shared) {
      this.entries = new Map(this.entries);
      this.shared = false;
    }
    return this.entries;
  }

  /** Run the kernel's periodic expiry up to now (it returns a new map when it removed entries). */
  protected expire(nowMs: number): void {
    const collected = runTimers(this.entries, this.timer, nowMs, this.expirationMs);
    if (collected !== this.entries) {
      this.entries = collected;
      this.shared = false;
    }
  }
}

export interface LblcEntry {
  readonly destId: string;
  readonly lastUseMs: number;
}

export class LblcCore extends LocalityCore<LblcEntry> implements SchedulerCore {
  static init(createdAtMs: number, expirationMs = LOCALITY_DEFAULT_EXPIRATION_MS): LblcCore {
    return new LblcCore(new Map(), { nextTickMs: createdAtMs + LOCALITY_TIMER_MS, counter: 1 }, expirationMs);
  }

  clone(): LblcCore {
    return this.shareWith(new LblcCore(this.entries, this.timer, this.expirationMs));
  }

  pick(list: BoundList, { conn, nowMs }: PickContext): number {
    this.expire(nowMs);
    const dests = list.dests;
    const key = localityKey(conn.virtualAddress);
    const entry = this.entries.get(key);
    if (entry) {
      this.writable().set(key, { destId: entry.destId, lastUseMs: nowMs });
      const index = list.indexById.get(entry.destId);
      if (index !== undefined) {
        const dest = dests[index] as SchedDestination;
        if (dest.weight > 0 && !localityOverloaded(dest, dests)) return index;
      }
    }
    const chosen = pickLocalityFallback(dests);
    if (chosen < 0) return -1;
    const chosenId = (dests[chosen] as SchedDestination).id;
    // ip_vs_lblc_new(): keep the entry when it already names this dest, else replace it.
    if (entry?.destId !== chosenId) this.writable().set(key, { destId: chosenId, lastUseMs: nowMs });
    return chosen;
  }
}

// ---------------------------------------------------------------------------
// lblcr

export interface LblcrEntry {
  /** The server set, newest first (ip_vs_dest_set_insert() adds at the head). */
  readonly destIds: readonly string[];
  readonly lastModMs: number;
  readonly lastUseMs: number;
}

/** ip_vs_dest_set_min(): weighted least-connection within the set. */
function setMin(ids: readonly string[], list: BoundList): number {
  let least = -1;
  let leastDest: SchedDestination | null = null;
  let leastOverhead = 0;
  for (const id of ids) {
    const index = list.indexById.get(id);
    if (index === undefined) continue; // not AVAILABLE: deleted from the service
    const dest = list.dests[index] as SchedDestination;
    if (dest.overloaded) continue;
    if (leastDest === null) {
      if (dest.weight > 0) {
        least = index;
        leastDest = dest;
        leastOverhead = connOverhead(dest);
      }
      continue;
    }
    const overhead = connOverhead(dest);
    if (leastOverhead * dest.weight > overhead * leastDest.weight) {
      least = index;
      leastDest = dest;
      leastOverhead = overhead;
    }
  }
  return least;
}

/**
 * ip_vs_dest_set_max(): weighted most-connection within the set. Deleted dests
 * are skipped (the kernel still reads their weight in the trash).
 */
function setMax(ids: readonly string[], list: BoundList): string | null {
  let most: SchedDestination | null = null;
  let mostOverhead = 0;
  for (const id of ids) {
    const index = list.indexById.get(id);
    if (index === undefined) continue;
    const dest = list.dests[index] as SchedDestination;
    if (most === null) {
      if (dest.weight > 0) {
        most = dest;
        mostOverhead = connOverhead(dest);
      }
      continue;
    }
    const overhead = connOverhead(dest);
    if (mostOverhead * dest.weight < overhead * most.weight && dest.weight > 0) {
      most = dest;
      mostOverhead = overhead;
    }
  }
  return most?.id ?? null;
}

export class LblcrCore extends LocalityCore<LblcrEntry> implements SchedulerCore {
  static init(createdAtMs: number, expirationMs = LOCALITY_DEFAULT_EXPIRATION_MS): LblcrCore {
    return new LblcrCore(new Map(), { nextTickMs: createdAtMs + LOCALITY_TIMER_MS, counter: 1 }, expirationMs);
  }

  clone(): LblcrCore {
    return this.shareWith(new LblcrCore(this.entries, this.timer, this.expirationMs));
  }

  pick(list: BoundList, { conn, nowMs }: PickContext): number {
    this.expire(nowMs);
    const dests = list.dests;
    const key = localityKey(conn.virtualAddress);
    const entry = this.entries.get(key);
    if (entry) {
      let destIds = entry.destIds;
      let lastModMs = entry.lastModMs;
      const least = setMin(destIds, list);
      // More than one server and the set has not changed for the expiration: shed the busiest.
      if (destIds.length > 1 && nowMs > lastModMs + this.expirationMs) {
        const most = setMax(destIds, list);
        if (most !== null) {
          destIds = destIds.filter((id) => id !== most);
          lastModMs = nowMs;
        }
      }
      if (least >= 0 && !localityOverloaded(dests[least] as SchedDestination, dests)) {
        this.writable().set(key, { destIds, lastModMs, lastUseMs: nowMs });
        return least;
      }
      const chosen = pickLocalityFallback(dests);
      if (chosen < 0) {
        this.writable().set(key, { destIds, lastModMs, lastUseMs: nowMs });
        return -1;
      }
      const chosenId = (dests[chosen] as SchedDestination).id;
      if (!destIds.includes(chosenId)) {
        destIds = [chosenId, ...destIds];
        lastModMs = nowMs;
      }
      this.writable().set(key, { destIds, lastModMs, lastUseMs: nowMs });
      return chosen;
    }
    const chosen = pickLocalityFallback(dests);
    if (chosen < 0) return -1;
    this.writable().set(key, { destIds: [(dests[chosen] as SchedDestination).id], lastModMs: nowMs, lastUseMs: nowMs });
    return chosen;
  }
}
