// A deterministic traffic model of an IPVS director: connections arrive, are
// scheduled by the real scheduler models, move through the kernel's TCP/UDP
// states and timeouts, feed the kernel's counters, and expire.
//
// Pure in the sense the core requires: no clock (time is passed in), no I/O,
// randomness from a seeded PRNG. For speed the state is owned: advance()
// updates the state it is given and returns it, so keep only the returned
// value (snapshot with observe() / listConnections() when you need data).
// The same config, seed and times give the same results however the time is
// split into advance() calls.
//
// Kernel facts modelled (net/netfilter/ipvs):
// - a new connection is bound INACTIVE (dest->conn_flags has IP_VS_CONN_F_INACTIVE)
//   and becomes active on ESTABLISHED (ip_vs_proto_tcp.c set_tcp_state());
//   UDP connections are never active (they show as InActConn);
// - timeouts: ESTABLISHED --set tcp (900 s), FIN_WAIT --set tcpfin (120 s),
//   UDP --set udp (300 s), SYN_RECV 60 s, CLOSE 10 s (tcp_timeouts[]);
// - OVERLOAD is set on bind and cleared on unbind (thresholds, kernel-rules.ts);
// - persistence templates (state NONE, counted in persistconns) are re-armed
//   by every connection they route and outlive their timeout while they
//   control live connections (ip_vs_conn_expire: n_control);
// - Conns/InPkts/InBytes count every scheduled connection and client packet;
//   OutPkts/OutBytes only for NAT (masq): DR and TUN replies bypass the director.
// Simplifications: the TCP handshake takes handshakeMs; data flows at a
// constant rate between handshake and close; a closing connection waits in
// FIN_WAIT for tcpfin seconds (the kernel passes through FIN_WAIT/TIME_WAIT/
// CLOSE_WAIT/LAST_ACK depending on who closes and the forwarding method);
// SYN retransmissions to a black-holed server are not modelled.
import { formatEndpoint } from '../model/address';
import { SchedulerEngine } from '../schedulers/engine';
import {
  lastWeightAfterEdit,
  overloadAfterBind,
  overloadAfterThresholdEdit,
  overloadAfterUnbind,
  persistenceTemplateKey,
} from '../schedulers/kernel-rules';
import { populationAddressAt } from '../schedulers/predict';
import { Prng } from '../schedulers/prng';
import type {
  KernelSchedulerOptions,
  Protocol,
  SchedConnection,
  SchedDestination,
  SchedService,
  SchedulerName,
} from '../schedulers/types';
import { TimedHeap, type Timed } from './heap';

// ---------------------------------------------------------------------------
// Configuration

export interface SimTimeouts {
  /** Seconds, as `ipvsadm --set tcp tcpfin udp`. */
  readonly tcp: number;
  readonly tcpFin: number;
  readonly udp: number;
}

export const DEFAULT_SIM_TIMEOUTS: SimTimeouts = { tcp: 900, tcpFin: 120, udp: 300 };
/** tcp_timeouts[IP_VS_TCP_S_SYN_RECV] and [IP_VS_TCP_S_CLOSE]. */
export const SYN_RECV_TIMEOUT_SEC = 60;
export const CLOSE_TIMEOUT_SEC = 10;

export type DurationModel =
  | { readonly kind: 'fixed'; readonly seconds: number }
  | { readonly kind: 'uniform'; readonly minSeconds: number; readonly maxSeconds: number }
  | { readonly kind: 'exponential'; readonly meanSeconds: number };

export interface TrafficProfile {
  /** Mean new connections per second (Poisson arrivals). */
  readonly arrivalsPerSec: number;
  /** Clients are drawn uniformly from `count` addresses in `prefix` (e.g. "198.51.100.0/22"). */
  readonly clients: { readonly count: number; readonly prefix: string };
  readonly duration: DurationModel;
  /** Payload bytes client -> server per connection (default 600). */
  readonly requestBytes?: number;
  /** Payload bytes server -> client per connection (default 20,000). */
  readonly responseBytes?: number;
  /** Fraction of TCP clients that vanish without FIN: they idle out after the tcp timeout (default 0). */
  readonly abandonFraction?: number;
  /** Time from SYN to ESTABLISHED (default 1 ms). */
  readonly handshakeMs?: number;
}

/** A real server that refuses (RST) or never answers (black hole). */
export type DestinationFailure = 'none' | 'refuse' | 'blackhole';

export interface SimDestinationConfig {
  readonly id: string;
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly upperThreshold?: number;
  readonly lowerThreshold?: number;
  readonly forwarding: 'masq' | 'route' | 'tunnel';
  readonly failure?: DestinationFailure;
}

export interface SimServiceConfig {
  readonly id: string;
  readonly protocol: Protocol;
  /** VIP; for fwmark services the address clients connect to. */
  readonly address: string;
  readonly port: number;
  readonly fwmark?: number;
  readonly scheduler: SchedulerName;
  readonly flags?: readonly string[];
  readonly persistence?: { readonly timeoutSec: number; readonly netmaskPrefix?: number } | null;
  /** Kernel list order (newest first; see kernelListOrder()). */
  readonly destinations: readonly SimDestinationConfig[];
  readonly traffic?: TrafficProfile | null;
  readonly kernel?: KernelSchedulerOptions;
}

export interface SimConfig {
  readonly seed: number;
  readonly timeouts?: SimTimeouts;
  /** net.ipv4.vs.expire_quiescent_template. */
  readonly expireQuiescentTemplate?: boolean;
  readonly services: readonly SimServiceConfig[];
}

// ---------------------------------------------------------------------------
// State

export interface SimCounters {
  conns: number;
  inPkts: number;
  outPkts: number;
  inBytes: number;
  outBytes: number;
}

function zero(): SimCounters {
  return { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
}

/** Live destination: what the scheduler reads, plus counters. */
class DestRuntime implements SchedDestination {
  weight: number;
  lastWeight: number;
  activeConns = 0;
  inactConns = 0;
  persistConns = 0;
  overloaded = false;
  upperThreshold: number;
  lowerThreshold: number;
  forwarding: SimDestinationConfig['forwarding'];
  failure: DestinationFailure;
  removed = false;
  readonly stats = zero();
  /** Sum of per-ms rates of the connections currently moving data. */
  readonly rate = { inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
  readonly carry = { inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
  accruedToMs: number;

  constructor(
    readonly id: string,
    readonly address: string,
    readonly port: number,
    config: SimDestinationConfig,
    nowMs: number,
  ) {
    this.weight = config.weight;
    this.lastWeight = config.weight;
    this.upperThreshold = config.upperThreshold ?? 0;
    this.lowerThreshold = config.lowerThreshold ?? 0;
    this.forwarding = config.forwarding;
    this.failure = config.failure ?? 'none';
    this.accruedToMs = nowMs;
  }
}

type ConnState = 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT' | 'CLOSE' | 'UDP' | 'NONE';

interface Transfer {
  readonly inPkts: number;
  readonly outPkts: number;
  readonly inBytes: number;
  readonly outBytes: number;
}

interface SimConn extends Timed {
  readonly service: ServiceRuntime;
  readonly dest: DestRuntime;
  readonly protocol: Protocol | 'ip';
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly virtualAddress: string;
  readonly virtualPort: number;
  state: ConnState;
  inactive: boolean;
  /** When the kernel's timer would fire if no more packets came (for listings). */
  expiresAtMs: number;
  /** Data transfer: per-ms rates while data flows (added to the dest's rates), and when it ends. */
  transfer: Transfer | null;
  /** The transfer a TCP connection starts once ESTABLISHED. */
  pending: Transfer | null;
  /** What the real server does with the SYN, fixed at arrival. */
  outcome: DestinationFailure;
  closeAtMs: number;
  abandoned: boolean;
  /** The controlling persistence template. */
  template: SimConn | null;
  /** Templates: live connections controlled, template key, and invalidation. */
  controlled: number;
  templateKey: string | null;
  invalid: boolean;
}

class ServiceRuntime {
  engine: SchedulerEngine;
  config: SimServiceConfig;
  view: SchedService;
  dests: DestRuntime[];
  readonly stats = zero();
  /** New connections that found no destination. */
  unscheduled = 0;
  readonly templates = new Map<string, SimConn>();
  nextArrivalMs: number;
  clientAt: (index: number) => string = () => '192.0.2.1';
  clientPoolKey = '';

  constructor(config: SimServiceConfig, dests: DestRuntime[], nowMs: number) {
    this.config = config;
    this.dests = dests;
    this.view = serviceView(config, dests);
    this.engine = SchedulerEngine.createFresh(this.view, { createdAtMs: nowMs });
    this.nextArrivalMs = Number.NaN;
  }
}

function serviceView(config: SimServiceConfig, dests: readonly DestRuntime[]): SchedService {
  return {
    scheduler: config.scheduler,
    flags: config.flags ?? [],
    destinations: dests,
    virtualService: config.fwmark !== undefined
      ? { kind: 'fwmark', fwmark: config.fwmark }
      : { kind: 'addr', protocol: config.protocol, address: config.address, port: config.port },
    persistence: config.persistence ?? null,
    kernel: { twosSeed: 1, ...config.kernel },
  };
}

export interface SimState {
  nowMs: number;
  readonly random: Prng;
  readonly services: Map<string, ServiceRuntime>;
  /** Destinations by service and id, kept after removal while connections use them (the kernel's trash). */
  readonly destIndex: Map<string, DestRuntime>;
  readonly events: TimedHeap<SimConn>;
  seq: number;
}

export function createSimState(config: SimConfig, nowMs: number): SimState {
  const state: SimState = {
    nowMs,
    random: Prng.fromSeed(config.seed),
    services: new Map(),
    destIndex: new Map(),
    events: new TimedHeap(),
    seq: 0,
  };
  reconcile(state, config, nowMs);
  return state;
}

// ---------------------------------------------------------------------------
// Config changes

function destKey(serviceId: string, destId: string): string {
  return `${serviceId}\u0000${destId}`;
}

function reconcile(state: SimState, config: SimConfig, nowMs: number): void {
  const seen = new Set<string>();
  for (const serviceConfig of config.services) {
    seen.add(serviceConfig.id);
    let runtime = state.services.get(serviceConfig.id);
    if (!runtime) {
      const dests = serviceConfig.destinations.map((d) => obtainDest(state, serviceConfig.id, d, nowMs, true));
      runtime = new ServiceRuntime(serviceConfig, dests, nowMs);
      state.services.set(serviceConfig.id, runtime);
    } else if (runtime.config !== serviceConfig) {
      updateService(state, runtime, serviceConfig, nowMs);
    }
  }
  for (const [id, runtime] of state.services) {
    if (seen.has(id)) continue;
    for (const dest of runtime.dests) dest.removed = true;
    state.services.delete(id);
  }
}

function obtainDest(state: SimState, serviceId: string, config: SimDestinationConfig, nowMs: number, isAdd: boolean): DestRuntime {
  const key = destKey(serviceId, config.id);
  const existing = state.destIndex.get(key);
  if (existing) {
    applyDestConfig(existing, config, isAdd || existing.removed);
    existing.removed = false;
    return existing;
  }
  const dest = new DestRuntime(config.id, config.address, config.port, config, nowMs);
  state.destIndex.set(key, dest);
  return dest;
}

/** __ip_vs_update_dest() on an existing destination. Returns whether anything changed. */
function applyDestConfig(dest: DestRuntime, config: SimDestinationConfig, isAdd: boolean): boolean {
  const upper = config.upperThreshold ?? 0;
  const lower = config.lowerThreshold ?? 0;
  const failure = config.failure ?? 'none';
  const changed = dest.weight !== config.weight || dest.upperThreshold !== upper || dest.lowerThreshold !== lower ||
    dest.forwarding !== config.forwarding || dest.failure !== failure || isAdd;
  dest.lastWeight = lastWeightAfterEdit(dest.lastWeight, config.weight, isAdd);
  dest.weight = config.weight;
  dest.overloaded = overloadAfterThresholdEdit(dest.overloaded, dest.upperThreshold, upper);
  dest.upperThreshold = upper;
  dest.lowerThreshold = lower;
  dest.forwarding = config.forwarding;
  dest.failure = failure;
  return changed;
}

function updateService(state: SimState, runtime: ServiceRuntime, config: SimServiceConfig, nowMs: number): void {
  const previous = runtime.config;
  const previousIds = new Set(runtime.dests.map((d) => d.id));
  let changed = previous.destinations.length !== config.destinations.length;
  const dests = config.destinations.map((destConfig, i) => {
    if (runtime.dests[i]?.id !== destConfig.id) changed = true;
    const isAdd = !previousIds.has(destConfig.id);
    const key = destKey(config.id, destConfig.id);
    const existing = state.destIndex.get(key);
    if (existing && !isAdd) {
      if (applyDestConfig(existing, destConfig, false)) changed = true;
      return existing;
    }
    changed = true;
    return obtainDest(state, config.id, destConfig, nowMs, true);
  });
  const keptIds = new Set(dests.map((d) => d.id));
  for (const dest of runtime.dests) if (!keptIds.has(dest.id)) dest.removed = true;
  runtime.config = config;
  runtime.dests = dests;
  runtime.view = serviceView(config, dests);
  if (config.scheduler !== previous.scheduler || JSON.stringify(config.kernel ?? {}) !== JSON.stringify(previous.kernel ?? {})) {
    // ipvsadm -E -s: the new scheduler's init_service() sees the current dests.
    runtime.engine = SchedulerEngine.create(runtime.view, { createdAtMs: nowMs });
  } else if (changed) {
    runtime.engine.destinationsChanged(runtime.view);
  }
  if (config.traffic?.arrivalsPerSec !== previous.traffic?.arrivalsPerSec) runtime.nextArrivalMs = Number.NaN;
}

// ---------------------------------------------------------------------------
// Counters

function accrue(dest: DestRuntime, service: ServiceRuntime | null, toMs: number): void {
  const dt = toMs - dest.accruedToMs;
  if (dt <= 0) return;
  dest.accruedToMs = toMs;
  const rate = dest.rate;
  if (rate.inPkts === 0 && rate.outPkts === 0 && rate.inBytes === 0 && rate.outBytes === 0) return;
  const add = (field: keyof Transfer): number => {
    const exact = rate[field] * dt + dest.carry[field];
    const whole = Math.floor(exact + 1e-9);
    dest.carry[field] = Math.max(0, exact - whole);
    return whole;
  };
  const inPkts = add('inPkts');
  const outPkts = add('outPkts');
  const inBytes = add('inBytes');
  const outBytes = add('outBytes');
  dest.stats.inPkts += inPkts;
  dest.stats.outPkts += outPkts;
  dest.stats.inBytes += inBytes;
  dest.stats.outBytes += outBytes;
  if (service) {
    service.stats.inPkts += inPkts;
    service.stats.outPkts += outPkts;
    service.stats.inBytes += inBytes;
    service.stats.outBytes += outBytes;
  }
}

function countPackets(conn: SimConn, inPkts: number, inBytes: number, outPkts: number, outBytes: number): void {
  const replies = conn.dest.forwarding === 'masq';
  const add = (stats: SimCounters): void => {
    stats.inPkts += inPkts;
    stats.inBytes += inBytes;
    if (replies) {
      stats.outPkts += outPkts;
      stats.outBytes += outBytes;
    }
  };
  add(conn.dest.stats);
  add(conn.service.stats);
}

function setTransfer(conn: SimConn, transfer: Transfer | null, nowMs: number): void {
  const dest = conn.dest;
  accrue(dest, conn.service, nowMs);
  const sign = transfer ? 1 : -1;
  const t = transfer ?? conn.transfer;
  if (!t) return;
  const replies = dest.forwarding === 'masq' ? 1 : 0;
  dest.rate.inPkts = Math.max(0, dest.rate.inPkts + sign * t.inPkts);
  dest.rate.inBytes = Math.max(0, dest.rate.inBytes + sign * t.inBytes);
  dest.rate.outPkts = Math.max(0, dest.rate.outPkts + sign * t.outPkts * replies);
  dest.rate.outBytes = Math.max(0, dest.rate.outBytes + sign * t.outBytes * replies);
  conn.transfer = transfer;
}

// ---------------------------------------------------------------------------
// Connection life cycle

const SEGMENT = 1448;
const HEADER = 52;

function sampleDurationMs(model: DurationModel, random: Prng): number {
  switch (model.kind) {
    case 'fixed':
      return model.seconds * 1000;
    case 'uniform':
      return (model.minSeconds + (model.maxSeconds - model.minSeconds) * random.nextFloat()) * 1000;
    case 'exponential':
      return -Math.log(1 - random.nextFloat()) * model.meanSeconds * 1000;
  }
}

function bindConn(conn: SimConn): void {
  const dest = conn.dest;
  if (conn.state === 'NONE') dest.persistConns++;
  else if (conn.inactive) dest.inactConns++;
  else dest.activeConns++;
  dest.overloaded = overloadAfterBind(dest);
}

function unbindConn(state: SimState, conn: SimConn): void {
  const dest = conn.dest;
  if (conn.transfer) setTransfer(conn, null, conn.eventMs);
  if (conn.state === 'NONE') dest.persistConns--;
  else if (conn.inactive) dest.inactConns--;
  else dest.activeConns--;
  dest.overloaded = overloadAfterUnbind(dest);
  const template = conn.template;
  if (template) {
    template.controlled--;
    if (template.invalid && template.controlled === 0 && template.heapIndex >= 0) {
      template.eventMs = conn.eventMs;
      state.events.update(template);
    }
  }
}

function setActive(conn: SimConn, active: boolean): void {
  if (conn.inactive === !active) return;
  const dest = conn.dest;
  if (active) {
    dest.inactConns--;
    dest.activeConns++;
  } else {
    dest.activeConns--;
    dest.inactConns++;
  }
  conn.inactive = !active;
}

function schedule(state: SimState, conn: SimConn, atMs: number): void {
  conn.eventMs = atMs;
  if (conn.heapIndex >= 0) state.events.update(conn);
  else state.events.push(conn);
}

/** Handle the connection's next transition at conn.eventMs. */
function transition(state: SimState, conn: SimConn, timeouts: SimTimeouts): void {
  const now = conn.eventMs;
  switch (conn.state) {
    case 'NONE': {
      // Template timer: keep while it controls connections (ip_vs_conn_expire).
      if (conn.controlled > 0) {
        const timeoutMs = (conn.service.config.persistence?.timeoutSec ?? 0) * 1000;
        conn.expiresAtMs = now + Math.max(timeoutMs, 1000);
        schedule(state, conn, conn.expiresAtMs);
        return;
      }
      if (conn.templateKey !== null && conn.service.templates.get(conn.templateKey) === conn) {
        conn.service.templates.delete(conn.templateKey);
      }
      state.events.remove(conn);
      unbindConn(state, conn);
      return;
    }
    case 'SYN_RECV': {
      if (conn.outcome === 'refuse') {
        // The RST from the real server: NAT sees it (CLOSE); DR/TUN do not, the entry waits out SYN_RECV.
        conn.outcome = 'blackhole';
        if (conn.dest.forwarding === 'masq') {
          countPackets(conn, 0, 0, 1, 40);
          conn.state = 'CLOSE';
          conn.expiresAtMs = now + CLOSE_TIMEOUT_SEC * 1000;
        }
        schedule(state, conn, conn.expiresAtMs);
        return;
      }
      if (conn.outcome === 'blackhole') {
        expire(state, conn);
        return;
      }
      // Handshake done: ACK in, the connection turns active and data starts.
      countPackets(conn, 1, HEADER, 0, 0);
      conn.state = 'ESTABLISHED';
      setActive(conn, true);
      if (conn.pending) {
        setTransfer(conn, conn.pending, now);
        conn.pending = null;
      }
      conn.expiresAtMs = Math.max(conn.closeAtMs, now) + timeouts.tcp * 1000;
      schedule(state, conn, Math.max(conn.closeAtMs, now));
      return;
    }
    case 'ESTABLISHED': {
      if (conn.transfer) setTransfer(conn, null, now);
      if (conn.abandoned) {
        if (now >= conn.expiresAtMs) {
          expire(state, conn);
        } else {
          schedule(state, conn, conn.expiresAtMs);
        }
        return;
      }
      // Client FIN (and the final ACK): inactive until the tcpfin timeout.
      countPackets(conn, 2, 2 * HEADER, 1, HEADER);
      conn.state = 'FIN_WAIT';
      setActive(conn, false);
      conn.expiresAtMs = now + timeouts.tcpFin * 1000;
      schedule(state, conn, conn.expiresAtMs);
      return;
    }
    case 'UDP': {
      if (conn.transfer) {
        setTransfer(conn, null, now);
        conn.expiresAtMs = now + timeouts.udp * 1000;
        schedule(state, conn, conn.expiresAtMs);
        return;
      }
      expire(state, conn);
      return;
    }
    case 'FIN_WAIT':
    case 'CLOSE':
      expire(state, conn);
      return;
  }
}

function expire(state: SimState, conn: SimConn): void {
  state.events.remove(conn);
  unbindConn(state, conn);
}

function nextSeq(state: SimState): number {
  return state.seq++;
}

function clientAddressFor(runtime: ServiceRuntime, traffic: TrafficProfile, random: Prng): string {
  if (runtime.clientPoolKey !== traffic.clients.prefix) {
    runtime.clientAt = populationAddressAt(traffic.clients.prefix);
    runtime.clientPoolKey = traffic.clients.prefix;
  }
  return runtime.clientAt(Math.floor(random.nextFloat() * Math.max(1, traffic.clients.count)));
}

/** A new connection arrives at `nowMs` (ip_vs_schedule / ip_vs_sched_persist). */
function arrive(state: SimState, runtime: ServiceRuntime, traffic: TrafficProfile, nowMs: number, config: SimConfig): void {
  const random = state.random;
  const clientAddress = clientAddressFor(runtime, traffic, random);
  const clientPort = 1024 + Math.floor(random.nextFloat() * 64511);
  const durationMs = sampleDurationMs(traffic.duration, random);
  const abandoned = random.nextFloat() < (traffic.abandonFraction ?? 0);
  const serviceConfig = runtime.config;
  const conn: SchedConnection = {
    clientAddress,
    clientPort,
    virtualAddress: serviceConfig.address,
    virtualPort: serviceConfig.port,
    protocol: serviceConfig.protocol,
  };
  const view = runtime.view;
  let index: number;
  let template: SimConn | null = null;
  const persistence = serviceConfig.persistence;
  if (persistence) {
    const key = persistenceTemplateKey(view, conn);
    template = runtime.templates.get(key) ?? null;
    if (template && (template.invalid || template.dest.removed ||
      (config.expireQuiescentTemplate === true && template.dest.weight === 0))) {
      // ip_vs_check_template() failed: the template is unhashed and expires.
      runtime.templates.delete(key);
      template.invalid = true;
      if (template.controlled === 0) schedule(state, template, nowMs);
      template = null;
    }
    if (template) {
      index = runtime.dests.indexOf(template.dest);
    } else {
      index = runtime.engine.pick(view, conn, nowMs);
      if (index >= 0) {
        const dest = runtime.dests[index] as DestRuntime;
        template = {
          service: runtime, dest, protocol: serviceConfig.fwmark !== undefined ? 'ip' : serviceConfig.protocol,
          clientAddress, clientPort: 0, virtualAddress: serviceConfig.address, virtualPort: serviceConfig.port,
          state: 'NONE', inactive: false, expiresAtMs: nowMs, transfer: null, pending: null, outcome: 'none', closeAtMs: 0, abandoned: false,
          template: null, controlled: 0, templateKey: key, invalid: false, eventMs: nowMs, seq: nextSeq(state), heapIndex: -1,
        };
        bindConn(template);
        runtime.templates.set(key, template);
      }
    }
    if (template) {
      // ip_vs_conn_put(ct): every use re-arms the template.
      template.expiresAtMs = nowMs + persistence.timeoutSec * 1000;
      schedule(state, template, template.expiresAtMs);
    }
  } else {
    index = runtime.engine.pick(view, conn, nowMs);
  }
  if (index < 0) {
    runtime.unscheduled++;
    return;
  }
  const dest = runtime.dests[index] as DestRuntime;
  const isUdp = serviceConfig.protocol === 'udp';
  const handshakeMs = traffic.handshakeMs ?? 1;
  const request = traffic.requestBytes ?? 600;
  const response = traffic.responseBytes ?? 20_000;
  const inPkts = Math.ceil(request / SEGMENT) + Math.ceil(response / (2 * SEGMENT));
  const outPkts = Math.ceil(response / SEGMENT) + Math.ceil(request / (2 * SEGMENT));
  const spanMs = Math.max(1, durationMs);
  const transfer: Transfer = {
    inPkts: inPkts / spanMs,
    outPkts: outPkts / spanMs,
    inBytes: (request + inPkts * HEADER) / spanMs,
    outBytes: (response + outPkts * HEADER) / spanMs,
  };
  const sim: SimConn = {
    service: runtime, dest, protocol: serviceConfig.protocol, clientAddress, clientPort,
    virtualAddress: serviceConfig.address, virtualPort: serviceConfig.port,
    state: isUdp ? 'UDP' : 'SYN_RECV', inactive: true, expiresAtMs: 0, transfer: null, pending: null, outcome: dest.failure,
    closeAtMs: nowMs + (isUdp ? 0 : handshakeMs) + durationMs, abandoned: !isUdp && abandoned,
    template, controlled: 0, templateKey: null, invalid: false, eventMs: nowMs, seq: nextSeq(state), heapIndex: -1,
  };
  if (template) template.controlled++;
  bindConn(sim);
  dest.stats.conns++;
  runtime.stats.conns++;
  if (isUdp) {
    const udpMs = (config.timeouts ?? DEFAULT_SIM_TIMEOUTS).udp * 1000;
    countPackets(sim, 1, HEADER + 28, 0, 0);
    if (dest.failure === 'none') {
      // Datagrams flow until closeAtMs; the entry then idles out after the udp timeout.
      setTransfer(sim, transfer, nowMs);
      sim.expiresAtMs = sim.closeAtMs + udpMs;
      schedule(state, sim, sim.closeAtMs);
    } else {
      sim.expiresAtMs = nowMs + udpMs;
      schedule(state, sim, sim.expiresAtMs);
    }
    return;
  }
  // SYN in; with NAT the SYN-ACK goes out through the director too.
  const answers = dest.failure === 'none';
  countPackets(sim, 1, 60, answers ? 1 : 0, answers ? 60 : 0);
  sim.pending = answers ? transfer : null;
  sim.expiresAtMs = nowMs + SYN_RECV_TIMEOUT_SEC * 1000;
  schedule(state, sim, dest.failure === 'blackhole' ? sim.expiresAtMs : nowMs + handshakeMs);
}

// ---------------------------------------------------------------------------
// Stepping

function nextArrival(state: SimState, runtime: ServiceRuntime, fromMs: number): void {
  const rate = runtime.config.traffic?.arrivalsPerSec ?? 0;
  if (!(rate > 0)) {
    runtime.nextArrivalMs = Infinity;
    return;
  }
  const gapMs = (-Math.log(1 - state.random.nextFloat()) / rate) * 1000;
  runtime.nextArrivalMs = fromMs + gapMs;
}

/**
 * Move the model from `fromMs` to `toMs`: apply config changes, generate the
 * arrivals in (fromMs, toMs], run every state transition and expiry due by
 * toMs in time order, and bring the counters up to toMs. Updates and returns
 * `state` (see the header on ownership).
 */
export function advance(state: SimState, config: SimConfig, fromMs: number, toMs: number): SimState {
  const startMs = Math.max(fromMs, state.nowMs);
  reconcile(state, config, startMs);
  if (toMs <= state.nowMs) return state;
  const timeouts = config.timeouts ?? DEFAULT_SIM_TIMEOUTS;
  const runtimes = [...state.services.values()];
  for (const runtime of runtimes) {
    if (Number.isNaN(runtime.nextArrivalMs) || runtime.nextArrivalMs < startMs) nextArrival(state, runtime, startMs);
  }
  while (true) {
    let arrival: ServiceRuntime | null = null;
    for (const runtime of runtimes) {
      if (runtime.nextArrivalMs <= toMs && (arrival === null || runtime.nextArrivalMs < arrival.nextArrivalMs)) arrival = runtime;
    }
    const event = state.events.peek();
    const eventDue = event !== undefined && event.eventMs <= toMs;
    if (!eventDue && arrival === null) break;
    if (eventDue && (arrival === null || event.eventMs <= arrival.nextArrivalMs)) {
      transition(state, event, timeouts);
      continue;
    }
    if (arrival) {
      const at = arrival.nextArrivalMs;
      const traffic = arrival.config.traffic;
      if (traffic) arrive(state, arrival, traffic, at, config);
      nextArrival(state, arrival, at);
    }
  }
  for (const runtime of state.services.values()) {
    for (const dest of runtime.dests) accrue(dest, runtime, toMs);
  }
  for (const dest of state.destIndex.values()) if (dest.removed) accrue(dest, null, toMs);
  state.nowMs = toMs;
  return state;
}

// ---------------------------------------------------------------------------
// Observation

export interface SimDestinationObservation {
  readonly id: string;
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly activeConns: number;
  readonly inactConns: number;
  readonly persistConns: number;
  readonly overloaded: boolean;
  readonly stats: Readonly<SimCounters>;
}

export interface SimServiceObservation {
  readonly id: string;
  readonly stats: Readonly<SimCounters>;
  readonly unscheduled: number;
  /** Kernel list order. */
  readonly destinations: readonly SimDestinationObservation[];
}

export function observe(state: SimState): SimServiceObservation[] {
  return [...state.services.entries()].map(([id, runtime]) => ({
    id,
    stats: { ...runtime.stats },
    unscheduled: runtime.unscheduled,
    destinations: runtime.dests.map((dest) => ({
      id: dest.id,
      address: dest.address,
      port: dest.port,
      weight: dest.weight,
      activeConns: dest.activeConns,
      inactConns: dest.inactConns,
      persistConns: dest.persistConns,
      overloaded: dest.overloaded,
      stats: { ...dest.stats },
    })),
  }));
}

/** One row as /proc/net/ip_vs_conn lists it. */
export interface SimConnectionEntry {
  readonly serviceId: string;
  readonly protocol: string;
  readonly client: string;
  readonly virtual: string;
  readonly destination: string;
  readonly state: string;
  /** Seconds until the kernel timer fires. */
  readonly expiresInSec: number;
  readonly template: boolean;
}

/** Up to `limit` connection entries (templates included), most recently created first. */
export function listConnections(state: SimState, options: { serviceId?: string; limit?: number } = {}): SimConnectionEntry[] {
  const limit = options.limit ?? 1000;
  const conns = state.events.values()
    .filter((c) => options.serviceId === undefined || c.service.config.id === options.serviceId)
    .sort((a, b) => b.seq - a.seq)
    .slice(0, limit);
  return conns.map((c) => ({
    serviceId: c.service.config.id,
    protocol: c.protocol.toUpperCase(),
    client: formatEndpoint(c.clientAddress, c.clientPort),
    virtual: formatEndpoint(c.virtualAddress, c.virtualPort),
    destination: formatEndpoint(c.dest.address, c.state === 'NONE' && c.virtualPort === 0 ? 0 : c.dest.port),
    state: c.state,
    expiresInSec: Math.max(0, Math.ceil((c.expiresAtMs - state.nowMs) / 1000)),
    template: c.state === 'NONE',
  }));
}

/** Total live entries (connections and templates). */
export function connectionCount(state: SimState): number {
  return state.events.size;
}
