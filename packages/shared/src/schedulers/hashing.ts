// sh, dh and mh: a lookup table built when the destinations change, indexed
// by a hash of an address at schedule time. Tables hold indices into the bound
// destination list and are never mutated after being built, so clones share them.
import type { BoundList, PickContext, SchedulerCore } from './core';
import { hasFlag, portOfConnection } from './core';
import { fls, foldAddress, gcd, goldenBucket, hsiphashU32, KERNEL_MH_KEYS, prepareSipKey, type PreparedSipKey } from './hash';
import type { KernelSchedulerOptions, SchedDestination, SchedService } from './types';

const EMPTY = -1;

/** weight <= 0 or overloaded: is_unavailable() of ip_vs_sh.c and ip_vs_mh.c. */
function unavailable(dest: SchedDestination): boolean {
  return dest.weight <= 0 || dest.overloaded;
}

// ---------------------------------------------------------------------------
// sh

/**
 * ip_vs_sh_reassign(): walk the list, giving each dest `weight` consecutive
 * buckets (at least one, so weight-0 dests still own buckets and answer
 * "unavailable"), wrapping around until the table is full.
 */
export function buildShTable(dests: readonly SchedDestination[], bits = 8): Int32Array {
  const size = 1 << bits;
  const table = new Int32Array(size).fill(EMPTY);
  if (dests.length === 0) return table;
  let current = 0;
  let filled = 0;
  for (let bucket = 0; bucket < size; bucket++) {
    table[bucket] = current;
    if (++filled >= (dests[current] as SchedDestination).weight) {
      current = (current + 1) % dests.length;
      filled = 0;
    }
  }
  return table;
}

/** The bucket ip_vs_sh_hashkey() gives an address fold and port (port 0 unless sh-port). */
export function shBucket(addressFold: number, port: number, bits = 8, offset = 0): number {
  return goldenBucket((port + addressFold) >>> 0, offset, bits);
}

export function lookupSh(table: Int32Array, dests: readonly SchedDestination[], addressFold: number, port: number, fallback: boolean, bits = 8): number {
  const size = 1 << bits;
  const initial = shBucket(addressFold, port, bits);
  const first = table[initial] ?? EMPTY;
  if (first === EMPTY) return -1;
  if (!unavailable(dests[first] as SchedDestination)) return first;
  if (!fallback) return -1;
  // ip_vs_sh_get_fallback(): offsets from the initial hash, each fed back into the hash.
  for (let offset = 0; offset < size; offset++) {
    const roffset = (offset + initial) % size;
    const index = table[shBucket(addressFold, port, bits, roffset)] ?? EMPTY;
    if (index === EMPTY) break;
    if (!unavailable(dests[index] as SchedDestination)) return index;
  }
  return -1;
}

export class ShCore implements SchedulerCore {
  constructor(
    private table: Int32Array,
    private readonly bits: number,
  ) {}

  static init(dests: readonly SchedDestination[], options: KernelSchedulerOptions | undefined): ShCore {
    const bits = options?.shTableBits ?? 8;
    return new ShCore(buildShTable(dests, bits), bits);
  }

  get lookupTable(): Int32Array {
    return this.table;
  }

  clone(): ShCore {
    return new ShCore(this.table, this.bits);
  }

  destinationsChanged(_previous: BoundList, next: BoundList): void {
    this.table = buildShTable(next.dests, this.bits);
  }

  pick(list: BoundList, { service, conn }: PickContext): number {
    const port = hasFlag(service, 'sh-port') ? portOfConnection(conn) : 0;
    return lookupSh(this.table, list.dests, foldAddress(conn.clientAddress), port, hasFlag(service, 'sh-fallback'), this.bits);
  }
}

// ---------------------------------------------------------------------------
// dh

/** ip_vs_dh_reassign(): one bucket per dest in turn; weights play no part. */
export function buildDhTable(dests: readonly SchedDestination[], bits = 8): Int32Array {
  const size = 1 << bits;
  const table = new Int32Array(size).fill(EMPTY);
  if (dests.length === 0) return table;
  for (let bucket = 0; bucket < size; bucket++) table[bucket] = bucket % dests.length;
  return table;
}

export function dhBucket(addressFold: number, bits = 8): number {
  return goldenBucket(addressFold, 0, bits);
}

export class DhCore implements SchedulerCore {
  constructor(
    private table: Int32Array,
    private readonly bits: number,
  ) {}

  static init(dests: readonly SchedDestination[], options: KernelSchedulerOptions | undefined): DhCore {
    const bits = options?.dhTableBits ?? 8;
    return new DhCore(buildDhTable(dests, bits), bits);
  }

  clone(): DhCore {
    return new DhCore(this.table, this.bits);
  }

  destinationsChanged(_previous: BoundList, next: BoundList): void {
    this.table = buildDhTable(next.dests, this.bits);
  }

  /** ip_vs_dh_schedule(): hash the packet's destination address; no fallback. */
  pick(list: BoundList, { conn }: PickContext): number {
    const index = this.table[dhBucket(foldAddress(conn.virtualAddress), this.bits)] ?? EMPTY;
    if (index === EMPTY) return -1;
    return unavailable(list.dests[index] as SchedDestination) ? -1 : index;
  }
}

// ---------------------------------------------------------------------------
// mh

/** primes[] of ip_vs_mh.c, indexed by CONFIG_IP_VS_MH_TAB_INDEX - 8. */
export const MH_PRIMES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071] as const;

export interface MhParameters {
  readonly size: number;
  /** IP_VS_MH_TAB_BITS = CONFIG_IP_VS_MH_TAB_INDEX / 2: caps the turns per dest. */
  readonly tableBits: number;
  readonly hash1: PreparedSipKey;
  readonly hash2: PreparedSipKey;
}

export function mhParameters(options: KernelSchedulerOptions | undefined): MhParameters {
  const index = options?.mhTableIndex ?? 12;
  const size = MH_PRIMES[index - 8];
  if (size === undefined) throw new Error(`mh table index must be 8..17, got ${index}`);
  const keys = options?.mhKeys ?? KERNEL_MH_KEYS;
  const wordBits = options?.mhWordBits ?? 64;
  return {
    size,
    tableBits: Math.trunc(index / 2),
    hash1: prepareSipKey(keys.hash1, wordBits),
    hash2: prepareSipKey(keys.hash2, wordBits),
  };
}

/** ip_vs_mh_hashkey(): hsiphash of (offset + port + address fold) as a u32. */
export function mhHash(addressFold: number, port: number, key: PreparedSipKey, offset = 0): number {
  return hsiphashU32((offset + port + addressFold) >>> 0, key);
}

function lastWeightOf(dest: SchedDestination): number {
  return dest.lastWeight ?? dest.weight;
}

/**
 * ip_vs_mh_permutate() + ip_vs_mh_populate(): every dest walks its own
 * permutation (offset, skip) of the table; in list order each claims `turns`
 * free slots in a row, round after round, until the table is full. Weights are
 * last_weight / gcd, shifted right so the largest fits in IP_VS_MH_TAB_BITS bits.
 */
export function buildMhTable(dests: readonly SchedDestination[], params: MhParameters): Int32Array {
  const size = params.size;
  const table = new Int32Array(size).fill(EMPTY);
  const count = dests.length;
  // ip_vs_mh_reassign() refuses more dests than slots (-EINVAL).
  if (count === 0 || count > size) return table;
  let divisor = 0;
  let maxWeight = 0;
  for (const dest of dests) {
    const weight = lastWeightOf(dest);
    if (weight > 0) divisor = divisor > 0 ? gcd(weight, divisor) : weight;
    if (weight > maxWeight) maxWeight = weight;
  }
  if (divisor < 1) return table;
  const shift = Math.max(0, fls(Math.trunc(maxWeight / divisor)) - params.tableBits);
  const perm = new Int32Array(count);
  const skip = new Int32Array(count);
  const turns = new Int32Array(count);
  dests.forEach((dest, i) => {
    const fold = foldAddress(dest.address);
    perm[i] = mhHash(fold, dest.port, params.hash1) % size;
    skip[i] = (mhHash(fold, dest.port, params.hash2) % (size - 1)) + 1;
    const weight = lastWeightOf(dest);
    turns[i] = Math.trunc(weight / divisor) >> shift || (weight !== 0 ? 1 : 0);
  });
  const taken = new Uint8Array(size);
  let placed = 0;
  let turnCount = 0;
  while (placed < size) {
    let i = 0;
    while (i < count) {
      const destTurns = turns[i] ?? 0;
      if (destTurns < 1) {
        i++;
        continue;
      }
      let slot = perm[i] ?? 0;
      const destSkip = skip[i] ?? 1;
      while (taken[slot] === 1) {
        slot += destSkip;
        if (slot >= size) slot -= size;
      }
      perm[i] = slot;
      taken[slot] = 1;
      table[slot] = i;
      if (++placed === size) return table;
      if (++turnCount >= destTurns) {
        turnCount = 0;
        i++;
      }
    }
  }
  return table;
}

export function lookupMh(
  table: Int32Array,
  dests: readonly SchedDestination[],
  addressFold: number,
  port: number,
  fallback: boolean,
  params: MhParameters,
): number {
  const size = params.size;
  const initial = mhHash(addressFold, port, params.hash1) % size;
  const first = table[initial] ?? EMPTY;
  if (first === EMPTY) return -1;
  if (!unavailable(dests[first] as SchedDestination)) return first;
  if (!fallback) return -1;
  // ip_vs_mh_get_fallback(): rehash with offsets counting up from the initial slot.
  for (let offset = 0; offset < size; offset++) {
    const roffset = (offset + initial) % size;
    const index = table[mhHash(addressFold, port, params.hash1, roffset) % size] ?? EMPTY;
    if (index === EMPTY) break;
    if (!unavailable(dests[index] as SchedDestination)) return index;
  }
  return -1;
}

export class MhCore implements SchedulerCore {
  constructor(
    private table: Int32Array,
    private readonly params: MhParameters,
  ) {}

  static init(dests: readonly SchedDestination[], options: KernelSchedulerOptions | undefined): MhCore {
    const params = mhParameters(options);
    return new MhCore(buildMhTable(dests, params), params);
  }

  get lookupTable(): Int32Array {
    return this.table;
  }

  clone(): MhCore {
    return new MhCore(this.table, this.params);
  }

  destinationsChanged(_previous: BoundList, next: BoundList): void {
    this.table = buildMhTable(next.dests, this.params);
  }

  pick(list: BoundList, { service, conn }: PickContext): number {
    return this.pickFold(list.dests, service, foldAddress(conn.clientAddress), portOfConnection(conn));
  }

  /** The lookup with a pre-folded client address (remapPreview hashes many clients). */
  pickFold(dests: readonly SchedDestination[], service: SchedService, addressFold: number, clientPort: number): number {
    const port = hasFlag(service, 'mh-port') ? clientPort : 0;
    return lookupMh(this.table, dests, addressFold, port, hasFlag(service, 'mh-fallback'), this.params);
  }
}
