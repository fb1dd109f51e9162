// Dates and times as the console shows them, in the console's language. The
// formatters are built once per language: Date.prototype.toLocale*String builds
// a new Intl formatter on every call, which costs tens of milliseconds when a
// chart labels hundreds of points.
import { currentLanguage } from './i18n';

const clocks = new Map<string, Intl.DateTimeFormat>();
const dateTimes = new Map<string, Intl.DateTimeFormat>();

function cached(cache: Map<string, Intl.DateTimeFormat>, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const language = currentLanguage();
  let found = cache.get(language);
  if (!found) {
    found = new Intl.DateTimeFormat(language, options);
    cache.set(language, found);
  }
  return found;
}

/** Time of day with seconds (e.g. "14:03:07"). */
export function clockTime(time: number): string {
  return cached(clocks, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(time);
}

/** Date and time, for tooltips. */
export function dateTime(time: number): string {
  return cached(dateTimes, { dateStyle: 'medium', timeStyle: 'medium' }).format(time);
}
