import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyState, validateState, type DesiredState, type Service } from '../../src';
import { applyChanges, describeChange, plan } from '../../src/plan';
import { canonicalize, stateArb } from '../support/arbitraries';

const web: Service = {
  key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
  scheduler: 'wrr',
  flags: [],
  persistence: null,
  onePacket: false,
  destinations: [
    { address: '198.51.100.11', port: 8080, forwarding: 'masq', weight: 3, upperThreshold: 0, lowerThreshold: 0 },
    { address: '198.51.100.12', port: 8080, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
  ],
};
const state = (...services: Service[]): DesiredState => ({ ...emptyState(), services });

describe('plan', () => {
  it('is empty for equal tables', () => {
    expect(plan(state(web), state(web))).toEqual([]);
  });

  it('turns a weight change into one destination edit', () => {
    const changed: Service = { ...web, destinations: web.destinations.map((d, i) => (i === 1 ? { ...d, weight: 7 } : d)) };
    const changes = plan(state(changed), state(web));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: 'edit-destination', from: { weight: 1 }, to: { weight: 7 } });
    expect(describeChange(changes[0]!)).toBe('edit real server 198.51.100.12:8080 of TCP 192.0.2.10:80 weight 1 -> 7');
  });

  it('turns a scheduler change into one service edit', () => {
    const changes = plan(state({ ...web, scheduler: 'wlc' }), state(web));
    expect(changes.map((c) => c.kind)).toEqual(['edit-service']);
  });

  it('treats a different netmask default as equal to the explicit full mask', () => {
    const a = { ...web, persistence: { timeout: 300 } };
    const b = { ...web, persistence: { timeout: 300, netmaskPrefix: 32 } };
    expect(plan(state(a), state(b))).toEqual([]);
  });

  it('adds real servers before it removes any, so a pool is never emptied', () => {
    const replaced: Service = { ...web, destinations: [{ ...web.destinations[0]!, address: '198.51.100.99' }] };
    const kinds = plan(state(replaced), state(web)).map((c) => c.kind);
    expect(kinds).toEqual(['add-destination', 'delete-destination', 'delete-destination']);
  });

  it('deletes and re-adds only when the identity changes', () => {
    const moved: Service = { ...web, key: { ...web.key, port: 8080 } as Service['key'] };
    const kinds = plan(state(moved), state(web)).map((c) => c.kind);
    expect(kinds).toEqual(['add-service', 'add-destination', 'add-destination', 'delete-service']);
  });

  it('ignores observed counters', () => {
    const observed = {
      services: [{ ...web, stats: { conns: 5 }, destinations: web.destinations.map((d) => ({ ...d, activeConns: 9, inactiveConns: 2 })) }],
    };
    expect(plan(state(web), observed)).toEqual([]);
  });

  it('leaves timeouts alone when the desired state does not set them', () => {
    expect(plan(state(web), { ...state(web), timeouts: { tcp: 1, tcpFin: 2, udp: 3 } })).toEqual([]);
    expect(
      plan({ ...state(web), timeouts: { tcp: 900, tcpFin: 120, udp: 300 } }, { ...state(web), timeouts: { tcp: 1, tcpFin: 2, udp: 3 } }).map((c) => c.kind),
    ).toEqual(['set-timeouts']);
  });

  it('generated states are valid (the generator respects the guard rails)', () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        const result = validateState(s);
        if (!result.ok) throw new Error(JSON.stringify(result.issues));
      }),
      { numRuns: 300 },
    );
  });

  it('applying plan(a, b) to a gives b, and plan(x, x) is empty', () => {
    fc.assert(
      fc.property(stateArb, stateArb, (a, b) => {
        const result = applyChanges(a, plan(b, a));
        expect(canonicalize(result)).toEqual(canonicalize(b));
        expect(plan(b, b)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
