// The order of `ipvsadm -S` output: libipvs' comparators (with their int
// wrap) under glibc's merge sort. See src/ipvsadm/order.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareDestKeys,
  compareServiceKeys,
  destinationsInSaveOrder,
  glibcMergeSort,
  parseRules,
  renderRules,
  serviceSortKey,
  servicesInSaveOrder,
} from '../../src/ipvsadm';
import type { ServiceKey } from '../../src/model';

function order(text: string): string[] {
  return renderRules(parseRules(text).state).trim().split('\n');
}

describe('save order', () => {
  it('services: IPv4 before IPv6, then TCP, UDP, SCTP, then address and port; fwmark services last', () => {
    expect(
      order(
        [
          '-A -f 2 -s rr',
          '-A -f 1 -6 -s rr',
          '-A -f 1 -s rr',
          '-A --sctp-service 192.0.2.1:3868 -s rr',
          '-A -u 192.0.2.1:53 -s rr',
          '-A -t [2001:db8::1]:80 -s rr',
          '-A -t 192.0.2.2:80 -s rr',
          '-A -t 192.0.2.1:443 -s rr',
          '-A -t 192.0.2.1:80 -s rr',
        ].join('\n'),
      ),
    ).toEqual([
      '-A -t 192.0.2.1:80 -s rr',
      '-A -t 192.0.2.1:443 -s rr',
      '-A -t 192.0.2.2:80 -s rr',
      '-A -u 192.0.2.1:53 -s rr',
      '-A --sctp-service 192.0.2.1:3868 -s rr',
      '-A -t [2001:db8::1]:80 -s rr',
      '-A -f 1 -s rr',
      '-A -f 1 -6 -s rr',
      '-A -f 2 -s rr',
    ]);
  });

  it('destinations: by address then port, whatever order they were added in', () => {
    expect(
      order('-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 10.0.0.17 -m\n-a -t 192.0.2.1:80 -r 10.0.0.7:81 -m\n-a -t 192.0.2.1:80 -r 10.0.0.7 -m').slice(1),
    ).toEqual(['-a -t 192.0.2.1:80 -r 10.0.0.7:80 -m -w 1', '-a -t 192.0.2.1:80 -r 10.0.0.7:81 -m -w 1', '-a -t 192.0.2.1:80 -r 10.0.0.17:80 -m -w 1']);
  });

  it('addresses 2^31 or more apart compare backwards, as ipvs_cmp_* compute them in an int', () => {
    // 192.168.0.1 - 10.0.0.1 = 0xB6A80000 as u32, negative as int: 192.168 sorts first.
    expect(order('-A -t 10.0.0.1:80\n-A -t 192.168.0.1:80\n-A -t 172.16.0.1:80')).toEqual([
      '-A -t 172.16.0.1:80 -s wlc',
      '-A -t 192.168.0.1:80 -s wlc',
      '-A -t 10.0.0.1:80 -s wlc',
    ]);
    expect(order('-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 10.0.0.1:80\n-a -t 192.0.2.1:80 -r 198.51.100.1:80').slice(1)).toEqual([
      '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 1',
      '-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g -w 1',
    ]);
  });

  it('fwmarks 2^31 or more above an address service sort before it', () => {
    expect(order('-A -t 192.0.2.1:80\n-A -f 3000000000\n-A -f 5')).toEqual(['-A -f 3000000000 -s wlc', '-A -t 192.0.2.1:80 -s wlc', '-A -f 5 -s wlc']);
  });

  it('glibc merge sort: stable, and the left run wins ties', () => {
    const items = [3, 1, 2, 1, 3, 0].map((v, i) => ({ v, i }));
    expect(glibcMergeSort(items, (a, b) => a.v - b.v).map((x) => x.i)).toEqual([5, 1, 3, 2, 0, 4]);
  });

  it('glibc merge sort under a comparator that is not an order: the split is n/2 rounded down', () => {
    // Rock-paper-scissors: a < b, b < c, c < a.
    const beats: Record<string, string> = { a: 'b', b: 'c', c: 'a' };
    const cmp = (x: string, y: string) => (x === y ? 0 : beats[x] === y ? -1 : 1);
    // [a] | [b, c]: b < c keeps [b, c]; merging, a < b: a, b, c.
    expect(glibcMergeSort(['a', 'b', 'c'], cmp)).toEqual(['a', 'b', 'c']);
    // [c] | [b, a]: b > a gives [a, b]; merging, c < a: c, a, b.
    expect(glibcMergeSort(['c', 'b', 'a'], cmp)).toEqual(['c', 'a', 'b']);
  });
});

describe('the fast sort agrees with the reference comparators', () => {
  // servicesInSaveOrder/destinationsInSaveOrder sort typed-array keys; the
  // readable ipvs_cmp_* transcriptions are the reference.
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
  const v6 = fc.tuple(fc.nat(0xffff), fc.nat(0xffff), fc.nat(0xffff)).map(([a, b, c]) => `${a.toString(16)}:${b.toString(16)}::${c.toString(16)}`);
  const keyArb: fc.Arbitrary<ServiceKey> = fc.oneof(
    fc.record({
      kind: fc.constant('addr' as const),
      protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const),
      address: fc.oneof(v4, v6),
      port: fc.nat(65535),
    }),
    fc.record({
      kind: fc.constant('fwmark' as const),
      fwmark: fc.integer({ min: 1, max: 0xffffffff }),
      family: fc.constantFrom('inet' as const, 'inet6' as const),
    }),
  );

  it('services', () => {
    fc.assert(
      fc.property(fc.array(keyArb, { maxLength: 40 }), (keys) => {
        const services = keys.map((key) => ({ key }));
        const reference = glibcMergeSort(
          services.map((s) => ({ s, k: serviceSortKey(s.key) })),
          (a, b) => compareServiceKeys(a.k, b.k),
        ).map((x) => x.s);
        expect(servicesInSaveOrder(services)).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });

  it('destinations (newest first into qsort)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ address: fc.oneof(v4, v6), port: fc.nat(65535) }), { maxLength: 40 }), (dests) => {
        const kernelOrder = [...dests].reverse().map((d) => ({ d, k: { inet6: d.address.includes(':'), words: addressWordsOf(d.address), port: d.port } }));
        const reference = glibcMergeSort(kernelOrder, (a, b) => compareDestKeys(a.k, b.k)).map((x) => x.d);
        expect(destinationsInSaveOrder(dests)).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });
});

function addressWordsOf(address: string): [number, number, number, number] {
  return serviceSortKey({ kind: 'addr', protocol: 'tcp', address, port: 0 }).words;
}
