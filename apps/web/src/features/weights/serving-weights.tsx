// The last non-zero weight of each real server IN EACH SERVICE, so "Enable"
// restores what a drain took away. Keyed by service and destination: one real
// server in two services has two weights. Held by the app (a provider), so it
// survives leaving a service page and is gone with the session.
import { createContext, useContext, useState, type ReactNode } from 'react';
import type { Destination, ServiceKey } from '@lvs-console/shared';
import { destinationId, serviceId } from '@lvs-console/shared';

type DestinationRef = Pick<Destination, 'address' | 'port'>;

export class ServingWeights {
  private readonly weights = new Map<string, number>();

  private static key(service: ServiceKey, dest: DestinationRef): string {
    return `${serviceId(service)} ${destinationId(dest)}`;
  }

  /** Note the weights a service's destinations serve with now (0 = drained, not noted). */
  remember(service: ServiceKey, destinations: ReadonlyArray<DestinationRef & { weight: number }>): void {
    for (const dest of destinations) if (dest.weight > 0) this.weights.set(ServingWeights.key(service, dest), dest.weight);
  }

  /** The weight to enable a drained destination with: its last serving weight, else 1. */
  weightToRestore(service: ServiceKey, dest: DestinationRef): number {
    return this.weights.get(ServingWeights.key(service, dest)) ?? 1;
  }
}

const ServingWeightsContext = createContext<ServingWeights | null>(null);

export function ServingWeightsProvider({ children }: { children: ReactNode }) {
  const [memory] = useState(() => new ServingWeights());
  return <ServingWeightsContext.Provider value={memory}>{children}</ServingWeightsContext.Provider>;
}

export function useServingWeights(): ServingWeights {
  const memory = useContext(ServingWeightsContext);
  if (!memory) throw new Error('useServingWeights needs a ServingWeightsProvider above it');
  return memory;
}
