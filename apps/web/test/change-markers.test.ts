// Which audit entries become change markers on a service's charts.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@lvs-console/shared/api';
import { changeMarkers } from '../src/features/stats/change-markers';

const T0 = Date.parse('2026-12-06T10:00:00Z');
const entry = (seq: number, minutes: number, what: string, result: AuditEntry['result'] = 'ok'): AuditEntry => ({
  seq,
  time: T0 + minutes * 60_000,
  who: seq % 2 ? 'ann' : 'bob',
  role: 'admin',
  what,
  result,
});

describe('change markers', () => {
  const entries: AuditEntry[] = [
    entry(6, 50, 'set weight of 10.0.0.1:80 in TCP 192.0.2.10:80 to 0'),
    entry(5, 40, 'set scheduler of TCP 192.0.2.10:8080 to rr'),
    entry(4, 30, 'remove service TCP 192.0.2.100:80'),
    entry(3, 20, 'set scheduler of TCP 192.0.2.10:80 to wlc', 'rejected'),
    entry(2, 10, 'add real server 10.0.0.2:80 to TCP 192.0.2.10:80 (weight 1)'),
    entry(1, -10, 'edit service TCP 192.0.2.10:80'),
    entry(7, 55, 'logged in (from 127.0.0.1)'),
  ];

  it('keeps the successful changes of this service in the range, oldest first', () => {
    const markers = changeMarkers(entries, 'tcp:192.0.2.10:80', T0, T0 + 3_600_000);
    expect(markers.map((m) => m.seq)).toEqual([2, 6]);
    expect(markers[1]).toEqual({ seq: 6, time: T0 + 50 * 60_000, who: 'bob', what: 'set weight of 10.0.0.1:80 in TCP 192.0.2.10:80 to 0' });
  });

  it('tells services apart whose labels share a prefix', () => {
    expect(changeMarkers(entries, 'tcp:192.0.2.10:8080', T0, T0 + 3_600_000).map((m) => m.seq)).toEqual([5]);
    expect(changeMarkers(entries, 'tcp:192.0.2.100:80', T0, T0 + 3_600_000).map((m) => m.seq)).toEqual([4]);
  });

  it('keeps only the newest markers beyond the limit, and none for a bad id', () => {
    expect(changeMarkers(entries, 'tcp:192.0.2.10:80', T0 - 3_600_000, T0 + 3_600_000, 2).map((m) => m.seq)).toEqual([2, 6]);
    expect(changeMarkers(entries, 'not an id', T0, T0 + 3_600_000)).toEqual([]);
  });
});
