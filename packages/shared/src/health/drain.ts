// Drain progress from the kernel's observations. IPVS has no drain state:
// the destination sits at weight 0 and its connections finish on their own.
// This follows active, inactive and persistent counts down to zero.
import type { Drain } from '../model/health';
import type { ObservedDestination } from '../model/observed';
import { describedText, type DescribedText } from '../model/messages';

export interface DrainSample {
  time: number;
  active: number;
  inactive: number;
  /** Persistence templates pointing here. */
  persistent: number;
}

export interface DrainProgress {
  startedAt: number;
  /** The first observation after the drain started. */
  initial: DrainSample | null;
  current: DrainSample | null;
  /** Connections (active + inactive) ending per second, over the recent window; null until two samples. */
  ratePerSecond: number | null;
  /** current / rate; null when unknown or not falling. */
  estimatedSecondsLeft: number | null;
  /** 0..1 of the initial connections gone. */
  fractionDone: number;
  /** No active or inactive connections: removing it now cuts nobody off. */
  safeToRemove: boolean;
  /** Also no persistence templates left. */
  fullyDrained: boolean;
  /** When it first became safe to remove. */
  safeSince: number | null;
  deadline: number | null;
  deadlinePassed: boolean;
  /** Recent samples (bounded) for a chart. */
  samples: DrainSample[];
}

export const DRAIN_SAMPLES_KEPT = 120;
/** The fall rate is measured over this much recent history, so a burst long ago does not dominate. */
export const DRAIN_RATE_WINDOW_MS = 60_000;

function connections(sample: DrainSample): number {
  return sample.active + sample.inactive;
}

export function sampleOf(observed: Pick<ObservedDestination, 'activeConns' | 'inactiveConns' | 'persistentConns'> | null, now: number): DrainSample {
  // A destination the kernel no longer has holds no connections.
  return {
    time: now,
    active: observed?.activeConns ?? 0,
    inactive: observed?.inactiveConns ?? 0,
    persistent: observed?.persistentConns ?? 0,
  };
}

/** Progress after one more observation (`observed` null: the kernel does not have the destination). */
export function nextDrainProgress(
  previous: DrainProgress | null,
  drain: Drain,
  observed: Pick<ObservedDestination, 'activeConns' | 'inactiveConns' | 'persistentConns'> | null,
  now: number,
): DrainProgress {
  const sample = sampleOf(observed, now);
  const samples = [...(previous?.samples ?? []), sample];
  if (samples.length > DRAIN_SAMPLES_KEPT) samples.splice(0, samples.length - DRAIN_SAMPLES_KEPT);
  const initial = previous?.initial ?? sample;
  const windowStart = samples.find((s) => s.time >= now - DRAIN_RATE_WINDOW_MS) ?? sample;
  const elapsedSeconds = (now - windowStart.time) / 1000;
  const fallen = connections(windowStart) - connections(sample);
  const ratePerSecond = elapsedSeconds > 0 ? Math.max(0, fallen / elapsedSeconds) : null;
  const left = connections(sample);
  const safeToRemove = left === 0;
  const startCount = connections(initial);
  return {
    startedAt: drain.startedAt,
    initial,
    current: sample,
    ratePerSecond,
    estimatedSecondsLeft: left === 0 ? 0 : ratePerSecond ? left / ratePerSecond : null,
    fractionDone: startCount === 0 ? 1 : Math.min(1, Math.max(0, (startCount - left) / startCount)),
    safeToRemove,
    fullyDrained: safeToRemove && sample.persistent === 0,
    safeSince: safeToRemove ? (previous?.safeSince ?? now) : null,
    deadline: drain.deadline ?? null,
    deadlinePassed: drain.deadline !== undefined && now >= drain.deadline,
    samples,
  };
}

/** Why a drained destination should be removed now, or null. */
export function drainRemovalDue(progress: DrainProgress, drain: Drain): 'drained' | 'deadline' | null {
  if (drain.removeWhenDrained && progress.safeToRemove) return 'drained';
  if (progress.deadlinePassed) return 'deadline';
  return null;
}

/** "412 → 37 connections, 6.2/s, about 6 s left" */
/** Where a drain stands, with its message id and parameters (the console says it in its language). */
export function describeDrainText(progress: DrainProgress): DescribedText {
  const current = progress.current ? connections(progress.current) : null;
  if (current === null) return describedText('drainWaiting');
  if (progress.safeToRemove) {
    const templates = progress.current?.persistent ?? 0;
    return templates > 0
      ? {
          message: `drained: no connections left (${templates} persistence template${templates === 1 ? '' : 's'} still point here and expire on their own); safe to remove`,
          messageId: 'drainDoneTemplates',
          params: { count: templates },
        }
      : describedText('drainDone');
  }
  const initial = progress.initial ? connections(progress.initial) : current;
  const rate = progress.ratePerSecond;
  const eta = progress.estimatedSecondsLeft;
  const rateText = rate ? `, ${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}/s` : '';
  const left = eta !== null && Number.isFinite(eta) ? formatSeconds(eta) : null;
  return {
    message: `draining: ${initial} → ${current} connection${current === 1 ? '' : 's'}${rateText}${left ? `, about ${left} left` : ''}`,
    messageId: left ? 'drainProgressEta' : 'drainProgress',
    params: left ? { initial, count: current, rate: rateText, left } : { initial, count: current, rate: rateText },
  };
}

export function describeDrain(progress: DrainProgress): string {
  return describeDrainText(progress).message;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
