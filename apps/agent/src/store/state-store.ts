// The desired state on disk: state.json (the current revision) plus the last
// 100 revisions for undo. Every save is atomic and bumps the revision.
import { link, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DomainError, desiredStateSchema, recordedWhat, type DesiredState, type Said } from '@lvs-console/shared';
import type { RevisionSummary } from '@lvs-console/shared/api';
import type { Clock } from '../config/clock';
import { writeFileAtomic } from './atomic-file';

export const KEPT_REVISIONS = 100;

/** A recorded text's id and parameters (absent in revisions saved before they were kept). */
const whatIdFields = {
  whatId: z.string().optional(),
  whatParams: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
};

const storedStateSchema = z.object({
  format: z.literal(1),
  revision: z.number().int().min(1),
  time: z.number(),
  who: z.string(),
  what: z.string(),
  ...whatIdFields,
  state: desiredStateSchema,
});
export type StoredState = z.infer<typeof storedStateSchema>;

const revisionIndexSchema = z.array(
  z.object({
    revision: z.number().int(),
    time: z.number(),
    who: z.string(),
    what: z.string(),
    ...whatIdFields,
    serviceCount: z.number().int(),
  }),
);

const REVISION_FILE = /^\d{10}\.json$/;

function revisionFileName(revision: number): string {
  return `${String(revision).padStart(10, '0')}.json`;
}

function summaryOf(stored: StoredState): RevisionSummary {
  const { whatId, whatParams } = stored;
  return {
    revision: stored.revision,
    time: stored.time,
    who: stored.who,
    what: stored.what,
    ...(whatId !== undefined ? { whatId } : {}),
    ...(whatParams !== undefined ? { whatParams } : {}),
    serviceCount: stored.state.services.length,
  };
}

export class StateStore {
  private constructor(
    readonly dir: string,
    private readonly clock: Clock,
    private stored: StoredState | null,
    private index: RevisionSummary[],
  ) {}

  /**
   * Open the state directory. A missing state.json with revisions beside it
   * (deleted, or lost) restores the newest revision, so history and revision
   * numbers go on. An index.json that is unreadable or of the wrong shape is
   * rebuilt from the revision files: no revision is ever hidden.
   */
  static async open(dir: string, clock: Clock, onNote: (note: string) => void = () => undefined): Promise<StateStore> {
    const revisionsDir = join(dir, 'revisions');
    const indexPath = join(revisionsDir, 'index.json');
    let stored = await readStored(join(dir, 'state.json'));
    const indexText = await readFile(indexPath, 'utf8').catch(() => null);
    let index: RevisionSummary[] | null = null;
    if (indexText !== null) {
      let json: unknown = null;
      try {
        json = JSON.parse(indexText);
      } catch {
        // Rebuilt below.
      }
      const parsed = revisionIndexSchema.safeParse(json);
      if (parsed.success) index = parsed.data;
      else onNote(`${indexPath} was unreadable or of the wrong shape: rebuilt it from the revision files`);
    }
    const files = (await readdir(revisionsDir).catch(() => [] as string[])).filter((name) => REVISION_FILE.test(name)).sort();
    // Revision files the index does not list (a torn index, or none) are read to list them.
    const listed = new Set((index ?? []).map((s) => revisionFileName(s.revision)));
    const unlisted = files.filter((name) => !listed.has(name));
    if (index === null || unlisted.length) {
      const summaries = [...(index ?? [])];
      for (const name of unlisted) {
        const revision = await readStored(join(revisionsDir, name)).catch(() => null);
        if (revision) summaries.push(summaryOf(revision));
      }
      index = summaries.sort((a, b) => a.revision - b.revision).slice(-KEPT_REVISIONS);
      if (indexText !== null || unlisted.length) await writeFileAtomic(indexPath, JSON.stringify(index), { durable: false });
    }
    if (!stored && index.length) {
      const newest = index.at(-1);
      if (newest) {
        stored = await readStored(join(revisionsDir, revisionFileName(newest.revision)));
        if (stored) {
          await writeFileAtomic(join(dir, 'state.json'), `${JSON.stringify(stored, null, 1)}\n`);
          onNote(`state.json was missing: restored revision ${stored.revision} (the newest in revisions/)`);
        }
      }
    }
    const current = stored;
    if (current && !files.includes(revisionFileName(current.revision))) {
      // A crash between saving state.json and linking its revision copy: write the copy now.
      await mkdir(revisionsDir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(join(revisionsDir, revisionFileName(current.revision)), `${JSON.stringify(current, null, 1)}\n`, { durable: false });
    }
    if (current && !index.some((s) => s.revision === current.revision)) {
      index.push(summaryOf(current));
      await writeFileAtomic(indexPath, JSON.stringify(index), { durable: false });
    }
    return new StateStore(dir, clock, stored, index);
  }

  /** 0 until a desired state has been saved for the first time. */
  get revision(): number {
    return this.stored?.revision ?? 0;
  }

  current(): StoredState | null {
    return this.stored;
  }

  /** Save a new revision atomically; returns it. The caller holds the writer lock. */
  async save(state: DesiredState, who: string, what: Said): Promise<StoredState> {
    return this.persist({ format: 1, revision: this.revision + 1, time: this.clock.now(), who, ...recordedWhat(what), state });
  }

  /**
   * Keep a revision another director of the cluster made, under its number,
   * time and author, so every member's history reads the same. Only newer
   * revisions are taken; the caller holds the writer lock.
   */
  async saveReplicated(stored: StoredState): Promise<StoredState> {
    if (stored.revision <= this.revision)
      throw new DomainError('CONFLICT', `revision ${stored.revision} is not newer than this director's revision ${this.revision}`);
    return this.persist({ ...stored, format: 1 });
  }

  private async persist(next: StoredState): Promise<StoredState> {
    const text = `${JSON.stringify(next, null, 1)}\n`;
    // state.json is the truth after a crash: its content is fsynced before the
    // rename. The revision copies serve undo and may lag by one after a power cut.
    const statePath = join(this.dir, 'state.json');
    await writeFileAtomic(statePath, text, { awaitDirectorySync: false });
    // The revision copy is a hard link to the new state.json (the next save
    // renames a new file over state.json, so the link keeps this content).
    const revisionPath = join(this.dir, 'revisions', revisionFileName(next.revision));
    await mkdir(join(this.dir, 'revisions'), { recursive: true, mode: 0o700 });
    await rm(revisionPath, { force: true });
    await link(statePath, revisionPath).catch(() => writeFileAtomic(revisionPath, text, { durable: false }));
    this.stored = next;
    const dropped = this.index.length >= KEPT_REVISIONS ? this.index.slice(0, this.index.length - KEPT_REVISIONS + 1) : [];
    this.index = [...this.index, summaryOf(next)].slice(-KEPT_REVISIONS);
    await writeFileAtomic(join(this.dir, 'revisions', 'index.json'), JSON.stringify(this.index), { durable: false });
    await Promise.all(dropped.map((s) => rm(join(this.dir, 'revisions', revisionFileName(s.revision)), { force: true })));
    if (this.index.length === 1) await this.pruneRevisions();
    return next;
  }

  /** Newest first. */
  revisions(limit = KEPT_REVISIONS): RevisionSummary[] {
    return this.index.slice(-limit).reverse();
  }

  async getRevision(revision: number): Promise<StoredState> {
    if (this.stored?.revision === revision) return this.stored;
    const stored = this.index.some((s) => s.revision === revision) ? await readStored(join(this.dir, 'revisions', revisionFileName(revision))) : null;
    if (!stored) {
      const oldest = this.index[0]?.revision;
      throw new DomainError(
        'NOT_FOUND',
        oldest === undefined ? `revision ${revision} does not exist` : `revision ${revision} is not kept (revisions ${oldest}..${this.revision} are)`,
      );
    }
    return stored;
  }

  private async pruneRevisions(): Promise<void> {
    const keep = new Set(this.index.map((s) => revisionFileName(s.revision)));
    const names = await readdir(join(this.dir, 'revisions')).catch(() => [] as string[]);
    await Promise.all(
      names.filter((name) => REVISION_FILE.test(name) && !keep.has(name)).map((name) => rm(join(this.dir, 'revisions', name), { force: true })),
    );
  }
}

async function readStored(path: string): Promise<StoredState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DomainError(
      'INVALID_INPUT',
      `${path} is not valid JSON; restore it from ${join('revisions', '')} or remove it to restore the newest revision there`,
    );
  }
  const parsed = storedStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new DomainError('INVALID_INPUT', `${path} is not a desired-state file this agent understands: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
