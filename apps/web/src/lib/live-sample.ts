// The stats stream's latest second (stats.onSample): rates and connection
// counts of every service. One subscription per tab, shared by every screen
// that reads the snapshot, and closed when none does.
import { useSyncExternalStore } from 'react';
import type { LiveSample } from '@lvs-console/shared/api';
import { trpcClient } from './trpc';

let latest: LiveSample | null = null;
const listeners = new Set<() => void>();
let subscription: { unsubscribe(): void } | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  subscription ??= trpcClient.stats.onSample.subscribe(undefined, {
    onData: (sample) => {
      latest = sample;
      for (const notify of listeners) notify();
    },
  });
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      subscription?.unsubscribe();
      subscription = null;
    }
  };
}

/** The newest 1 s sample (null until the first arrives). */
export function useLiveSample(): LiveSample | null {
  return useSyncExternalStore(subscribe, () => latest);
}
