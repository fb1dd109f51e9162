// Properties that hold for any input, checked with fast-check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMhTable, buildShTable, gcd, mhParameters, SchedulerEngine, schedule, initSchedulerState, type SchedDestination } from '../../src/schedulers';
import { conn, dest, service } from './support';

const weightLists = fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 8 });

function destsOf(weights: number[]): SchedDestination[] {
  return weights.map((w, i) => dest(`10.5.0.${i + 1}:80`, w));
}

describe('scheduler properties', () => {
  it('wrr: one cycle of sum(w)/gcd picks gives each server exactly w/gcd picks', () => {
    fc.assert(
      fc.property(weightLists, (weights) => {
        const positive = weights.filter((w) => w > 0);
        fc.pre(positive.length > 0);
        const g = positive.reduce((a, b) => gcd(a, b));
        const svc = service('wrr', destsOf(weights));
        const engine = SchedulerEngine.create(svc);
        const counts = weights.map(() => 0);
        const cycle = positive.reduce((a, b) => a + b, 0) / g;
        const c = conn('198.51.100.1');
        for (let i = 0; i < cycle; i++) {
          const index = engine.pick(svc, c);
          counts[index] = (counts[index] ?? 0) + 1;
        }
        expect(counts).toEqual(weights.map((w) => w / g));
      }),
    );
  });

  it('rr: every window of k picks visits each of the k available servers once', () => {
    fc.assert(
      fc.property(weightLists, fc.integer({ min: 0, max: 30 }), (weights, skip) => {
        const available = weights.filter((w) => w > 0).length;
        fc.pre(available > 0);
        const svc = service('rr', destsOf(weights));
        const engine = SchedulerEngine.create(svc);
        const c = conn('198.51.100.1');
        for (let i = 0; i < skip; i++) engine.pick(svc, c);
        const window = new Set(Array.from({ length: available }, () => engine.pick(svc, c)));
        expect(window.size).toBe(available);
        expect([...window].every((i) => (weights[i] ?? 0) > 0)).toBe(true);
      }),
    );
  });

  it('schedule() never changes the state it is given', () => {
    const schedulers = ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'fo', 'ovf', 'twos', 'lblc', 'lblcr', 'sh', 'dh', 'mh'] as const;
    fc.assert(
      fc.property(weightLists, fc.constantFrom(...schedulers), fc.integer({ min: 1, max: 254 }), (weights, name, host) => {
        const svc = service(name, destsOf(weights));
        const state = initSchedulerState(svc);
        const c = conn(`198.51.100.${host}`);
        const first = schedule(state, svc, c, 1000);
        const again = schedule(state, svc, c, 1000);
        expect(again.index).toBe(first.index);
        const chosen = first.index >= 0 ? svc.destinations[first.index] : undefined;
        if (chosen) expect(chosen.weight).toBeGreaterThan(0);
      }),
    );
  });

  it('sh and mh tables only name servers that exist; mh gives weight-0 servers no slots', () => {
    fc.assert(
      fc.property(weightLists, (weights) => {
        const dests = destsOf(weights);
        for (const index of buildShTable(dests)) expect(index).toBeLessThan(dests.length);
        const mh = buildMhTable(dests, mhParameters({ mhTableIndex: 8 }));
        for (const index of mh) {
          if (weights.some((w) => w > 0)) expect(weights[index] ?? 0).toBeGreaterThan(0);
          else expect(index).toBe(-1);
        }
      }),
    );
  });
});
