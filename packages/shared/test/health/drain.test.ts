import { describe, expect, it } from 'vitest';
import { drainSchema, emptyState, type DesiredState } from '../../src/model';
import {
  cancelDrain,
  describeDrain,
  drainRemovalDue,
  EXPIRE_QUIESCENT_TEMPLATE,
  nextDrainProgress,
  removeDrainedDestination,
  startDrain,
  type DrainProgress,
} from '../../src/health';
import { service, T0 } from './support';

const KEY = { kind: 'addr' as const, protocol: 'tcp' as const, address: '192.0.2.10', port: 80 };
const drain = drainSchema.parse({ startedAt: T0 });

function conns(active: number, inactive: number, persistent = 0) {
  return { activeConns: active, inactiveConns: inactive, persistentConns: persistent };
}

describe('drain progress', () => {
  it('tracks counts falling to zero with rate and time left', () => {
    let p: DrainProgress | null = null;
    p = nextDrainProgress(p, drain, conns(80, 20), T0);
    expect(p).toMatchObject({ initial: { active: 80, inactive: 20 }, ratePerSecond: null, safeToRemove: false, fractionDone: 0 });
    p = nextDrainProgress(p, drain, conns(40, 10), T0 + 10_000);
    expect(p.ratePerSecond).toBe(5);
    expect(p.estimatedSecondsLeft).toBe(10);
    expect(p.fractionDone).toBe(0.5);
    expect(describeDrain(p)).toBe('draining: 100 → 50 connections, 5.0/s, about 10 s left');
    p = nextDrainProgress(p, drain, conns(0, 0, 2), T0 + 20_000);
    expect(p).toMatchObject({ safeToRemove: true, fullyDrained: false, safeSince: T0 + 20_000, estimatedSecondsLeft: 0 });
    expect(describeDrain(p)).toMatch(/2 persistence templates still point here.*safe to remove/);
    p = nextDrainProgress(p, drain, conns(0, 0, 0), T0 + 30_000);
    expect(p).toMatchObject({ fullyDrained: true, safeSince: T0 + 20_000 });
  });

  it('a destination the kernel no longer has is drained', () => {
    expect(nextDrainProgress(null, drain, null, T0).safeToRemove).toBe(true);
  });

  it('removal is due when drained (if asked) or at the deadline', () => {
    const auto = drainSchema.parse({ startedAt: T0, removeWhenDrained: true, deadline: T0 + 60_000 });
    expect(drainRemovalDue(nextDrainProgress(null, auto, conns(1, 0), T0), auto)).toBeNull();
    expect(drainRemovalDue(nextDrainProgress(null, auto, conns(0, 0), T0), auto)).toBe('drained');
    expect(drainRemovalDue(nextDrainProgress(null, auto, conns(5, 0), T0 + 60_000), auto)).toBe('deadline');
    expect(drainRemovalDue(nextDrainProgress(null, drain, conns(0, 0), T0), drain)).toBeNull();
  });
});

describe('drain edits', () => {
  const state: DesiredState = { ...emptyState(), services: [service()] };

  it('startDrain records the drain and keeps the configured weight', () => {
    const next = startDrain(state, KEY, '10.0.0.1:80', { removeWhenDrained: true, by: 'alice' }, T0);
    const svc = next.services[0];
    expect(svc?.health?.drains['10.0.0.1:80']).toEqual({ startedAt: T0, removeWhenDrained: true, expireQuiescentTemplate: false, by: 'alice' });
    expect(svc?.health?.enabled).toBe(false);
    expect(svc?.destinations[0]?.weight).toBe(10);
  });

  it('optionally adds the expire_quiescent_template sysctl to the host settings', () => {
    const next = startDrain(state, KEY, '10.0.0.1:80', { expireQuiescentTemplate: true }, T0);
    expect(next.hostSettings).toEqual([expect.objectContaining({ kind: 'sysctl', name: EXPIRE_QUIESCENT_TEMPLATE, value: '1' })]);
  });

  it('refuses unknown destinations and past deadlines', () => {
    expect(() => startDrain(state, KEY, '10.0.0.9:80', {}, T0)).toThrow(/not a destination/);
    expect(() => startDrain(state, KEY, '10.0.0.1:80', { deadline: T0 - 1 }, T0)).toThrow(/deadline must be in the future/);
  });

  it('cancelDrain and removeDrainedDestination', () => {
    const draining = startDrain(state, KEY, '10.0.0.1:80', {}, T0);
    expect(cancelDrain(draining, KEY, '10.0.0.1:80').services[0]?.health?.drains).toEqual({});
    expect(() => cancelDrain(state, KEY, '10.0.0.1:80')).toThrow(/is not being drained/);
    const removed = removeDrainedDestination(draining, KEY, '10.0.0.1:80');
    expect(removed.services[0]?.destinations.map((d) => d.address)).toEqual(['10.0.0.2', '10.0.0.3']);
    expect(removed.services[0]?.health?.drains).toEqual({});
  });
});
