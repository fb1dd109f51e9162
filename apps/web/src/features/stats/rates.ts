// Rates from two readings of 64-bit counters (the kernel's own rates are an
// 8-second average; the console shows 1-second deltas).
import type { Counters } from '@lvs-console/shared';
import { formatNumber } from '../../lib/format-number';

export interface CounterRates {
  cps: number;
  inPps: number;
  outPps: number;
  inBps: number;
  outBps: number;
}

export function ratesBetween(previous: Counters, next: Counters, elapsedMs: number): CounterRates {
  const seconds = elapsedMs / 1000;
  // A counter that went backwards was zeroed (ipvsadm -Z): no rate for that step.
  const delta = (a: number, b: number) => (seconds > 0 && b >= a ? (b - a) / seconds : 0);
  return {
    cps: delta(previous.conns, next.conns),
    inPps: delta(previous.inPkts, next.inPkts),
    outPps: delta(previous.outPkts, next.outPkts),
    inBps: delta(previous.inBytes, next.inBytes),
    outBps: delta(previous.outBytes, next.outBytes),
  };
}

/** "1.2 k", "3.4 M" for packet and byte rates; small numbers keep one decimal. */
export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value >= 1e9) return `${formatNumber(value / 1e9, 1)} G`;
  if (value >= 1e6) return `${formatNumber(value / 1e6, 1)} M`;
  if (value >= 1e4) return `${formatNumber(value / 1e3, 1)} k`;
  return formatNumber(value, value >= 100 ? 0 : 1);
}
