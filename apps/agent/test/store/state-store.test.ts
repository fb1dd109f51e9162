// The desired state on disk: atomic writes, revisions, the last 100 kept.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyState, type DesiredState } from '@lvs-console/shared';
import { ManualClock } from '../../src/config/clock';
import { writeFileAtomic } from '../../src/store/atomic-file';
import { KEPT_REVISIONS, StateStore } from '../../src/store/state-store';

let dir: string;
const clock = new ManualClock(1_700_000_000_000);

function stateWithWeight(weight: number): DesiredState {
  return {
    ...emptyState(),
    services: [
      {
        key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 },
        scheduler: 'wrr',
        flags: [],
        persistence: null,
        onePacket: false,
        destinations: [{ address: '10.0.0.1', port: 80, forwarding: 'masq', weight, upperThreshold: 0, lowerThreshold: 0 }],
      },
    ],
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvs-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('StateStore', () => {
  it('should start at revision 0 with no state', async () => {
    const store = await StateStore.open(dir, clock);
    expect(store.revision).toBe(0);
    expect(store.current()).toBeNull();
  });

  it('should bump the revision on every save and survive a reopen', async () => {
    const store = await StateStore.open(dir, clock);
    await store.save(stateWithWeight(1), 'admin', 'first');
    clock.advance(1000);
    const second = await store.save(stateWithWeight(2), 'admin', 'second');
    expect(second.revision).toBe(2);
    const reopened = await StateStore.open(dir, clock);
    expect(reopened.revision).toBe(2);
    expect(reopened.current()?.state.services[0]?.destinations[0]?.weight).toBe(2);
    expect(reopened.revisions().map((r) => r.what)).toEqual(['second', 'first']);
    expect((await reopened.getRevision(1)).state.services[0]?.destinations[0]?.weight).toBe(1);
  });

  it('should write files atomically: mode 0600, no temp files left behind', async () => {
    const store = await StateStore.open(dir, clock);
    await store.save(stateWithWeight(1), 'admin', 'first');
    const names = await readdir(dir);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect((await stat(join(dir, 'state.json'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'))).toMatchObject({ format: 1, revision: 1, who: 'admin' });
  });

  it('should leave the old content in place when a write fails midway', async () => {
    const path = join(dir, 'file.json');
    await writeFileAtomic(path, 'old');
    // A directory where the temp file's rename target is cannot be replaced by a file.
    await expect(writeFileAtomic(join(dir), 'x')).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe('old');
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it(`should keep the last ${KEPT_REVISIONS} revisions and refuse older ones`, async () => {
    const store = await StateStore.open(dir, clock);
    for (let i = 1; i <= KEPT_REVISIONS + 5; i++) await store.save(stateWithWeight(i), 'admin', `rev ${i}`);
    expect(store.revisions()).toHaveLength(KEPT_REVISIONS);
    expect(store.revisions().at(-1)?.revision).toBe(6);
    const files = (await readdir(join(dir, 'revisions'))).filter((n) => /^\d+\.json$/.test(n));
    expect(files).toHaveLength(KEPT_REVISIONS);
    await expect(store.getRevision(3)).rejects.toThrow(/revision 3 is not kept \(revisions 6\.\.105 are\)/);
    expect((await store.getRevision(6)).state.services[0]?.destinations[0]?.weight).toBe(6);
  });

  it('should refuse a corrupt state file with a clear message', async () => {
    await writeFile(join(dir, 'state.json'), '{ not json');
    await expect(StateStore.open(dir, clock)).rejects.toThrow(/is not valid JSON/);
  });
});

describe('lockStateDir', () => {
  it('should let one holder in, refuse a second while it runs, and take over a stale lock', async () => {
    const { lockStateDir } = await import('../../src/store/dir-lock');
    const lock = await lockStateDir(dir, 'test');
    await expect(lockStateDir(dir, 'again')).rejects.toThrow(/in use by test/);
    await lock.release();
    // pid 1 always runs but is no lvs-console; a pid far above pid_max never runs.
    await writeFile(join(dir, 'agent.lock'), JSON.stringify({ pid: 1, holder: 'init' }));
    await (await lockStateDir(dir, 'second')).release();
    await writeFile(join(dir, 'agent.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, holder: 'gone' }));
    const taken = await lockStateDir(dir, 'third');
    await taken.release();
  });
});
