// The periodic drift check's tick. A drift check reads the whole table
// (1,000 x 10 takes seconds on a loaded director), and the mutex queues
// every caller: checks started on a fixed period would pile up behind a
// slow one, and a commit arriving then waits behind all of them. So a tick
// is skipped, never queued, while the previous check still runs or a
// commit waits for the kernel (the commit re-reads what it changes). And a
// tick first asks the 1 Hz sampler's latest table: when it shows nothing
// new, no read of its own is needed (Reconciler.checkDriftFromSample).
import type { ObservedTable } from '@lvs-console/shared';
import type { Reconciler } from './reconciler';

export function driftTicker(
  reconciler: Pick<Reconciler, 'checkDriftFromSample' | 'commitPending'>,
  latestSample: () => { table: ObservedTable; at: number } | null,
  onError: (error: unknown) => void,
): () => Promise<void> {
  let running = false;
  return async () => {
    if (running || reconciler.commitPending) return;
    running = true;
    try {
      await reconciler.checkDriftFromSample(latestSample());
    } catch (error) {
      onError(error);
    } finally {
      running = false;
    }
  };
}
