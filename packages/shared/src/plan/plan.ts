// plan(desired, observed): the minimal, ordered kernel operations that make
// the observed table equal the desired one. Pure; comparisons use config
// fields only (observed counters are ignored by construction).
import {
  DomainError,
  destinationId,
  serviceFamily,
  serviceId,
  serviceLabel,
  type DesiredState,
  type Destination,
  type DomainErrorCode,
  type Persistence,
  type SchedFlag,
  type Service,
  type ServiceKey,
  type SyncDaemon,
  type Timeouts,
  type TunnelOptions,
} from '../model';
import { KERNEL_MESSAGES, KernelTable, schedFlagBits, type KernelConfigInput } from '../kernel';
import type { Change, ServiceSettings } from './change';

/** The config part of a table: a DesiredState, or an ObservedTable (extra fields ignored). */
export type TableConfig = KernelConfigInput;

export function settingsOf(service: Service): ServiceSettings {
  return {
    key: service.key,
    scheduler: service.scheduler,
    flags: service.flags,
    persistence: service.persistence,
    onePacket: service.onePacket,
  };
}

function samePersistence(a: Persistence | null, b: Persistence | null, key: ServiceKey): boolean {
  if (a === null || b === null) return a === b;
  if (a.timeout !== b.timeout || (a.engine ?? null) !== (b.engine ?? null)) return false;
  if (a.netmaskPrefix === b.netmaskPrefix) return true;
  // Only now is the family needed (it parses the address): an unset netmask is the full one.
  const fullPrefix = serviceFamily(key) === 'inet' ? 32 : 128;
  return (a.netmaskPrefix ?? fullPrefix) === (b.netmaskPrefix ?? fullPrefix);
}

/** Flags as the kernel stores them: bits (ipvsadm names bit 1 sh-fallback under sh, mh-fallback under mh). */
function sameFlags(a: readonly SchedFlag[], b: readonly SchedFlag[]): boolean {
  if (a.length === 0 && b.length === 0) return true;
  return schedFlagBits(a) === schedFlagBits(b);
}

export function sameServiceSettings(a: ServiceSettings, b: ServiceSettings): boolean {
  return a.scheduler === b.scheduler && a.onePacket === b.onePacket && sameFlags(a.flags, b.flags) && samePersistence(a.persistence, b.persistence, a.key);
}

/** Tunnel options with ipvsadm's defaults filled in (type ipip, nocsum, port 0). */
function normalTunnel(dest: Destination): Required<TunnelOptions> | null {
  if (dest.forwarding !== 'tunnel') return null;
  return {
    type: dest.tunnel?.type ?? 'ipip',
    port: dest.tunnel?.port ?? 0,
    checksum: dest.tunnel?.checksum ?? 'nocsum',
  };
}

export function sameDestinationConfig(a: Destination, b: Destination): boolean {
  if (a.forwarding !== b.forwarding || a.weight !== b.weight || a.upperThreshold !== b.upperThreshold || a.lowerThreshold !== b.lowerThreshold) return false;
  const ta = normalTunnel(a);
  const tb = normalTunnel(b);
  if (ta === null || tb === null) return ta === tb;
  return ta.type === tb.type && ta.port === tb.port && ta.checksum === tb.checksum;
}

function sameTimeouts(a: Timeouts | null | undefined, b: Timeouts | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.tcp === b.tcp && a.tcpFin === b.tcpFin && a.udp === b.udp;
}

/** What the kernel reports for options left unset (ipvsadm -L --daemon on 6.1; ip_vs_sync.c defaults). */
const DAEMON_DEFAULTS = { maxLength: 1472, group: '224.0.0.81', port: 8848, ttl: 1 } as const;

function sameDaemon(a: SyncDaemon, b: SyncDaemon): boolean {
  return (
    a.state === b.state &&
    a.interface === b.interface &&
    a.syncId === b.syncId &&
    (a.maxLength ?? DAEMON_DEFAULTS.maxLength) === (b.maxLength ?? DAEMON_DEFAULTS.maxLength) &&
    (a.group ?? DAEMON_DEFAULTS.group) === (b.group ?? DAEMON_DEFAULTS.group) &&
    (a.port ?? DAEMON_DEFAULTS.port) === (b.port ?? DAEMON_DEFAULTS.port) &&
    (a.ttl ?? DAEMON_DEFAULTS.ttl) === (b.ttl ?? DAEMON_DEFAULTS.ttl)
  );
}

/** Destination changes of one service: adds, then edits, then deletes, so a pool is never emptied needlessly. */
function planDestinations(key: ServiceKey, desired: readonly Destination[], observed: readonly Destination[], out: Change[]): void {
  // Each id is built once: matched entries leave the index, what is left (in observed order) goes.
  const unmatched = new Map<string, Destination>();
  for (const dest of observed) unmatched.set(destinationId(dest), dest);
  let edits: Change[] | null = null;
  for (const dest of desired) {
    const id = destinationId(dest);
    const current = unmatched.get(id);
    if (!current) {
      out.push({ kind: 'add-destination', service: key, destination: dest });
      continue;
    }
    unmatched.delete(id);
    if (!sameDestinationConfig(dest, current)) (edits ??= []).push({ kind: 'edit-destination', service: key, from: current, to: dest });
  }
  if (edits) out.push(...edits);
  for (const dest of unmatched.values()) out.push({ kind: 'delete-destination', service: key, destination: dest });
}

export function plan(desired: TableConfig, observed: TableConfig): Change[] {
  const changes: Change[] = [];
  if (desired.timeouts && !sameTimeouts(desired.timeouts, observed.timeouts)) {
    changes.push({ kind: 'set-timeouts', from: observed.timeouts ?? null, to: desired.timeouts });
  }

  const unmatched = new Map<string, Service>();
  for (const service of observed.services) unmatched.set(serviceId(service.key), service);
  for (const service of desired.services) {
    const id = serviceId(service.key);
    const current = unmatched.get(id);
    if (!current) {
      changes.push({ kind: 'add-service', service: settingsOf(service) });
      for (const dest of service.destinations) changes.push({ kind: 'add-destination', service: service.key, destination: dest });
      continue;
    }
    unmatched.delete(id);
    if (!sameServiceSettings(service, current)) {
      changes.push({ kind: 'edit-service', from: settingsOf(current), to: settingsOf(service) });
    }
    planDestinations(service.key, service.destinations, current.destinations, changes);
  }
  // Whole services go last: everything that adds capacity has happened first.
  for (const service of unmatched.values()) changes.push({ kind: 'delete-service', service: settingsOf(service) });

  const desiredDaemons = desired.syncDaemons ?? [];
  const observedDaemons = observed.syncDaemons ?? [];
  for (const daemon of observedDaemons) {
    const wanted = desiredDaemons.find((d) => d.state === daemon.state);
    if (!wanted || !sameDaemon(wanted, daemon)) changes.push({ kind: 'stop-daemon', daemon });
  }
  for (const daemon of desiredDaemons) {
    const running = observedDaemons.find((d) => d.state === daemon.state);
    if (!running || !sameDaemon(running, daemon)) changes.push({ kind: 'start-daemon', daemon });
  }
  return changes;
}

/**
 * The state that results from applying `changes` to `state` as the kernel
 * would (the shared kernel table model: its refusals, what it stores, "0
 * keeps" for timeouts). A refused change throws a DomainError with the
 * kernel's words. Services come back in ipvsadm's listing order; host
 * settings are carried over, and timeouts stay unmanaged (null) unless a
 * change sets them.
 */
export function applyChanges(state: DesiredState, changes: readonly Change[]): DesiredState {
  const table = KernelTable.of(state);
  for (const change of changes) {
    const outcome = table.apply(change);
    if (!outcome.ok) throw new DomainError(refusalCode(outcome.error), `${describeChange(change)}: ${outcome.error}`);
  }
  const config = table.config();
  const timeoutsSet = changes.some((c) => c.kind === 'set-timeouts');
  return { ...state, services: config.services, syncDaemons: config.syncDaemons, timeouts: state.timeouts || timeoutsSet ? config.timeouts : null };
}

export function applyChange(state: DesiredState, change: Change): DesiredState {
  return applyChanges(state, [change]);
}

function refusalCode(message: string): DomainErrorCode {
  if (message === KERNEL_MESSAGES.serviceExists || message === KERNEL_MESSAGES.destinationExists || message === KERNEL_MESSAGES.daemonRunning)
    return 'ALREADY_EXISTS';
  if (
    message === KERNEL_MESSAGES.noSuchService ||
    message === KERNEL_MESSAGES.serviceNotDefined ||
    message === KERNEL_MESSAGES.noSuchDestination ||
    message === KERNEL_MESSAGES.noDaemon
  )
    return 'NOT_FOUND';
  return 'KERNEL_ERROR';
}

/** One line in words, for audit logs and the console's change list. */
export function describeChange(change: Change): string {
  switch (change.kind) {
    case 'add-service':
      return `add service ${serviceLabel(change.service.key)} (${change.service.scheduler})`;
    case 'edit-service':
      return `edit service ${serviceLabel(change.to.key)}`;
    case 'delete-service':
      return `delete service ${serviceLabel(change.service.key)}`;
    case 'add-destination':
      return `add real server ${destinationId(change.destination)} to ${serviceLabel(change.service)} (weight ${change.destination.weight})`;
    case 'edit-destination': {
      const weight = change.from.weight !== change.to.weight ? ` weight ${change.from.weight} -> ${change.to.weight}` : '';
      return `edit real server ${destinationId(change.to)} of ${serviceLabel(change.service)}${weight}`;
    }
    case 'delete-destination':
      return `remove real server ${destinationId(change.destination)} from ${serviceLabel(change.service)}`;
    case 'set-timeouts':
      return `set timeouts tcp ${change.to.tcp} tcpfin ${change.to.tcpFin} udp ${change.to.udp}`;
    case 'start-daemon':
      return `start ${change.daemon.state} sync daemon on ${change.daemon.interface} (syncid ${change.daemon.syncId})`;
    case 'stop-daemon':
      return `stop ${change.daemon.state} sync daemon`;
  }
}
