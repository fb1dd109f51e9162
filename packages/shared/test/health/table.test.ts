import { describe, expect, it } from 'vitest';
import { emptyState, healthCheckSchema, type DesiredState } from '../../src/model';
import {
  effectiveTable,
  initialDestinationState,
  recordProbe,
  type DestinationHealthState,
  type HealthSnapshot,
  type ServiceHealthRuntime,
} from '../../src/health';
import { plan } from '../../src/plan';
import { service, T0 } from './support';

const SVC = 'tcp:192.0.2.10:80';
const tcp = healthCheckSchema.parse({ kind: 'tcp', rise: 1, fall: 1 });

function down(at = T0): DestinationHealthState {
  return recordProbe(initialDestinationState([tcp], false, T0), 0, { ok: false, time: at, latencyMs: 0, message: 'connection refused' }, tcp, 30);
}

function recovered(at: number): DestinationHealthState {
  return recordProbe(down(at - 1000), 0, { ok: true, time: at, latencyMs: 0, message: 'connected' }, tcp, 30);
}

function runtime(destinations: Record<string, DestinationHealthState>, quorumLost = false): ServiceHealthRuntime {
  return { quorumLost, quorumChangedAt: null, destinations, drains: {} };
}

function state(...services: ReturnType<typeof service>[]): DesiredState {
  return { ...emptyState(), services };
}

function weights(table: DesiredState): Record<string, number> {
  return Object.fromEntries((table.services[0]?.destinations ?? []).map((d) => [`${d.address}:${d.port}`, d.weight]));
}

describe('effectiveTable', () => {
  it('passes services without health through unchanged (minus nothing)', () => {
    const desired = state(service());
    const table = effectiveTable(desired, { services: {} }, T0);
    expect(plan(table, desired)).toEqual([]);
  });

  it('quiesces a failed destination and keeps the configured weight in the desired state', () => {
    const desired = state(service({ health: { checks: [{ kind: 'tcp', rise: 1, fall: 1 }] } }));
    const snapshot: HealthSnapshot = { services: { [SVC]: runtime({ '10.0.0.2:80': down() }) } };
    const table = effectiveTable(desired, snapshot, T0);
    expect(weights(table)).toEqual({ '10.0.0.1:80': 10, '10.0.0.2:80': 0, '10.0.0.3:80': 30 });
    expect(desired.services[0]?.destinations[1]?.weight).toBe(20);
    expect(table.services[0]).not.toHaveProperty('health');
  });

  it('removes a failed destination with onFailure: remove', () => {
    const desired = state(service({ health: { onFailure: 'remove' } }));
    const table = effectiveTable(desired, { services: { [SVC]: runtime({ '10.0.0.1:80': down() }) } }, T0);
    expect(weights(table)).toEqual({ '10.0.0.2:80': 20, '10.0.0.3:80': 30 });
  });

  it('ramps a recovered destination with slow start', () => {
    const desired = state(service({ health: { slowStart: { durationMs: 10_000, steps: 10 } } }));
    const snapshot = { services: { [SVC]: runtime({ '10.0.0.3:80': recovered(T0) }) } };
    expect(weights(effectiveTable(desired, snapshot, T0))['10.0.0.3:80']).toBe(3);
    expect(weights(effectiveTable(desired, snapshot, T0 + 5000))['10.0.0.3:80']).toBe(18);
    expect(weights(effectiveTable(desired, snapshot, T0 + 10_000))['10.0.0.3:80']).toBe(30);
  });

  it('alpha: destinations never probed are kept at 0', () => {
    const desired = state(service({ health: { alpha: true } }));
    expect(weights(effectiveTable(desired, { services: {} }, T0))).toEqual({ '10.0.0.1:80': 0, '10.0.0.2:80': 0, '10.0.0.3:80': 0 });
  });

  it('a drained destination is at weight 0 but stays in the kernel', () => {
    const desired = state(service({ health: { enabled: false, drains: { '10.0.0.1:80': { startedAt: T0 } } } }));
    expect(weights(effectiveTable(desired, { services: {} }, T0))).toEqual({ '10.0.0.1:80': 0, '10.0.0.2:80': 20, '10.0.0.3:80': 30 });
  });

  describe('quorum and sorry server', () => {
    const sorry = { address: '10.0.9.9', port: 80, forwarding: 'masq' as const, weight: 5 };
    const desired = state(service({ health: { quorum: 25, sorryServer: sorry } }));

    it('keeps the real servers while the healthy weight reaches quorum', () => {
      const table = effectiveTable(desired, { services: { [SVC]: runtime({ '10.0.0.1:80': down() }) } }, T0);
      expect(weights(table)).toEqual({ '10.0.0.1:80': 0, '10.0.0.2:80': 20, '10.0.0.3:80': 30 });
    });

    it('below quorum the sorry server replaces all real servers (quiesced)', () => {
      const snapshot = { services: { [SVC]: runtime({ '10.0.0.2:80': down(), '10.0.0.3:80': down() }) } };
      expect(weights(effectiveTable(desired, snapshot, T0))).toEqual({ '10.0.0.1:80': 0, '10.0.0.2:80': 0, '10.0.0.3:80': 0, '10.0.9.9:80': 5 });
    });

    it('with sorryServerReplaces false, healthy real servers keep serving beside it', () => {
      const beside = state(service({ health: { quorum: 25, sorryServer: sorry, sorryServerReplaces: false } }));
      const snapshot = { services: { [SVC]: runtime({ '10.0.0.2:80': down(), '10.0.0.3:80': down() }) } };
      expect(weights(effectiveTable(beside, snapshot, T0))).toEqual({ '10.0.0.1:80': 10, '10.0.0.2:80': 0, '10.0.0.3:80': 0, '10.0.9.9:80': 5 });
    });

    it('removes the sorry server again when quorum returns', () => {
      const snapshot = { services: { [SVC]: runtime({}, true) } };
      expect(weights(effectiveTable(desired, snapshot, T0))).toEqual({ '10.0.0.1:80': 10, '10.0.0.2:80': 20, '10.0.0.3:80': 30 });
    });

    it('hysteresis holds the sorry server until quorum + hysteresis', () => {
      const sticky = state(service({ health: { quorum: 40, hysteresis: 15, sorryServer: sorry } }));
      // healthy 50 < 40 + 15: still lost because it was lost before.
      const lostBefore = { services: { [SVC]: runtime({ '10.0.0.1:80': down() }, true) } };
      expect(weights(effectiveTable(sticky, lostBefore, T0))['10.0.9.9:80']).toBe(5);
      // The same health when it was not lost before: 50 >= 40 - 15, kept.
      const fineBefore = { services: { [SVC]: runtime({ '10.0.0.1:80': down() }, false) } };
      expect(weights(effectiveTable(sticky, fineBefore, T0))['10.0.9.9:80']).toBeUndefined();
    });

    it('drained destinations do not count toward quorum', () => {
      const drained = state(service({ health: { quorum: 25, sorryServer: sorry, drains: { '10.0.0.3:80': { startedAt: T0 } } } }));
      const snapshot = { services: { [SVC]: runtime({ '10.0.0.2:80': down() }) } };
      expect(weights(effectiveTable(drained, snapshot, T0))['10.0.9.9:80']).toBe(5);
    });
  });

  it('plan against the effective table turns a health failure into one weight edit, not drift', () => {
    const desired = state(service({ health: {} }));
    const kernel = effectiveTable(desired, { services: {} }, T0);
    const snapshot = { services: { [SVC]: runtime({ '10.0.0.1:80': down() }) } };
    const changes = plan(effectiveTable(desired, snapshot, T0), kernel);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: 'edit-destination', to: { address: '10.0.0.1', weight: 0 } });
  });
});
