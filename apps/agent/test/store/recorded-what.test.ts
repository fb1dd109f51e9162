// Issue 19 point 1: the audit log and the revision history keep a message id
// and parameters beside the English `what` of each new entry, and still read
// the entries recorded before ids were kept (what alone), as recorded.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describedText, emptyState } from '@lvs-console/shared';
import { ManualClock } from '../../src/config/clock';
import { AuditLog } from '../../src/store/audit-log';
import { StateStore } from '../../src/store/state-store';

let dir: string;
const clock = new ManualClock(1_700_000_000_000);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvs-recorded-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recorded what: message id beside the English text', () => {
  it('reads an audit line written without an id as recorded, and writes the id with a new one', async () => {
    const path = join(dir, 'audit.log');
    const old = { seq: 1, time: 1_600_000_000_000, who: 'agent', role: 'admin', what: 'adopted the kernel table at first start', result: 'ok', revision: 1 };
    await writeFile(path, `${JSON.stringify(old)}\n`);
    const log = await AuditLog.open(path, clock);
    expect(log.list(10)).toEqual([old]);

    await log.append({ who: 'ann', role: 'admin', what: describedText('auditLoggedIn', { client: '127.0.0.1' }), result: 'ok' });
    const [newest, oldest] = log.list(10);
    expect(oldest).toEqual(old);
    expect(newest).toMatchObject({ seq: 2, what: 'logged in (from 127.0.0.1)', whatId: 'auditLoggedIn', whatParams: { client: '127.0.0.1' } });
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ what: 'logged in (from 127.0.0.1)', whatId: 'auditLoggedIn' });

    // Opened again, both entries read back as written.
    const again = await AuditLog.open(path, clock);
    expect(again.list(10).map((e) => e.whatId)).toEqual(['auditLoggedIn', undefined]);
  });

  it('reads revisions and an index written without ids, and keeps the id of a new revision', async () => {
    const revisions = join(dir, 'revisions');
    await mkdir(revisions, { recursive: true });
    const old = { format: 1, revision: 1, time: 1_600_000_000_000, who: 'agent', what: 'adopted the kernel table at first start', state: emptyState() };
    await writeFile(join(dir, 'state.json'), JSON.stringify(old));
    await writeFile(join(revisions, '0000000001.json'), JSON.stringify(old));
    await writeFile(join(revisions, 'index.json'), JSON.stringify([{ revision: 1, time: old.time, who: 'agent', what: old.what, serviceCount: 0 }]));
    const store = await StateStore.open(dir, clock);
    expect(store.revision).toBe(1);
    expect(store.revisions()).toEqual([{ revision: 1, time: old.time, who: 'agent', what: old.what, serviceCount: 0 }]);

    await store.save(emptyState(), 'ann', describedText('editNoTimeouts'));
    const newest = store.revisions().find((r) => r.revision === 2);
    expect(newest).toMatchObject({ what: 'stop managing timeouts', whatId: 'editNoTimeouts', whatParams: {} });
    // The index was rebuilt from nothing: the revision files alone still say the id.
    await rm(join(revisions, 'index.json'));
    const reopened = await StateStore.open(dir, clock);
    expect(reopened.revisions().map((r) => [r.revision, r.whatId])).toEqual([
      [2, 'editNoTimeouts'],
      [1, undefined],
    ]);
  });
});
