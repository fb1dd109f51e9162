import { describe, expect, it } from 'vitest';
import { healthCheckSchema, zeroCounters, zeroRates, type ObservedService, type Service } from '../../src/model';
import {
  explainDestination,
  explainService,
  initialDestinationState,
  nextDrainProgress,
  recordProbe,
  type DestinationHealthState,
  type ServiceHealthRuntime,
} from '../../src/health';
import { service, T0 } from './support';

const tcp = healthCheckSchema.parse({ kind: 'tcp', rise: 1, fall: 1 });
const SORRY = { address: '10.0.9.9', port: 80, forwarding: 'masq' as const, weight: 5 };

function failing(since: number, message = 'connection refused'): DestinationHealthState {
  return recordProbe(initialDestinationState([tcp], false, T0), 0, { ok: false, time: since, latencyMs: 0, message }, tcp, 30);
}

function runtime(destinations: Record<string, DestinationHealthState> = {}, extra: Partial<ServiceHealthRuntime> = {}): ServiceHealthRuntime {
  return { quorumLost: false, quorumChangedAt: null, destinations, drains: {}, ...extra };
}

function observed(svc: Service, overrides: Record<string, { active?: number; inactive?: number; persistent?: number; overloaded?: boolean }>): ObservedService {
  return {
    ...svc,
    stats: zeroCounters(),
    rates: zeroRates(),
    destinations: svc.destinations.map((d) => {
      const o = overrides[`${d.address}:${d.port}`] ?? {};
      return {
        ...d,
        activeConns: o.active ?? 0,
        inactiveConns: o.inactive ?? 0,
        persistentConns: o.persistent ?? 0,
        overloaded: o.overloaded ?? false,
        stats: zeroCounters(),
        rates: zeroRates(),
      };
    }),
  };
}

function codes(svc: Service, id: string, rt?: ServiceHealthRuntime, obs?: ObservedService, now = T0 + 60_000) {
  const explanation = explainDestination(svc, id, rt, obs, now);
  if (!explanation) throw new Error(`no explanation for ${id}`);
  return explanation;
}

describe('why no traffic', () => {
  it('a healthy server: serving at its weight', () => {
    const e = codes(service({ health: {} }), '10.0.0.1:80');
    expect(e.receivesNewConnections).toBe(true);
    expect(e.summary).toBe('serving at weight 10');
    expect(e.reasons).toEqual([]);
  });

  it('configured weight 0', () => {
    const svc = service({ destinations: [{ address: '10.0.0.1', port: 80, forwarding: 'masq', weight: 0 }] });
    const e = codes(svc, '10.0.0.1:80');
    expect(e.receivesNewConnections).toBe(false);
    expect(e.reasons.map((r) => r.code)).toContain('configured-zero');
  });

  it('check failing: last error and since when', () => {
    const svc = service({ health: {} });
    const e = codes(svc, '10.0.0.2:80', runtime({ '10.0.0.2:80': failing(T0, 'HTTP 503 Service Unavailable') }), undefined, T0 + 42_000);
    expect(e.receivesNewConnections).toBe(false);
    expect(e.effectiveWeight).toBe(0);
    expect(e.reasons[0]).toMatchObject({ code: 'check-failing', severity: 'blocks', since: T0 });
    expect(e.summary).toBe('health check failing for 42 s: HTTP 503 Service Unavailable');
  });

  it('operator drain and health quiescing are told apart', () => {
    const svc = service({ health: { drains: { '10.0.0.1:80': { startedAt: T0, by: 'alice' } } } });
    const svcObserved = observed(svc, { '10.0.0.1:80': { active: 4, inactive: 6 } });
    const drains = {
      '10.0.0.1:80': nextDrainProgress(
        null,
        { startedAt: T0, removeWhenDrained: false, expireQuiescentTemplate: false, by: 'alice' },
        svcObserved.destinations[0] ?? null,
        T0,
      ),
    };
    const rt = runtime({ '10.0.0.2:80': failing(T0) }, { drains });
    const drained = codes(svc, '10.0.0.1:80', rt, svcObserved);
    const failed = codes(svc, '10.0.0.2:80', rt, svcObserved);
    expect(drained.reasons.map((r) => r.code)).toEqual(['draining']);
    expect(drained.summary).toBe('drained by the operator (alice): draining: 10 → 10 connections');
    expect(failed.reasons.map((r) => r.code)).toEqual(['check-failing']);
  });

  it('removed on failure', () => {
    const svc = service({ health: { onFailure: 'remove' } });
    const e = codes(svc, '10.0.0.1:80', runtime({ '10.0.0.1:80': failing(T0) }));
    expect(e.effectiveWeight).toBe('removed');
    expect(e.reasons.map((r) => r.code)).toEqual(['check-failing', 'removed-on-failure']);
  });

  it('alpha: waiting for the first success', () => {
    const e = codes(service({ health: { alpha: true } }), '10.0.0.1:80');
    expect(e.reasons[0]?.code).toBe('alpha-pending');
    expect(e.summary).toMatch(/first successful health check/);
  });

  it('quorum lost: real servers replaced, the sorry server has its own row', () => {
    const svc = service({ health: { quorum: 50, sorryServer: SORRY } });
    const rt = runtime({ '10.0.0.3:80': failing(T0) });
    const rows = explainService(svc, rt, undefined, T0 + 1000);
    const healthy = rows.find((r) => r.destination === '10.0.0.1:80');
    expect(healthy?.reasons.map((r) => r.code)).toEqual(['quorum-lost']);
    expect(healthy?.summary).toBe('quorum lost (healthy weight 30 < 50): sorry server 10.0.9.9:80 has replaced the real servers');
    const sorry = rows.find((r) => r.sorryServer);
    expect(sorry).toMatchObject({ destination: '10.0.9.9:80', effectiveWeight: 5, receivesNewConnections: true });
  });

  it('slow start: ramping, current weight', () => {
    const svc = service({ health: { slowStart: { durationMs: 60_000, steps: 6 } } });
    const back = recordProbe(failing(T0), 0, { ok: true, time: T0 + 1000, latencyMs: 0, message: 'connected' }, tcp, 30);
    const e = codes(svc, '10.0.0.3:80', runtime({ '10.0.0.3:80': back }), undefined, T0 + 21_000);
    expect(e.receivesNewConnections).toBe(true);
    expect(e.effectiveWeight).toBe(15);
    expect(e.reasons[0]).toMatchObject({ code: 'slow-start', severity: 'reduces' });
    expect(e.summary).toBe('slow start: weight 15 of 30, full in 40 s');
  });

  it('overloaded: upper threshold reached', () => {
    const svc = service({ destinations: [{ address: '10.0.0.1', port: 80, forwarding: 'masq', weight: 10, upperThreshold: 100 }] });
    const e = codes(svc, '10.0.0.1:80', undefined, observed(svc, { '10.0.0.1:80': { active: 90, inactive: 10, overloaded: true } }));
    expect(e.receivesNewConnections).toBe(false);
    expect(e.summary).toBe('overloaded: 100 connections reached the upper threshold 100; new ones resume below 75');
  });

  it('persistence: templates keep pinning clients to a quiesced server', () => {
    const svc = service({ persistence: { timeout: 300 }, health: {} });
    const e = codes(svc, '10.0.0.1:80', runtime({ '10.0.0.1:80': failing(T0) }), observed(svc, { '10.0.0.1:80': { persistent: 3 } }));
    expect(e.reasons.map((r) => r.code)).toEqual(['check-failing', 'persistence-pinning']);
    expect(e.reasons[1]?.message).toMatch(/expire_quiescent_template=1/);
  });

  it.each([
    ['rr', /rr ignores weights/],
    ['lc', /lc ignores weights/],
    ['dh', /one hash bucket/],
  ] as const)('scheduler %s ignores weight: a note', (scheduler, note) => {
    const e = codes(service({ scheduler }), '10.0.0.1:80');
    expect(e.receivesNewConnections).toBe(true);
    expect(e.reasons).toEqual([
      expect.objectContaining({ code: 'scheduler-ignores-weight', severity: 'note', message: expect.stringMatching(note) as unknown }),
    ]);
  });

  it('sh tiles by weight (no note) but a quiesced server without sh-fallback drops its clients', () => {
    const svc = service({ scheduler: 'sh', health: {} });
    expect(codes(svc, '10.0.0.1:80').reasons).toEqual([]);
    const quiesced = codes(svc, '10.0.0.1:80', runtime({ '10.0.0.1:80': failing(T0) }));
    expect(quiesced.reasons.map((r) => r.code)).toEqual(['check-failing', 'hash-no-fallback']);
    const withFallback = codes(service({ scheduler: 'sh', flags: ['sh-fallback'], health: {} }), '10.0.0.1:80', runtime({ '10.0.0.1:80': failing(T0) }));
    expect(withFallback.reasons.map((r) => r.code)).toEqual(['check-failing']);
  });

  it('fo sends everything to the highest weight', () => {
    const e = codes(service({ scheduler: 'fo' }), '10.0.0.1:80');
    expect(e.receivesNewConnections).toBe(false);
    expect(e.summary).toMatch(/fo sends every new connection to the available server with the highest weight \(10.0.0.3:80 has 30\)/);
    expect(codes(service({ scheduler: 'fo' }), '10.0.0.3:80').receivesNewConnections).toBe(true);
  });

  it('dynamic weight set by a check command', () => {
    const command = healthCheckSchema.parse({ kind: 'command', program: '/usr/local/bin/check', dynamicWeight: true, rise: 1, fall: 1 });
    const svc = service({ health: { checks: [{ kind: 'command', program: '/usr/local/bin/check', dynamicWeight: true, rise: 1, fall: 1 }] } });
    const state = recordProbe(
      initialDestinationState([command], false, T0),
      0,
      { ok: true, time: T0, latencyMs: 1, message: 'exit 2', dynamicWeight: 0 },
      command,
      30,
    );
    const e = codes(svc, '10.0.0.1:80', runtime({ '10.0.0.1:80': state }));
    expect(e.effectiveWeight).toBe(0);
    expect(e.reasons[0]).toMatchObject({ code: 'dynamic-weight', severity: 'blocks' });
  });
});
