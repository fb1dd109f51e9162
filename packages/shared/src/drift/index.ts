// Drift: what differs between the kernel and the desired state, in words an
// operator reads ("the kernel has ... that the desired state lacks"), plus
// the pure helpers the agent's reconciler uses to keep edits scoped and to
// undo a half-applied plan.
import { configOfService, destinationId, serviceId, serviceLabel, type DesiredState, type Destination, type ObservedTable, type Service } from '../model';
import type { Change } from '../plan/change';
import { plan, type TableConfig } from '../plan/plan';

function destinationConfigText(dest: Destination): string {
  const method = dest.forwarding === 'masq' ? 'NAT' : dest.forwarding === 'route' ? 'DR' : 'TUN';
  return `${method}, weight ${dest.weight}`;
}

function differences(from: Destination, to: Destination): string {
  const parts: string[] = [];
  if (from.weight !== to.weight) parts.push(`weight ${from.weight} in the kernel, ${to.weight} desired`);
  if (from.forwarding !== to.forwarding) parts.push(`forwarding ${from.forwarding} in the kernel, ${to.forwarding} desired`);
  if (from.upperThreshold !== to.upperThreshold) parts.push(`upper threshold ${from.upperThreshold} in the kernel, ${to.upperThreshold} desired`);
  if (from.lowerThreshold !== to.lowerThreshold) parts.push(`lower threshold ${from.lowerThreshold} in the kernel, ${to.lowerThreshold} desired`);
  return parts.length ? parts.join('; ') : 'tunnel options differ';
}

/**
 * One sentence per change of plan(desired, observed), read as a difference
 * seen in the kernel. Changes are what a revert would do, so "add" means the
 * kernel lacks it and "delete" means the kernel has something extra.
 */
export function describeDrift(changes: readonly Change[]): string[] {
  return changes.map((change) => {
    switch (change.kind) {
      case 'add-service':
        return `the kernel lacks service ${serviceLabel(change.service.key)} (${change.service.scheduler})`;
      case 'delete-service':
        return `the kernel has service ${serviceLabel(change.service.key)} that the desired state lacks`;
      case 'edit-service': {
        const parts: string[] = [];
        if (change.from.scheduler !== change.to.scheduler) parts.push(`scheduler ${change.from.scheduler} in the kernel, ${change.to.scheduler} desired`);
        if ((change.from.persistence?.timeout ?? 0) !== (change.to.persistence?.timeout ?? 0)) {
          parts.push(
            `persistence ${change.from.persistence ? `${change.from.persistence.timeout} s` : 'off'} in the kernel, ${change.to.persistence ? `${change.to.persistence.timeout} s` : 'off'} desired`,
          );
        }
        if (change.from.flags.join(',') !== change.to.flags.join(','))
          parts.push(`flags [${change.from.flags.join(', ')}] in the kernel, [${change.to.flags.join(', ')}] desired`);
        if (change.from.onePacket !== change.to.onePacket)
          parts.push(`one-packet ${change.from.onePacket ? 'on' : 'off'} in the kernel, ${change.to.onePacket ? 'on' : 'off'} desired`);
        return `service ${serviceLabel(change.to.key)}: ${parts.length ? parts.join('; ') : 'settings differ'}`;
      }
      case 'add-destination':
        return `the kernel lacks real server ${destinationId(change.destination)} in ${serviceLabel(change.service)} (${destinationConfigText(change.destination)})`;
      case 'delete-destination':
        return `the kernel has real server ${destinationId(change.destination)} in ${serviceLabel(change.service)} that the desired state lacks`;
      case 'edit-destination':
        return `real server ${destinationId(change.to)} in ${serviceLabel(change.service)}: ${differences(change.from, change.to)}`;
      case 'set-timeouts':
        return `timeouts differ: ${change.from ? `tcp ${change.from.tcp} tcpfin ${change.from.tcpFin} udp ${change.from.udp}` : 'unknown'} in the kernel, tcp ${change.to.tcp} tcpfin ${change.to.tcpFin} udp ${change.to.udp} desired`;
      case 'start-daemon':
        return `the ${change.daemon.state} sync daemon on ${change.daemon.interface} is not running`;
      case 'stop-daemon':
        return `a ${change.daemon.state} sync daemon on ${change.daemon.interface} runs that the desired state lacks`;
    }
  });
}

/** The undo of one change (add <-> delete, edit from <-> to). */
export function invertChange(change: Change): Change | null {
  switch (change.kind) {
    case 'add-service':
      return { kind: 'delete-service', service: change.service };
    case 'delete-service':
      return { kind: 'add-service', service: change.service };
    case 'edit-service':
      return { kind: 'edit-service', from: change.to, to: change.from };
    case 'add-destination':
      return { kind: 'delete-destination', service: change.service, destination: change.destination };
    case 'delete-destination':
      return { kind: 'add-destination', service: change.service, destination: change.destination };
    case 'edit-destination':
      return { kind: 'edit-destination', service: change.service, from: change.to, to: change.from };
    case 'set-timeouts':
      return change.from ? { kind: 'set-timeouts', from: change.to, to: change.from } : null;
    case 'start-daemon':
      return { kind: 'stop-daemon', daemon: change.daemon };
    case 'stop-daemon':
      return { kind: 'start-daemon', daemon: change.daemon };
  }
}

/**
 * The changes that undo the applied prefix of a plan, newest first. Deleting
 * a service also deleted its destinations, so those are re-added after it.
 */
export function rollbackChanges(applied: readonly Change[], observedBefore: TableConfig): Change[] {
  const out: Change[] = [];
  for (const change of [...applied].reverse()) {
    const inverse = invertChange(change);
    if (inverse) out.push(inverse);
    if (change.kind === 'delete-service') {
      const before = observedBefore.services.find((s) => serviceId(s.key) === serviceId(change.service.key));
      for (const dest of before?.destinations ?? []) out.push({ kind: 'add-destination', service: change.service.key, destination: dest });
    }
  }
  return out;
}

/** The config part of an observed table, as a desired state would hold it. */
export function desiredFromObserved(observed: ObservedTable, keep: Pick<DesiredState, 'hostSettings' | 'timeouts'>): DesiredState {
  return {
    services: observed.services.map(configOfService),
    // Timeouts stay unmanaged unless the operator manages them already.
    timeouts: keep.timeouts ? observed.timeouts : null,
    syncDaemons: observed.syncDaemons,
    hostSettings: keep.hostSettings,
  };
}

/** The service a change is about (serviceId), or null for timeouts and daemons. */
export function changeServiceId(change: Change): string | null {
  switch (change.kind) {
    case 'add-service':
    case 'delete-service':
      return serviceId(change.service.key);
    case 'edit-service':
      return serviceId(change.to.key);
    case 'add-destination':
    case 'edit-destination':
    case 'delete-destination':
      return serviceId(change.service);
    case 'set-timeouts':
    case 'start-daemon':
    case 'stop-daemon':
      return null;
  }
}

export interface EditScope {
  /** serviceIds the edit added, removed or changed. */
  services: Set<string>;
  timeouts: boolean;
  syncDaemons: boolean;
}

/**
 * What an edit changed, found by object identity: edits copy only what they
 * change, so an untouched service is the very same object in both states.
 * A service that differs in identity only counts as touched (a safe superset).
 */
export function editScope(next: DesiredState, previous: DesiredState): EditScope {
  const before = new Map<string, Service>(previous.services.map((s) => [serviceId(s.key), s]));
  const services = new Set<string>();
  for (const svc of next.services) {
    const id = serviceId(svc.key);
    if (before.get(id) !== svc) services.add(id);
    before.delete(id);
  }
  for (const id of before.keys()) services.add(id);
  return {
    services,
    timeouts: JSON.stringify(next.timeouts) !== JSON.stringify(previous.timeouts),
    syncDaemons:
      (next.syncDaemons !== previous.syncDaemons && JSON.stringify(next.syncDaemons) !== JSON.stringify(previous.syncDaemons)) ||
      // A pair's connection sync decides the effective daemons.
      JSON.stringify(next.ha?.sync) !== JSON.stringify(previous.ha?.sync),
  };
}

/** The plan restricted to some services (plus timeouts and daemons when asked). */
export function planWithin(desired: DesiredState, observed: ObservedTable, scope: EditScope): Change[] {
  const within = <T extends { key: Service['key'] }>(list: readonly T[]) => list.filter((s) => scope.services.has(serviceId(s.key)));
  return plan(
    {
      services: within(desired.services),
      timeouts: scope.timeouts ? desired.timeouts : null,
      syncDaemons: scope.syncDaemons ? desired.syncDaemons : observed.syncDaemons,
    },
    { services: within(observed.services), timeouts: observed.timeouts, syncDaemons: observed.syncDaemons },
  );
}

/**
 * Plan one edit without touching anything it did not change: services the
 * edit did not touch keep whatever the kernel has (drift there stays drift,
 * reported, not silently reverted by an unrelated weight change). Costs time
 * in proportion to what the edit touched, not to the size of the table.
 */
export function scopedPlan(next: DesiredState, previous: DesiredState, observed: ObservedTable): Change[] {
  return planWithin(next, observed, editScope(next, previous));
}

/** How one service differs between the kernel and the desired state. */
export type ServiceDriftKind = 'missing-in-kernel' | 'only-in-kernel' | 'differs';

/**
 * The agent's drift report read per service (by serviceId), so every screen
 * shows the one answer the agent computed instead of comparing on its own.
 */
export function driftByService(changes: readonly Change[]): Map<string, ServiceDriftKind> {
  const out = new Map<string, ServiceDriftKind>();
  for (const change of changes) {
    const id = changeServiceId(change);
    if (id === null) continue;
    const kind: ServiceDriftKind = change.kind === 'add-service' ? 'missing-in-kernel' : change.kind === 'delete-service' ? 'only-in-kernel' : 'differs';
    // A whole service missing (or extra) says more than its destination lines.
    if (out.get(id) === 'missing-in-kernel' || out.get(id) === 'only-in-kernel') continue;
    out.set(id, kind);
  }
  return out;
}
