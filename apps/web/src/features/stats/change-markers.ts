// Change markers on the watch view's charts: the audit log's successful
// changes that name the chart's service ("set weight of 10.0.0.1:80 in TCP
// 192.0.2.10:80 to 0"), inside the shown time range. Pure.
import type { AuditEntry, RecordedFields } from '@lvs-console/shared/api';
import { parseServiceId, serviceLabel } from '@lvs-console/shared';

export interface ChangeMarker extends RecordedFields {
  seq: number;
  time: number;
  who: string;
}

/** At most this many markers per chart (the newest): each is a tab stop. */
export const MAX_MARKERS = 50;

/**
 * The audit entries that changed `serviceIdValue` between from and to, oldest
 * first. "TCP 192.0.2.10:80" must not match "TCP 192.0.2.10:8080" or
 * "TCP 192.0.2.100:80": the label must end at a non-digit.
 */
export function changeMarkers(entries: readonly AuditEntry[], serviceIdValue: string, from: number, to: number, max = MAX_MARKERS): ChangeMarker[] {
  const key = parseServiceId(serviceIdValue);
  if (!key) return [];
  const label = serviceLabel(key);
  const markers: ChangeMarker[] = [];
  for (const entry of entries) {
    if (entry.result !== 'ok' || entry.time < from || entry.time > to) continue;
    if (!namesService(entry.what, label)) continue;
    const said = entry.whatId === undefined ? {} : { whatId: entry.whatId, whatParams: entry.whatParams ?? {} };
    markers.push({ seq: entry.seq, time: entry.time, who: entry.who, what: entry.what, ...said });
  }
  markers.sort((a, b) => a.time - b.time || a.seq - b.seq);
  return markers.slice(-max);
}

function namesService(what: string, label: string): boolean {
  for (let at = what.indexOf(label); at >= 0; at = what.indexOf(label, at + 1)) {
    const next = what.charAt(at + label.length);
    if (!/[0-9]/.test(next)) return true;
  }
  return false;
}
