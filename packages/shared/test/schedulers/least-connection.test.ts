// lc, wlc, sed, nq, fo, ovf, twos: choices worked from the kernel formulas.
import { describe, expect, it } from 'vitest';
import {
  connOverhead,
  initSchedulerState,
  pickFo,
  pickLc,
  pickNq,
  pickOvf,
  pickSed,
  pickTwos,
  pickWlc,
  predictSequence,
  schedule,
  type RandomSource,
} from '../../src/schedulers';
import { conn, dest, ids, service } from './support';

function fixed(...values: number[]): RandomSource {
  let i = 0;
  return { nextU32: () => values[i++ % values.length] ?? 0 };
}

describe('connection overhead', () => {
  it('is active * 256 + inactive (ip_vs_dest_conn_overhead)', () => {
    expect(connOverhead(dest('a:80', 1, { activeConns: 3, inactConns: 7 }))).toBe(775);
  });
});

describe('lc', () => {
  it('takes the least overhead, first in list order on ties, ignoring weight values', () => {
    const dests = [
      dest('a:80', 1, { activeConns: 1 }), // 256
      dest('b:80', 50, { inactConns: 300 }), // 300
      dest('c:80', 1, { activeConns: 1 }), // 256, tie with a
    ];
    expect(pickLc(dests)).toBe(0);
  });

  it('skips weight 0 and overloaded servers; null when none is left', () => {
    expect(pickLc([dest('a:80', 0), dest('b:80', 1, { activeConns: 9 })])).toBe(1);
    expect(pickLc([dest('a:80', 0), dest('b:80', 1, { overloaded: true })])).toBe(-1);
  });
});

describe('wlc', () => {
  it('compares overhead / weight by cross-multiplying', () => {
    // a: 256 / 1, b: 512 / 3 -> 256 * 3 > 512 * 1, so b.
    expect(pickWlc([dest('a:80', 1, { activeConns: 1 }), dest('b:80', 3, { activeConns: 2 })])).toBe(1);
    // Equal load keeps the first.
    expect(pickWlc([dest('a:80', 1, { activeConns: 1 }), dest('b:80', 2, { activeConns: 2 })])).toBe(0);
  });

  it('never picks weight 0 even when it is idle', () => {
    expect(pickWlc([dest('a:80', 1, { activeConns: 5 }), dest('b:80', 0)])).toBe(0);
  });

  it('spreads long-lived connections 3 : 1 for weights 3 and 1', () => {
    const picks = ids(predictSequence(service('wlc', [dest('a:80', 3), dest('b:80', 1)]), 8));
    expect(picks.filter((p) => p === 'a:80')).toHaveLength(6);
    // With zero load the first server wins: a, then b (256*1 > 0*3), then a a a ...
    expect(picks.slice(0, 4)).toEqual(['a:80', 'b:80', 'a:80', 'a:80']);
  });
});

describe('sed and nq', () => {
  it('sed uses (active + 1) / weight and ignores inactive connections', () => {
    expect(pickSed([dest('a:80', 1), dest('b:80', 2, { activeConns: 1, inactConns: 1000 })])).toBe(0); // 1*2 > 2*1 is false
    expect(pickSed([dest('a:80', 1), dest('b:80', 2)])).toBe(1); // 1*2 > 1*1
  });

  it('nq sends to the first idle server regardless of weight', () => {
    expect(pickNq([dest('a:80', 5, { activeConns: 3 }), dest('b:80', 1), dest('c:80', 9)])).toBe(1);
  });

  it('nq falls back to sed when every server is busy', () => {
    expect(pickNq([dest('a:80', 1, { activeConns: 1 }), dest('b:80', 4, { activeConns: 2 })])).toBe(1); // 2*4 > 3*1
  });
});

describe('fo and ovf', () => {
  it('fo takes the highest weight that is not overloaded, first on ties', () => {
    expect(pickFo([dest('a:80', 5, { overloaded: true }), dest('b:80', 3), dest('c:80', 3)])).toBe(1);
    expect(pickFo([dest('a:80', 0)])).toBe(-1);
  });

  it('ovf overflows when active connections exceed the weight', () => {
    expect(pickOvf([dest('a:80', 2, { activeConns: 2 }), dest('b:80', 1)])).toBe(0); // 2 > 2 is false
    expect(pickOvf([dest('a:80', 2, { activeConns: 3 }), dest('b:80', 1)])).toBe(1);
    expect(pickOvf([dest('a:80', 2, { activeConns: 3 }), dest('b:80', 1, { activeConns: 2 })])).toBe(-1);
  });
});

describe('twos', () => {
  const dests = [dest('a:80', 3), dest('b:80', 2)];

  it('walks rweight = random % (total + 1) down the list; the first server gets the extra slot', () => {
    // total = 5 + 1 = 6. r = 3: 3 - 3 = 0 <= 0 -> a. r = 4: 4 - 3 = 1, 1 - 2 < 0 -> b.
    expect(pickTwos(dests, fixed(3, 3))).toBe(0);
    expect(pickTwos(dests, fixed(4, 4))).toBe(1);
    expect(pickTwos(dests, fixed(6 + 3, 6 + 5))).toBe(0); // 3 -> a, 5 -> b; equal overhead keeps choice 1
  });

  it('keeps the choice with less overhead per weight', () => {
    const loaded = [dest('a:80', 3, { activeConns: 2 }), dest('b:80', 2)];
    // choice1 = a (512), choice2 = b (0): 2 * 512 > 3 * 0 -> b.
    expect(pickTwos(loaded, fixed(0, 5))).toBe(1);
  });

  it('is repeatable under a seed and differs between seeds', () => {
    const svc = service('twos', [dest('a:80', 1), dest('b:80', 1), dest('c:80', 1)], { kernel: { twosSeed: 42 } });
    const first = ids(predictSequence(svc, 30, { assume: 'none' }));
    expect(ids(predictSequence(svc, 30, { assume: 'none' }))).toEqual(first);
    const other = ids(predictSequence({ ...svc, kernel: { twosSeed: 43 } }, 30, { assume: 'none' }));
    expect(other).not.toEqual(first);
    expect(new Set(first).size).toBe(3);
  });

  it('the pure API advances the generator only in the returned state', () => {
    const svc = service('twos', [dest('a:80', 1), dest('b:80', 1)], { kernel: { twosSeed: 7 } });
    const state = initSchedulerState(svc);
    const one = schedule(state, svc, conn('198.51.100.1'));
    expect(schedule(state, svc, conn('198.51.100.1')).index).toBe(one.index);
  });

  it('returns null when every server is overloaded or quiescent', () => {
    expect(pickTwos([dest('a:80', 0), dest('b:80', 2, { overloaded: true })], fixed(1))).toBe(-1);
  });
});
