// Rates as the console prints them.
import { formatNumber } from '../../lib/format-number';

/** "1.2 k", "3.4 M" for packet and byte rates; small numbers keep one decimal. */
export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value >= 1e9) return `${formatNumber(value / 1e9, 1)} G`;
  if (value >= 1e6) return `${formatNumber(value / 1e6, 1)} M`;
  if (value >= 1e4) return `${formatNumber(value / 1e3, 1)} k`;
  return formatNumber(value, value >= 100 ? 0 : 1);
}
