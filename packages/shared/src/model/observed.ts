// What the kernel reports. Kept apart from config so a plan compares config
// fields only and counters never leak into a desired state.
import type { Destination, Service, SyncDaemon, Timeouts } from './ipvs';

/**
 * 64-bit kernel counters (IPVS_*_ATTR_STATS64). Held as JS numbers: exact up
 * to 2^53 (9 PB of bytes), far beyond what one director moves between resets.
 */
export interface Counters {
  conns: number;
  inPkts: number;
  outPkts: number;
  inBytes: number;
  outBytes: number;
}

/**
 * Rates per second. The sim gives the kernel's kind of smoothed rates; the
 * ipvsadm backend gives counter deltas between its last two observations
 * unless asked for the kernel's own (`ipvsadm --rate`, 2 s estimator, EWMA).
 * Charts use counter deltas of their own.
 */
export interface KernelRates {
  cps: number;
  inPps: number;
  outPps: number;
  inBps: number;
  outBps: number;
}

export interface ObservedDestination extends Destination {
  activeConns: number;
  inactiveConns: number;
  persistentConns: number;
  /** The kernel set the destination OVERLOADED (upper threshold reached). */
  overloaded?: boolean;
  /** The kernel forwards to itself: the address is local to the director. */
  local?: boolean;
  stats: Counters;
  rates: KernelRates;
}

export interface ObservedService extends Omit<Service, 'destinations'> {
  destinations: ObservedDestination[];
  stats: Counters;
  rates: KernelRates;
}

export interface KernelInfo {
  /** "1.2.1" as the kernel reports IPVS_INFO_ATTR_VERSION. */
  ipvsVersion: string;
  /** Connection hash table size (buckets), IPVS_INFO_ATTR_CONN_TAB_SIZE. */
  connTableSize: number;
}

export interface ObservedTable {
  services: ObservedService[];
  timeouts: Timeouts;
  syncDaemons: SyncDaemon[];
}

export function zeroCounters(): Counters {
  return { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
}

export function zeroRates(): KernelRates {
  return { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };
}

/** One row of /proc/net/ip_vs_conn (ipvsadm -Lcn). */
export interface ConnectionEntry {
  /** TCP, UDP, SCTP, or IP for a persistence template (as the kernel prints it). */
  protocol: string;
  clientAddress: string;
  clientPort: number;
  virtualAddress: string;
  virtualPort: number;
  destAddress: string;
  destPort: number;
  /** Kernel state name: ESTABLISHED, FIN_WAIT, TIME_WAIT, SYN_RECV, UDP, NONE (a persistence template), ... */
  state: string;
  /** Seconds until the entry expires. */
  expiresIn: number;
  /** A persistence template: client port 0, state NONE (older kernels) or ASSURED (6.1), or protocol IP. */
  template: boolean;
}

/** Strip observation fields: the config a desired state would hold. */
export function configOfService(svc: ObservedService): Service {
  return {
    key: svc.key,
    scheduler: svc.scheduler,
    flags: svc.flags,
    persistence: svc.persistence,
    onePacket: svc.onePacket,
    destinations: svc.destinations.map(configOfDestination),
  };
}

export function configOfDestination(dest: ObservedDestination): Destination {
  const config: Destination = {
    address: dest.address,
    port: dest.port,
    forwarding: dest.forwarding,
    weight: dest.weight,
    upperThreshold: dest.upperThreshold,
    lowerThreshold: dest.lowerThreshold,
  };
  if (dest.tunnel) config.tunnel = dest.tunnel;
  return config;
}
