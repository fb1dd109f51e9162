// Bridges the console's service model to the pure scheduler models in
// packages/shared: predicted shares for (possibly edited) weights or a new
// scheduler, and how many clients a hash scheduler change would move.
import type { Destination, ObservedDestination, SchedFlag, SchedulerName, Service, ServiceKey } from '@lvs-console/shared';
import { destinationId } from '@lvs-console/shared';
import { kernelListOrder, predictShares, remapPreview, type RemapPreview, type SchedDestination, type SchedService } from '@lvs-console/shared/schedulers';
import { localMessage } from '../../lib/error-text';

export interface PredictInput {
  key: ServiceKey;
  scheduler: SchedulerName;
  flags: readonly SchedFlag[];
  persistence: Service['persistence'];
  /** In the order they were added (desired-state order); reversed to the kernel's list order here. */
  destinations: ReadonlyArray<Destination | ObservedDestination>;
  /** Weight overrides by destination id (a slider being dragged). */
  weights?: ReadonlyMap<string, number>;
  /** Destinations failing their check: treated as unavailable. */
  failing?: ReadonlySet<string>;
}

/** The simulated client population used for hash schedulers (exact over it). */
export const PREDICTION_CLIENTS = { count: 2000, prefix: '198.18.0.0/20' } as const;

function observedCounters(d: Destination | ObservedDestination) {
  return 'activeConns' in d
    ? { activeConns: d.activeConns, inactConns: d.inactiveConns, persistConns: d.persistentConns, overloaded: d.overloaded ?? false }
    : { activeConns: 0, inactConns: 0, persistConns: 0, overloaded: false };
}

export function toSchedService(input: PredictInput): SchedService {
  const dests: SchedDestination[] = input.destinations.map((d) => {
    const id = destinationId(d);
    const weight = input.failing?.has(id) ? 0 : (input.weights?.get(id) ?? d.weight);
    return {
      id,
      address: d.address,
      port: d.port,
      weight,
      lastWeight: d.weight || weight,
      upperThreshold: d.upperThreshold,
      lowerThreshold: d.lowerThreshold,
      ...observedCounters(d),
    };
  });
  return {
    scheduler: input.scheduler,
    flags: input.flags,
    destinations: kernelListOrder(dests),
    virtualService:
      input.key.kind === 'fwmark'
        ? { kind: 'fwmark', fwmark: input.key.fwmark }
        : { kind: 'addr', protocol: input.key.protocol, address: input.key.address, port: input.key.port },
    persistence: input.persistence ? { timeoutSec: input.persistence.timeout, netmaskPrefix: input.persistence.netmaskPrefix } : null,
  };
}

export interface SharesResult {
  shares: Map<string, number>;
  weightsMatter: boolean;
  /** The model's notes in the console's language. */
  notes: readonly string[];
  method: 'exact' | 'simulated';
}

export function predictedShares(input: PredictInput): SharesResult | null {
  if (input.destinations.length === 0) return null;
  try {
    const prediction = predictShares(toSchedService(input), { clients: PREDICTION_CLIENTS, connections: 3000 });
    return {
      shares: new Map(prediction.shares.map((s) => [s.id, s.share])),
      weightsMatter: prediction.weightsMatter,
      notes: prediction.said.map((note) => localMessage(note.messageId, note.params, note.message)),
      method: prediction.method,
    };
  } catch {
    // A model that cannot predict this service (e.g. an IPv6 population mismatch) shows no prediction rather than breaking the page.
    return null;
  }
}

export const HASH_SCHEDULERS: ReadonlySet<SchedulerName> = new Set<SchedulerName>(['sh', 'dh', 'mh']);

/** Clients that would move when switching from `before` to `after`; null unless both are sh/dh/mh of the same kind. */
export function clientsMoved(before: PredictInput, after: PredictInput): RemapPreview | null {
  if (!HASH_SCHEDULERS.has(after.scheduler) || before.scheduler !== after.scheduler) return null;
  try {
    const clients: string[] = [];
    for (let i = 0; i < PREDICTION_CLIENTS.count; i++) clients.push(`198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    return remapPreview(toSchedService(before), toSchedService(after), clients);
  } catch {
    return null;
  }
}
