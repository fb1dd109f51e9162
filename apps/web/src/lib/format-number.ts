// Numbers in the console's language (Intl). Formatters are built once per
// language: building one per call costs too much when charts label hundreds of points.
import { currentLanguage } from './i18n';

const cache = new Map<string, Intl.NumberFormat>();

function formatter(digits: number, style: 'decimal' | 'percent' = 'decimal'): Intl.NumberFormat {
  const language = currentLanguage();
  const key = `${language}|${digits}|${style}`;
  let found = cache.get(key);
  if (!found) {
    found = new Intl.NumberFormat(language, { style, minimumFractionDigits: digits, maximumFractionDigits: digits });
    cache.set(key, found);
  }
  return found;
}

/** A number with a fixed count of decimals, grouped as the language groups them ("12,345.6"). */
export function formatNumber(value: number, digits = 0): string {
  return formatter(digits).format(value);
}

/** A fraction as a percentage ("33.3%"). */
export function formatPercent(fraction: number, digits = 1): string {
  return formatter(digits, 'percent').format(fraction);
}
