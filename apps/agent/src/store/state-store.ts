// The desired state on disk: state.json (the current revision) plus the last
// 100 revisions for undo. Every save is atomic and bumps the revision.
import { link, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DomainError, desiredStateSchema, type DesiredState } from '@lvs-console/shared';
import type { RevisionSummary } from '@lvs-console/shared/api';
import type { Clock } from '../config/clock';
import { writeFileAtomic } from './atomic-file';

export const KEPT_REVISIONS = 100;

const storedStateSchema = z.object({
  format: z.literal(1),
  revision: z.number().int().min(1),
  time: z.number(),
  who: z.string(),
  what: z.string(),
  state: desiredStateSchema,
});
export type StoredState = z.infer<typeof storedStateSchema>;

const revisionIndexSchema = z.array(z.object({
  revision: z.number().int(),
  time: z.number(),
  who: z.string(),
  what: z.string(),
  serviceCount: z.number().int(),
}));

function revisionFileName(revision: number): string {
  return `${String(revision).padStart(10, '0')}.json`;
}

function summaryOf(stored: StoredState): RevisionSummary {
  return { revision: stored.revision, time: stored.time, who: stored.who, what: stored.what, serviceCount: stored.state.services.length };
}

export class StateStore {
  private constructor(
    readonly dir: string,
    private readonly clock: Clock,
    private stored: StoredState | null,
    private index: RevisionSummary[],
  ) {}

  static async open(dir: string, clock: Clock): Promise<StateStore> {
    const stored = await readStored(join(dir, 'state.json'));
    let index: RevisionSummary[] = [];
    const indexText = await readFile(join(dir, 'revisions', 'index.json'), 'utf8').catch(() => null);
    if (indexText !== null) {
      const parsed = revisionIndexSchema.safeParse(JSON.parse(indexText));
      if (parsed.success) index = parsed.data;
    }
    if (stored && !index.some((s) => s.revision === stored.revision)) index.push(summaryOf(stored));
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
  async save(state: DesiredState, who: string, what: string): Promise<StoredState> {
    return this.persist({ format: 1, revision: this.revision + 1, time: this.clock.now(), who, what, state });
  }

  /**
   * Keep a revision another director of the cluster made, under its number,
   * time and author, so every member's history reads the same. Only newer
   * revisions are taken; the caller holds the writer lock.
   */
  async saveReplicated(stored: StoredState): Promise<StoredState> {
    if (stored.revision <= this.revision) throw new DomainError('CONFLICT', `revision ${stored.revision} is not newer than this director's revision ${this.revision}`);
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
    const stored = this.index.some((s) => s.revision === revision)
      ? await readStored(join(this.dir, 'revisions', revisionFileName(revision)))
      : null;
    if (!stored) {
      const oldest = this.index[0]?.revision;
      throw new DomainError('NOT_FOUND', oldest === undefined
        ? `revision ${revision} does not exist`
        : `revision ${revision} is not kept (revisions ${oldest}..${this.revision} are)`);
    }
    return stored;
  }

  private async pruneRevisions(): Promise<void> {
    const keep = new Set(this.index.map((s) => revisionFileName(s.revision)));
    const names = await readdir(join(this.dir, 'revisions')).catch(() => [] as string[]);
    await Promise.all(names
      .filter((name) => /^\d{10}\.json$/.test(name) && !keep.has(name))
      .map((name) => rm(join(this.dir, 'revisions', name), { force: true })));
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
    throw new DomainError('INVALID_INPUT', `${path} is not valid JSON; restore it from ${join('revisions', '')} or remove it to adopt the kernel's table`);
  }
  const parsed = storedStateSchema.safeParse(json);
  if (!parsed.success) {
    throw new DomainError('INVALID_INPUT', `${path} is not a desired-state file this agent understands: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
