// Drains as edits of the desired state: (state) -> new state. The agent
// submits them through its normal change path (validated, revisioned,
// audited), so a drain survives an agent restart like any other setting.
import { DomainError } from '../model/errors';
import { serviceHealthSchema, type Drain } from '../model/health';
import type { DesiredState, HostSetting, Service, ServiceKey } from '../model/ipvs';
import { destinationId, serviceId, serviceLabel } from '../model/keys';

export const EXPIRE_QUIESCENT_TEMPLATE = 'net.ipv4.vs.expire_quiescent_template';

export interface DrainRequest {
  removeWhenDrained?: boolean;
  /** Remove the destination at this time (epoch ms) even if connections remain. */
  deadline?: number;
  /** Also set net.ipv4.vs.expire_quiescent_template=1 (host-wide) so persistence templates stop pinning clients here. */
  expireQuiescentTemplate?: boolean;
  by?: string;
}

function updateService(state: DesiredState, key: ServiceKey, update: (service: Service) => Service): DesiredState {
  const id = serviceId(key);
  const index = state.services.findIndex((s) => serviceId(s.key) === id);
  const service = state.services[index];
  if (!service) throw new DomainError('NOT_FOUND', `service ${serviceLabel(key)} does not exist`);
  const services = state.services.slice();
  services[index] = update(service);
  return { ...state, services };
}

function requireDestination(service: Service, destId: string): void {
  if (!service.destinations.some((d) => destinationId(d) === destId)) {
    throw new DomainError('NOT_FOUND', `real server ${destId} is not a destination of ${serviceLabel(service.key)}`);
  }
}

function withExpireQuiescentTemplate(settings: readonly HostSetting[]): HostSetting[] {
  const others = settings.filter((s) => !(s.kind === 'sysctl' && s.name === EXPIRE_QUIESCENT_TEMPLATE));
  return [
    ...others,
    {
      kind: 'sysctl',
      name: EXPIRE_QUIESCENT_TEMPLATE,
      value: '1',
      reason: 'drain: persistence templates of a weight-0 server expire, so persistent clients move on',
    },
  ];
}

/** Start draining a destination (weight 0 in the kernel, configured weight kept). Re-draining updates the options. */
export function startDrain(state: DesiredState, key: ServiceKey, destId: string, request: DrainRequest, now: number): DesiredState {
  const next = updateService(state, key, (service) => {
    requireDestination(service, destId);
    if (request.deadline !== undefined && request.deadline <= now) {
      throw new DomainError('INVALID_INPUT', 'the drain deadline must be in the future');
    }
    const health = service.health ?? serviceHealthSchema.parse({ enabled: false });
    const previous = health.drains[destId];
    const drain: Drain = {
      startedAt: previous?.startedAt ?? now,
      removeWhenDrained: request.removeWhenDrained ?? false,
      expireQuiescentTemplate: request.expireQuiescentTemplate ?? false,
      by: request.by ?? '',
    };
    if (request.deadline !== undefined) drain.deadline = request.deadline;
    return { ...service, health: { ...health, drains: { ...health.drains, [destId]: drain } } };
  });
  return request.expireQuiescentTemplate ? { ...next, hostSettings: withExpireQuiescentTemplate(next.hostSettings) } : next;
}

/**
 * Stop draining: the destination gets its configured weight back. The
 * expire_quiescent_template sysctl is host-wide and stays as it is.
 */
export function cancelDrain(state: DesiredState, key: ServiceKey, destId: string): DesiredState {
  return updateService(state, key, (service) => {
    const drains = service.health?.drains ?? {};
    if (!service.health || !drains[destId]) {
      throw new DomainError('NOT_FOUND', `${destId} is not being drained in ${serviceLabel(service.key)}`);
    }
    const { [destId]: _cancelled, ...rest } = drains;
    return { ...service, health: { ...service.health, drains: rest } };
  });
}

/** Remove a drained destination, its drain and its health overrides. */
export function removeDrainedDestination(state: DesiredState, key: ServiceKey, destId: string): DesiredState {
  return updateService(state, key, (service) => {
    requireDestination(service, destId);
    const destinations = service.destinations.filter((d) => destinationId(d) !== destId);
    if (!service.health) return { ...service, destinations };
    const { [destId]: _drain, ...drains } = service.health.drains;
    const { [destId]: _override, ...overrides } = service.health.destinations;
    return { ...service, destinations, health: { ...service.health, drains, destinations: overrides } };
  });
}
