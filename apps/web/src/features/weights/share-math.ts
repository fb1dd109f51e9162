// Weight and share arithmetic for the real-servers table: what share of new
// connections a weight should bring, what share was measured, and how to read
// an operator's typed weight.
import { MAX_WEIGHT, type SchedulerName } from '@lvs-console/shared';
import { schedulerInfo } from '../schedulers/catalog';
import { t } from '../../lib/i18n';
import { formatPercent } from '../../lib/format-number';

export interface WeightedDestination {
  id: string;
  weight: number;
  /** The destination is failing a check or marked down: it gets nothing. */
  unavailable?: boolean;
}

/**
 * The share of new connections each destination should get from weights
 * alone, in steady state. Exact for wrr; the long-run answer for wlc/sed/nq
 * with equal connection lifetimes; rr/lc ignore weights except that weight 0
 * is quiescent. fo sends everything to the highest weight.
 */
export function steadyStateShares(scheduler: SchedulerName, destinations: readonly WeightedDestination[]): Map<string, number> {
  const shares = new Map<string, number>();
  const eligible = destinations.filter((d) => d.weight > 0 && !d.unavailable);
  for (const d of destinations) shares.set(d.id, 0);
  if (eligible.length === 0) return shares;
  if (scheduler === 'fo') {
    // ip_vs_fo_schedule: the first destination with the highest weight wins.
    let best = eligible[0];
    for (const d of eligible) if (best && d.weight > best.weight) best = d;
    if (best) shares.set(best.id, 1);
    return shares;
  }
  if (!schedulerInfo(scheduler).usesWeights) {
    for (const d of eligible) shares.set(d.id, 1 / eligible.length);
    return shares;
  }
  const total = eligible.reduce((sum, d) => sum + d.weight, 0);
  for (const d of eligible) shares.set(d.id, d.weight / total);
  return shares;
}

/** Counts (e.g. new connections over the last minute) to fractions; null when nothing was counted. */
export function measuredShares(counts: ReadonlyMap<string, number>): Map<string, number> | null {
  let total = 0;
  for (const value of counts.values()) total += Math.max(0, value);
  if (total <= 0) return null;
  const shares = new Map<string, number>();
  for (const [id, value] of counts) shares.set(id, Math.max(0, value) / total);
  return shares;
}

/**
 * Read a typed weight. Returns the integer, or an error a person can act on.
 * Weights are 0..65535 integers; 0 means quiescent (drained).
 */
export function parseWeight(text: string): { ok: true; weight: number } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: t('enter a weight from 0 to 65535') };
  if (!/^\d+$/.test(trimmed)) return { ok: false, message: t('a weight is a whole number from 0 to 65535') };
  const weight = Number(trimmed);
  if (weight > MAX_WEIGHT) return { ok: false, message: t('the largest weight is 65535') };
  return { ok: true, weight };
}

/** "33.3 %" with one decimal, or "—" when unknown. */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return formatPercent(share);
}

/**
 * The slider's scale: weights spread over 0..65535 but operators mostly use
 * small ones, so the slider ends at a round number above the largest weight.
 */
export function sliderMax(weights: readonly number[]): number {
  const largest = Math.max(1, ...weights);
  for (const step of [10, 20, 50, 100, 200, 500, 1000, 5000, 10000, 20000, 50000]) {
    if (largest * 2 <= step) return step;
  }
  return MAX_WEIGHT;
}

/** Why a destination's weight does not matter right now, or null when it does. */
export function weightIgnoredReason(scheduler: SchedulerName): string | null {
  if (schedulerInfo(scheduler).usesWeights) return null;
  return t('{{scheduler}} ignores weights: every server with a weight above 0 gets an equal turn. Weight 0 still drains a server.', { scheduler });
}
