// Predictions over the scheduler models: which server a client lands on, the
// first picks of a new service, the share each server gets, and how many
// clients a change would move (sh, dh, mh).
//
// CLI inputs (`lvs-console predict`):
//   predictClients(service, clients)   one result per client, in input order;
//     a client is { address, port? }; without a port, port 0 is hashed (only
//     sh-port / mh-port look at it). Connections are assumed to stay open, so
//     counter-driven schedulers (lc, wlc, ...) see each earlier client.
//   predictSequence(service, n)        the first n picks of a freshly created
//     service (created empty, destinations added oldest first, i.e. in reverse
//     kernel list order), every pick from one synthetic client 192.0.2.1 (or
//     options.client) with source ports 32768, 32769, ...
// `service.destinations` is always in the kernel's list order (kernelListOrder()).
import { formatIpv6 } from '../model/address';
import { describedText, type DescribedText, type MessageId, type MessageParams } from '../model/messages';
import { addressBytes, foldAddress } from './hash';
import { buildDhTable, buildShTable, dhBucket, lookupSh, MhCore } from './hashing';
import { SchedulerEngine } from './engine';
import { overloadAfterBind, persistenceTemplateKey, templateDestination, type PersistenceTemplate } from './kernel-rules';
import type { SchedConnection, SchedDestination, SchedService, SchedulerName } from './types';

export interface PredictClient {
  readonly address: string;
  readonly port?: number;
}

/**
 * How a scheduled connection counts towards the counters the next pick reads:
 * 'established' (default) counts it as active (handshake done, still open);
 * 'syn' as inactive (the kernel binds a new TCP connection as inactive until
 * it is ESTABLISHED); 'none' leaves the counters alone (short connections
 * that are gone before the next one arrives).
 */
export type ConnectionAssumption = 'established' | 'syn' | 'none';

export interface PredictOptions {
  readonly assume?: ConnectionAssumption;
  /** Clock for lblc/lblcr and persistence templates; each pick advances it by stepMs (default 0). */
  readonly startMs?: number;
  readonly stepMs?: number;
  /** The synthetic client of predictSequence (default 192.0.2.1). */
  readonly client?: PredictClient;
}

export interface ClientPrediction {
  readonly client: PredictClient;
  readonly destination: SchedDestination | null;
}

interface WorkingDest {
  id: string;
  address: string;
  port: number;
  weight: number;
  lastWeight: number;
  activeConns: number;
  inactConns: number;
  persistConns: number;
  overloaded: boolean;
  upperThreshold: number;
  lowerThreshold: number;
}

function workingCopy(service: SchedService): { service: SchedService; dests: WorkingDest[] } {
  const dests = service.destinations.map((dest) => ({ ...dest, lastWeight: dest.lastWeight ?? dest.weight }));
  return { service: { ...service, destinations: dests }, dests };
}

/** Virtual address and port the connections of a prediction go to. */
function virtualEndpoint(service: SchedService): { address: string; port: number; protocol: SchedConnection['protocol'] } {
  const virtual = service.virtualService;
  if (virtual?.kind === 'addr') return { address: virtual.address, port: virtual.port, protocol: virtual.protocol };
  return { address: '192.0.2.100', port: 0, protocol: 'tcp' };
}

/**
 * Runs connections through the scheduler (and persistence, when configured)
 * in order, updating the counters as `assume` says. Shared by the predictions.
 */
class PredictionRun {
  private readonly engine: SchedulerEngine;
  private readonly working: { service: SchedService; dests: WorkingDest[] };
  private readonly templates = new Map<string, PersistenceTemplate>();
  private nowMs: number;

  constructor(
    service: SchedService,
    private readonly options: PredictOptions,
    fresh: boolean,
  ) {
    this.working = workingCopy(service);
    this.nowMs = options.startMs ?? 0;
    this.engine = fresh
      ? SchedulerEngine.createFresh(this.working.service, { createdAtMs: this.nowMs })
      : SchedulerEngine.create(this.working.service, { createdAtMs: this.nowMs });
  }

  connect(conn: SchedConnection): SchedDestination | null {
    const service = this.working.service;
    const dests = this.working.dests;
    let index: number;
    const persistence = service.persistence;
    if (persistence) {
      const key = persistenceTemplateKey(service, conn);
      index = templateDestination(this.templates.get(key), service, this.nowMs);
      if (index < 0) {
        index = this.engine.pick(service, conn, this.nowMs);
        if (index >= 0) this.bind(dests[index] as WorkingDest, 'template');
      }
      if (index >= 0) {
        // ip_vs_conn_put(ct) re-arms the template for another timeout.
        const id = (dests[index] as WorkingDest).id;
        this.templates.set(key, { destinationId: id, expiresAtMs: this.nowMs + persistence.timeoutSec * 1000 });
      }
    } else {
      index = this.engine.pick(service, conn, this.nowMs);
    }
    if (index >= 0) this.bind(dests[index] as WorkingDest, this.options.assume ?? 'established');
    this.nowMs += this.options.stepMs ?? 0;
    return index >= 0 ? (this.working.service.destinations[index] ?? null) : null;
  }

  private bind(dest: WorkingDest, kind: ConnectionAssumption | 'template'): void {
    if (kind === 'none') return;
    if (kind === 'template') dest.persistConns++;
    else if (kind === 'established') dest.activeConns++;
    else dest.inactConns++;
    dest.overloaded = overloadAfterBind(dest);
  }

  /** Final counters, in list order. */
  get destinations(): readonly SchedDestination[] {
    return this.working.dests;
  }
}

function connectionFor(service: SchedService, client: PredictClient): SchedConnection {
  const virtual = virtualEndpoint(service);
  return {
    clientAddress: client.address,
    clientPort: client.port ?? 0,
    virtualAddress: virtual.address,
    virtualPort: virtual.port,
    protocol: virtual.protocol,
  };
}

/** Where each client's new connection goes, in input order (see the header for assumptions). */
export function predictClients(service: SchedService, clients: readonly PredictClient[], options: PredictOptions = {}): ClientPrediction[] {
  const run = new PredictionRun(service, options, false);
  return clients.map((client) => ({ client, destination: run.connect(connectionFor(service, client)) }));
}

/** The first `count` picks of a freshly created service (see the header). */
export function predictSequence(service: SchedService, count: number, options: PredictOptions = {}): Array<SchedDestination | null> {
  const run = new PredictionRun(service, options, true);
  const client = options.client ?? { address: '192.0.2.1' };
  const picks: Array<SchedDestination | null> = [];
  for (let i = 0; i < count; i++) {
    const port = client.port ?? 32768 + (i % 28232);
    picks.push(run.connect(connectionFor(service, { address: client.address, port })));
  }
  return picks;
}

// ---------------------------------------------------------------------------
// Shares

export interface ClientPopulation {
  /** Number of distinct client addresses. */
  readonly count: number;
  /** Where they come from, e.g. "198.51.100.0/24" or "2001:db8:1::/64". */
  readonly prefix: string;
}

export interface TrafficAssumptions {
  /** The client population; hashing schedulers are exact over it. */
  readonly clients?: readonly PredictClient[] | ClientPopulation;
  /** Packet destination addresses for dh/lblc/lblcr on fwmark services (default: the VIP). */
  readonly virtualAddresses?: readonly string[];
  /** Connections simulated for counter-driven schedulers (default 10,000). */
  readonly connections?: number;
  readonly assume?: ConnectionAssumption;
}

export interface DestinationShare {
  readonly id: string;
  /** Fraction of new connections, 0..1. */
  readonly share: number;
}

export interface SharePrediction {
  /** One entry per destination, in service.destinations order. */
  readonly shares: readonly DestinationShare[];
  /** Fraction of new connections that find no destination. */
  readonly unscheduled: number;
  /** exact: computed from the algorithm; simulated: counted over a run of connections. */
  readonly method: 'exact' | 'simulated';
  /** False when weights only switch a destination on (> 0) or off (0). */
  readonly weightsMatter: boolean;
  /** The notes in English; `said` holds each with its message id (the console translates them). */
  readonly notes: readonly string[];
  readonly said: readonly DescribedText[];
}

/** Schedulers for which the weight value (beyond 0 = quiescent) has no effect, verified in the sources. */
const WEIGHT_IS_ON_OFF: ReadonlySet<SchedulerName> = new Set<SchedulerName>(['rr', 'lc', 'dh']);

function available(dest: SchedDestination): boolean {
  return dest.weight > 0 && !dest.overloaded;
}

/**
 * The address of host `index` of a population: consecutive hosts after the
 * prefix's network address, wrapping around when the prefix is smaller than
 * the count. Returns a function so that large populations need no array.
 */
export function populationAddressAt(prefix: string): (index: number) => string {
  const [base, lengthText] = prefix.split('/');
  const bytes = addressBytes(base ?? '');
  if (!bytes) throw new Error(`not a numeric prefix: "${prefix}"`);
  const bits = bytes.length * 8;
  const length = lengthText === undefined ? bits : Number(lengthText);
  if (!Number.isInteger(length) || length < 0 || length > bits) throw new Error(`bad prefix length in "${prefix}"`);
  const hostBits = Math.min(32, bits - length);
  const hosts = 2 ** hostBits;
  const last = bytes.length - 4;
  const low = (((bytes[last] ?? 0) << 24) | ((bytes[last + 1] ?? 0) << 16) | ((bytes[last + 2] ?? 0) << 8) | (bytes[last + 3] ?? 0)) >>> 0;
  const network = hostBits >= 32 ? 0 : (low - (low % hosts)) >>> 0;
  return (index: number): string => {
    const host = hosts <= 2 ? index % hosts : (index % (hosts - 1)) + 1;
    const value = (network + host) >>> 0;
    if (bytes.length === 4) return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
    const copy = Uint8Array.from(bytes);
    copy[last] = value >>> 24;
    copy[last + 1] = (value >>> 16) & 0xff;
    copy[last + 2] = (value >>> 8) & 0xff;
    copy[last + 3] = value & 0xff;
    return formatIpv6(copy);
  };
}

/** Expand a population to concrete addresses (see populationAddressAt). */
export function populationAddresses(population: ClientPopulation): string[] {
  const at = populationAddressAt(population.prefix);
  return Array.from({ length: population.count }, (_, i) => at(i));
}

function clientList(traffic: TrafficAssumptions): PredictClient[] | null {
  const clients = traffic.clients;
  if (clients === undefined) return null;
  if ('prefix' in clients) return populationAddresses(clients).map((address) => ({ address }));
  return [...clients];
}

function sharesFromCounts(service: SchedService, counts: readonly number[], total: number): DestinationShare[] {
  return service.destinations.map((dest, i) => ({ id: dest.id, share: total > 0 ? (counts[i] ?? 0) / total : 0 }));
}

function tableShares(service: SchedService, table: Int32Array): { shares: DestinationShare[]; unscheduled: number } {
  const counts = new Array<number>(service.destinations.length).fill(0);
  let none = 0;
  for (const index of table) {
    const dest = index >= 0 ? service.destinations[index] : undefined;
    if (dest && available(dest)) counts[index] = (counts[index] ?? 0) + 1;
    else none++;
  }
  return { shares: sharesFromCounts(service, counts, table.length), unscheduled: none / table.length };
}

/**
 * The share of new connections each destination receives. Exact for rr and
 * wrr (the cycle) and for sh/dh/mh over a given client population; for the
 * counter-driven schedulers it runs `connections` connections through the
 * model from the current counters, under `assume`. The notes say which.
 */
export function predictShares(service: SchedService, traffic: TrafficAssumptions = {}): SharePrediction {
  const dests = service.destinations;
  const weightsMatter = !WEIGHT_IS_ON_OFF.has(service.scheduler);
  const notes: DescribedText[] = [];
  const note = (id: MessageId, params?: MessageParams): void => {
    notes.push(describedText(id, params));
  };
  if (!weightsMatter) note('predictWeightsOnOff', { scheduler: service.scheduler });
  const exact = (shares: DestinationShare[], unscheduled: number): SharePrediction => ({
    shares,
    unscheduled,
    method: 'exact',
    weightsMatter,
    ...notesOf(notes),
  });

  switch (service.scheduler) {
    case 'rr': {
      const on = dests.filter(available).length;
      return exact(
        dests.map((d) => ({ id: d.id, share: on > 0 && available(d) ? 1 / on : 0 })),
        on > 0 ? 0 : 1,
      );
    }
    case 'wrr': {
      const total = dests.reduce((sum, d) => sum + (available(d) ? d.weight : 0), 0);
      return exact(
        dests.map((d) => ({ id: d.id, share: total > 0 && available(d) ? d.weight / total : 0 })),
        total > 0 ? 0 : 1,
      );
    }
    case 'sh':
    case 'mh': {
      const clients = clientList(traffic);
      if (clients === null) {
        const table = service.scheduler === 'mh' ? MhCore.init(dests, service.kernel).lookupTable : buildShTable(dests, service.kernel?.shTableBits ?? 8);
        note('predictNoClients');
        const { shares, unscheduled } = tableShares(service, table);
        return exact(shares, unscheduled);
      }
      const portFlag = service.scheduler === 'sh' ? 'sh-port' : 'mh-port';
      note(service.scheduler === 'sh' ? 'predictShSlots' : 'predictMhTurns');
      if (service.flags.includes(portFlag) && clients.some((c) => c.port === undefined)) {
        note('predictPortZero', { flag: portFlag });
      }
      return countedShares(
        service,
        predictClients(service, clients, { assume: 'none' }).map((p) => p.destination),
        'exact',
        weightsMatter,
        notes,
      );
    }
    case 'dh': {
      const virtuals = traffic.virtualAddresses ?? [virtualEndpoint(service).address];
      if (traffic.virtualAddresses === undefined) note('predictDhVip');
      note('predictDhSlots');
      const table = buildDhTable(dests, service.kernel?.dhTableBits ?? 8);
      const counts = new Array<number>(dests.length).fill(0);
      let none = 0;
      for (const address of virtuals) {
        const index = table[dhBucket(foldAddress(address), service.kernel?.dhTableBits ?? 8)] ?? -1;
        const dest = index >= 0 ? dests[index] : undefined;
        if (dest && available(dest)) counts[index] = (counts[index] ?? 0) + 1;
        else none++;
      }
      return exact(sharesFromCounts(service, counts, virtuals.length), virtuals.length > 0 ? none / virtuals.length : 1);
    }
    case 'wlc':
    case 'lc':
    case 'sed':
    case 'nq':
    case 'fo':
    case 'ovf':
    case 'lblc':
    case 'lblcr':
    case 'twos': {
      const total = traffic.connections ?? 10_000;
      const assume = traffic.assume ?? 'established';
      note(assume === 'established' ? 'predictSimulatedActive' : assume === 'syn' ? 'predictSimulatedInactive' : 'predictSimulatedGone', { total });
      if (service.scheduler === 'lblc' || service.scheduler === 'lblcr') {
        note('predictLocality', { scheduler: service.scheduler });
      }
      if (service.scheduler === 'twos') note('predictTwosRandom');
      const clients = clientList(traffic);
      const virtual = virtualEndpoint(service);
      const run = new PredictionRun(service, { assume }, false);
      const picks: Array<SchedDestination | null> = [];
      for (let i = 0; i < total; i++) {
        const client = clients && clients.length > 0 ? (clients[i % clients.length] as PredictClient) : { address: '192.0.2.1', port: 32768 + (i % 28232) };
        const address = traffic.virtualAddresses?.[i % traffic.virtualAddresses.length] ?? virtual.address;
        picks.push(run.connect({ ...connectionFor(service, client), virtualAddress: address }));
      }
      return countedShares(service, picks, 'simulated', weightsMatter, notes);
    }
  }
}

function countedShares(
  service: SchedService,
  picks: ReadonlyArray<SchedDestination | null>,
  method: 'exact' | 'simulated',
  weightsMatter: boolean,
  notes: DescribedText[],
): SharePrediction {
  const index = new Map(service.destinations.map((d, i) => [d.id, i] as const));
  const counts = new Array<number>(service.destinations.length).fill(0);
  let none = 0;
  for (const pick of picks) {
    const i = pick ? index.get(pick.id) : undefined;
    if (i === undefined) none++;
    else counts[i] = (counts[i] ?? 0) + 1;
  }
  const total = picks.length;
  return { shares: sharesFromCounts(service, counts, total), unscheduled: total > 0 ? none / total : 0, method, weightsMatter, ...notesOf(notes) };
}

/** The notes in English beside the same notes with their ids. */
function notesOf(said: readonly DescribedText[]): Pick<SharePrediction, 'notes' | 'said'> {
  return { notes: said.map((text) => text.message), said };
}

// ---------------------------------------------------------------------------
// Remap preview

export interface RemapTransition {
  readonly from: string | null;
  readonly to: string | null;
  readonly count: number;
}

export interface RemapPreview {
  readonly total: number;
  /** Clients whose destination differs after the change (including to or from "none"). */
  readonly moved: number;
  readonly fraction: number;
  /** Counts per (before, after) pair where they differ. */
  readonly transitions: readonly RemapTransition[];
}

type Assigner = (fold: number, port: number) => number;

function assigner(service: SchedService): Assigner {
  const dests = service.destinations;
  switch (service.scheduler) {
    case 'sh': {
      const bits = service.kernel?.shTableBits ?? 8;
      const table = buildShTable(dests, bits);
      const usePort = service.flags.includes('sh-port');
      const fallback = service.flags.includes('sh-fallback');
      return (fold, port) => lookupSh(table, dests, fold, usePort ? port : 0, fallback, bits);
    }
    case 'mh': {
      const core = SchedulerEngine.create(service).internals as MhCore;
      return (fold, port) => core.pickFold(dests, service, fold, port);
    }
    case 'dh': {
      const bits = service.kernel?.dhTableBits ?? 8;
      const table = buildDhTable(dests, bits);
      const target = table[dhBucket(foldAddress(virtualEndpoint(service).address), bits)] ?? -1;
      const dest = target >= 0 ? dests[target] : undefined;
      const result = dest && available(dest) ? target : -1;
      return () => result;
    }
    case 'rr':
    case 'wrr':
    case 'lc':
    case 'wlc':
    case 'sed':
    case 'nq':
    case 'fo':
    case 'ovf':
    case 'lblc':
    case 'lblcr':
    case 'twos':
      throw new RangeError(`remap preview covers the hashing schedulers sh, dh and mh, not ${service.scheduler}`);
  }
}

/**
 * How many of `clients` would land on a different destination after changing
 * the service from `before` to `after` (same scheduler family: sh, dh or mh).
 * mh moves about 1/N of the clients when one of N servers goes; sh and dh
 * re-tile their 256-slot table and move far more.
 */
export function remapPreview(before: SchedService, after: SchedService, clients: ReadonlyArray<PredictClient | string>): RemapPreview {
  const assignBefore = assigner(before);
  const assignAfter = assigner(after);
  const transitions = new Map<string, { from: string | null; to: string | null; count: number }>();
  let moved = 0;
  for (const client of clients) {
    const address = typeof client === 'string' ? client : client.address;
    const port = typeof client === 'string' ? 0 : (client.port ?? 0);
    const fold = foldAddress(address);
    const was = assignBefore(fold, port);
    const now = assignAfter(fold, port);
    const fromId = was >= 0 ? (before.destinations[was]?.id ?? null) : null;
    const toId = now >= 0 ? (after.destinations[now]?.id ?? null) : null;
    if (fromId === toId) continue;
    moved++;
    const key = `${fromId ?? ''}\u0000${toId ?? ''}`;
    const entry = transitions.get(key);
    if (entry) entry.count++;
    else transitions.set(key, { from: fromId, to: toId, count: 1 });
  }
  const total = clients.length;
  return { total, moved, fraction: total > 0 ? moved / total : 0, transitions: [...transitions.values()] };
}
