// "Drain this real server everywhere": the common maintenance case of a host
// that serves several virtual services. One desired state with weight 0 on
// every destination at that address, committed as one change (state.replace),
// so it is previewed, applied, audited and undone as a whole. Pure.
import { serviceId, serviceLabel, type DesiredState } from '@lvs-console/shared';

export interface SharedRealServer {
  address: string;
  /** Destinations at this address, across services. */
  services: Array<{ id: string; label: string; port: number; weight: number }>;
}

// One collator for every comparison: localeCompare with options builds one per call (seconds for 2,000 addresses).
const addressOrder = new Intl.Collator('en', { numeric: true });

/** Real-server addresses and where each serves, most services first. */
export function realServersAcrossServices(state: DesiredState): SharedRealServer[] {
  const byAddress = new Map<string, SharedRealServer>();
  for (const svc of state.services) {
    for (const dest of svc.destinations) {
      let entry = byAddress.get(dest.address);
      if (!entry) byAddress.set(dest.address, (entry = { address: dest.address, services: [] }));
      entry.services.push({ id: serviceId(svc.key), label: serviceLabel(svc.key), port: dest.port, weight: dest.weight });
    }
  }
  return [...byAddress.values()].sort((a, b) => b.services.length - a.services.length || addressOrder.compare(a.address, b.address));
}

/** The desired state with every destination at `address` at weight 0; null when it has none still taking connections. */
export function drainEverywhere(state: DesiredState, address: string): DesiredState | null {
  let changed = false;
  const services = state.services.map((svc) => ({
    ...svc,
    destinations: svc.destinations.map((dest) => {
      if (dest.address !== address || dest.weight === 0) return dest;
      changed = true;
      return { ...dest, weight: 0 };
    }),
  }));
  return changed ? { ...state, services } : null;
}
