// The hash functions the IPVS schedulers use, bit-exact, on 32-bit JS integers.
import { parseIp } from '../model/address';
import type { MhHashKeys } from './types';

/** 2654435761 = 0x9E3779B1: the multiplier of the pre-3.x ip_vs_sh/dh_hashkey() (kept for reference). */
export const GOLDEN_RATIO_PRIME = 0x9e3779b1;

/** GOLDEN_RATIO_32 of include/linux/hash.h (since 4.7). */
export const GOLDEN_RATIO_32 = 0x61c88647;

/**
 * `(offset + hash_32(value, bits)) & mask` as ip_vs_sh_hashkey() computes it
 * (ip_vs_dh_hashkey() is the same with offset 0). hash_32() keeps the TOP
 * `bits` bits of the 32-bit product; the pre-3.x `value * 2654435761UL & mask`
 * (the low bits) is long gone from the kernel. Verified against 6.1 in
 * e2e/kernel/suites/schedulers.sh.
 */
export function goldenBucket(value: number, offset: number, bits: number): number {
  return (offset + hash32(value, bits)) & ((1 << bits) - 1);
}

/** hash_32() of include/linux/hash.h: (val * GOLDEN_RATIO_32) >> (32 - bits). */
export function hash32(value: number, bits: number): number {
  return Math.imul(value, GOLDEN_RATIO_32) >>> (32 - bits);
}

/** lib/math/gcd.c semantics for positive integers. */
export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** fls(): 1-based index of the most significant set bit; fls(0) = 0. */
export function fls(value: number): number {
  return value === 0 ? 0 : 32 - Math.clz32(value);
}

// ---------------------------------------------------------------------------
// Address folding. The schedulers hash `__be32 addr->ip` for IPv4 and the XOR
// of the four 32-bit words for IPv6, then ntohl(): i.e. the big-endian value.

/** Fast dotted-quad parse to an unsigned 32-bit value; -1 when not IPv4. */
function ipv4Value(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
      if (dots > 3) return -1;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255 || digits > 3) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** Address bytes (4 or 16, network order), or null when the text is not a numeric address. */
export function addressBytes(text: string): Uint8Array | null {
  const v4 = ipv4Value(text);
  if (v4 >= 0) {
    return Uint8Array.of(v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff);
  }
  return parseIp(text)?.bytes ?? null;
}

export function foldBytes(bytes: Uint8Array): number {
  let fold = 0;
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    fold ^= ((bytes[i] ?? 0) << 24) | ((bytes[i + 1] ?? 0) << 16) | ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0);
  }
  return fold >>> 0;
}

/**
 * ntohl(addr_fold) of the scheduler hash functions: the IPv4 address as an
 * unsigned 32-bit number, or the XOR of an IPv6 address's four words.
 * Throws on text that is not a numeric address (callers validate earlier).
 */
export function foldAddress(text: string): number {
  const v4 = ipv4Value(text);
  if (v4 >= 0) return v4;
  const parsed = parseIp(text);
  if (!parsed) throw new Error(`not a numeric IP address: "${text}"`);
  return foldBytes(parsed.bytes);
}

// ---------------------------------------------------------------------------
// hsiphash() of lib/siphash.c for one u32 (ip_vs_mh_hashkey hashes `unsigned int v`).
// On 64-bit kernels hsiphash is SipHash-1-3 with a 128-bit key and the result
// truncated to 32 bits; on 32-bit kernels it is HalfSipHash-1-3.

/** The constants of ip_vs_mh.c generate_hash_secret(): not random, so mh is predictable. */
export const KERNEL_MH_KEYS: MhHashKeys = {
  hash1: [2654435761n, 2654435761n],
  hash2: [2654446892n, 2654446892n],
};

/** A prepared key: the SipHash initial state v0..v3 as (hi, lo) halves. */
export interface PreparedSipKey {
  readonly wordBits: 64 | 32;
  readonly init: Uint32Array;
}

const MASK64 = (1n << 64n) - 1n;

export function prepareSipKey(key: readonly [bigint, bigint], wordBits: 64 | 32 = 64): PreparedSipKey {
  if (wordBits === 32) {
    // HalfSipHash: unsigned long is 32 bits, so the key words are truncated.
    const k0 = Number(key[0] & 0xffffffffn);
    const k1 = Number(key[1] & 0xffffffffn);
    return { wordBits, init: Uint32Array.of(k0, k1, (0x6c796765 ^ k0) >>> 0, (0x74656462 ^ k1) >>> 0) };
  }
  const k0 = key[0] & MASK64;
  const k1 = key[1] & MASK64;
  const v = [0x736f6d6570736575n ^ k0, 0x646f72616e646f6dn ^ k1, 0x6c7967656e657261n ^ k0, 0x7465646279746573n ^ k1];
  const init = new Uint32Array(8);
  v.forEach((word, i) => {
    init[i * 2] = Number(word >> 32n);
    init[i * 2 + 1] = Number(word & 0xffffffffn);
  });
  return { wordBits, init };
}

/** hsiphash(&v, sizeof(u32), key) for the prepared key. */
export function hsiphashU32(value: number, key: PreparedSipKey): number {
  return key.wordBits === 64 ? sipHash13U32(value >>> 0, key.init) : halfSipHash13U32(value >>> 0, key.init);
}

function sipHash13U32(value: number, s: Uint32Array): number {
  let v0h = s[0] ?? 0,
    v0l = s[1] ?? 0,
    v1h = s[2] ?? 0,
    v1l = s[3] ?? 0;
  let v2h = s[4] ?? 0,
    v2l = s[5] ?? 0,
    v3h = s[6] ?? 0,
    v3l = s[7] ?? 0;
  // b = (len << 56) | le32(data): the 4 message bytes all sit in the final block.
  const bh = 0x04000000;
  const bl = value;
  v3h ^= bh;
  v3l = (v3l ^ bl) >>> 0;
  // One compression round, then v0 ^= b, v2 ^= 0xff, three finalization rounds.
  for (let round = 0; round < 4; round++) {
    if (round === 1) {
      v0h ^= bh;
      v0l = (v0l ^ bl) >>> 0;
      v2l = (v2l ^ 0xff) >>> 0;
    }
    let lo: number;
    let t: number;
    // v0 += v1; v1 = rol64(v1, 13); v1 ^= v0; v0 = rol64(v0, 32);
    lo = (v0l + v1l) >>> 0;
    v0h = (v0h + v1h + (lo < v0l ? 1 : 0)) >>> 0;
    v0l = lo;
    t = ((v1h << 13) | (v1l >>> 19)) >>> 0;
    v1l = ((v1l << 13) | (v1h >>> 19)) >>> 0;
    v1h = t;
    v1h = (v1h ^ v0h) >>> 0;
    v1l = (v1l ^ v0l) >>> 0;
    t = v0h;
    v0h = v0l;
    v0l = t;
    // v2 += v3; v3 = rol64(v3, 16); v3 ^= v2;
    lo = (v2l + v3l) >>> 0;
    v2h = (v2h + v3h + (lo < v2l ? 1 : 0)) >>> 0;
    v2l = lo;
    t = ((v3h << 16) | (v3l >>> 16)) >>> 0;
    v3l = ((v3l << 16) | (v3h >>> 16)) >>> 0;
    v3h = t;
    v3h = (v3h ^ v2h) >>> 0;
    v3l = (v3l ^ v2l) >>> 0;
    // v0 += v3; v3 = rol64(v3, 21); v3 ^= v0;
    lo = (v0l + v3l) >>> 0;
    v0h = (v0h + v3h + (lo < v0l ? 1 : 0)) >>> 0;
    v0l = lo;
    t = ((v3h << 21) | (v3l >>> 11)) >>> 0;
    v3l = ((v3l << 21) | (v3h >>> 11)) >>> 0;
    v3h = t;
    v3h = (v3h ^ v0h) >>> 0;
    v3l = (v3l ^ v0l) >>> 0;
    // v2 += v1; v1 = rol64(v1, 17); v1 ^= v2; v2 = rol64(v2, 32);
    lo = (v2l + v1l) >>> 0;
    v2h = (v2h + v1h + (lo < v2l ? 1 : 0)) >>> 0;
    v2l = lo;
    t = ((v1h << 17) | (v1l >>> 15)) >>> 0;
    v1l = ((v1l << 17) | (v1h >>> 15)) >>> 0;
    v1h = t;
    v1h = (v1h ^ v2h) >>> 0;
    v1l = (v1l ^ v2l) >>> 0;
    t = v2h;
    v2h = v2l;
    v2l = t;
  }
  // (v0 ^ v1) ^ (v2 ^ v3), truncated to u32 by the return type.
  return (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
}

function rol32(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

function halfSipHash13U32(value: number, s: Uint32Array): number {
  let v0 = s[0] ?? 0,
    v1 = s[1] ?? 0,
    v2 = s[2] ?? 0,
    v3 = s[3] ?? 0;
  const b = 0x04000000; // len << 24, no tail bytes left over
  const round = (): void => {
    v0 = (v0 + v1) >>> 0;
    v1 = rol32(v1, 5);
    v1 ^= v0;
    v0 = rol32(v0, 16);
    v2 = (v2 + v3) >>> 0;
    v3 = rol32(v3, 8);
    v3 ^= v2;
    v0 = (v0 + v3) >>> 0;
    v3 = rol32(v3, 7);
    v3 ^= v0;
    v2 = (v2 + v1) >>> 0;
    v1 = rol32(v1, 13);
    v1 ^= v2;
    v2 = rol32(v2, 16);
    v1 >>>= 0;
    v3 >>>= 0;
  };
  // The 4-byte message is one full 32-bit block.
  v3 = (v3 ^ value) >>> 0;
  round();
  v0 = (v0 ^ value) >>> 0;
  v3 = (v3 ^ b) >>> 0;
  round();
  v0 = (v0 ^ b) >>> 0;
  v2 = (v2 ^ 0xff) >>> 0;
  round();
  round();
  round();
  return (v1 ^ v3) >>> 0;
}
