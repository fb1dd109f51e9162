// Which destination lists a 1 Hz counter sample reads again (pure: no I/O).
//
// IPVS counts every packet, byte and connection of a destination on its
// service in the same code path (ip_vs_in_stats / ip_vs_out_stats /
// ip_vs_conn_stats in net/netfilter/ipvs/ip_vs_core.c: the destination's
// stats, then dest->svc's, then the total). So while a service's counters
// and rate estimates stay as they were, its destinations' counters and
// rates stay too, and reading them again only costs the kernel's dump work
// and our decode. What the service row does NOT cover: destination config
// edited outside the agent (`ipvsadm -e`), destinations added or removed
// outside, the active/inactive/persistent connection gauges (connections
// expire on timers, without packets), and the kernel's estimator summing a
// service before its destinations in one pass (the destinations catch up at
// the next pass, 2 s later, without the service changing again). Hence:
// every sample reads the services; a service's destinations are read again
// when its row changed within the last SETTLE_MS, when it is new, and in a
// rotation that reads every service's destinations at least every
// DESTINATION_REREAD_SECONDS.
import { canonicalIp, serviceId, type ObservedService, type ObservedTable, type ServiceKey } from '@lvs-console/shared';
import type { Change } from '@lvs-console/shared/plan';

/**
 * Every service's destinations are read at least this often, whatever its
 * counters do. 5 s: hand edits (`ipvsadm -e`, a real server added outside)
 * and expired connections show in the console and in the counters' history
 * within a few seconds, as with the 5 s drift check; and at 1,000 services
 * the rotation reads 200 destination lists a second instead of 1,000.
 */
export const DESTINATION_REREAD_SECONDS = 5;

/**
 * A service whose row changed is read again for this long after its last
 * change: longer than one pass of the kernel's 2 s rate estimator, which
 * folds the per-CPU counters of a service into its total before those of
 * its destinations.
 */
export const SETTLE_MS = 3000;

/** One counter sample: the table plus how fresh each part of it is. */
export interface CounterSample {
  /** When the sample was taken (the sampler's clock, ms). */
  at: number;
  table: ObservedTable;
  /** Per service of table.services (same index): when its destination list was read from the kernel. */
  destinationsReadAt: readonly number[];
  /** Per service (same index): the last sample at which its row (counters, rates, config) differed from the one before; NEVER_CHANGED when never seen to. */
  changedAt: readonly number[];
  /** How many destination lists this sample read from the kernel (the rest were kept from the sample before). */
  destinationReads: number;
}

export const NEVER_CHANGED = Number.NEGATIVE_INFINITY;

function sameKey(a: ServiceKey, b: ServiceKey): boolean {
  if (a.kind === 'fwmark') return b.kind === 'fwmark' && a.fwmark === b.fwmark && a.family === b.family;
  return b.kind === 'addr' && a.protocol === b.protocol && a.port === b.port && a.address === b.address;
}

/** Counters, rates and config of a service row, without its destinations. No JSON, no allocation: this runs per service per second. */
function sameRow(a: ObservedService, b: ObservedService): boolean {
  const sa = a.stats;
  const sb = b.stats;
  const ra = a.rates;
  const rb = b.rates;
  const pa = a.persistence;
  const pb = b.persistence;
  return (
    sa.conns === sb.conns &&
    sa.inPkts === sb.inPkts &&
    sa.outPkts === sb.outPkts &&
    sa.inBytes === sb.inBytes &&
    sa.outBytes === sb.outBytes &&
    ra.cps === rb.cps &&
    ra.inPps === rb.inPps &&
    ra.outPps === rb.outPps &&
    ra.inBps === rb.inBps &&
    ra.outBps === rb.outBps &&
    a.scheduler === b.scheduler &&
    a.onePacket === b.onePacket &&
    a.flags.length === b.flags.length &&
    a.flags.every((flag, i) => flag === b.flags[i]) &&
    (pa === pb || (pa !== null && pb !== null && pa.timeout === pb.timeout && pa.netmaskPrefix === pb.netmaskPrefix && pa.engine === pb.engine))
  );
}

export interface DestinationReadPlan {
  /** Indexes into `services` whose destinations must be read now (ascending). */
  reread: number[];
  /** Per index not in `reread`: the destination list to keep (from the previous sample). */
  kept: Map<number, ObservedService['destinations']>;
  /** The new sample's changedAt (per index of `services`). */
  changedAt: number[];
  /** The new sample's destinationsReadAt, `now` for every index in `reread`. */
  destinationsReadAt: number[];
}

/**
 * The previous sample's index of each current row: the kernel dumps in hash
 * order, which stays put while the table does, so mostly the same index;
 * a serviceId lookup only where the order moved.
 */
function previousIndexes(previous: CounterSample, services: readonly ObservedService[]): Array<number | undefined> {
  const before = previous.table.services;
  let byId: Map<string, number> | null = null;
  return services.map((service, i) => {
    const same = before[i];
    if (same && sameKey(same.key, service.key)) return i;
    byId ??= new Map(before.map((old, j) => [serviceId(old.key), j]));
    return byId.get(serviceId(service.key));
  });
}

/**
 * Given the previous sample and the service rows just read (without
 * destinations), which services' destinations to read now. The rotation
 * reads count / DESTINATION_REREAD_SECONDS lists per second of time since
 * the previous sample (so a slow sample reads more, not less), oldest read
 * first, so the lists due are spread over the seconds instead of all
 * falling due together.
 */
export function planDestinationReads(previous: CounterSample | null, services: readonly ObservedService[], now: number): DestinationReadPlan {
  const count = services.length;
  const changedAt = new Array<number>(count).fill(NEVER_CHANGED);
  const destinationsReadAt = new Array<number>(count).fill(now);
  const kept = new Map<number, ObservedService['destinations']>();
  const reread: number[] = [];
  if (!previous) {
    for (let i = 0; i < count; i++) reread.push(i);
    return { reread, kept, changedAt, destinationsReadAt };
  }
  const indexes = previousIndexes(previous, services);
  const dueBefore = now - DESTINATION_REREAD_SECONDS * 1000;
  const waiting: number[] = [];
  const chosen = new Array<boolean>(count).fill(false);
  for (let i = 0; i < count; i++) {
    const j = indexes[i];
    const old = j === undefined ? undefined : previous.table.services[j];
    const readAt = j === undefined ? undefined : previous.destinationsReadAt[j];
    // A service new to the table is read anyway (and has nothing to compare with).
    if (!old || readAt === undefined || j === undefined) {
      chosen[i] = true;
      continue;
    }
    const service = services[i] as ObservedService;
    const lastChange = sameRow(old, service) ? (previous.changedAt[j] ?? NEVER_CHANGED) : now;
    changedAt[i] = lastChange;
    if (now - lastChange <= SETTLE_MS || readAt <= dueBefore) {
      chosen[i] = true;
      continue;
    }
    destinationsReadAt[i] = readAt;
    waiting.push(i);
  }
  // The rotation: top up to this sample's share with the oldest reads.
  const elapsed = Math.max(1000, now - previous.at);
  const share = Math.min(count, Math.ceil((count * elapsed) / (DESTINATION_REREAD_SECONDS * 1000)));
  let picked = chosen.reduce((n, c) => n + (c ? 1 : 0), 0);
  if (picked < share) {
    waiting.sort((a, b) => (destinationsReadAt[a] as number) - (destinationsReadAt[b] as number));
    for (const i of waiting) {
      if (picked >= share) break;
      chosen[i] = true;
      picked++;
    }
  }
  for (let i = 0; i < count; i++) {
    if (chosen[i]) {
      reread.push(i);
      destinationsReadAt[i] = now;
    } else {
      const j = indexes[i] as number;
      kept.set(i, (previous.table.services[j] as ObservedService).destinations);
    }
  }
  return { reread, kept, changedAt, destinationsReadAt };
}

/** A sample made of a full, fresh observation (backends that cannot read less): every list read now. */
export function fullSample(table: ObservedTable, now: number): CounterSample {
  const count = table.services.length;
  return {
    at: now,
    table,
    destinationsReadAt: new Array<number>(count).fill(now),
    changedAt: new Array<number>(count).fill(NEVER_CHANGED),
    destinationReads: count,
  };
}

/** serviceId of a key with its address as the kernel prints it (a plan's keys may spell it otherwise). */
function canonicalServiceId(key: ServiceKey): string {
  return serviceId(key.kind === 'addr' ? { ...key, address: canonicalIp(key.address) ?? key.address } : key);
}

/** The services (canonical serviceIds, as observed) whose destinations these changes may alter. */
export function touchedServiceIds(changes: readonly Change[]): Set<string> {
  const ids = new Set<string>();
  for (const change of changes) {
    switch (change.kind) {
      case 'add-service':
      case 'delete-service':
        ids.add(canonicalServiceId(change.service.key));
        break;
      case 'edit-service':
        ids.add(canonicalServiceId(change.to.key));
        break;
      case 'add-destination':
      case 'edit-destination':
      case 'delete-destination':
        ids.add(canonicalServiceId(change.service));
        break;
      case 'set-timeouts':
      case 'start-daemon':
      case 'stop-daemon':
        break;
    }
  }
  return ids;
}
