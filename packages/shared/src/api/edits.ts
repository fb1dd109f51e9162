// Edits of the desired state as pure functions: (state, edit) -> new state.
// The agent validates the result, plans it against the kernel and applies it;
// nothing here touches the kernel, so previews and mutations share one path.
import {
  DomainError,
  describedText,
  destinationId,
  nestedParams,
  serviceId,
  serviceLabel,
  wordParam,
  type DesiredState,
  type DescribedText,
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
      // With a pair the agent starts the daemon for the VRRP role and would silently override these.
      if (state.ha?.sync && edit.daemons.length > 0) throw DomainError.described('CONFLICT', 'syncDaemonsFollowPair');
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

/** A one-line description of an edit for audit logs and revision lists (in English). */
export function describeEdit(edit: Edit): string {
  return describedEdit(edit).message;
}

/** The same description by message id, so the console says it in its language. */
export function describedEdit(edit: Edit): DescribedText {
  switch (edit.op) {
    case 'add-service':
      return describedText('editAddService', {
        service: serviceLabel(edit.service.key),
        scheduler: edit.service.scheduler,
        servers: edit.service.destinations.length,
      });
    case 'edit-service':
      return describedText('editEditService', { service: serviceLabel(edit.service) });
    case 'remove-service':
      return describedText('editRemoveService', { service: serviceLabel(edit.service) });
    case 'set-scheduler':
      return describedText('editScheduler', {
        service: serviceLabel(edit.service),
        scheduler: edit.scheduler,
        flags: edit.flags.length ? ` (${edit.flags.join(', ')})` : '',
      });
    case 'set-persistence':
      return edit.persistence
        ? describedText('editPersistence', { service: serviceLabel(edit.service), timeout: edit.persistence.timeout })
        : describedText('editNoPersistence', { service: serviceLabel(edit.service) });
    case 'set-health': {
      if (!edit.health) return describedText('editNoHealth', { service: serviceLabel(edit.service) });
      const service = serviceLabel(edit.service);
      const onFailure = wordParam('onFailure', edit.health.onFailure);
      if (!edit.health.enabled) return describedText('editHealthOff', { service, ...onFailure });
      if (!edit.health.checks.length) return describedText('editHealthDefault', { service, ...onFailure });
      return describedText('editHealth', { service, kinds: edit.health.checks.map((c) => c.kind).join(', '), ...onFailure });
    }
    case 'add-destination':
      return describedText('editAddServer', {
        server: destinationId(edit.destination),
        service: serviceLabel(edit.service),
        weight: edit.destination.weight,
      });
    case 'edit-destination':
      return describedText('editEditServer', { server: destinationId(edit.destination), service: serviceLabel(edit.service) });
    case 'remove-destination':
      return describedText('editRemoveServer', { server: destinationId(edit.destination), service: serviceLabel(edit.service) });
    case 'set-weight':
      return describedText('editWeight', { server: destinationId(edit.destination), service: serviceLabel(edit.service), weight: edit.weight });
    case 'drain':
      return describedText('editDrain', { server: destinationId(edit.destination), service: serviceLabel(edit.service) });
    case 'set-timeouts':
      return edit.timeouts
        ? describedText('editTimeouts', { tcp: edit.timeouts.tcp, tcpFin: edit.timeouts.tcpFin, udp: edit.timeouts.udp })
        : describedText('editNoTimeouts');
    case 'set-sync-daemons': {
      const [first, second] = edit.daemons;
      if (!first) return describedText('editNoSyncDaemons');
      // The daemons as a nested message: their states are words of the console's language.
      const daemons = second
        ? describedText('syncDaemonTwo', {
            ...wordParam('state', first.state),
            interface: first.interface,
            syncId: first.syncId,
            ...wordParam('state2', second.state),
            interface2: second.interface,
            syncId2: second.syncId,
          })
        : describedText('syncDaemonOne', { ...wordParam('state', first.state), interface: first.interface, syncId: first.syncId });
      return describedText('editSyncDaemons', nestedParams('daemons', daemons));
    }
    case 'set-host-settings':
      return describedText('editHostSettings', { settings: edit.settings.length });
    case 'set-sysctl':
      return edit.value === null ? describedText('editNoSysctl', { name: edit.name }) : describedText('editSysctl', { name: edit.name, value: edit.value });
    case 'replace-state':
      return describedText('editReplaceState', { services: edit.state.services.length });
    case 'set-vip-interface':
      return edit.interface === null ? describedText('editNoVipInterface') : describedText('editVipInterface', { interface: edit.interface });
    case 'set-ha': {
      if (edit.ha === null) return describedText('editNoPair');
      const params = {
        directors: edit.ha.directors.map((d) => d.name).join(', '),
        instances: edit.ha.instances.map((i) => `${i.name} (virtual_router_id ${i.virtualRouterId}, ${i.interface})`).join(', '),
      };
      return edit.ha.sync
        ? describedText('editPairSync', { ...params, interface: edit.ha.sync.interface, syncId: edit.ha.sync.syncId })
        : describedText('editPair', params);
    }
  }
}
