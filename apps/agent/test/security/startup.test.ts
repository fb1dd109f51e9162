// Issue 16, defects 5, 7 (commit without audit line) and 8: what the agent
// does at start with a damaged or half-written state directory.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, RevisionSummary } from '@lvs-console/shared/api';
import { ManualClock } from '../../src/config/clock';
import { SimBackend } from '../../src/kernel/sim';
import { StateStore } from '../../src/store/state-store';
import { WEB, WEB1, data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'lvs-startup-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

async function revisionOf(h: Harness): Promise<number> {
  return data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision;
}

/** An agent that made `changes` weight changes (revisions 2..changes+1), then stopped. */
async function historyOf(changes: number): Promise<void> {
  const h = await startHarness({ stateDir });
  try {
    for (let i = 0; i < changes; i++) {
      expect(
        (await trpcMutation(h.url, 'destinations.setWeight', { baseRevision: await revisionOf(h), service: WEB, destination: WEB1, weight: 10 + i })).status,
      ).toBe(200);
    }
  } finally {
    await h.close();
  }
}

/** A rebooted director: the kernel's table is empty. */
function emptyKernel(clock = new ManualClock(1_700_000_000_000)): { sim: SimBackend; clock: ManualClock; demo: false } {
  return { sim: new SimBackend({ clock, seed: 7 }), clock, demo: false };
}

describe('a missing state.json', () => {
  it('restores the newest revision into an empty kernel and goes on numbering', async () => {
    await historyOf(3);
    await rm(join(stateDir, 'state.json'));
    const kernel = emptyKernel();
    const h = await startHarness({ stateDir, ...kernel });
    try {
      expect(await revisionOf(h)).toBe(4);
      expect(h.running.start.kind).toBe('restored');
      expect((await kernel.sim.observe()).services.length).toBeGreaterThan(0);
      expect((await trpcMutation(h.url, 'destinations.setWeight', { baseRevision: 4, service: WEB, destination: WEB1, weight: 99 })).status).toBe(200);
      const revisions = data<RevisionSummary[]>(await trpcQuery(h.url, 'state.revisions'));
      expect(revisions.map((r) => r.revision)).toEqual([5, 4, 3, 2, 1]);
      // Revision 2's file still holds revision 2, not an overwrite.
      expect(JSON.parse(await readFile(join(stateDir, 'revisions', '0000000002.json'), 'utf8'))).toMatchObject({ revision: 2 });
    } finally {
      await h.close();
    }
  });
});

describe('a kill between saving state.json and copying it into revisions/', () => {
  it('writes the missing revision copy at start, so revisions stay contiguous', async () => {
    await historyOf(3);
    await rm(join(stateDir, 'revisions', '0000000004.json'));
    await writeFile(
      join(stateDir, 'revisions', 'index.json'),
      JSON.stringify([1, 2, 3].map((revision) => ({ revision, time: 0, who: 'admin', what: 'x', serviceCount: 1 }))),
    );
    const store = await StateStore.open(stateDir, new ManualClock());
    expect(store.revisions().map((r) => r.revision)).toEqual([4, 3, 2, 1]);
    expect(JSON.parse(await readFile(join(stateDir, 'revisions', '0000000004.json'), 'utf8'))).toMatchObject({ revision: 4 });
    expect((JSON.parse(await readFile(join(stateDir, 'revisions', 'index.json'), 'utf8')) as RevisionSummary[]).map((r) => r.revision)).toEqual([1, 2, 3, 4]);
  });
});

describe('a damaged revisions/index.json', () => {
  it.each([
    ['garbage', '{not json'],
    ['the wrong shape', JSON.stringify({ revisions: [] })],
    ['one entry of many', JSON.stringify([{ revision: 4, time: 0, who: 'x', what: 'y', serviceCount: 1 }])],
  ])('with %s is rebuilt from the revision files, hiding none', async (_name, text) => {
    await historyOf(3);
    await writeFile(join(stateDir, 'revisions', 'index.json'), text);
    const notes: string[] = [];
    const store = await StateStore.open(stateDir, new ManualClock(), (note) => notes.push(note));
    expect(store.revisions().map((r) => r.revision)).toEqual([4, 3, 2, 1]);
    expect(store.revisions().every((r) => r.what !== 'y' || r.revision === 4)).toBe(true);
  });
});

describe('a garbage tokens.json', () => {
  it('stops the start with a message that names the file', async () => {
    await writeFile(join(stateDir, 'tokens.json'), '{"version":1,"tokens":[');
    await expect(startHarness({ stateDir, adminToken: undefined, viewerToken: undefined, realserverToken: undefined })).rejects.toThrow(
      new RegExp(`${join(stateDir, 'tokens.json').replace(/[/.]/g, '\\$&')} is not valid JSON`),
    );
  });
});

describe('a lock file', () => {
  it('naming a live process that is not an lvs-console agent does not block the start', async () => {
    // pid 1 runs, and is not an agent.
    await writeFile(join(stateDir, 'agent.lock'), `${JSON.stringify({ pid: 1, holder: 'lvs-console serve' })}\n`);
    const h = await startHarness({ stateDir });
    await h.close();
  });

  it('naming this very process from an earlier life (another start time) does not block the start', async () => {
    await writeFile(join(stateDir, 'agent.lock'), `${JSON.stringify({ pid: process.pid, holder: 'lvs-console serve', startTime: '1' })}\n`);
    const h = await startHarness({ stateDir });
    await h.close();
  });

  it('of a running agent still blocks a second one', async () => {
    const h = await startHarness({ stateDir });
    try {
      await expect(startHarness({ stateDir })).rejects.toThrow(/is in use by lvs-console serve/);
    } finally {
      await h.close();
    }
  });
});

describe('a crash between commit and audit', () => {
  it('gets the missing audit line at the next start', async () => {
    await historyOf(1);
    // What a kill -9 after the save and before the append leaves behind.
    const store = await StateStore.open(stateDir, new ManualClock());
    const current = store.current();
    if (!current) throw new Error('no state');
    await store.save(current.state, 'admin', 'set weight of 198.51.100.11:8080 in TCP 192.0.2.10:80 to 42');
    const h = await startHarness({ stateDir });
    await h.close();
    const lines = (await readFile(join(stateDir, 'audit.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    const recovered = lines.filter((e) => e.revision === 3);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ who: 'admin', result: 'ok' });
    expect(recovered[0]?.what).toMatch(/to 42 \(audit line written at start/);
    expect(new Set(lines.map((e) => e.seq)).size).toBe(lines.length);
    expect(await readdir(join(stateDir, 'revisions'))).toContain('0000000003.json');
  });
});
