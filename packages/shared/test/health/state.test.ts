import { describe, expect, it } from 'vitest';
import { healthCheckSchema } from '../../src/model';
import { historyFlaps, initialDestinationState, lastFailure, recordProbe, type DestinationHealthState, type ProbeResult } from '../../src/health';
import { T0 } from './support';

const tcp = healthCheckSchema.parse({ kind: 'tcp', rise: 2, fall: 3 });
const thresholds = { rise: tcp.rise, fall: tcp.fall };

function result(ok: boolean, time: number, message = ok ? 'connected' : 'connection refused'): ProbeResult {
  return { ok, time, latencyMs: 1, message };
}

function feed(state: DestinationHealthState, oks: boolean[], start = T0, historySize = 30): DestinationHealthState {
  return oks.reduce((s, ok, i) => recordProbe(s, 0, result(ok, start + i * 1000), thresholds, historySize), state);
}

describe('check state machine', () => {
  it('starts up without alpha and goes down only after `fall` consecutive failures', () => {
    const start = initialDestinationState([tcp], false, T0);
    expect(start.status).toBe('up');
    const twoFailures = feed(start, [false, false]);
    expect(twoFailures.status).toBe('up');
    expect(twoFailures.checks[0]?.consecutiveFail).toBe(2);
    const down = feed(twoFailures, [false], T0 + 2000);
    expect(down.status).toBe('down');
    expect(down.since).toBe(T0 + 2000);
    expect(down.flaps).toBe(1);
  });

  it('a success in between resets the failure count', () => {
    const state = feed(initialDestinationState([tcp], false, T0), [false, false, true, false, false]);
    expect(state.status).toBe('up');
    expect(state.checks[0]?.consecutiveFail).toBe(2);
  });

  it('comes back up after `rise` consecutive successes and records the recovery time', () => {
    const down = feed(initialDestinationState([tcp], false, T0), [false, false, false]);
    const oneOk = feed(down, [true], T0 + 10_000);
    expect(oneOk.status).toBe('down');
    const up = feed(oneOk, [true], T0 + 11_000);
    expect(up.status).toBe('up');
    expect(up.recoveredAt).toBe(T0 + 11_000);
    expect(up.flaps).toBe(2);
  });

  it('alpha: pending until the first success, which brings it up at once (not a flap)', () => {
    const start = initialDestinationState([tcp], true, T0);
    expect(start.status).toBe('pending');
    const stillPending = feed(start, [false, false, false, false]);
    expect(stillPending.status).toBe('pending');
    const up = feed(stillPending, [true], T0 + 5000);
    expect(up.status).toBe('up');
    expect(up.flaps).toBe(0);
    expect(up.recoveredAt).toBe(T0 + 5000);
  });

  it('several checks: any down check takes the destination down', () => {
    const http = healthCheckSchema.parse({ kind: 'http', fall: 1, rise: 1 });
    let state = initialDestinationState([tcp, http], false, T0);
    state = recordProbe(state, 1, result(false, T0, 'HTTP 503'), { rise: 1, fall: 1 }, 30);
    expect(state.status).toBe('down');
    expect(state.checks[0]?.status).toBe('up');
    expect(lastFailure(state)?.message).toBe('HTTP 503');
  });

  it('keeps the last N results and counts flaps in the strip', () => {
    const oks = [true, false, true, false, true, true, false, false];
    const state = feed(initialDestinationState([tcp], false, T0), oks, T0, 5);
    expect(state.history).toHaveLength(5);
    expect(state.history.map((h) => h.ok)).toEqual([false, true, true, false, false]);
    expect(historyFlaps(state.history)).toBe(2);
    expect(state.history[0]).toMatchObject({ check: 0, kind: 'tcp', latencyMs: 1 });
  });

  it('dynamic weight from a command check follows the latest successful result', () => {
    const command = healthCheckSchema.parse({ kind: 'command', program: '/usr/local/bin/check', dynamicWeight: true, rise: 1, fall: 1 });
    let state = initialDestinationState([command], false, T0);
    state = recordProbe(state, 0, { ...result(true, T0), dynamicWeight: 5 }, { rise: 1, fall: 1 }, 30);
    expect(state.dynamicWeight).toBe(5);
    state = recordProbe(state, 0, { ...result(true, T0 + 1), dynamicWeight: null }, { rise: 1, fall: 1 }, 30);
    expect(state.dynamicWeight).toBeNull();
  });

  it('ignores results for a check index that no longer exists', () => {
    const state = initialDestinationState([tcp], false, T0);
    expect(recordProbe(state, 3, result(false, T0), thresholds, 30)).toBe(state);
  });
});
