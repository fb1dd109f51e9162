// 1-second rates per service and destination, from consecutive snapshots'
// counters. Keys: serviceId, and `${serviceId} ${destinationId}`. The last
// reading lives at module level, so moving between screens keeps rates.
import type { Counters, ObservedTable } from '@lvs-console/shared';
import { destinationId, serviceId } from '@lvs-console/shared';
import { ratesBetween, type CounterRates } from './rates';

interface Reading { at: number; counters: Map<string, Counters> }

export function countersOf(table: ObservedTable): Map<string, Counters> {
  const map = new Map<string, Counters>();
  for (const svc of table.services) {
    const sid = serviceId(svc.key);
    map.set(sid, svc.stats);
    for (const dest of svc.destinations) map.set(`${sid} ${destinationId(dest)}`, dest.stats);
  }
  return map;
}

let base: Reading | null = null;
let rates = new Map<string, CounterRates>();

/**
 * Readings closer than this are not differenced: the agent re-observes right
 * after a change, and a delta over a few milliseconds would read as 0/s.
 */
const MIN_INTERVAL_MS = 800;

export function useLiveRates(observed: ObservedTable | null | undefined, observedAt: number | null | undefined): Map<string, CounterRates> {
  if (!observed || !observedAt) return rates;
  if (!base || observedAt < base.at) {
    base = { at: observedAt, counters: countersOf(observed) };
    return rates;
  }
  if (observedAt - base.at < MIN_INTERVAL_MS) return rates;
  const reading = { at: observedAt, counters: countersOf(observed) };
  const next = new Map<string, CounterRates>();
  for (const [id, counters] of reading.counters) {
    const old = base.counters.get(id);
    if (old) next.set(id, ratesBetween(old, counters, observedAt - base.at));
  }
  rates = next;
  base = reading;
  return rates;
}
