import { describe, expect, it } from 'vitest';
import { effectiveWeight, nextQuorumLost, nextSlowStartChangeAt, slowStartWeight, type WeightInputs } from '../../src/health';
import { T0 } from './support';

const base: WeightInputs = {
  configured: 100,
  health: 'up',
  dynamicWeight: null,
  admin: 'active',
  onFailure: 'quiesce',
  slowStart: null,
  recoveredAt: null,
  now: T0,
  replacedBySorryServer: false,
};

describe('effectiveWeight', () => {
  it('is the configured weight when healthy and active', () => {
    expect(effectiveWeight(base)).toBe(100);
    expect(effectiveWeight({ ...base, health: 'unchecked' })).toBe(100);
  });

  it('quiesces (0) or removes a failed destination', () => {
    expect(effectiveWeight({ ...base, health: 'down' })).toBe(0);
    expect(effectiveWeight({ ...base, health: 'down', onFailure: 'remove' })).toBe('removed');
    expect(effectiveWeight({ ...base, health: 'pending' })).toBe(0);
  });

  it('drain wins over everything and keeps the destination in the kernel', () => {
    expect(effectiveWeight({ ...base, admin: 'draining' })).toBe(0);
    expect(effectiveWeight({ ...base, admin: 'draining', health: 'down', onFailure: 'remove' })).toBe(0);
  });

  it('a dynamic weight replaces the configured one', () => {
    expect(effectiveWeight({ ...base, dynamicWeight: 7 })).toBe(7);
    expect(effectiveWeight({ ...base, dynamicWeight: 0 })).toBe(0);
  });

  it('sorry-server replacement quiesces or removes the real servers', () => {
    expect(effectiveWeight({ ...base, replacedBySorryServer: true })).toBe(0);
    expect(effectiveWeight({ ...base, replacedBySorryServer: true, onFailure: 'remove' })).toBe('removed');
  });
});

describe('slow start', () => {
  const ramp = { durationMs: 10_000, steps: 5 };

  it('ramps linearly in steps from the first step to the full weight', () => {
    const at = (ms: number) => slowStartWeight(100, ramp, T0, T0 + ms);
    expect([0, 1999, 2000, 4000, 6000, 8000, 9999, 10_000, 50_000].map(at)).toEqual([20, 20, 40, 60, 80, 100, 100, 100, 100]);
  });

  it('never truncates a small weight to 0 (GORB#47)', () => {
    for (let ms = 0; ms < 10_000; ms += 500) {
      expect(slowStartWeight(1, ramp, T0, T0 + ms)).toBe(1);
      expect(slowStartWeight(3, { durationMs: 10_000, steps: 10 }, T0, T0 + ms)).toBeGreaterThanOrEqual(1);
    }
    expect(slowStartWeight(0, ramp, T0, T0)).toBe(0);
  });

  it('never exceeds the target and is monotonic', () => {
    let previous = 0;
    for (let ms = 0; ms <= 10_000; ms += 250) {
      const w = slowStartWeight(7, { durationMs: 10_000, steps: 10 }, T0, T0 + ms);
      expect(w).toBeLessThanOrEqual(7);
      expect(w).toBeGreaterThanOrEqual(previous);
      previous = w;
    }
  });

  it('tells when the next step happens', () => {
    expect(nextSlowStartChangeAt(ramp, T0, T0)).toBe(T0 + 2000);
    expect(nextSlowStartChangeAt(ramp, T0, T0 + 2000)).toBe(T0 + 4000);
    expect(nextSlowStartChangeAt(ramp, T0, T0 + 9000)).toBe(T0 + 10_000);
    expect(nextSlowStartChangeAt(ramp, T0, T0 + 10_000)).toBeNull();
    expect(nextSlowStartChangeAt(null, T0, T0)).toBeNull();
  });

  it('step boundaries are exact even when the step length is not a whole number', () => {
    const thirds = { durationMs: 1000, steps: 3 };
    let at = T0;
    const seen: number[] = [slowStartWeight(30, thirds, T0, at)];
    for (let next = nextSlowStartChangeAt(thirds, T0, at); next !== null; next = nextSlowStartChangeAt(thirds, T0, at)) {
      expect(next).toBeGreaterThan(at);
      at = next;
      seen.push(slowStartWeight(30, thirds, T0, at));
    }
    expect(seen).toEqual([10, 20, 30, 30]);
    expect(at).toBe(T0 + 1000);
  });

  it('applies through effectiveWeight when configured', () => {
    expect(effectiveWeight({ ...base, slowStart: ramp, recoveredAt: T0, now: T0 + 1000 })).toBe(20);
  });
});

describe('quorum hysteresis', () => {
  it('is lost below quorum - hysteresis and regained at quorum + hysteresis', () => {
    expect(nextQuorumLost(false, 9, 10, 0)).toBe(true);
    expect(nextQuorumLost(false, 10, 10, 0)).toBe(false);
    expect(nextQuorumLost(false, 9, 10, 2)).toBe(false);
    expect(nextQuorumLost(false, 7, 10, 2)).toBe(true);
    expect(nextQuorumLost(true, 11, 10, 2)).toBe(true);
    expect(nextQuorumLost(true, 12, 10, 2)).toBe(false);
  });
});
