// Dates and times as the console shows them. The formatters are built once:
// Date.prototype.toLocale*String builds a new Intl formatter on every call,
// which costs tens of milliseconds when a chart labels hundreds of points.
const CLOCK = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** Time of day with seconds, in the browser's locale (e.g. "14:03:07"). */
export function clockTime(time: number): string {
  return CLOCK.format(time);
}

/** Date and time in the browser's locale, for tooltips. */
export function dateTime(time: number): string {
  return DATE_TIME.format(time);
}
