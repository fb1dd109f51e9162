// The span of 10 s counter history (serve --stats-history HOURS): here, apart
// from the store, so the CLI checks the flag without loading the stats code.
export const DEFAULT_STATS_HISTORY_HOURS = 24;
/** The watch view's longest range. */
export const MAX_STATS_HISTORY_HOURS = 24;
