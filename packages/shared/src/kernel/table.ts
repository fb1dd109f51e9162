// The IPVS table as the kernel keeps it, and its rules: which changes it
// refuses (with ipvsadm's and the kernel's own words), what it stores for
// each change (DR/TUN ports follow the service port, scheduler flags become
// bits, "0 keeps" for --set timeouts, a new destination goes to the head of
// its service's list) and how `ipvsadm -L` lists it back. One model for the
// sim backend (which moves traffic over it), the plan's apply (whose property
// test therefore checks the kernel's behaviour) and the ipvsadm backend (which
// predicts each batch line's message with it). Pure: no I/O, no clock.
import { KERNEL_DEFAULT_TIMEOUTS, SCHEDULERS, destinationId, familyOf, parseIp, serviceFamily, serviceId } from '../model';
import type { Destination, Service, ServiceKey, SyncDaemon, Timeouts, TunnelOptions } from '../model';
import type { Change, ServiceSettings } from '../plan/change';
import { IPVSADM_MESSAGES, KERNEL_MESSAGES, incompatibleFlag, missingSchedulerMessage, schedFlagBits, schedFlagNames } from './messages';

/** One destination as the kernel stores it. */
export interface KernelDestination {
  readonly id: string;
  /** ipvsadm's listing position, computed once. */
  readonly sortKey: string;
  config: Destination;
  /** The latest non-zero weight (mh keeps its table through weight 0). */
  lastWeight: number;
}

/** One virtual service; `dests` is in the kernel's list order (newest first). */
export interface KernelService<D extends KernelDestination = KernelDestination> {
  readonly id: string;
  readonly sortKey: string;
  settings: ServiceSettings;
  dests: D[];
}

/**
 * How a user of the table extends its entries (the sim adds traffic state).
 * The returned object must keep every field of the base it was given.
 */
export interface KernelTableEntries<S extends KernelService<D>, D extends KernelDestination> {
  service(base: KernelService<D>): S;
  destination(base: KernelDestination): D;
}

/** What one change did; the entries it touched, so a user can follow up. */
export type KernelOutcome<S, D> =
  | { ok: false; error: string }
  | { ok: true; kind: 'service-added' | 'service-deleted'; service: S }
  | { ok: true; kind: 'service-edited'; service: S; previous: ServiceSettings }
  | { ok: true; kind: 'destination-added' | 'destination-edited' | 'destination-deleted'; service: S; destination: D }
  | { ok: true; kind: 'timeouts-set' | 'daemon-started' | 'daemon-stopped' };

/** The configuration part of the table, in ipvsadm's listing order. */
export interface KernelConfig {
  services: Service[];
  timeouts: Timeouts;
  syncDaemons: SyncDaemon[];
}

/** A table to load: a desired state, an observed table or a KernelConfig (extra fields ignored). */
export interface KernelConfigInput {
  readonly services: readonly Service[];
  readonly timeouts?: Timeouts | null;
  readonly syncDaemons?: readonly SyncDaemon[];
}

export interface KernelTableOptions<S extends KernelService<D>, D extends KernelDestination> {
  /** Scheduler modules this kernel has (default: all). */
  availableSchedulers?: readonly string[];
  entries?: KernelTableEntries<S, D>;
}

/** A refusal inside apply(); becomes the outcome's error text. */
class KernelRefusal extends Error {
  override readonly name = 'KernelRefusal';
}

/** Family-aware sort key matching ipvsadm's listing order. */
function addressSortKey(address: string): string {
  const ip = parseIp(address);
  if (!ip) return address;
  return `${ip.family === 'inet' ? '0' : '1'}${Array.from(ip.bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const PROTOCOL_NUMBER = { tcp: 6, udp: 17, sctp: 132 } as const;

function serviceSortKey(key: ServiceKey): string {
  if (key.kind === 'fwmark') {
    return `1${key.fwmark.toString(16).padStart(8, '0')}${key.family === 'inet' ? '0' : '1'}`;
  }
  return `0${'0'.repeat(8)}${addressSortKey(key.address).slice(0, 1)}${PROTOCOL_NUMBER[key.protocol].toString().padStart(3, '0')}${addressSortKey(key.address)}${key.port.toString().padStart(5, '0')}`;
}

function bySortKey(a: { sortKey: string }, b: { sortKey: string }): number {
  return a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0;
}

function isUnicast(address: string): boolean {
  const ip = parseIp(address);
  if (!ip) return false;
  const first = ip.bytes[0] ?? 0;
  if (ip.family === 'inet') {
    if (ip.bytes.every((b) => b === 0) || ip.bytes.every((b) => b === 255)) return false;
    return first < 224;
  }
  if (ip.bytes.every((b) => b === 0)) return false;
  return first !== 0xff;
}

/** Tunnel options as the kernel reports them: ipvsadm's defaults filled in, only the fields the type has. */
function tunnelOf(dest: Destination): TunnelOptions | undefined {
  if (dest.forwarding !== 'tunnel') return undefined;
  const type = dest.tunnel?.type ?? 'ipip';
  if (type === 'ipip') return { type };
  if (type === 'gre') return { type, checksum: dest.tunnel?.checksum ?? 'nocsum' };
  return { type, port: dest.tunnel?.port ?? 0, checksum: dest.tunnel?.checksum ?? 'nocsum' };
}

/** The port the kernel stores: ipvsadm -a/-e make a DR/TUN destination's port the service's. */
export function storedPort(key: ServiceKey, dest: Pick<Destination, 'forwarding' | 'port'>): number {
  return key.kind === 'addr' && dest.forwarding !== 'masq' ? key.port : dest.port;
}

/** Settings as the kernel reports them back: flags by bit, full-width netmasks omitted. */
function normalSettings(settings: ServiceSettings): ServiceSettings {
  const full = serviceFamily(settings.key) === 'inet' ? 32 : 128;
  let persistence = settings.persistence;
  if (persistence) {
    const normal: NonNullable<ServiceSettings['persistence']> = { timeout: persistence.timeout };
    if (persistence.netmaskPrefix !== undefined && persistence.netmaskPrefix !== full) normal.netmaskPrefix = persistence.netmaskPrefix;
    if (persistence.engine) normal.engine = persistence.engine;
    persistence = normal;
  }
  return {
    key: settings.key,
    scheduler: settings.scheduler,
    flags: schedFlagNames(settings.scheduler, schedFlagBits(settings.flags)),
    persistence,
    onePacket: settings.onePacket,
  };
}

const plainEntries: KernelTableEntries<KernelService, KernelDestination> = {
  service: (base) => base,
  destination: (base) => base,
};

export class KernelTable<D extends KernelDestination = KernelDestination, S extends KernelService<D> = KernelService<D>> {
  readonly services = new Map<string, S>();
  timeouts: Timeouts = { ...KERNEL_DEFAULT_TIMEOUTS };
  daemons: SyncDaemon[] = [];
  readonly availableSchedulers: readonly string[];
  private readonly entries: KernelTableEntries<S, D>;
  /** Services in listing order; rebuilt only when services come or go. */
  private ordered: S[] | null = null;

  constructor(options: KernelTableOptions<S, D> = {}) {
    this.availableSchedulers = options.availableSchedulers ?? SCHEDULERS;
    // Without entry hooks S and D are the plain kernel types.
    this.entries = options.entries ?? (plainEntries as unknown as KernelTableEntries<S, D>);
  }

  /** A plain table holding `config` (loaded through the kernel's own rules). */
  static of(config: KernelConfigInput, availableSchedulers?: readonly string[]): KernelTable {
    const table = new KernelTable(availableSchedulers ? { availableSchedulers } : {});
    table.load(config);
    return table;
  }

  /** Add what `config` holds, as ipvsadm -R would; returns the refusals. */
  load(config: KernelConfigInput): string[] {
    const errors: string[] = [];
    const keep = (outcome: KernelOutcome<S, D>): void => {
      if (!outcome.ok) errors.push(outcome.error);
    };
    if (config.timeouts) keep(this.apply({ kind: 'set-timeouts', from: null, to: config.timeouts }));
    for (const service of config.services) {
      keep(this.apply({ kind: 'add-service', service: service }));
      for (const destination of service.destinations) keep(this.apply({ kind: 'add-destination', service: service.key, destination }));
    }
    for (const daemon of config.syncDaemons ?? []) keep(this.apply({ kind: 'start-daemon', daemon }));
    return errors;
  }

  /** Services in ipvsadm's listing order. */
  listed(): readonly S[] {
    this.ordered ??= [...this.services.values()].sort(bySortKey);
    return this.ordered;
  }

  /** A service's destinations in ipvsadm's listing order. */
  static listedDestinations<D extends KernelDestination>(service: KernelService<D>): D[] {
    return [...service.dests].sort(bySortKey);
  }

  /** The configuration, as `ipvsadm -Sn` plus --timeout and --daemon would show it. */
  config(): KernelConfig {
    return {
      services: this.listed().map((service) => ({
        ...service.settings,
        flags: [...service.settings.flags],
        destinations: KernelTable.listedDestinations(service).map((dest) => ({ ...dest.config })),
      })),
      timeouts: { ...this.timeouts },
      syncDaemons: this.daemons.map((d) => ({ ...d })),
    };
  }

  apply(change: Change): KernelOutcome<S, D> {
    try {
      return this.applyOrRefuse(change);
    } catch (error) {
      if (error instanceof KernelRefusal) return { ok: false, error: error.message };
      throw error;
    }
  }

  private applyOrRefuse(change: Change): KernelOutcome<S, D> {
    switch (change.kind) {
      case 'add-service': {
        const id = serviceId(change.service.key);
        if (this.services.has(id)) throw new KernelRefusal(KERNEL_MESSAGES.serviceExists);
        this.checkServiceSettings(change.service);
        const service = this.entries.service({ id, sortKey: serviceSortKey(change.service.key), settings: normalSettings(change.service), dests: [] });
        this.services.set(id, service);
        this.ordered = null;
        return { ok: true, kind: 'service-added', service };
      }
      case 'edit-service': {
        const service = this.requireService(change.to.key, KERNEL_MESSAGES.noSuchService);
        this.checkServiceSettings(change.to);
        const previous = service.settings;
        service.settings = normalSettings(change.to);
        return { ok: true, kind: 'service-edited', service, previous };
      }
      case 'delete-service': {
        const service = this.requireService(change.service.key, KERNEL_MESSAGES.noSuchService);
        this.services.delete(service.id);
        this.ordered = null;
        return { ok: true, kind: 'service-deleted', service };
      }
      case 'add-destination': {
        const service = this.requireService(change.service, KERNEL_MESSAGES.serviceNotDefined);
        const stored = this.storedDestination(service, change.destination);
        const id = destinationId(stored);
        if (service.dests.some((d) => d.id === id)) throw new KernelRefusal(KERNEL_MESSAGES.destinationExists);
        const destination = this.entries.destination({
          id,
          sortKey: `${addressSortKey(stored.address)}${stored.port.toString().padStart(5, '0')}`,
          config: stored,
          lastWeight: stored.weight || 1,
        });
        // ip_vs_add_dest(): list_add_rcu, at the head of the list.
        service.dests.unshift(destination);
        return { ok: true, kind: 'destination-added', service, destination };
      }
      case 'edit-destination': {
        const service = this.requireService(change.service, KERNEL_MESSAGES.serviceNotDefined);
        const stored = this.storedDestination(service, change.to);
        const destination = service.dests.find((d) => d.id === destinationId(stored));
        if (!destination) throw new KernelRefusal(KERNEL_MESSAGES.noSuchDestination);
        destination.config = stored;
        if (stored.weight > 0) destination.lastWeight = stored.weight;
        return { ok: true, kind: 'destination-edited', service, destination };
      }
      case 'delete-destination': {
        const service = this.requireService(change.service, KERNEL_MESSAGES.serviceNotDefined);
        // ipvsadm -d passes the port as given (no DR/TUN rewrite, unlike -a and -e).
        const id = destinationId(change.destination);
        const destination = service.dests.find((d) => d.id === id);
        if (!destination) throw new KernelRefusal(KERNEL_MESSAGES.noSuchDestination);
        service.dests = service.dests.filter((d) => d !== destination);
        return { ok: true, kind: 'destination-deleted', service, destination };
      }
      case 'set-timeouts': {
        // --set: 0 leaves a timeout as it is.
        this.timeouts = {
          tcp: change.to.tcp || this.timeouts.tcp,
          tcpFin: change.to.tcpFin || this.timeouts.tcpFin,
          udp: change.to.udp || this.timeouts.udp,
        };
        return { ok: true, kind: 'timeouts-set' };
      }
      case 'start-daemon': {
        if (this.daemons.some((d) => d.state === change.daemon.state)) throw new KernelRefusal(KERNEL_MESSAGES.daemonRunning);
        this.daemons.push({ ...change.daemon });
        return { ok: true, kind: 'daemon-started' };
      }
      case 'stop-daemon': {
        if (!this.daemons.some((d) => d.state === change.daemon.state)) throw new KernelRefusal(KERNEL_MESSAGES.noDaemon);
        this.daemons = this.daemons.filter((d) => d.state !== change.daemon.state);
        return { ok: true, kind: 'daemon-stopped' };
      }
    }
  }

  private checkServiceSettings(settings: ServiceSettings): void {
    if (!this.availableSchedulers.includes(settings.scheduler)) {
      throw new KernelRefusal(missingSchedulerMessage(settings.scheduler));
    }
    if (settings.key.kind === 'addr' && settings.key.port === 0 && !settings.persistence) {
      throw new KernelRefusal(IPVSADM_MESSAGES.zeroPort);
    }
    if (settings.onePacket && settings.key.kind === 'addr' && settings.key.protocol !== 'udp') {
      throw new KernelRefusal(IPVSADM_MESSAGES.onePacketUdpOnly);
    }
    const badFlag = incompatibleFlag(settings.scheduler, settings.flags);
    if (badFlag) throw new KernelRefusal(`incompatible scheduler flag \`${badFlag}'`);
  }

  private requireService(key: ServiceKey, missing: string): S {
    const service = this.services.get(serviceId(key));
    if (!service) throw new KernelRefusal(missing);
    return service;
  }

  /** The destination as the kernel stores it: DR/TUN ports follow the service port. */
  private storedDestination(service: S, dest: Destination): Destination {
    const key = service.settings.key;
    if (dest.weight < 0 || dest.weight > 65535) throw new KernelRefusal(KERNEL_MESSAGES.outOfRange);
    if (dest.lowerThreshold > dest.upperThreshold) throw new KernelRefusal(KERNEL_MESSAGES.outOfRange);
    if (familyOf(dest.address) !== serviceFamily(key) && dest.forwarding !== 'tunnel') {
      throw new KernelRefusal(IPVSADM_MESSAGES.familyMismatch);
    }
    if (!isUnicast(dest.address)) throw new KernelRefusal(KERNEL_MESSAGES.invalid);
    const tunnel = tunnelOf(dest);
    if (tunnel?.type === 'gue' && !tunnel.port) {
      throw new KernelRefusal("You need to supply the 'tun-port' option for the 'gue' tunnel type");
    }
    const stored: Destination = {
      address: dest.address,
      port: storedPort(key, dest),
      forwarding: dest.forwarding,
      weight: dest.weight,
      upperThreshold: dest.upperThreshold,
      lowerThreshold: dest.lowerThreshold,
    };
    if (tunnel) stored.tunnel = tunnel;
    return stored;
  }
}
