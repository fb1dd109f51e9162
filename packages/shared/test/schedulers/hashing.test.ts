// sh, dh and mh: buckets computed by hand from the kernel formulas, SipHash
// checked against an independent BigInt implementation, tables and fallback.
import { describe, expect, it } from 'vitest';
import {
  buildDhTable,
  buildMhTable,
  buildShTable,
  dhBucket,
  foldAddress,
  hsiphashU32,
  KERNEL_MH_KEYS,
  mhParameters,
  predictClients,
  prepareSipKey,
  shBucket,
} from '../../src/schedulers';
import { dest, service } from './support';

// --- An independent SipHash-c-d on BigInt, straight from the paper -----------

const M64 = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & M64;

function sipHashRef(cRounds: number, dRounds: number, k0: bigint, k1: bigint, message: Uint8Array): bigint {
  let v0 = 0x736f6d6570736575n ^ k0;
  let v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0;
  let v3 = 0x7465646279746573n ^ k1;
  const round = (): void => {
    v0 = (v0 + v1) & M64;
    v1 = rotl(v1, 13n);
    v1 ^= v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M64;
    v3 = rotl(v3, 16n);
    v3 ^= v2;
    v0 = (v0 + v3) & M64;
    v3 = rotl(v3, 21n);
    v3 ^= v0;
    v2 = (v2 + v1) & M64;
    v1 = rotl(v1, 17n);
    v1 ^= v2;
    v2 = rotl(v2, 32n);
  };
  const blocks = Math.floor(message.length / 8);
  const word = (offset: number, count: number): bigint => {
    let m = 0n;
    for (let i = count - 1; i >= 0; i--) m = (m << 8n) | BigInt(message[offset + i] ?? 0);
    return m;
  };
  for (let b = 0; b < blocks; b++) {
    const m = word(b * 8, 8);
    v3 ^= m;
    for (let i = 0; i < cRounds; i++) round();
    v0 ^= m;
  }
  const last = (BigInt(message.length & 0xff) << 56n) | word(blocks * 8, message.length % 8);
  v3 ^= last;
  for (let i = 0; i < cRounds; i++) round();
  v0 ^= last;
  v2 ^= 0xffn;
  for (let i = 0; i < dRounds; i++) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

function le32(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24);
}

describe('hsiphash (SipHash-1-3 on 64-bit kernels)', () => {
  it('the reference reproduces the SipHash-2-4 paper vector', () => {
    const key0 = 0x0706050403020100n;
    const key1 = 0x0f0e0d0c0b0a0908n;
    const message = Uint8Array.from({ length: 15 }, (_, i) => i);
    expect(sipHashRef(2, 4, key0, key1, message)).toBe(0xa129ca6149be45e5n);
  });

  it('matches the reference for the mh keys over many values', () => {
    const key = prepareSipKey(KERNEL_MH_KEYS.hash1);
    const [k0, k1] = KERNEL_MH_KEYS.hash1;
    for (const value of [0, 1, 80, 0x0a000001, 0xc0000201, 0xffffffff, 0x12345678, 0x80000000]) {
      const expected = Number(sipHashRef(1, 3, k0, k1, le32(value)) & 0xffffffffn);
      expect(hsiphashU32(value, key)).toBe(expected);
    }
  });

  it('matches for the second key and arbitrary 64-bit keys', () => {
    const keys: Array<readonly [bigint, bigint]> = [KERNEL_MH_KEYS.hash2, [0x0123456789abcdefn, 0xfedcba9876543210n]];
    for (const k of keys) {
      const key = prepareSipKey(k);
      for (let value = 0; value < 2000; value += 137) {
        expect(hsiphashU32(value * 2654435761, key)).toBe(Number(sipHashRef(1, 3, k[0], k[1], le32((value * 2654435761) >>> 0)) & 0xffffffffn));
      }
    }
  });
});

describe('address folding', () => {
  it('uses the big-endian IPv4 value and XORs the IPv6 words', () => {
    expect(foldAddress('10.0.0.1')).toBe(0x0a000001);
    expect(foldAddress('255.255.255.255')).toBe(0xffffffff);
    // 0x20010db8 ^ 0 ^ 0 ^ 0x00000001
    expect(foldAddress('2001:db8::1')).toBe(0x20010db9);
  });
});

describe('sh', () => {
  it('hashes hash_32(port + addr, 8) into 256 buckets (the top byte of the product with 0x61C88647)', () => {
    // 0x0A000001 * 0x61C88647 = ...0x27C88647 (low 32 bits): top byte 0x27 = 39.
    // The pre-3.x kernels took the LOW byte of addr * 2654435761 (177 here); 6.1 verified in e2e/kernel/suites/schedulers.sh.
    expect(shBucket(foldAddress('10.0.0.1'), 0)).toBe(39);
    expect(shBucket(foldAddress('10.0.0.2'), 0)).toBe(137);
    // sh-port, port 80: hash_32(0x0A000051).
    expect(shBucket(foldAddress('10.0.0.1'), 80)).toBe(182);
    // IPv6 fold 0x20010db9.
    expect(shBucket(foldAddress('2001:db8::1'), 0)).toBe(63);
    // The offset (fallback) is added after hashing, then masked.
    expect(shBucket(foldAddress('10.0.0.2'), 0, 8, 137)).toBe(18);
  });

  it('tiles the table by weight in list order (ip_vs_sh_reassign)', () => {
    const table = buildShTable([dest('a:80', 2), dest('b:80', 1)]);
    expect(Array.from(table.subarray(0, 7))).toEqual([0, 0, 1, 0, 0, 1, 0]);
    const counts = [0, 0];
    for (const i of table) counts[i] = (counts[i] ?? 0) + 1;
    expect(counts).toEqual([171, 85]);
    // Weight 0 still takes one slot per round, like weight 1.
    expect(Array.from(buildShTable([dest('a:80', 0), dest('b:80', 2)]).subarray(0, 6))).toEqual([0, 1, 1, 0, 1, 1]);
  });

  it('maps clients through the table: 10.0.0.1 -> bucket 39 -> a, 10.0.0.2 -> bucket 137 -> b', () => {
    const svc = service('sh', [dest('10.1.0.1:80', 2), dest('10.1.0.2:80', 1)]);
    const picks = predictClients(svc, [{ address: '10.0.0.1' }, { address: '10.0.0.2' }, { address: '10.0.0.1' }]);
    expect(picks.map((p) => p.destination?.id)).toEqual(['10.1.0.1:80', '10.1.0.2:80', '10.1.0.1:80']);
  });

  it('answers null for a quiescent server unless sh-fallback, which probes bucket 2 * hash', () => {
    const dests = [dest('10.1.0.1:80', 2), dest('10.1.0.2:80', 0)];
    // Bucket 137 is 137 % 3 = 2 -> the weight-0 server.
    expect(predictClients(service('sh', dests), [{ address: '10.0.0.2' }])[0]?.destination).toBeNull();
    // Fallback offset 0: roffset = 137, hash = (137 + 137) & 255 = 18 -> 18 % 3 = 0 -> a.
    const fallback = predictClients(service('sh', dests, { flags: ['sh-fallback'] }), [{ address: '10.0.0.2' }]);
    expect(fallback[0]?.destination?.id).toBe('10.1.0.1:80');
  });

  it('with sh-port the source port moves the bucket', () => {
    const svc = service('sh', [dest('10.1.0.1:80', 1), dest('10.1.0.2:80', 1), dest('10.1.0.3:80', 1)], { flags: ['sh-port'] });
    // port 80: bucket 182 -> index 2; port 0: bucket 39 -> index 0.
    const picks = predictClients(svc, [
      { address: '10.0.0.1', port: 80 },
      { address: '10.0.0.1', port: 0 },
    ]);
    expect(picks.map((p) => p.destination?.id)).toEqual(['10.1.0.3:80', '10.1.0.1:80']);
  });
});

describe('dh', () => {
  it('hashes the packet destination address; weights only switch servers on and off', () => {
    // hash_32(addr, 8), like sh without a port.
    expect(dhBucket(foldAddress('10.0.0.1'))).toBe(39);
    const table = buildDhTable([dest('a:80', 100), dest('b:80', 1), dest('c:80', 1)]);
    expect(Array.from(table.subarray(0, 6))).toEqual([0, 1, 2, 0, 1, 2]);
    const svc = service('dh', [dest('10.1.0.1:80', 100), dest('10.1.0.2:80', 1), dest('10.1.0.3:80', 1)], {
      virtualService: { kind: 'addr', protocol: 'tcp', address: '10.0.0.1', port: 80 },
    });
    // VIP 10.0.0.1 -> bucket 39 -> 39 % 3 = 0: every client lands on the first server.
    const picks = predictClients(svc, [{ address: '198.51.100.1' }, { address: '198.51.100.2' }]);
    expect(picks.map((p) => p.destination?.id)).toEqual(['10.1.0.1:80', '10.1.0.1:80']);
  });
});

describe('mh', () => {
  const params = mhParameters(undefined);

  it('uses the 4093-slot prime table by default', () => {
    expect(params.size).toBe(4093);
    expect(mhParameters({ mhTableIndex: 8 }).size).toBe(251);
    expect(() => mhParameters({ mhTableIndex: 18 })).toThrow();
  });

  it('fills every slot, equal weights to within one slot (the first in list order gets the extra)', () => {
    const table = buildMhTable([dest('10.1.0.1:80', 1), dest('10.1.0.2:80', 1), dest('10.1.0.3:80', 1)], params);
    const counts = [0, 0, 0];
    for (const i of table) counts[i] = (counts[i] ?? 0) + 1;
    expect(counts).toEqual([1365, 1364, 1364]);
  });

  it('gives weight 2 two turns per round against weight 1', () => {
    const table = buildMhTable([dest('10.1.0.1:80', 2), dest('10.1.0.2:80', 1)], params);
    const counts = [0, 0];
    for (const i of table) counts[i] = (counts[i] ?? 0) + 1;
    expect(counts).toEqual([2729, 1364]);
  });

  it('places the first slot of a lone dest at hsiphash(port + addr) % 4093 (its permutation offset)', () => {
    const only = dest('10.1.0.1:80', 1);
    const table = buildMhTable([only, dest('10.1.0.2:80', 0)], params);
    // Weight-0 dests take no slots; the other takes all of them.
    expect(new Set(table)).toEqual(new Set([0]));
    const key = prepareSipKey(KERNEL_MH_KEYS.hash1);
    const offset = hsiphashU32((80 + 0x0a010001) >>> 0, key) % 4093;
    const [k0, k1] = KERNEL_MH_KEYS.hash1;
    expect(offset).toBe(Number((sipHashRef(1, 3, k0, k1, le32(0x0a010051)) & 0xffffffffn) % 4093n));
  });

  it('is deterministic and keeps the table when a weight drops to 0 (last_weight)', () => {
    const dests = [dest('10.1.0.1:80', 1), dest('10.1.0.2:80', 1), dest('10.1.0.3:80', 1)];
    const a = buildMhTable(dests, params);
    expect(buildMhTable(dests, params)).toEqual(a);
    const drained = [dests[0], { ...dest('10.1.0.2:80', 0), lastWeight: 1 }, dests[2]].map((d) => d ?? dest('x:1', 1));
    expect(buildMhTable(drained, params)).toEqual(a);
  });

  it('answers null for a drained server, or falls back with mh-fallback', () => {
    const dests = [dest('10.1.0.1:80', 1), { ...dest('10.1.0.2:80', 0), lastWeight: 1 }];
    const clients = Array.from({ length: 200 }, (_, i) => ({ address: `198.51.100.${i + 1}` }));
    const plain = predictClients(service('mh', dests), clients, { assume: 'none' });
    const onDrained = plain.filter((p) => p.destination === null).length;
    expect(onDrained).toBeGreaterThan(60);
    expect(onDrained).toBeLessThan(140);
    const fallback = predictClients(service('mh', dests, { flags: ['mh-fallback'] }), clients, { assume: 'none' });
    expect(fallback.every((p) => p.destination?.id === '10.1.0.1:80')).toBe(true);
  });

  it('a different key changes the mapping (the key is a parameter)', () => {
    const dests = [dest('10.1.0.1:80', 1), dest('10.1.0.2:80', 1), dest('10.1.0.3:80', 1)];
    const other = mhParameters({ mhKeys: { hash1: [1n, 2n], hash2: [3n, 4n] } });
    expect(buildMhTable(dests, other)).not.toEqual(buildMhTable(dests, params));
  });
});
