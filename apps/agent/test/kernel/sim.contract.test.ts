import { SimBackend } from '../../src/kernel/sim';
import { ManualClock } from '../../src/config/clock';
import { describeKernelContract } from './contract';

describeKernelContract('sim', () => Promise.resolve(new SimBackend({ clock: new ManualClock(0), seed: 42 })));

describeKernelContract('sim without twos (like Linux 6.1 built without it)', () =>
  Promise.resolve(
    new SimBackend({
      clock: new ManualClock(0),
      availableSchedulers: ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'],
    }),
  ),
);
