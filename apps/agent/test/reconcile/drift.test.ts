// Pure helpers of drift handling (packages/shared/src/drift): human lines,
// scoped plans that leave other services' drift alone, and rollbacks.
import { describe, expect, it } from 'vitest';
import { zeroCounters, zeroRates, type DesiredState, type Destination, type ObservedTable, type Service } from '@lvs-console/shared';
import { describeDrift, desiredFromObserved, editScope, invertChange, rollbackChanges, scopedPlan } from '@lvs-console/shared/drift';
import { applyChanges, plan, type Change } from '@lvs-console/shared/plan';

const A = { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 } as const;
const B = { kind: 'addr', protocol: 'tcp', address: '192.0.2.2', port: 80 } as const;

function dest(address: string, weight: number): Destination {
  return { address, port: 80, forwarding: 'masq', weight, upperThreshold: 0, lowerThreshold: 0 };
}

function service(key: typeof A | typeof B, dests: Destination[]): Service {
  return { key, scheduler: 'wrr', flags: [], persistence: null, onePacket: false, destinations: dests };
}

function state(services: Service[]): DesiredState {
  return { services, timeouts: null, syncDaemons: [], hostSettings: [] };
}

function observe(desired: DesiredState): ObservedTable {
  return {
    services: desired.services.map((s) => ({
      ...s,
      stats: zeroCounters(),
      rates: zeroRates(),
      destinations: s.destinations.map((d) => ({ ...d, activeConns: 0, inactiveConns: 0, persistentConns: 0, stats: zeroCounters(), rates: zeroRates() })),
    })),
    timeouts: { tcp: 900, tcpFin: 120, udp: 300 },
    syncDaemons: [],
  };
}

describe('describeDrift', () => {
  it('should read every kind of difference from the kernel side', () => {
    const desired = state([service(A, [dest('10.0.0.1', 1), dest('10.0.0.2', 2)])]);
    const kernel = state([service(A, [dest('10.0.0.1', 5), dest('10.0.0.3', 1)]), service(B, [])]);
    const lines = describeDrift(plan(desired, kernel));
    expect(lines).toEqual(
      expect.arrayContaining([
        'real server 10.0.0.1:80 in TCP 192.0.2.1:80: weight 5 in the kernel, 1 desired',
        'the kernel lacks real server 10.0.0.2:80 in TCP 192.0.2.1:80 (NAT, weight 2)',
        'the kernel has real server 10.0.0.3:80 in TCP 192.0.2.1:80 that the desired state lacks',
        'the kernel has service TCP 192.0.2.2:80 that the desired state lacks',
      ]),
    );
    expect(lines).toHaveLength(4);
  });
});

describe('scopedPlan', () => {
  it('should change only the services an edit touched', () => {
    const untouched = service(B, [dest('10.0.0.9', 1)]);
    const previous = state([service(A, [dest('10.0.0.1', 1)]), untouched]);
    // Edits copy only what they change: B is the same object in both states.
    const next = state([service(A, [dest('10.0.0.1', 4)]), untouched]);
    // Someone changed B by hand: that is drift, not part of this edit.
    const kernel = observe(state([service(A, [dest('10.0.0.1', 1)]), service(B, [dest('10.0.0.9', 7)])]));
    const changes = scopedPlan(next, previous, kernel);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: 'edit-destination', service: A, from: dest('10.0.0.1', 1), to: dest('10.0.0.1', 4) });
  });

  it('should bring a touched service fully to its desired form', () => {
    const previous = state([service(A, [dest('10.0.0.1', 1)])]);
    const next = state([service(A, [dest('10.0.0.1', 1), dest('10.0.0.2', 1)])]);
    const kernel = observe(state([service(A, [dest('10.0.0.1', 3)])]));
    expect(
      scopedPlan(next, previous, kernel)
        .map((c) => c.kind)
        .sort(),
    ).toEqual(['add-destination', 'edit-destination']);
  });
});

describe('editScope', () => {
  it('should find touched services by identity, plus added and removed ones', () => {
    const a = service(A, [dest('10.0.0.1', 1)]);
    const b = service(B, []);
    expect([...editScope(state([a]), state([a, b])).services]).toEqual(['tcp:192.0.2.2:80']);
    expect([...editScope(state([a, b]), state([a])).services]).toEqual(['tcp:192.0.2.2:80']);
    expect([...editScope(state([{ ...a }, b]), state([a, b])).services]).toEqual(['tcp:192.0.2.1:80']);
    expect(editScope(state([a]), state([a])).services.size).toBe(0);
  });
});

describe('rollbackChanges', () => {
  it('should undo an applied prefix, newest first, restoring deleted destinations', () => {
    const before = state([service(A, [dest('10.0.0.1', 1), dest('10.0.0.2', 1)])]);
    const applied: Change[] = [
      { kind: 'edit-destination', service: A, from: dest('10.0.0.1', 1), to: dest('10.0.0.1', 9) },
      { kind: 'delete-service', service: { key: A, scheduler: 'wrr', flags: [], persistence: null, onePacket: false } },
    ];
    const after = applyChanges(before, applied);
    const restored = applyChanges(after, rollbackChanges(applied, before));
    expect(plan(before, restored)).toEqual([]);
  });

  it('should not invert a timeout change whose previous value is unknown', () => {
    expect(invertChange({ kind: 'set-timeouts', from: null, to: { tcp: 1, tcpFin: 1, udp: 1 } })).toBeNull();
  });
});

describe('desiredFromObserved', () => {
  it('should keep host settings and leave timeouts unmanaged unless they were managed', () => {
    const kernel = observe(state([service(A, [dest('10.0.0.1', 1)])]));
    const hostSettings = [{ kind: 'module' as const, name: 'ip_vs', reason: '' }];
    const adopted = desiredFromObserved(kernel, { hostSettings, timeouts: null });
    expect(adopted.timeouts).toBeNull();
    expect(adopted.hostSettings).toBe(hostSettings);
    expect(adopted.services[0]?.destinations[0]).toEqual(dest('10.0.0.1', 1));
    expect(desiredFromObserved(kernel, { hostSettings, timeouts: { tcp: 1, tcpFin: 1, udp: 1 } }).timeouts).toEqual(kernel.timeouts);
  });
});
