// The simulated kernel: synthetic traffic moved through each service's
// scheduler, over the shared kernel table model (which refuses what the kernel
// refuses, with the kernel's words, and stores what the kernel stores). Deterministic under a seed; time only moves when the
// serving agent starts its timer or a test calls advanceTo(), so tests never sleep.
import { DomainError, formatIp, parseIp, serviceFamily, serviceId, zeroCounters, zeroRates } from '@lvs-console/shared';
import type {
  ConnectionEntry,
  Counters,
  KernelInfo,
  KernelRates,
  ObservedDestination,
  ObservedService,
  ObservedTable,
  ServiceKey,
  SyncDaemon,
  Timeouts,
} from '@lvs-console/shared';
import { KERNEL_MESSAGES, KernelTable } from '@lvs-console/shared/kernel';
import type { KernelDestination, KernelOutcome, KernelService } from '@lvs-console/shared/kernel';
import type { Change } from '@lvs-console/shared/plan';
import { Prng } from '@lvs-console/shared/schedulers';
import type { ApplyOptions, ApplyResult, ChangeResult, ConnectionPage, ConnectionQuery, KernelBackend } from './backend';
import { systemClock } from '../config/clock';
import type { Clock } from '../config/clock';
import { ConnectionPager } from './conn-table';
import { fullSample, touchedServiceIds, type CounterSample } from './sampling';
import { createSimScheduler } from './sim-scheduler';
import type { SchedulableDestination, SchedulerFactory, SchedulerSetup, SimScheduler } from './sim-scheduler';

/** How synthetic clients behave. Global defaults, optionally overridden per service. */
export interface TrafficSettings {
  /** New connections per second arriving at each service. */
  connectionsPerSecond: number;
  /** How many distinct client addresses the connections come from. */
  clients: number;
  /** Mean lifetime of a connection in seconds (exponentially distributed). */
  meanDurationSeconds: number;
  /** Packets per second in each direction on an open connection. */
  packetsPerSecond: number;
  bytesPerPacketIn: number;
  bytesPerPacketOut: number;
}

export const QUIET_TRAFFIC: TrafficSettings = {
  connectionsPerSecond: 0,
  clients: 200,
  meanDurationSeconds: 10,
  packetsPerSecond: 8,
  bytesPerPacketIn: 120,
  bytesPerPacketOut: 900,
};

export interface SimBackendOptions {
  clock?: Clock;
  /** Seed of the pseudo-random stream: same seed, same traffic. */
  seed?: number;
  traffic?: Partial<TrafficSettings>;
  /** Simulation step; arrivals and expiries are resolved at this granularity. */
  tickMs?: number;
  /** Scheduler modules this pretend kernel has (default: all 14). */
  availableSchedulers?: readonly string[];
  /** Where scheduling decisions come from (the kernel's algorithms). */
  schedulerFactory?: SchedulerFactory;
  connTableSize?: number;
  /** Simulated time to start from (default: the clock's now). */
  startAt?: number;
}

/** Kernel state timeouts not covered by --set (ip_vs_proto_tcp.c / _sctp.c). */
const SYN_RECV_TIMEOUT_S = 60;
const SCTP_CLOSED_TIMEOUT_S = 10;
const ESTIMATOR_PERIOD_MS = 2000;
const HANDSHAKE_BYTES = 60;

/** A destination of the kernel table, with the traffic it carries. */
interface SimDestination extends KernelDestination {
  activeConns: number;
  inactiveConns: number;
  persistentConns: number;
  overloaded: boolean;
  failing: boolean;
  removed: boolean;
  stats: Counters;
  rates: KernelRates;
  lastEstimate: Counters;
  /** Fractional packets carried over between ticks. */
  pendingIn: number;
  /** Connection-milliseconds of sending in the current tick. */
  sendingMs: number;
  pendingOut: number;
}

interface SimTemplate {
  readonly key: string;
  readonly clientAddress: string;
  readonly virtualPort: number;
  readonly dest: SimDestination;
  expiresAt: number;
  controlled: number;
}

type ConnState = 'ESTABLISHED' | 'SYN_RECV' | 'FIN_WAIT' | 'TIME_WAIT' | 'UDP' | 'CLOSED';

interface SimConnection {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly dest: SimDestination;
  readonly template: SimTemplate | null;
  state: ConnState;
  active: boolean;
  /** Until when the client keeps sending. */
  endAt: number;
  expiresAt: number;
}

/** A service of the kernel table, with its scheduler and connections. */
interface SimService extends KernelService<SimDestination> {
  scheduler: SimScheduler;
  schedulerSetup: SchedulerSetup;
  stats: Counters;
  rates: KernelRates;
  lastEstimate: Counters;
  conns: SimConnection[];
  templates: Map<string, SimTemplate>;
  pendingArrivals: number;
}

function addCounters(target: Counters, delta: Partial<Counters>): void {
  target.conns += delta.conns ?? 0;
  target.inPkts += delta.inPkts ?? 0;
  target.outPkts += delta.outPkts ?? 0;
  target.inBytes += delta.inBytes ?? 0;
  target.outBytes += delta.outBytes ?? 0;
}

/** The kernel's estimator: rate += (sample - rate) / 4 every 2 s. */
function estimate(rates: KernelRates, stats: Counters, last: Counters, periodS: number): void {
  const smooth = (old: number, delta: number): number => old + (delta / periodS - old) / 4;
  rates.cps = smooth(rates.cps, stats.conns - last.conns);
  rates.inPps = smooth(rates.inPps, stats.inPkts - last.inPkts);
  rates.outPps = smooth(rates.outPps, stats.outPkts - last.outPkts);
  rates.inBps = smooth(rates.inBps, stats.inBytes - last.inBytes);
  rates.outBps = smooth(rates.outBps, stats.outBytes - last.outBytes);
  Object.assign(last, stats);
}

function roundRates(rates: KernelRates): KernelRates {
  return {
    cps: Math.round(rates.cps),
    inPps: Math.round(rates.inPps),
    outPps: Math.round(rates.outPps),
    inBps: Math.round(rates.inBps),
    outBps: Math.round(rates.outBps),
  };
}

/** The client address with host bits cleared: the key of a persistence template. */
function maskAddress(address: string, prefix: number): string {
  const ip = parseIp(address);
  if (!ip) return address;
  const bytes = new Uint8Array(ip.bytes);
  for (let bit = 0; bit < bytes.length * 8; bit++) {
    if (bit >= prefix) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) & ~(0x80 >> (bit & 7));
  }
  return formatIp({ family: ip.family, bytes });
}

/** Most ticks one catch-up with the clock simulates; further behind, the rest is skipped. */
export const MAX_CATCHUP_TICKS = 20;
/** CPU one catch-up may use before it skips the rest (keeps /healthz and the API answering). */
const CATCHUP_BUDGET_MS = 50;

export class SimBackend implements KernelBackend {
  readonly kind = 'sim' as const;
  destinationListsRead = 0;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly tickMs: number;
  private readonly schedulerFactory: SchedulerFactory;
  private readonly connTableSize: number;
  private readonly table: KernelTable<SimDestination, SimService>;
  private traffic: TrafficSettings;
  private readonly trafficByService = new Map<string, Partial<TrafficSettings>>();
  /** Resolved settings per service, so a tick allocates nothing for quiet services. */
  private readonly resolvedTraffic = new Map<string, TrafficSettings>();
  private simTime: number;
  private nextEstimate: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Ticks simulated so far (tests budget the catch-up by this count). */
  ticksRun = 0;
  /** Simulated ms skipped because the simulation fell behind the clock. */
  skippedMs = 0;

  constructor(options: SimBackendOptions = {}) {
    this.clock = options.clock ?? systemClock;
    // The one seeded generator of the code base (the scheduler models use it too).
    const prng = Prng.fromSeed(options.seed ?? 1);
    this.random = () => prng.nextFloat();
    this.tickMs = Math.max(1, options.tickMs ?? 100);
    this.schedulerFactory = options.schedulerFactory ?? createSimScheduler;
    this.connTableSize = options.connTableSize ?? 4096;
    this.traffic = { ...QUIET_TRAFFIC, ...options.traffic };
    this.simTime = options.startAt ?? this.clock.now();
    this.nextEstimate = this.simTime + ESTIMATOR_PERIOD_MS;
    this.table = new KernelTable<SimDestination, SimService>({
      ...(options.availableSchedulers ? { availableSchedulers: options.availableSchedulers } : {}),
      entries: {
        service: (base) => this.newService(base),
        destination: (base) => ({
          ...base,
          activeConns: 0,
          inactiveConns: 0,
          persistentConns: 0,
          overloaded: false,
          failing: false,
          removed: false,
          stats: zeroCounters(),
          rates: zeroRates(),
          lastEstimate: zeroCounters(),
          pendingIn: 0,
          pendingOut: 0,
          sendingMs: 0,
        }),
      },
    });
  }

  private get services(): ReadonlyMap<string, SimService> {
    return this.table.services;
  }

  private get timeouts(): Timeouts {
    return this.table.timeouts;
  }

  // ---- KernelBackend ------------------------------------------------------

  describe(): Promise<string> {
    return Promise.resolve('Simulated kernel (in-memory IPVS 1.2.1 model)');
  }

  info(): Promise<KernelInfo> {
    return Promise.resolve({ ipvsVersion: '1.2.1', connTableSize: this.connTableSize });
  }

  observe(): Promise<ObservedTable> {
    this.catchUp();
    return Promise.resolve(this.snapshot());
  }

  /** The sim reads nothing from a kernel: every sample is a full observation. */
  async sample(_previous: CounterSample | null, now: number): Promise<CounterSample> {
    return fullSample(await this.observe(), now);
  }

  /**
   * Like the netlink backend (the contract's reading): every service row
   * afresh, the destinations of `services` and of services `base` lacks
   * afresh, the others' as in `base`. So the sim's tests see what a scoped
   * read keeps, and its read count.
   */
  observeWithin(services: ReadonlySet<string>, base: ObservedTable): Promise<ObservedTable> {
    this.catchUp();
    return Promise.resolve(this.snapshot(SimBackend.listsOutside(base, services)));
  }

  /** The destination lists of `table` (by serviceId) but those of `fresh`. */
  private static listsOutside(table: Pick<ObservedTable, 'services'>, fresh: ReadonlySet<string>): Map<string, ObservedService['destinations']> {
    const kept = new Map<string, ObservedService['destinations']>();
    for (const service of table.services) {
      const id = serviceId(service.key);
      if (!fresh.has(id)) kept.set(id, service.destinations);
    }
    return kept;
  }

  apply(changes: readonly Change[], options: ApplyOptions = {}): Promise<ApplyResult> {
    this.catchUp();
    const started = performance.now();
    const results: ChangeResult[] = changes.map((change) => {
      const outcome = this.table.apply(change);
      if (!outcome.ok) return { change, ok: false, error: outcome.error };
      this.followUp(outcome);
      return { change, ok: true };
    });
    const durationMs = performance.now() - started;
    if (!options.observeAfter) return Promise.resolve({ results, durationMs });
    // Like the netlink backend: given the table read before, only the touched services' lists are read again.
    const observed = options.before ? this.snapshot(SimBackend.listsOutside(options.before, touchedServiceIds(changes))) : this.snapshot();
    return Promise.resolve({ results, durationMs, observed });
  }

  connections(query: ConnectionQuery): Promise<ConnectionPage> {
    this.catchUp();
    const pager = new ConnectionPager(query);
    const now = this.simTime;
    const seconds = (at: number): number => Math.max(0, Math.ceil((at - now) / 1000));
    for (const service of this.services.values()) {
      const vip = this.virtualEndpoint(service.settings.key);
      for (const template of service.templates.values()) {
        pager.offer({
          protocol: 'IP',
          clientAddress: template.clientAddress,
          clientPort: 0,
          virtualAddress: vip.address,
          virtualPort: template.virtualPort,
          destAddress: template.dest.config.address,
          destPort: template.virtualPort === 0 ? 0 : template.dest.config.port,
          state: 'NONE',
          expiresIn: seconds(template.expiresAt),
          template: true,
        });
      }
      for (const conn of service.conns) {
        const entry: ConnectionEntry = {
          protocol: conn.protocol,
          clientAddress: conn.clientAddress,
          clientPort: conn.clientPort,
          virtualAddress: vip.address,
          virtualPort: vip.port,
          destAddress: conn.dest.config.address,
          destPort: conn.dest.config.port,
          state: conn.state,
          // An open connection's timer is refreshed by every packet.
          expiresIn: conn.state === 'ESTABLISHED' ? this.timeouts.tcp : seconds(conn.expiresAt),
          template: false,
        };
        pager.offer(entry);
      }
    }
    return Promise.resolve(pager.page());
  }

  availableSchedulers(): Promise<string[]> {
    return Promise.resolve([...this.table.availableSchedulers]);
  }

  async setTimeouts(timeouts: Timeouts): Promise<void> {
    await this.applyOrThrow({ kind: 'set-timeouts', from: null, to: timeouts });
  }

  async startDaemon(daemon: SyncDaemon): Promise<void> {
    await this.applyOrThrow({ kind: 'start-daemon', daemon });
  }

  async stopDaemon(state: SyncDaemon['state']): Promise<void> {
    await this.applyOrThrow({ kind: 'stop-daemon', daemon: { state, interface: 'eth0', syncId: 0 } });
  }

  /** ip_vs_zero_service(): counters and the rate estimators of the service and its destinations. */
  zero(service?: ServiceKey): Promise<void> {
    const targets = service ? [this.services.get(serviceId(service))] : [...this.services.values()];
    if (service && !targets[0]) return Promise.reject(new DomainError('KERNEL_ERROR', KERNEL_MESSAGES.noSuchService));
    for (const target of targets) {
      if (!target) continue;
      for (const counted of [target, ...target.dests]) {
        counted.stats = zeroCounters();
        counted.rates = zeroRates();
        counted.lastEstimate = zeroCounters();
      }
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.stop();
    return Promise.resolve();
  }

  // ---- simulation controls ------------------------------------------------

  /** Let the simulation follow the clock on a timer (the serving agent does this). */
  start(intervalMs = 250): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.followClock(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** Simulated time in ms. */
  now(): number {
    return this.simTime;
  }

  /** Run the simulation up to an absolute time (ms); earlier times are ignored. */
  advanceTo(ms: number): void {
    while (this.simTime < ms) {
      const step = Math.min(this.tickMs, ms - this.simTime);
      this.tick(step);
    }
  }

  /**
   * Catch up with the clock, a bounded amount of work at a time: at most
   * MAX_CATCHUP_TICKS ticks and about CATCHUP_BUDGET_MS of CPU per call. A
   * larger gap (a big table, a busy host, a suspended process) is skipped
   * without traffic, so the serving agent's event loop is never starved.
   * Returns the simulated ms skipped.
   */
  followClock(): number {
    const target = this.clock.now();
    const simulated = this.tickMs * MAX_CATCHUP_TICKS;
    let skipped = 0;
    if (target - this.simTime > simulated) {
      skipped = target - simulated - this.simTime;
      this.skipTo(target - simulated);
    }
    const started = performance.now();
    while (this.simTime < target) {
      this.tick(Math.min(this.tickMs, target - this.simTime));
      if (performance.now() - started > CATCHUP_BUDGET_MS && this.simTime < target) {
        skipped += target - this.simTime;
        this.skipTo(target);
      }
    }
    return skipped;
  }

  /** Move simulated time on without traffic (connections past their expiry end at the next tick). */
  private skipTo(ms: number): void {
    if (ms <= this.simTime) return;
    this.skippedMs += ms - this.simTime;
    this.simTime = ms;
    if (this.nextEstimate <= ms) this.nextEstimate = ms + ESTIMATOR_PERIOD_MS;
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.simTime + ms);
  }

  /**
   * Which VIPs reach this director. Unset: all of them (one director). In a
   * simulated pair only the MASTER's, as VRRP would send the clients there.
   */
  private answersFor: ((vip: string) => boolean) | null = null;

  setVipFilter(answersFor: ((vip: string) => boolean) | null): void {
    this.answersFor = answersFor;
  }

  /** Change traffic globally, or for one service (by service id) when given. */
  setTraffic(settings: Partial<TrafficSettings>, serviceIdOrNull?: string): TrafficSettings {
    for (const [name, value] of Object.entries(settings)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new DomainError('INVALID_INPUT', `traffic ${name} must be a number >= 0`);
      }
    }
    this.resolvedTraffic.clear();
    if (serviceIdOrNull) {
      this.trafficByService.set(serviceIdOrNull, { ...this.trafficByService.get(serviceIdOrNull), ...settings });
      return this.getTraffic(serviceIdOrNull);
    }
    this.traffic = { ...this.traffic, ...settings };
    return this.getTraffic();
  }

  getTraffic(serviceIdOrNull?: string): TrafficSettings {
    const override = serviceIdOrNull ? this.trafficByService.get(serviceIdOrNull) : undefined;
    return { ...this.traffic, ...override };
  }

  /** A failing real server takes connections but never answers (no health check in the kernel). */
  failDestination(serviceIdText: string, destId: string, failing: boolean): void {
    const dest = this.services.get(serviceIdText)?.dests.find((d) => d.id === destId);
    if (!dest) throw new DomainError('NOT_FOUND', `no real server ${destId} in service ${serviceIdText}`);
    dest.failing = failing;
  }

  isFailing(serviceIdText: string, destId: string): boolean {
    return this.services.get(serviceIdText)?.dests.find((d) => d.id === destId)?.failing ?? false;
  }

  // ---- table operations ---------------------------------------------------

  private async applyOrThrow(change: Change): Promise<void> {
    const { results } = await this.apply([change]);
    const result = results[0];
    if (result && !result.ok) throw new DomainError('KERNEL_ERROR', result.error ?? 'the kernel refused the change');
  }

  /** What the kernel does around a table change: scheduler updates, persistence templates, the trash list. */
  private followUp(outcome: KernelOutcome<SimService, SimDestination> & { ok: true }): void {
    switch (outcome.kind) {
      case 'service-edited': {
        const { service, previous } = outcome;
        // Flags are read on every pick; a new scheduler is bound afresh, as the kernel does.
        service.schedulerSetup.flags = service.settings.flags;
        if (previous.scheduler !== service.settings.scheduler) {
          service.schedulerSetup.scheduler = service.settings.scheduler;
          service.scheduler = this.schedulerFactory(service.schedulerSetup);
          service.scheduler.destinationsChanged(this.schedulable(service));
        }
        if (!service.settings.persistence) this.dropTemplates(service);
        return;
      }
      case 'destination-added':
        outcome.service.scheduler.destinationsChanged(this.schedulable(outcome.service));
        return;
      case 'destination-edited':
        this.updateOverload(outcome.destination);
        outcome.service.scheduler.destinationsChanged(this.schedulable(outcome.service));
        return;
      case 'destination-deleted':
        // Like the kernel's trash list: existing connections finish, nothing new arrives.
        outcome.destination.removed = true;
        outcome.service.scheduler.destinationsChanged(this.schedulable(outcome.service));
        return;
      case 'service-added':
      case 'service-deleted':
      case 'timeouts-set':
      case 'daemon-started':
      case 'daemon-stopped':
        return;
    }
  }

  private newService(base: KernelService<SimDestination>): SimService {
    const key = base.settings.key;
    const schedulerSetup: SchedulerSetup = {
      scheduler: base.settings.scheduler,
      flags: base.settings.flags,
      virtualService: key.kind === 'fwmark' ? { kind: 'fwmark', fwmark: key.fwmark } : key,
      seed: Math.floor(this.random() * 0xffffffff),
      createdAtMs: this.simTime,
    };
    return {
      ...base,
      scheduler: this.schedulerFactory(schedulerSetup),
      schedulerSetup,
      stats: zeroCounters(),
      rates: zeroRates(),
      lastEstimate: zeroCounters(),
      conns: [],
      templates: new Map(),
      pendingArrivals: 0,
    };
  }

  /** The destinations as the scheduler reads them, in kernel list order. */
  private schedulable(service: SimService): SchedulableDestination[] {
    return service.dests.map((d) => ({
      id: d.id,
      address: d.config.address,
      port: d.config.port,
      weight: d.config.weight,
      lastWeight: d.lastWeight,
      activeConns: d.activeConns,
      inactConns: d.inactiveConns,
      persistConns: d.persistentConns,
      overloaded: d.overloaded,
      upperThreshold: d.config.upperThreshold,
      lowerThreshold: d.config.lowerThreshold,
    }));
  }

  private dropTemplates(service: SimService): void {
    for (const template of service.templates.values()) template.dest.persistentConns--;
    service.templates.clear();
  }

  /** The table as a read sees it; `kept`: destination lists (by serviceId) taken from an earlier read instead. */
  private snapshot(kept?: ReadonlyMap<string, ObservedService['destinations']>): ObservedTable {
    const services: ObservedService[] = [];
    for (const service of this.table.listed()) {
      const keep = kept?.get(serviceId(service.settings.key));
      services.push({
        ...service.settings,
        flags: [...service.settings.flags],
        destinations: keep ? [...keep] : this.listDestinations(service),
        stats: { ...service.stats },
        rates: roundRates(service.rates),
      });
    }
    return { services, timeouts: { ...this.timeouts }, syncDaemons: this.table.daemons.map((d) => ({ ...d })) };
  }

  /** One service's destinations as the kernel lists them (counted as a read). */
  private listDestinations(service: SimService): ObservedDestination[] {
    this.destinationListsRead++;
    return KernelTable.listedDestinations(service).map((dest) => {
      const config = dest.config;
      const stats = dest.stats;
      const observed: ObservedDestination = {
        address: config.address,
        port: config.port,
        forwarding: config.forwarding,
        weight: config.weight,
        upperThreshold: config.upperThreshold,
        lowerThreshold: config.lowerThreshold,
        activeConns: dest.activeConns,
        inactiveConns: dest.inactiveConns,
        persistentConns: dest.persistentConns,
        stats: { conns: stats.conns, inPkts: stats.inPkts, outPkts: stats.outPkts, inBytes: stats.inBytes, outBytes: stats.outBytes },
        rates: roundRates(dest.rates),
      };
      if (config.tunnel) observed.tunnel = { ...config.tunnel };
      if (dest.overloaded) observed.overloaded = true;
      return observed;
    });
  }

  // ---- traffic ------------------------------------------------------------

  private catchUp(): void {
    if (this.timer) this.followClock();
  }

  private virtualEndpoint(key: ServiceKey): { address: string; port: number } {
    if (key.kind === 'addr') return { address: key.address, port: key.port };
    // A fwmark service has no address of its own; show the family's unspecified one.
    return { address: key.family === 'inet' ? '0.0.0.0' : '::', port: 0 };
  }

  private clientAddress(index: number, family: 'inet' | 'inet6'): string {
    if (family === 'inet6') return `2001:db8:ffff::${(index + 1).toString(16)}`;
    // 198.18.0.0/15 is the benchmarking range: never a real client.
    const n = index + 1;
    return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 0xff}.${n & 0xff}`;
  }

  private tick(stepMs: number): void {
    this.ticksRun++;
    const start = this.simTime;
    const end = start + stepMs;
    for (const service of this.services.values()) this.tickService(service, end, stepMs);
    this.simTime = end;
    while (this.simTime >= this.nextEstimate) {
      for (const service of this.services.values()) {
        estimate(service.rates, service.stats, service.lastEstimate, ESTIMATOR_PERIOD_MS / 1000);
        for (const dest of service.dests) estimate(dest.rates, dest.stats, dest.lastEstimate, ESTIMATOR_PERIOD_MS / 1000);
      }
      this.nextEstimate += ESTIMATOR_PERIOD_MS;
    }
  }

  private tickService(service: SimService, now: number, stepMs: number): void {
    let traffic = this.resolvedTraffic.get(service.id);
    if (!traffic) {
      traffic = this.getTraffic(service.id);
      this.resolvedTraffic.set(service.id, traffic);
    }
    if (service.conns.length === 0 && service.templates.size === 0 && (traffic.connectionsPerSecond <= 0 || service.dests.length === 0)) return;
    // 1. Packets on open connections, then state changes and expiry.
    const sending = new Set<SimDestination>();
    const kept: SimConnection[] = [];
    for (const conn of service.conns) {
      if (conn.endAt > now - stepMs && (conn.state === 'ESTABLISHED' || conn.state === 'UDP')) {
        const sendingMs = Math.min(conn.endAt, now) - (now - stepMs);
        if (sendingMs > 0) {
          conn.dest.sendingMs += sendingMs;
          sending.add(conn.dest);
        }
      }
      if (conn.state === 'ESTABLISHED' && now >= conn.endAt) {
        conn.state = conn.dest.config.forwarding === 'masq' ? 'TIME_WAIT' : 'FIN_WAIT';
        if (conn.protocol === 'SCTP') conn.state = 'CLOSED';
        conn.expiresAt = conn.endAt + (conn.protocol === 'SCTP' ? SCTP_CLOSED_TIMEOUT_S : this.timeouts.tcpFin) * 1000;
        this.setActive(conn, false);
      }
      if (now >= conn.expiresAt) {
        this.unbind(conn);
        continue;
      }
      kept.push(conn);
    }
    service.conns = kept;
    for (const dest of sending) {
      this.carryPackets(service, dest, dest.sendingMs, traffic);
      dest.sendingMs = 0;
    }

    for (const [key, template] of service.templates) {
      if (now < template.expiresAt) continue;
      if (template.controlled > 0) {
        // The kernel re-arms a template while connections still depend on it.
        template.expiresAt = now + (service.settings.persistence?.timeout ?? 0) * 1000;
        continue;
      }
      template.dest.persistentConns--;
      service.templates.delete(key);
    }

    // 2. New connections: only to a VIP this director answers for (a pair's BACKUP gets none).
    if (service.dests.length === 0 || traffic.connectionsPerSecond <= 0) return;
    if (this.answersFor && service.settings.key.kind !== 'fwmark' && !this.answersFor(service.settings.key.address)) {
      service.pendingArrivals = 0;
      return;
    }
    service.pendingArrivals += (traffic.connectionsPerSecond * stepMs) / 1000;
    const arrivals = Math.floor(service.pendingArrivals);
    service.pendingArrivals -= arrivals;
    for (let i = 0; i < arrivals; i++) this.arrive(service, now, traffic);
  }

  private carryPackets(service: SimService, dest: SimDestination, sendingMs: number, traffic: TrafficSettings): void {
    if (dest.removed) return;
    dest.pendingIn += (traffic.packetsPerSecond * sendingMs) / 1000;
    const inPkts = Math.floor(dest.pendingIn);
    dest.pendingIn -= inPkts;
    // DR and TUN replies go straight to the client: the director never sees them.
    let outPkts = 0;
    if (dest.config.forwarding === 'masq' && !dest.failing) {
      dest.pendingOut += (traffic.packetsPerSecond * sendingMs) / 1000;
      outPkts = Math.floor(dest.pendingOut);
      dest.pendingOut -= outPkts;
    }
    const delta = {
      inPkts,
      inBytes: inPkts * traffic.bytesPerPacketIn,
      outPkts,
      outBytes: outPkts * traffic.bytesPerPacketOut,
    };
    addCounters(dest.stats, delta);
    addCounters(service.stats, delta);
  }

  private arrive(service: SimService, now: number, traffic: TrafficSettings): void {
    const key = service.settings.key;
    const family = serviceFamily(key);
    const clientAddress = this.clientAddress(Math.floor(this.random() * Math.max(1, traffic.clients)), family);
    const clientPort = 1024 + Math.floor(this.random() * 64512);
    const duration = -Math.log(1 - this.random()) * traffic.meanDurationSeconds * 1000;
    const vip = this.virtualEndpoint(key);
    const protocol = key.kind === 'fwmark' ? 'TCP' : key.protocol === 'udp' ? 'UDP' : key.protocol === 'sctp' ? 'SCTP' : 'TCP';

    let template: SimTemplate | null = null;
    let dest: SimDestination | null = null;
    const persistence = service.settings.persistence;
    if (persistence) {
      const prefix = persistence.netmaskPrefix ?? (family === 'inet' ? 32 : 128);
      const templateClient = maskAddress(clientAddress, prefix);
      const templatePort = key.kind === 'addr' && key.port !== 0 ? key.port : 0;
      const templateKey = `${templateClient}|${templatePort}`;
      template = service.templates.get(templateKey) ?? null;
      if (template && template.dest.removed) {
        service.templates.delete(templateKey);
        template.dest.persistentConns--;
        template = null;
      }
      if (!template) {
        const picked = this.schedule(service, clientAddress, clientPort, vip);
        if (!picked) return;
        template = { key: templateKey, clientAddress: templateClient, virtualPort: templatePort, dest: picked, expiresAt: 0, controlled: 0 };
        service.templates.set(templateKey, template);
        picked.persistentConns++;
      }
      template.expiresAt = now + persistence.timeout * 1000;
      dest = template.dest;
    } else {
      dest = this.schedule(service, clientAddress, clientPort, vip);
    }
    if (!dest) return;

    const handshakeOut = dest.config.forwarding === 'masq' && !dest.failing ? 1 : 0;
    const delta = { conns: 1, inPkts: 1, inBytes: HANDSHAKE_BYTES, outPkts: handshakeOut, outBytes: handshakeOut * HANDSHAKE_BYTES };
    addCounters(dest.stats, delta);
    addCounters(service.stats, delta);
    // One-packet scheduling: the entry is gone as soon as the datagram is through.
    if (service.settings.onePacket && protocol === 'UDP') return;

    let state: ConnState;
    let endAt = now + duration;
    let expiresAt: number;
    if (protocol === 'UDP') {
      state = 'UDP';
      if (dest.failing) endAt = now;
      expiresAt = endAt + this.timeouts.udp * 1000;
    } else if (dest.failing) {
      state = 'SYN_RECV';
      endAt = now;
      expiresAt = now + SYN_RECV_TIMEOUT_S * 1000;
    } else {
      state = 'ESTABLISHED';
      expiresAt = Number.POSITIVE_INFINITY;
    }
    const conn: SimConnection = { protocol, clientAddress, clientPort, dest, template, state, active: false, endAt, expiresAt };
    if (template) template.controlled++;
    dest.inactiveConns++;
    if (state === 'ESTABLISHED') this.setActive(conn, true);
    this.updateOverload(dest);
    service.conns.push(conn);
  }

  private schedule(service: SimService, clientAddress: string, clientPort: number, vip: { address: string; port: number }): SimDestination | null {
    const key = service.settings.key;
    const index = service.scheduler.pick(
      this.schedulable(service),
      {
        clientAddress,
        clientPort,
        virtualAddress: vip.address,
        virtualPort: vip.port,
        protocol: key.kind === 'fwmark' ? 'tcp' : key.protocol,
      },
      this.simTime,
    );
    return index >= 0 ? (service.dests[index] ?? null) : null;
  }

  private setActive(conn: SimConnection, active: boolean): void {
    if (conn.active === active) return;
    conn.active = active;
    if (active) {
      conn.dest.activeConns++;
      conn.dest.inactiveConns--;
    } else {
      conn.dest.activeConns--;
      conn.dest.inactiveConns++;
    }
  }

  private unbind(conn: SimConnection): void {
    if (conn.active) conn.dest.activeConns--;
    else conn.dest.inactiveConns--;
    if (conn.template) conn.template.controlled--;
    this.updateOverload(conn.dest);
  }

  /** ip_vs_bind_dest / ip_vs_unbind_dest threshold rules. */
  private updateOverload(dest: SimDestination): void {
    const total = dest.activeConns + dest.inactiveConns;
    const { upperThreshold: upper, lowerThreshold: lower } = dest.config;
    if (upper > 0 && total >= upper) {
      dest.overloaded = true;
      return;
    }
    if (!dest.overloaded) return;
    if (lower > 0) {
      if (total < lower) dest.overloaded = false;
    } else if (upper > 0) {
      if (total * 4 < upper * 3) dest.overloaded = false;
    } else {
      dest.overloaded = false;
    }
  }
}
