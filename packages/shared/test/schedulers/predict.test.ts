// Thresholds, persistence, predictions and remap previews.
import { describe, expect, it } from 'vitest';
import {
  lastWeightAfterEdit,
  maskedClientNetwork,
  overloadAfterBind,
  overloadAfterThresholdEdit,
  overloadAfterUnbind,
  persistenceTemplateKey,
  populationAddresses,
  predictClients,
  predictSequence,
  predictShares,
  remapPreview,
  templateDestination,
  type SchedDestination,
} from '../../src/schedulers';
import { conn, dest, ids, service } from './support';

describe('overload flag', () => {
  const withLoad = (total: number, overloaded: boolean, upper: number, lower = 0): SchedDestination =>
    dest('a:80', 1, { activeConns: total, overloaded, upperThreshold: upper, lowerThreshold: lower });

  it('sets on bind once active + inactive reaches the upper threshold', () => {
    expect(overloadAfterBind(withLoad(3, false, 4))).toBe(false);
    expect(overloadAfterBind(withLoad(4, false, 4))).toBe(true);
    expect(overloadAfterBind(withLoad(100, false, 0))).toBe(false);
  });

  it('clears on unbind below 3/4 of the upper threshold when no lower one is set', () => {
    expect(overloadAfterUnbind(withLoad(3, true, 4))).toBe(true); // 12 < 12 is false
    expect(overloadAfterUnbind(withLoad(2, true, 4))).toBe(false);
    // u = 2: 1 * 4 < 6 clears (the kernel rounds the 3/4 up).
    expect(overloadAfterUnbind(withLoad(1, true, 2))).toBe(false);
  });

  it('clears on unbind below the lower threshold when set', () => {
    expect(overloadAfterUnbind(withLoad(2, true, 10, 2))).toBe(true);
    expect(overloadAfterUnbind(withLoad(1, true, 10, 2))).toBe(false);
  });

  it('threshold edits clear the flag only when the upper threshold is removed or raised', () => {
    expect(overloadAfterThresholdEdit(true, 10, 0)).toBe(false);
    expect(overloadAfterThresholdEdit(true, 10, 20)).toBe(false);
    expect(overloadAfterThresholdEdit(true, 10, 5)).toBe(true);
  });

  it('keeps last_weight at the latest non-zero weight', () => {
    expect(lastWeightAfterEdit(5, 0, false)).toBe(5);
    expect(lastWeightAfterEdit(5, 7, false)).toBe(7);
    expect(lastWeightAfterEdit(5, 0, true)).toBe(0);
  });

  it('stops new connections once a server reaches its threshold (prediction counts each connection)', () => {
    const svc = service('rr', [dest('a:80', 1, { upperThreshold: 2 }), dest('b:80', 1)]);
    expect(ids(predictSequence(svc, 6))).toEqual(['a:80', 'b:80', 'a:80', 'b:80', 'b:80', 'b:80']);
  });
});

describe('persistence', () => {
  it('masks the client address with the netmask', () => {
    expect(maskedClientNetwork('198.51.100.77', 24)).toBe('198.51.100.0');
    expect(maskedClientNetwork('198.51.100.77', undefined)).toBe('198.51.100.77');
    expect(maskedClientNetwork('198.51.100.77', 20)).toBe('198.51.96.0');
    expect(maskedClientNetwork('2001:db8:1:2::5', 48)).toBe('20010db8000100000000000000000000');
  });

  it('keys templates by service port, with port 0 and fwmark sharing one template across ports', () => {
    const c = conn('198.51.100.7', 5000, { virtualPort: 443 });
    const onPort = service('rr', [], { virtualService: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 443 }, persistence: { timeoutSec: 300 } });
    expect(persistenceTemplateKey(onPort, c)).toBe('tcp|198.51.100.7|192.0.2.10|443');
    const allPorts = { ...onPort, virtualService: { kind: 'addr' as const, protocol: 'tcp' as const, address: '192.0.2.10', port: 0 } };
    expect(persistenceTemplateKey(allPorts, c)).toBe('tcp|198.51.100.7|192.0.2.10|0');
    const fwmark = { ...onPort, virtualService: { kind: 'fwmark' as const, fwmark: 7 } };
    expect(persistenceTemplateKey(fwmark, c)).toBe('ip|198.51.100.7|fwmark:7|0');
    const ftp = { ...onPort, virtualService: { kind: 'addr' as const, protocol: 'tcp' as const, address: '192.0.2.10', port: 21 } };
    expect(persistenceTemplateKey(ftp, conn('198.51.100.7', 5000, { virtualPort: 21 }))).toBe('tcp|198.51.100.7|192.0.2.10|0');
  });

  it('sticks a client (and its /24 with -M 255.255.255.0) to the first server until the template expires', () => {
    const svc = service('rr', [dest('a:80', 1), dest('b:80', 1)], { persistence: { timeoutSec: 300, netmaskPrefix: 24 } });
    const clients = [{ address: '198.51.100.1' }, { address: '203.0.113.9' }, { address: '198.51.100.2' }, { address: '203.0.113.200' }];
    expect(predictClients(svc, clients).map((p) => p.destination?.id)).toEqual(['a:80', 'b:80', 'a:80', 'b:80']);
    // 400 s between connections: each template has expired, rr moves on.
    const spaced = predictClients(svc, [{ address: '198.51.100.1' }, { address: '198.51.100.1' }], { stepMs: 400_000 });
    expect(spaced.map((p) => p.destination?.id)).toEqual(['a:80', 'b:80']);
  });

  it('a template keeps routing to a drained (weight 0) or overloaded server until it expires', () => {
    const svc = service('rr', [dest('a:80', 0, { overloaded: true }), dest('b:80', 1)], { persistence: { timeoutSec: 300 } });
    const template = { destinationId: 'a:80', expiresAtMs: 300_000 };
    expect(templateDestination(template, svc, 1000)).toBe(0);
    expect(templateDestination(template, svc, 300_000)).toBe(-1);
    // net.ipv4.vs.expire_quiescent_template=1 drops it at once.
    expect(templateDestination(template, svc, 1000, { expireQuiescentTemplate: true })).toBe(-1);
    // A deleted destination invalidates it.
    expect(templateDestination(template, { ...svc, destinations: [dest('b:80', 1)] }, 1000)).toBe(-1);
  });
});

describe('predictShares', () => {
  it('rr: equal shares, and a note that weights only switch servers on and off', () => {
    const prediction = predictShares(service('rr', [dest('a:80', 5), dest('b:80', 1), dest('c:80', 0)]));
    expect(prediction.shares.map((s) => s.share)).toEqual([0.5, 0.5, 0]);
    expect(prediction.weightsMatter).toBe(false);
    expect(prediction.method).toBe('exact');
  });

  it('wrr: proportional to weight among available servers', () => {
    const prediction = predictShares(service('wrr', [dest('a:80', 3), dest('b:80', 1), dest('c:80', 4, { overloaded: true })]));
    expect(prediction.shares.map((s) => s.share)).toEqual([0.75, 0.25, 0]);
    expect(prediction.weightsMatter).toBe(true);
  });

  it('sh without clients: the fraction of table slots (weights tile the table)', () => {
    const prediction = predictShares(service('sh', [dest('10.1.0.1:80', 3), dest('10.1.0.2:80', 1)]));
    expect(prediction.shares.map((s) => s.share)).toEqual([192 / 256, 64 / 256]);
  });

  it('mh over a client population is exact per client', () => {
    const svc = service('mh', [dest('10.1.0.1:80', 1), dest('10.1.0.2:80', 1)]);
    const population = { count: 2000, prefix: '198.51.100.0/20' };
    const prediction = predictShares(svc, { clients: population });
    const direct = predictClients(
      svc,
      populationAddresses(population).map((address) => ({ address })),
      { assume: 'none' },
    );
    const first = direct.filter((p) => p.destination?.id === '10.1.0.1:80').length / 2000;
    expect(prediction.shares[0]?.share).toBeCloseTo(first, 10);
    expect(first).toBeGreaterThan(0.4);
    expect(first).toBeLessThan(0.6);
  });

  it('wlc is simulated and follows the weights', () => {
    const prediction = predictShares(service('wlc', [dest('a:80', 3), dest('b:80', 1)]), { connections: 4000 });
    expect(prediction.method).toBe('simulated');
    expect(prediction.shares[0]?.share).toBeCloseTo(0.75, 2);
  });

  it('lblc with one VIP sends everything to one server while it is not overloaded', () => {
    const prediction = predictShares(service('lblc', [dest('a:80', 100), dest('b:80', 100)]), { connections: 50 });
    expect(prediction.shares.map((s) => s.share)).toEqual([1, 0]);
  });

  it('dh with one VIP: one server takes all', () => {
    const prediction = predictShares(service('dh', [dest('10.1.0.1:80', 1), dest('10.1.0.2:80', 1)]));
    expect(prediction.shares.map((s) => s.share).sort()).toEqual([0, 1]);
    expect(prediction.weightsMatter).toBe(false);
  });
});

describe('remapPreview', () => {
  const servers = (n: number, scheduler: 'mh' | 'sh'): ReturnType<typeof service> =>
    service(
      scheduler,
      Array.from({ length: n }, (_, i) => dest(`10.2.0.${i + 1}:80`, 1)),
    );
  const clients = populationAddresses({ count: 20_000, prefix: '198.51.96.0/19' });

  it('mh moves about 1/N of the clients when one of N servers is removed', () => {
    const before = servers(10, 'mh');
    const after = { ...before, destinations: before.destinations.filter((d) => d.id !== '10.2.0.4:80') };
    const preview = remapPreview(before, after, clients);
    expect(preview.total).toBe(20_000);
    expect(preview.fraction).toBeGreaterThan(0.08);
    expect(preview.fraction).toBeLessThan(0.16);
    const fromRemoved = preview.transitions.filter((t) => t.from === '10.2.0.4:80').reduce((s, t) => s + t.count, 0);
    expect(fromRemoved / preview.moved).toBeGreaterThan(0.7);
  });

  it('sh moves most clients when one of N servers is removed (the table is re-tiled)', () => {
    const before = servers(10, 'sh');
    const after = { ...before, destinations: before.destinations.filter((d) => d.id !== '10.2.0.4:80') };
    expect(remapPreview(before, after, clients).fraction).toBeGreaterThan(0.5);
  });

  it('mh with weight 0 (last_weight kept) moves exactly the drained server\'s clients to "none"', () => {
    const before = servers(4, 'mh');
    const after = {
      ...before,
      destinations: before.destinations.map((d) => (d.id === '10.2.0.2:80' ? { ...d, weight: 0, lastWeight: 1 } : d)),
    };
    const preview = remapPreview(before, after, clients);
    expect(preview.transitions).toHaveLength(1);
    expect(preview.transitions[0]?.from).toBe('10.2.0.2:80');
    expect(preview.transitions[0]?.to).toBeNull();
  });

  it('refuses schedulers that do not hash', () => {
    expect(() => remapPreview(service('rr', []), service('rr', []), ['198.51.100.1'])).toThrow(RangeError);
  });
});

describe('populationAddresses', () => {
  it('enumerates hosts after the network address and wraps', () => {
    expect(populationAddresses({ count: 3, prefix: '198.51.100.0/30' })).toEqual(['198.51.100.1', '198.51.100.2', '198.51.100.3']);
    expect(populationAddresses({ count: 4, prefix: '198.51.100.0/30' })[3]).toBe('198.51.100.1');
    expect(populationAddresses({ count: 2, prefix: '2001:db8::/64' })).toEqual(['2001:db8::1', '2001:db8::2']);
  });
});
