// rr and wrr, with sequences worked by hand from ip_vs_rr.c / ip_vs_wrr.c.
import { describe, expect, it } from 'vitest';
import type { WrrCore } from '../../src/schedulers';
import {
  destinationsChanged,
  initSchedulerState,
  kernelListOrder,
  predictSequence,
  schedule,
  SchedulerEngine,
  type SchedulerState,
  type SchedService,
} from '../../src/schedulers';
import { conn, dest, ids, service } from './support';

function run(state: SchedulerState, svc: SchedService, count: number): { picks: Array<string | null>; state: SchedulerState } {
  const picks: Array<string | null> = [];
  let current = state;
  for (let i = 0; i < count; i++) {
    const result = schedule(current, svc, conn('198.51.100.1', 40000 + i));
    picks.push(result.destination?.id ?? null);
    current = result.state;
  }
  return { picks, state: current };
}

describe('kernel list order', () => {
  it('is the reverse of insertion order (list_add_rcu at the head)', () => {
    expect(kernelListOrder(['rs1', 'rs2', 'rs3'])).toEqual(['rs3', 'rs2', 'rs1']);
  });
});

describe('rr', () => {
  it('walks rs3 rs2 rs1 for servers added rs1, rs2, rs3 (as measured on a real kernel)', () => {
    const svc = service('rr', kernelListOrder([dest('rs1:80', 1), dest('rs2:80', 1), dest('rs3:80', 1)]));
    expect(ids(predictSequence(svc, 6))).toEqual(['rs3:80', 'rs2:80', 'rs1:80', 'rs3:80', 'rs2:80', 'rs1:80']);
  });

  it('ignores weight values but skips weight 0 and overloaded servers', () => {
    const svc = service('rr', [dest('a:80', 100), dest('b:80', 0), dest('c:80', 1, { overloaded: true }), dest('d:80', 1)]);
    expect(ids(predictSequence(svc, 4))).toEqual(['a:80', 'd:80', 'a:80', 'd:80']);
  });

  it('returns null when nothing is available and does not move the cursor', () => {
    const svc = service('rr', [dest('a:80', 0), dest('b:80', 0)]);
    expect(ids(predictSequence(svc, 2))).toEqual([null, null]);
  });

  it('moves the cursor to the previous entry when the current dest is deleted (ip_vs_rr_del_dest)', () => {
    const full = service('rr', [dest('a:80', 1), dest('b:80', 1), dest('c:80', 1)]);
    const first = run(initSchedulerState(full), full, 2); // a, b: cursor on b
    expect(first.picks).toEqual(['a:80', 'b:80']);
    const withoutB = service('rr', [dest('a:80', 1), dest('c:80', 1)]);
    const after = run(destinationsChanged(first.state, withoutB), withoutB, 3);
    // Cursor moved back to a, so c comes next: nobody is skipped.
    expect(after.picks).toEqual(['c:80', 'a:80', 'c:80']);
  });

  it('keeps its place when a dest is added at the head', () => {
    const before = service('rr', [dest('a:80', 1), dest('b:80', 1)]);
    const first = run(initSchedulerState(before), before, 1); // a
    const added = service('rr', [dest('n:80', 1), dest('a:80', 1), dest('b:80', 1)]);
    expect(run(first.state, added, 3).picks).toEqual(['b:80', 'n:80', 'a:80']);
  });

  it('is pure: the state passed in is not changed', () => {
    const svc = service('rr', [dest('a:80', 1), dest('b:80', 1)]);
    const state = initSchedulerState(svc);
    expect(schedule(state, svc, conn('198.51.100.1')).destination?.id).toBe('a:80');
    expect(schedule(state, svc, conn('198.51.100.1')).destination?.id).toBe('a:80');
  });
});

describe('wrr', () => {
  const added = kernelListOrder([dest('rs1:80', 4), dest('rs2:80', 3), dest('rs3:80', 2)]);
  const svc = service('wrr', added);
  // cw = 4: rs1 | cw = 3: rs2 rs1 | cw = 2: rs3 rs2 rs1 | cw = 1: rs3 rs2 rs1
  const cycle = ['rs1:80', 'rs2:80', 'rs1:80', 'rs3:80', 'rs2:80', 'rs1:80', 'rs3:80', 'rs2:80', 'rs1:80'];

  it('gives the kernel 9-pick cycle for weights 4, 3, 2 once bound with all dests (cw starts at mw)', () => {
    expect(run(initSchedulerState(svc), svc, 18).picks).toEqual([...cycle, ...cycle]);
  });

  it("starts a freshly built service with a cw = 1 pass (add_dest kept cw at the first dest's mw)", () => {
    // init with no dests: mw = 0, cw = 0; add rs1 (4): di 4, mw 1, cw 1; add rs2, rs3: di 1, mw 4, cw stays 1.
    expect(ids(predictSequence(svc, 12))).toEqual(['rs3:80', 'rs2:80', 'rs1:80', ...cycle]);
  });

  it('steps by the gcd: weights 100 and 50 pick a a b', () => {
    const gcdService = service('wrr', [dest('a:80', 100), dest('b:80', 50)]);
    const engine = SchedulerEngine.create(gcdService);
    expect((engine.internals as WrrCore).mark()).toEqual({ cursor: -1, currentWeight: 51, maxWeight: 51, step: 50 });
    expect(run(initSchedulerState(gcdService), gcdService, 6).picks).toEqual(['a:80', 'a:80', 'b:80', 'a:80', 'a:80', 'b:80']);
  });

  it('handles weight 65535 next to weight 1 (65535 : 1 over one cycle)', () => {
    const heavy = service('wrr', [dest('x:80', 65535), dest('y:80', 1)]);
    const engine = SchedulerEngine.create(heavy);
    let x = 0;
    let y = 0;
    const c = conn('198.51.100.1');
    for (let i = 0; i < 65536; i++) {
      const index = engine.pick(heavy, c);
      if (index === 0) x++;
      else if (index === 1) y++;
    }
    expect([x, y]).toEqual([65535, 1]);
    // The single y pick is the last of the cycle (cw = 1 pass: x then y).
    expect(engine.pick(heavy, c)).toBe(0);
  });

  it('returns null for all weights 0, all overloaded, and an empty service', () => {
    expect(run(initSchedulerState(service('wrr', [dest('a:80', 0)])), service('wrr', [dest('a:80', 0)]), 2).picks).toEqual([null, null]);
    const overloaded = service('wrr', [dest('a:80', 3, { overloaded: true }), dest('b:80', 1, { overloaded: true })]);
    const state = initSchedulerState(overloaded);
    expect(run(state, overloaded, 3).picks).toEqual([null, null, null]);
    expect(run(initSchedulerState(service('wrr', [])), service('wrr', []), 1).picks).toEqual([null]);
  });

  it('skips an overloaded heavy server and keeps cycling the rest', () => {
    const svc2 = service('wrr', [dest('a:80', 5, { overloaded: true }), dest('b:80', 1)]);
    expect(run(initSchedulerState(svc2), svc2, 3).picks).toEqual(['b:80', 'b:80', 'b:80']);
  });

  it('always picks a single destination', () => {
    const one = service('wrr', [dest('a:80', 7)]);
    expect(run(initSchedulerState(one), one, 3).picks).toEqual(['a:80', 'a:80', 'a:80']);
  });

  it('restarts from the head on a dest change and rounds cw to the new step (ip_vs_wrr_dest_changed)', () => {
    const before = service('wrr', [dest('a:80', 9), dest('b:80', 1)]);
    const engine = SchedulerEngine.create(before);
    const c = conn('198.51.100.1');
    for (let i = 0; i < 5; i++) expect(engine.pick(before, c)).toBe(0); // cw 9, 8, 7, 6, 5
    expect((engine.internals as WrrCore).mark().currentWeight).toBe(5);
    const after = service('wrr', [dest('a:80', 9), dest('b:80', 3)]);
    engine.destinationsChanged(after);
    // di = 3, mw = 9 - 2 = 7, cw = (5 / 3) * 3 + 1 = 4, cursor at the head.
    expect((engine.internals as WrrCore).mark()).toEqual({ cursor: -1, currentWeight: 4, maxWeight: 7, step: 3 });
    const picks = [0, 1, 2, 3].map(() => engine.pick(after, c));
    // cw 4: a | cw 1: a b | cw 7: a
    expect(picks).toEqual([0, 0, 1, 0]);
  });

  it('detects a weight edit without an explicit hook call', () => {
    const base = service('wrr', [dest('a:80', 1), dest('b:80', 1)]);
    const state = run(initSchedulerState(base), base, 1).state; // a
    const edited = service('wrr', [dest('a:80', 1), dest('b:80', 3)]);
    // Hook: head, di 1, mw 3, cw 1 stays. Scan from the head with cw 1: a.
    expect(run(state, edited, 4).picks).toEqual(['a:80', 'b:80', 'b:80', 'b:80']);
  });
});
