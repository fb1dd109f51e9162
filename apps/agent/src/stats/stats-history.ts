// How much 10 s history the agent keeps (serve --stats-history HOURS): the
// same span in memory and on disk. At 1,000 destinations an hour is about
// 11 MB on disk, so a director with a small disk can keep less, or none.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log';
import { HistoryArchive } from './history-archive';
import { StatsStore } from './stats-store';

const HOUR_MS = 3_600_000;

/** The stats store, restored from `<stateDir>/stats-history` when hours > 0; with 0 what an earlier run wrote is removed. */
export function openStatsHistory(
  stateDir: string,
  hours: number,
  now: number,
  log: Pick<Logger, 'warn' | 'info'>,
): { store: StatsStore; archive: HistoryArchive | null } {
  const dir = join(stateDir, 'stats-history');
  if (hours <= 0) {
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      // No history was ever written.
    }
    if (files.length > 0) {
      rmSync(dir, { recursive: true, force: true });
      log.info({ dir, files: files.length }, 'stats history off (--stats-history 0): removed what an earlier run kept');
    }
    return { store: new StatsStore({ coarseSeconds: 0 }), archive: null };
  }
  const history = HistoryArchive.open(dir, now, { retentionMs: hours * HOUR_MS }, (message) => log.warn(`stats history: ${message}`));
  const store = new StatsStore({ archive: history.archive, coarseSeconds: hours * 3600 });
  store.restore(history.buckets);
  return { store, archive: history.archive };
}
