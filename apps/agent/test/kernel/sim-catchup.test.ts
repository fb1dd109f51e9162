// Issue 16, defect 6: a simulated kernel with 2,000 services that fell far
// behind the clock catches up with a bounded amount of work per call (budget
// by tick count), instead of simulating every missed tick and starving the
// agent's event loop.
import { describe, expect, it } from 'vitest';
import type { Change } from '@lvs-console/shared/plan';
import { ManualClock } from '../../src/config/clock';
import { DEMO_TRAFFIC } from '../../src/kernel/demo';
import { MAX_CATCHUP_TICKS, SimBackend } from '../../src/kernel/sim';

function twoThousandServices(): Change[] {
  const changes: Change[] = [];
  for (let i = 0; i < 2000; i++) {
    const key = { kind: 'addr', protocol: 'tcp', address: `10.${(i >> 8) & 255}.${i & 255}.1`, port: 80 } as const;
    changes.push({ kind: 'add-service', service: { key, scheduler: 'wlc', flags: [], persistence: null, onePacket: false } });
    changes.push({
      kind: 'add-destination',
      service: key,
      destination: { address: `172.16.${(i >> 8) & 255}.${i & 255}`, port: 80, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
    });
  }
  return changes;
}

describe('the sim following the clock', () => {
  it('simulates at most MAX_CATCHUP_TICKS ticks per call when an hour behind, and skips the rest', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const sim = new SimBackend({ clock, seed: 3 });
    const applied = await sim.apply(twoThousandServices());
    expect(applied.results.filter((r) => !r.ok).slice(0, 1)).toEqual([]);
    sim.setTraffic(DEMO_TRAFFIC);
    sim.start(60_000);
    try {
      clock.advance(3_600_000);
      const before = sim.ticksRun;
      const skipped = sim.followClock();
      expect(sim.ticksRun - before).toBeLessThanOrEqual(MAX_CATCHUP_TICKS);
      expect(sim.now()).toBe(clock.now());
      expect(skipped).toBeGreaterThanOrEqual(3_600_000 - MAX_CATCHUP_TICKS * 100);
      // observe() catches up the same bounded way and still shows traffic.
      clock.advance(600_000);
      const ticks = sim.ticksRun;
      const table = await sim.observe();
      expect(sim.ticksRun - ticks).toBeLessThanOrEqual(MAX_CATCHUP_TICKS);
      expect(table.services).toHaveLength(2000);
      expect(table.services.some((s) => s.stats.conns > 0)).toBe(true);
    } finally {
      sim.stop();
    }
  });
});
