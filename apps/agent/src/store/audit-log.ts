// The audit log: one JSON line per change and per rejected attempt (when,
// who, what, result). Appended, never rewritten; rotated once it grows large.
import { appendFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEntry, Role } from '@lvs-console/shared/api';
import type { Clock } from '../config/clock';

/** Entries kept in memory for the console's audit view. */
const MEMORY_ENTRIES = 2000;
/** Past this size audit.log becomes audit.log.1 (one generation kept). */
const ROTATE_BYTES = 8 * 1024 * 1024;

export type AuditRecord = Omit<AuditEntry, 'seq' | 'time'>;

export class AuditLog {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly clock: Clock,
    private recent: AuditEntry[],
    private nextSeq: number,
    private bytes: number,
  ) {}

  static async open(path: string, clock: Clock): Promise<AuditLog> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const text = await readFile(path, 'utf8').catch(() => '');
    const entries: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        entries.push(JSON.parse(line) as AuditEntry);
      } catch {
        // A torn last line (crash mid-append) is skipped, not fatal.
      }
    }
    const lastSeq = entries.at(-1)?.seq ?? 0;
    return new AuditLog(path, clock, entries.slice(-MEMORY_ENTRIES), lastSeq + 1, Buffer.byteLength(text));
  }

  /** Append one entry; resolves once it is on disk. Writes are serialised. */
  append(record: AuditRecord): Promise<AuditEntry> {
    const entry: AuditEntry = { seq: this.nextSeq++, time: this.clock.now(), ...record };
    this.recent.push(entry);
    if (this.recent.length > MEMORY_ENTRIES) this.recent.splice(0, this.recent.length - MEMORY_ENTRIES);
    const line = `${JSON.stringify(entry)}\n`;
    const write = this.writes.then(async () => {
      if (this.bytes > ROTATE_BYTES) {
        await rename(this.path, `${this.path}.1`);
        this.bytes = 0;
      }
      await appendFile(this.path, line, { mode: 0o600 });
      this.bytes += Buffer.byteLength(line);
    });
    this.writes = write.catch(() => undefined);
    return write.then(() => entry);
  }

  reject(record: { who: string; role: Role | 'system'; what: string; error: string }): Promise<AuditEntry> {
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
}
