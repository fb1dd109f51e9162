import { SimBackend } from '../../src/kernel/sim';
import { ManualClock } from '../../src/config/clock';
import { describeKernelContract } from './contract';

describeKernelContract('sim', () => Promise.resolve(new SimBackend({ clock: new ManualClock(0), seed: 42 })), {
  // Synthetic clients for the counter samples' checks (quiet otherwise: the other cases expect zero counters).
  passTraffic: (backend, ms) => {
    const sim = backend as SimBackend;
    sim.setTraffic({ connectionsPerSecond: 50 });
    sim.advanceBy(ms);
    return Promise.resolve();
  },
});

describeKernelContract('sim without twos (like Linux 6.1 built without it)', () =>
  Promise.resolve(
    new SimBackend({
      clock: new ManualClock(0),
      availableSchedulers: ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'],
    }),
  ),
);
