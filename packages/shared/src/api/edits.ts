// Edits of the desired state as pure functions: (state, edit) -> new state.
// The agent validates the result, plans it against the kernel and applies it;
// nothing here touches the kernel, so previews and mutations share one path.
import {
  DomainError,
  destinationId,
  serviceId,
  serviceLabel,
  type DesiredState,
  type Destination,
  type HostSetting,
  type Service,
  type ServiceKey,
} from '../model';
import type { DestinationRef, Edit } from './inputs';

function findServiceIndex(state: DesiredState, key: ServiceKey): number {
  const id = serviceId(key);
  const index = state.services.findIndex((svc) => serviceId(svc.key) === id);
  if (index < 0) throw DomainError.described('NOT_FOUND', 'serviceMissing', { service: serviceLabel(key) });
  return index;
}

function findDestinationIndex(service: Service, ref: DestinationRef): number {
  const id = destinationId(ref);
  const index = service.destinations.findIndex((dest) => destinationId(dest) === id);
  if (index < 0) {
    throw new DomainError('NOT_FOUND', `real server ${id} is not a destination of ${serviceLabel(service.key)}`);
  }
  return index;
}

function replaceService(state: DesiredState, index: number, service: Service): DesiredState {
  const services = state.services.slice();
  services[index] = service;
  return { ...state, services };
}

function updateService(state: DesiredState, key: ServiceKey, update: (svc: Service) => Service): DesiredState {
  const index = findServiceIndex(state, key);
  const current = state.services[index];
  if (!current) throw DomainError.described('NOT_FOUND', 'serviceMissing', { service: serviceLabel(key) });
  return replaceService(state, index, update(current));
}

function updateDestination(state: DesiredState, key: ServiceKey, ref: DestinationRef, update: (dest: Destination) => Destination): DesiredState {
  return updateService(state, key, (svc) => {
    const index = findDestinationIndex(svc, ref);
    const destinations = svc.destinations.slice();
    const current = destinations[index];
    if (!current) throw new DomainError('NOT_FOUND', `real server ${destinationId(ref)} does not exist`);
    destinations[index] = update(current);
    return { ...svc, destinations };
  });
}

function upsertSysctl(settings: HostSetting[], name: string, value: string | null, reason: string): HostSetting[] {
  const others = settings.filter((s) => !(s.kind === 'sysctl' && s.name === name));
  if (value === null) return others;
  const existing = settings.find((s) => s.kind === 'sysctl' && s.name === name);
  const row: HostSetting = { kind: 'sysctl', name, value, reason: reason || (existing?.reason ?? '') };
  const at = settings.findIndex((s) => s.kind === 'sysctl' && s.name === name);
  if (at < 0) return [...others, row];
  const result = settings.slice();
  result[at] = row;
  return result;
}

/** The desired state after one edit. Throws DomainError NOT_FOUND / ALREADY_EXISTS. */
export function applyEdit(state: DesiredState, edit: Edit): DesiredState {
  switch (edit.op) {
    case 'add-service': {
      const id = serviceId(edit.service.key);
      if (state.services.some((svc) => serviceId(svc.key) === id)) {
        throw DomainError.described('ALREADY_EXISTS', 'serviceExists', { service: serviceLabel(edit.service.key) });
      }
      return { ...state, services: [...state.services, edit.service] };
    }
    case 'edit-service': {
      const { patch } = edit;
      if (
        patch.key &&
        serviceId(patch.key) !== serviceId(edit.service) &&
        state.services.some((svc) => patch.key && serviceId(svc.key) === serviceId(patch.key))
      ) {
        throw DomainError.described('ALREADY_EXISTS', 'serviceExists', { service: serviceLabel(patch.key) });
      }
      return updateService(state, edit.service, (svc) => ({
        ...svc,
        key: patch.key ?? svc.key,
        scheduler: patch.scheduler ?? svc.scheduler,
        flags: patch.flags ?? (patch.scheduler && patch.scheduler !== svc.scheduler ? [] : svc.flags),
        persistence: patch.persistence === undefined ? svc.persistence : patch.persistence,
        onePacket: patch.onePacket ?? svc.onePacket,
      }));
    }
    case 'remove-service': {
      const index = findServiceIndex(state, edit.service);
      const id = serviceId(edit.service);
      return {
        ...state,
        services: state.services.filter((_, i) => i !== index),
        // Source NAT rows of a removed service would point at nothing.
        hostSettings: state.hostSettings.filter((s) => !(s.kind === 'snat' && serviceId(s.service) === id)),
      };
    }
    case 'set-scheduler':
      return updateService(state, edit.service, (svc) => ({ ...svc, scheduler: edit.scheduler, flags: edit.flags }));
    case 'set-persistence':
      return updateService(state, edit.service, (svc) => ({ ...svc, persistence: edit.persistence }));
    case 'set-health':
      return updateService(state, edit.service, (svc) => {
        if (edit.health) return { ...svc, health: edit.health };
        const { health: _removed, ...rest } = svc;
        return rest;
      });
    case 'add-destination':
      return updateService(state, edit.service, (svc) => {
        const id = destinationId(edit.destination);
        if (svc.destinations.some((dest) => destinationId(dest) === id)) {
          throw DomainError.described('ALREADY_EXISTS', 'destinationExists', { id, service: serviceLabel(svc.key) });
        }
        return { ...svc, destinations: [...svc.destinations, edit.destination] };
      });
    case 'edit-destination':
      return updateDestination(state, edit.service, edit.destination, (dest) => {
        const { patch } = edit;
        const next: Destination = {
          address: dest.address,
          port: dest.port,
          forwarding: patch.forwarding ?? dest.forwarding,
          weight: patch.weight ?? dest.weight,
          upperThreshold: patch.upperThreshold ?? dest.upperThreshold,
          lowerThreshold: patch.lowerThreshold ?? dest.lowerThreshold,
        };
        const tunnel = patch.tunnel === undefined ? dest.tunnel : patch.tunnel;
        if (tunnel && next.forwarding === 'tunnel') next.tunnel = tunnel;
        return next;
      });
    case 'remove-destination':
      return updateService(state, edit.service, (svc) => {
        const index = findDestinationIndex(svc, edit.destination);
        return { ...svc, destinations: svc.destinations.filter((_, i) => i !== index) };
      });
    case 'set-weight':
      return updateDestination(state, edit.service, edit.destination, (dest) => ({ ...dest, weight: edit.weight }));
    case 'drain':
      // Weight 0 is quiescent: no new connections, established ones finish.
      return updateDestination(state, edit.service, edit.destination, (dest) => ({ ...dest, weight: 0 }));
    case 'set-timeouts':
      return { ...state, timeouts: edit.timeouts };
    case 'set-sync-daemons':
      return { ...state, syncDaemons: edit.daemons };
    case 'set-host-settings':
      return { ...state, hostSettings: edit.settings };
    case 'set-sysctl':
      return { ...state, hostSettings: upsertSysctl(state.hostSettings, edit.name, edit.value, edit.reason) };
    case 'replace-state':
      return edit.state;
    case 'set-vip-interface': {
      const { vipInterface: _dropped, ...rest } = state;
      return edit.interface === null ? rest : { ...rest, vipInterface: edit.interface };
    }
    case 'set-ha': {
      const { ha: _dropped, ...rest } = state;
      return edit.ha === null ? rest : { ...rest, ha: edit.ha };
    }
  }
}

/** A one-line description of an edit for audit logs and revision lists. */
export function describeEdit(edit: Edit): string {
  switch (edit.op) {
    case 'add-service':
      return `add service ${serviceLabel(edit.service.key)} (${edit.service.scheduler}, ${edit.service.destinations.length} real servers)`;
    case 'edit-service':
      return `edit service ${serviceLabel(edit.service)}`;
    case 'remove-service':
      return `remove service ${serviceLabel(edit.service)}`;
    case 'set-scheduler':
      return `set scheduler of ${serviceLabel(edit.service)} to ${edit.scheduler}${edit.flags.length ? ` (${edit.flags.join(', ')})` : ''}`;
    case 'set-persistence':
      return edit.persistence
        ? `set persistence of ${serviceLabel(edit.service)} to ${edit.persistence.timeout} s`
        : `turn off persistence of ${serviceLabel(edit.service)}`;
    case 'set-health': {
      if (!edit.health) return `remove health checks of ${serviceLabel(edit.service)}`;
      const kinds = edit.health.checks.length ? edit.health.checks.map((c) => c.kind).join(', ') : 'tcp (default)';
      return `set health checks of ${serviceLabel(edit.service)}: ${edit.health.enabled ? kinds : 'off'}, on failure ${edit.health.onFailure}`;
    }
    case 'add-destination':
      return `add real server ${destinationId(edit.destination)} to ${serviceLabel(edit.service)} (weight ${edit.destination.weight})`;
    case 'edit-destination':
      return `edit real server ${destinationId(edit.destination)} of ${serviceLabel(edit.service)}`;
    case 'remove-destination':
      return `remove real server ${destinationId(edit.destination)} from ${serviceLabel(edit.service)}`;
    case 'set-weight':
      return `set weight of ${destinationId(edit.destination)} in ${serviceLabel(edit.service)} to ${edit.weight}`;
    case 'drain':
      return `drain ${destinationId(edit.destination)} in ${serviceLabel(edit.service)} (weight 0)`;
    case 'set-timeouts':
      return edit.timeouts ? `set timeouts tcp ${edit.timeouts.tcp} tcpfin ${edit.timeouts.tcpFin} udp ${edit.timeouts.udp}` : 'stop managing timeouts';
    case 'set-sync-daemons':
      return edit.daemons.length
        ? `set sync daemons: ${edit.daemons.map((d) => `${d.state} on ${d.interface} (id ${d.syncId})`).join(', ')}`
        : 'stop sync daemons';
    case 'set-host-settings':
      return `set ${edit.settings.length} host settings`;
    case 'set-sysctl':
      return edit.value === null ? `stop managing sysctl ${edit.name}` : `set sysctl ${edit.name} = ${edit.value}`;
    case 'replace-state':
      return `replace desired state (${edit.state.services.length} services)`;
    case 'set-vip-interface':
      return edit.interface === null ? 'stop managing the VIPs on this director' : `put the VIPs on ${edit.interface}`;
    case 'set-ha':
      return edit.ha === null
        ? 'run as a director on its own (no pair)'
        : `set the pair: ${edit.ha.directors.map((d) => d.name).join(', ')}; VRRP ${edit.ha.instances.map((i) => `${i.name} (id ${i.virtualRouterId} on ${i.interface})`).join(', ')}${edit.ha.sync ? `; connection sync on ${edit.ha.sync.interface} id ${edit.ha.sync.syncId}` : ''}`;
  }
}
