// Input and output types of the kernel scheduler models. They describe a
// service as the scheduler sees it at the moment a new connection arrives:
// its destinations in the kernel's list order with their live counters, and
// the connection's addresses. Nothing here is config-only or observation-only;
// callers (the sim kernel, predictions, the CLI) build these from either.
import type { Protocol, SchedFlag, SchedulerName } from '../model/ipvs';

export type { Protocol, SchedFlag, SchedulerName };

/** A destination (real server) as ip_vs_*_schedule() reads it from struct ip_vs_dest. */
export interface SchedDestination {
  /** Stable identity, conventionally formatEndpoint(address, port): "10.0.0.1:80", "[2001:db8::1]:80". */
  readonly id: string;
  /** Numeric IPv4 or IPv6 address. */
  readonly address: string;
  readonly port: number;
  /** Current weight, 0..65535 (0 = quiescent: no new connections). */
  readonly weight: number;
  /**
   * dest->last_weight: the latest non-zero weight (ip_vs_ctl.c __ip_vs_update_dest).
   * Only mh reads it, so that setting weight 0 does not reshuffle its table.
   * Defaults to `weight`.
   */
  readonly lastWeight?: number;
  readonly activeConns: number;
  readonly inactConns: number;
  readonly persistConns: number;
  /** IP_VS_DEST_F_OVERLOAD, maintained from the thresholds (see thresholds.ts). */
  readonly overloaded: boolean;
  /** -x; 0 = unset. */
  readonly upperThreshold: number;
  /** -y; 0 = unset (then 3/4 of the upper threshold). */
  readonly lowerThreshold: number;
}

/** Persistence (-p timeout, -M netmask) as ip_vs_sched_persist() applies it. */
export interface SchedPersistence {
  readonly timeoutSec: number;
  /** Client grouping prefix length; default 32 (IPv4) or 128 (IPv6), i.e. per client address. */
  readonly netmaskPrefix?: number;
}

/** Build-time and sysctl knobs of the scheduler modules; every field has the kernel default. */
export interface KernelSchedulerOptions {
  /** CONFIG_IP_VS_SH_TAB_BITS (default 8: 256 buckets). */
  readonly shTableBits?: number;
  /** CONFIG_IP_VS_DH_TAB_BITS (default 8: 256 buckets). */
  readonly dhTableBits?: number;
  /** CONFIG_IP_VS_MH_TAB_INDEX, 8..17 (default 12: table size 4093). */
  readonly mhTableIndex?: number;
  /**
   * The two hsiphash keys of ip_vs_mh.c generate_hash_secret(). Mainline uses
   * fixed constants, so mh is exactly predictable; a patched kernel could differ.
   */
  readonly mhKeys?: MhHashKeys;
  /** 64-bit kernels run SipHash-1-3 as hsiphash; 32-bit kernels run HalfSipHash-1-3. */
  readonly mhWordBits?: 64 | 32;
  /** net.ipv4.vs.lblc_expiration in seconds (default 24 h). */
  readonly lblcExpirationSec?: number;
  /** net.ipv4.vs.lblcr_expiration in seconds (default 24 h). */
  readonly lblcrExpirationSec?: number;
  /** Seed of the PRNG that stands in for the kernel's get_random_u32() in twos. */
  readonly twosSeed?: number;
}

export interface MhHashKeys {
  /** hash1.key[0], hash1.key[1]: the table offset and the lookup hash. */
  readonly hash1: readonly [bigint, bigint];
  /** hash2.key[0], hash2.key[1]: the permutation skip. */
  readonly hash2: readonly [bigint, bigint];
}

/** The virtual service's identity, as far as scheduling needs it. */
export type SchedVirtualService =
  | { readonly kind: 'addr'; readonly protocol: Protocol; readonly address: string; readonly port: number }
  | { readonly kind: 'fwmark'; readonly fwmark: number };

/** A virtual service as its scheduler sees it. */
export interface SchedService {
  readonly scheduler: SchedulerName;
  /** ipvsadm flag names: 'sh-fallback', 'sh-port', 'mh-fallback', 'mh-port' (others are ignored). */
  readonly flags: readonly string[];
  /**
   * In the kernel's list order (svc->destinations). New destinations are
   * inserted at the head, so this is the reverse of the order they were added;
   * use kernelListOrder() to convert.
   */
  readonly destinations: readonly SchedDestination[];
  /** Needed for persistence templates and port-0 services; optional otherwise. */
  readonly virtualService?: SchedVirtualService;
  readonly persistence?: SchedPersistence | null;
  readonly kernel?: KernelSchedulerOptions;
}

/** The first packet of a new connection, from the client to the virtual service. */
export interface SchedConnection {
  readonly clientAddress: string;
  readonly clientPort: number;
  /** The packet's destination address: the VIP (or any address a fwmark rule matched). dh, lblc, lblcr hash this. */
  readonly virtualAddress: string;
  readonly virtualPort: number;
  readonly protocol: Protocol;
}

export interface ScheduleResult<State> {
  /** The chosen destination, or null when the kernel would answer "no destination available". */
  readonly destination: SchedDestination | null;
  /** Index of the destination in service.destinations, or -1. */
  readonly index: number;
  readonly state: State;
}
