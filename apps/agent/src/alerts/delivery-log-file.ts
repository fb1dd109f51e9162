// The delivery log on disk (notifications-log.jsonl in the state directory),
// so "what was sent where, and the answer" survives an agent restart: the
// last failed webhook before a crash is exactly what an operator looks for.
// One JSON line per attempt, appended; bounded by rewriting the file with the
// newest `max` entries once it holds twice that many. A torn last line (a
// crash mid-append) is skipped when reading.
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log';
import { writeFileAtomic } from '../store/atomic-file';
import type { DeliveryLogEntry } from './notifier';

export const DELIVERY_LOG_FILE = 'notifications-log.jsonl';

function isEntry(value: unknown): value is DeliveryLogEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<DeliveryLogEntry>;
  return (
    typeof entry.id === 'number' &&
    typeof entry.time === 'number' &&
    typeof entry.target === 'string' &&
    typeof entry.ok === 'boolean' &&
    typeof entry.answer === 'string'
  );
}

export class DeliveryLogFile {
  private lines: number;
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly max: number,
    private readonly logger: Logger | undefined,
    /** The newest entries, oldest first: what a rewrite keeps. */
    private readonly kept: DeliveryLogEntry[],
    lines: number,
  ) {
    this.lines = lines;
  }

  /** Reads what an earlier run logged (the newest `max` entries). */
  static async open(stateDir: string, max: number, logger?: Logger): Promise<DeliveryLogFile> {
    const path = join(stateDir, DELIVERY_LOG_FILE);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw new Error(`${path}: ${error.message}`);
    });
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    const entries: DeliveryLogEntry[] = [];
    let skipped = 0;
    for (const line of lines) {
      try {
        const parsed: unknown = JSON.parse(line);
        if (isEntry(parsed)) entries.push(parsed);
        else skipped++;
      } catch {
        skipped++;
      }
    }
    if (skipped) logger?.warn({ path, skipped }, 'skipped unreadable lines of the notification delivery log');
    return new DeliveryLogFile(path, max, logger, entries.slice(-max), lines.length);
  }

  /** What the console shows after a restart, oldest first. */
  entries(): DeliveryLogEntry[] {
    return [...this.kept];
  }

  /** Appends one entry; writes are queued so lines never interleave. Never throws: a full disk must not stop notifications. */
  append(entry: DeliveryLogEntry): void {
    this.kept.push(entry);
    if (this.kept.length > this.max) this.kept.splice(0, this.kept.length - this.max);
    this.lines++;
    const rewrite = this.lines > 2 * this.max;
    const snapshot = rewrite ? this.kept.map((e) => JSON.stringify(e)).join('\n') + '\n' : null;
    if (rewrite) this.lines = this.kept.length;
    const line = `${JSON.stringify(entry)}\n`;
    this.writes = this.writes
      .then(() => (snapshot !== null ? writeFileAtomic(this.path, snapshot, { mode: 0o600, durable: false }) : appendFile(this.path, line, { mode: 0o600 })))
      .catch((error: unknown) => this.logger?.warn({ path: this.path, error: String(error) }, 'could not write the notification delivery log'));
  }

  /** Resolves once every queued write is on disk (shutdown, tests). */
  flushed(): Promise<void> {
    return this.writes;
  }
}
