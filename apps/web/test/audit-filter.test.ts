// The audit log's filters, their URL form, and the CSV / JSON exports.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@lvs-console/shared/api';
import { auditCsv, auditFilterParams, auditJson, csvField, filterAudit, parseAuditFilter } from '../src/features/changes/audit-filter';

const T0 = Date.parse('2026-12-06T10:00:00Z');
const entries: AuditEntry[] = [
  {
    seq: 3,
    time: T0 + 7_200_000,
    who: 'ann',
    role: 'admin',
    what: 'set weight of 10.0.0.1:80 in TCP 192.0.2.10:80 to 0',
    result: 'ok',
    revision: 5,
    lines: ['ipvsadm -e -t 192.0.2.10:80 -r 10.0.0.1:80 -m -w 0'],
  },
  {
    seq: 2,
    time: T0 + 3_600_000,
    who: 'bob',
    role: 'operator',
    what: 'add service TCP 192.0.2.20:443',
    result: 'rejected',
    error: 'conflict, "stale" revision',
  },
  { seq: 1, time: T0, who: 'ann', role: 'admin', what: '=HYPERLINK("http://x") add service', result: 'ok', revision: 4 },
];

describe('audit filters', () => {
  it('filters by who, service text and time range', () => {
    const seqs = (f: Partial<ReturnType<typeof parseAuditFilter>>) =>
      filterAudit(entries, { who: '', service: '', from: null, to: null, ...f }).map((e) => e.seq);
    expect(seqs({ who: 'ann' })).toEqual([3, 1]);
    expect(seqs({ service: '192.0.2.20:443' })).toEqual([2]);
    expect(seqs({ from: T0 + 1, to: T0 + 3_600_000 })).toEqual([2]);
    expect(seqs({ who: 'ann', service: '192.0.2.10' })).toEqual([3]);
  });

  it('round-trips through the URL with ISO times', () => {
    const filter = { who: 'ann', service: '192.0.2.10', from: T0, to: T0 + 60_000 };
    const params = auditFilterParams(filter);
    expect(params.get('from')).toBe('2026-12-06T10:00:00.000Z');
    expect(parseAuditFilter(params)).toEqual(filter);
    expect(parseAuditFilter(new URLSearchParams('from=not-a-date'))).toEqual({ who: '', service: '', from: null, to: null });
  });
});

describe('audit export', () => {
  it('writes RFC 4180 CSV: quotes, doubled quotes, line breaks inside a field', () => {
    const csv = auditCsv(entries);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('seq,time,who,role,what,result,revision,error,lines,whatId');
    expect(lines[1]).toBe(
      '3,2026-12-06T12:00:00.000Z,ann,admin,set weight of 10.0.0.1:80 in TCP 192.0.2.10:80 to 0,ok,5,,ipvsadm -e -t 192.0.2.10:80 -r 10.0.0.1:80 -m -w 0,',
    );
    expect(lines[2]).toBe('2,2026-12-06T11:00:00.000Z,bob,operator,add service TCP 192.0.2.20:443,rejected,,"conflict, ""stale"" revision",,');
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(auditCsv(entries)).toContain(`"'=HYPERLINK(""http://x"") add service"`);
  });

  it('writes JSON that parses back to the same entries, with ISO times beside', () => {
    const parsed = JSON.parse(auditJson(entries)) as Array<AuditEntry & { timeIso: string }>;
    expect(parsed.map(({ timeIso: _, ...rest }) => rest)).toEqual(entries);
    expect(parsed[2]?.timeIso).toBe('2026-12-06T10:00:00.000Z');
  });
});
