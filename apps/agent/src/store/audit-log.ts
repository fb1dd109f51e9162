// The audit log: one JSON line per change and per rejected attempt (when,
// who, what, result). Appended, never rewritten; rotated once it grows large.
// Refusals of callers without a valid token never come here one by one (see
// auth/refusals.ts): only people with a token can add lines at will, so
// unauthenticated traffic cannot rotate an admin's change out of the log.
import { appendFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { recordedWhat, type Said } from '@lvs-console/shared';
import type { AuditEntry, Role } from '@lvs-console/shared/api';
import type { Clock } from '../config/clock';

/** Entries kept in memory for the console's audit view. */
const MEMORY_ENTRIES = 2000;
/** Past this size audit.log becomes audit.log.1 (older ones shift to .2 ...). */
const ROTATE_BYTES = 8 * 1024 * 1024;
/** Rotated generations kept: audit.log.1 .. audit.log.4 (40 MiB in all). */
export const AUDIT_GENERATIONS = 4;
/** Longest `what` and `error` kept; a line stays readable and bounded. */
const MAX_WHAT = 500;
const MAX_ERROR = 2000;

/** An entry to append: `what` said by message id (kept beside its English text), or in English words. */
export type AuditRecord = Omit<AuditEntry, 'seq' | 'time' | 'what' | 'whatId' | 'whatParams'> & { what: Said };

interface ParsedLog {
  entries: AuditEntry[];
  /** Highest sequence number seen, including one only a torn line still shows. */
  lastSeq: number;
  /** The text ends mid-line (a crash during an append). */
  torn: boolean;
}

function parseLog(text: string): ParsedLog {
  const entries: AuditEntry[] = [];
  let lastSeq = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as AuditEntry;
      entries.push(entry);
      lastSeq = Math.max(lastSeq, entry.seq);
    } catch {
      // A torn line is skipped, but the number it started to write stays used.
      const seq = /^\{"seq":(\d+)/.exec(line)?.[1];
      if (seq !== undefined) lastSeq = Math.max(lastSeq, Number(seq));
    }
  }
  return { entries, lastSeq, torn: text.length > 0 && !text.endsWith('\n') };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

export class AuditLog {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly clock: Clock,
    private recent: AuditEntry[],
    private nextSeq: number,
    private bytes: number,
    /** Newest revision an 'ok' line names (for the start-up crash check). */
    private lastRevision: number,
  ) {}

  static async open(path: string, clock: Clock): Promise<AuditLog> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const text = await readFile(path, 'utf8').catch(() => '');
    const current = parseLog(text);
    if (current.torn) {
      // End the torn line so the next entry starts on a line of its own.
      await appendFile(path, '\n', { mode: 0o600 });
    }
    let { lastSeq } = current;
    let lastRevision = newestRevision(current.entries);
    if (lastRevision === 0 || current.entries.length === 0) {
      // Just rotated: numbering and the newest audited revision continue from audit.log.1.
      const previous = parseLog(await readFile(`${path}.1`, 'utf8').catch(() => ''));
      lastSeq = Math.max(lastSeq, previous.lastSeq);
      if (lastRevision === 0) lastRevision = newestRevision(previous.entries);
    }
    return new AuditLog(path, clock, current.entries.slice(-MEMORY_ENTRIES), lastSeq + 1, Buffer.byteLength(text), lastRevision);
  }

  /** The newest revision with an audit line (0: none). */
  get lastAuditedRevision(): number {
    return this.lastRevision;
  }

  /** Append one entry; resolves once it is on disk. Writes are serialised. */
  append(record: AuditRecord): Promise<AuditEntry> {
    const { what: said, ...rest } = record;
    const recorded = recordedWhat(said);
    const entry: AuditEntry = {
      seq: this.nextSeq++,
      time: this.clock.now(),
      ...rest,
      ...recorded,
      what: clip(recorded.what, MAX_WHAT),
      ...(record.error !== undefined ? { error: clip(record.error, MAX_ERROR) } : {}),
    };
    if (entry.result === 'ok' && entry.revision !== undefined) this.lastRevision = Math.max(this.lastRevision, entry.revision);
    this.recent.push(entry);
    if (this.recent.length > MEMORY_ENTRIES) this.recent.splice(0, this.recent.length - MEMORY_ENTRIES);
    const line = `${JSON.stringify(entry)}\n`;
    const write = this.writes.then(async () => {
      if (this.bytes > ROTATE_BYTES) {
        await this.rotate();
        this.bytes = 0;
      }
      await appendFile(this.path, line, { mode: 0o600 });
      this.bytes += Buffer.byteLength(line);
    });
    this.writes = write.catch(() => undefined);
    return write.then(() => entry);
  }

  private async rotate(): Promise<void> {
    for (let generation = AUDIT_GENERATIONS - 1; generation >= 1; generation--) {
      await rename(`${this.path}.${generation}`, `${this.path}.${generation + 1}`).catch(() => undefined);
    }
    await rename(this.path, `${this.path}.1`);
  }

  reject(record: { who: string; role: Role | 'system'; what: Said; error: string }): Promise<AuditEntry> {
    return this.append({ ...record, result: 'rejected' });
  }

  /** Newest first; page backwards with beforeSeq. */
  list(limit: number, beforeSeq?: number): AuditEntry[] {
    const older = beforeSeq === undefined ? this.recent : this.recent.filter((e) => e.seq < beforeSeq);
    return older.slice(-limit).reverse();
  }

  async size(): Promise<number> {
    return (await stat(this.path).catch(() => ({ size: 0 }))).size;
  }

  /** Resolves once every append so far is on disk. */
  flushed(): Promise<void> {
    return this.writes;
  }
}

function newestRevision(entries: readonly AuditEntry[]): number {
  let newest = 0;
  for (const entry of entries) if (entry.result === 'ok' && entry.revision !== undefined && entry.revision > newest) newest = entry.revision;
  return newest;
}
