// state.since sends the kernel table per service: only services whose
// settings or real servers changed since the caller's observation. The
// numbers that move every second (counters, rates, connection counts) are not
// a change: they reach the console through the stats stream (stats.onSample)
// and are laid over the held table with overlayLiveSample.
import { destinationId, serviceId } from '../model';
import type { ObservedService, ObservedTable } from '../model';
import type { LiveSample } from './outputs';

/** The observed services that changed (whole, numbers included) and the ids that left the kernel. */
export interface ObservedServiceChanges {
  changed: ObservedService[];
  removed: string[];
  timeouts: ObservedTable['timeouts'];
  syncDaemons: ObservedTable['syncDaemons'];
}

/** A service's settings and real servers without the numbers that move each second. */
export function observedServiceFingerprint(service: ObservedService): string {
  const { stats: _stats, rates: _rates, destinations, ...settings } = service;
  return JSON.stringify({
    ...settings,
    destinations: destinations.map(({ stats: _s, rates: _r, activeConns: _a, inactiveConns: _i, persistentConns: _p, ...destination }) => destination),
  });
}

/** The held table brought up to date: changed services replace theirs (or join at the end), removed ones go. */
export function mergeObservedChanges(held: ObservedTable | null, changes: ObservedServiceChanges): ObservedTable {
  const changedById = new Map(changes.changed.map((service) => [serviceId(service.key), service]));
  const removed = new Set(changes.removed);
  const services: ObservedService[] = [];
  for (const service of held?.services ?? []) {
    const id = serviceId(service.key);
    if (removed.has(id)) continue;
    const replacement = changedById.get(id);
    services.push(replacement ?? service);
    changedById.delete(id);
  }
  services.push(...changedById.values());
  return { services, timeouts: changes.timeouts, syncDaemons: changes.syncDaemons };
}

/** The table with the stream's latest rates and connection counts where the sample has them. */
export function overlayLiveSample(table: ObservedTable, sample: LiveSample | null): ObservedTable {
  if (!sample) return table;
  const byService = new Map(sample.services.map((service) => [service.id, service]));
  return {
    ...table,
    services: table.services.map((service) => {
      const live = byService.get(serviceId(service.key));
      if (!live) return service;
      const byDestination = new Map(live.destinations.map((d) => [d.id, d]));
      return {
        ...service,
        rates: live.rates,
        destinations: service.destinations.map((destination) => {
          const numbers = byDestination.get(destinationId(destination));
          return numbers
            ? {
                ...destination,
                rates: numbers.rates,
                activeConns: numbers.activeConns,
                inactiveConns: numbers.inactiveConns,
                persistentConns: numbers.persistentConns,
              }
            : destination;
        }),
      };
    }),
  };
}
