// The audit log: JSON lines, one per change or rejected attempt.
import { mkdtemp, readFile, rm, appendFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/config/clock';
import { AUDIT_GENERATIONS, AuditLog } from '../../src/store/audit-log';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvs-audit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('AuditLog', () => {
  it('should append one JSON line per entry with when, who, what and result', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const log = await AuditLog.open(join(dir, 'audit.log'), clock);
    await log.append({ who: 'admin', role: 'admin', what: 'set weight', result: 'ok', revision: 2 });
    clock.advance(5);
    await log.reject({ who: 'viewer', role: 'viewer', what: 'destinations.setWeight', error: 'viewer token' });
    const lines = (await readFile(join(dir, 'audit.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { seq: 1, time: 1_700_000_000_000, who: 'admin', role: 'admin', what: 'set weight', result: 'ok', revision: 2 },
      { seq: 2, time: 1_700_000_000_005, who: 'viewer', role: 'viewer', what: 'destinations.setWeight', result: 'rejected', error: 'viewer token' },
    ]);
  });

  it('should skip a torn last line without swallowing the next entry or reusing its number', async () => {
    const path = join(dir, 'audit.log');
    const clock = new ManualClock();
    const first = await AuditLog.open(path, clock);
    await first.append({ who: 'a', role: 'admin', what: 'one', result: 'ok' });
    await appendFile(path, '{"seq":2,"ti');
    const second = await AuditLog.open(path, clock);
    const entry = await second.append({ who: 'a', role: 'admin', what: 'two', result: 'ok' });
    expect(entry.seq).toBe(3);
    expect(second.list(10).map((e) => e.what)).toEqual(['two', 'one']);
    // The next start still reads the entry written after the torn line.
    const third = await AuditLog.open(path, clock);
    expect(third.list(10).map((e) => `${e.seq} ${e.what}`)).toEqual(['3 two', '1 one']);
  });

  it('should keep numbering and the audited revision across a rotation and keep four generations', async () => {
    const path = join(dir, 'audit.log');
    await writeFile(`${path}.1`, `${JSON.stringify({ seq: 41, time: 0, who: 'a', role: 'admin', what: 'old', result: 'ok', revision: 9 })}\n`);
    const log = await AuditLog.open(path, new ManualClock());
    expect(log.lastAuditedRevision).toBe(9);
    expect((await log.append({ who: 'a', role: 'admin', what: 'next', result: 'ok' })).seq).toBe(42);
    expect(AUDIT_GENERATIONS).toBeGreaterThanOrEqual(4);
  });

  it('should clip long text so one line stays bounded', async () => {
    const log = await AuditLog.open(join(dir, 'audit.log'), new ManualClock());
    const entry = await log.reject({ who: 'v', role: 'viewer', what: 'w'.repeat(10_000), error: 'e'.repeat(100_000) });
    expect(JSON.stringify(entry).length).toBeLessThan(3000);
  });

  it('should page newest first', async () => {
    const log = await AuditLog.open(join(dir, 'audit.log'), new ManualClock());
    for (let i = 1; i <= 10; i++) await log.append({ who: 'a', role: 'admin', what: `change ${i}`, result: 'ok' });
    expect(log.list(3).map((e) => e.seq)).toEqual([10, 9, 8]);
    expect(log.list(3, 8).map((e) => e.seq)).toEqual([7, 6, 5]);
  });
});
