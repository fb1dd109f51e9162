// stats.shares: predicted (scheduler model) vs measured share of new connections.
import { DomainError, destinationId, serviceId, serviceLabel, type ServiceKey } from '@lvs-console/shared';
import type { ShareRow } from '@lvs-console/shared/api';
import { predictedShares } from '../../reconcile/shares';
import type { Agent } from '../agent';

/** Predicted (scheduler model) vs measured (kernel counters) share of new connections. */
export function shares(agent: Agent, key: ServiceKey, seconds: number): { service: string; scheduler: string; seconds: number; rows: ShareRow[] } {
  const id = serviceId(key);
  const service = agent.store.current()?.state.services.find((s) => serviceId(s.key) === id);
  if (!service) throw new DomainError('NOT_FOUND', `service ${serviceLabel(key)} does not exist`);
  const predicted = predictedShares(service);
  const measured = agent.stats.connectionsPerDestination(id, seconds);
  let total = 0;
  for (const count of measured.values()) total += count;
  const rows: ShareRow[] = service.destinations.map((dest) => {
    const destId = destinationId(dest);
    const connections = measured.get(destId) ?? 0;
    return {
      destination: destId,
      weight: dest.weight,
      predicted: predicted.get(destId) ?? null,
      measured: total > 0 ? connections / total : null,
      connections,
    };
  });
  return { service: id, scheduler: service.scheduler, seconds, rows };
}
