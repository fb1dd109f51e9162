// The 10 s history on disk, so the watch view's 1 h and 24 h ranges survive an
// agent restart. One append-only file per hour of data ("<hour start ms>.bin"
// in <state dir>/stats-history); files that hold nothing younger than the
// retention are deleted when a new hour starts, so the directory stays
// bounded without ever rewriting a file. Every record carries its length and
// a CRC-32: a record torn by a crash (or power loss) is skipped on load, and
// the next write starts a fresh file rather than appending after the tear.
//
// Record: 12-byte header (u8 kind, 3 bytes zero, u32 payload bytes, u32 CRC-32
// of the payload), then the payload:
//   kind 1, layout: UTF-8 JSON array of series ids, in the order of the buckets that follow
//   kind 2, bucket: f64 bucket start (epoch ms), u32 samples averaged, then
//           VALUES_PER_POINT float32 per series of the current layout
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** cps, inPps, outPps, inBps, outBps, activeConns, inactiveConns. */
export const VALUES_PER_POINT = 7;
const HEADER_BYTES = 12;
const KIND_LAYOUT = 1;
const KIND_BUCKET = 2;
const HOUR_MS = 3_600_000;
/** A layout larger than this is not ours (or not intact): the file is read no further. */
const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

/** One coarse bucket: the average of every series over its samples. */
export interface ArchivedBucket {
  /** Bucket start, epoch ms. */
  time: number;
  /** 1 s samples averaged into it. */
  samples: number;
  ids: readonly string[];
  /** VALUES_PER_POINT values per id, in ids order; NaN where a series had no sample. */
  values: Float32Array;
}

export interface ArchiveOptions {
  /** How long buckets are kept, ms (default 24 h). */
  retentionMs?: number;
}

/** Where buckets go; the store works without one (tests, tools). */
export interface HistorySink {
  append(bucket: ArchivedBucket): void;
}

export class HistoryArchive implements HistorySink {
  private fd: number | null = null;
  private fileHour = Number.NaN;
  private writtenLayout: readonly string[] | null = null;
  private failed: string | null = null;
  readonly retentionMs: number;

  private constructor(
    readonly dir: string,
    options: ArchiveOptions,
    private readonly onError: (message: string) => void,
  ) {
    this.retentionMs = options.retentionMs ?? 24 * HOUR_MS;
  }

  /**
   * Opens (creating) the directory and reads every bucket younger than the
   * retention before `now`, oldest first.
   */
  static open(
    dir: string,
    now: number,
    options: ArchiveOptions = {},
    onError: (message: string) => void = () => undefined,
  ): { archive: HistoryArchive; buckets: ArchivedBucket[] } {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const archive = new HistoryArchive(dir, options, onError);
    archive.prune(now);
    const buckets: ArchivedBucket[] = [];
    for (const name of archive.files()) {
      for (const bucket of readRecords(readFileSync(join(dir, name)), (message) => onError(`${name}: ${message}`))) {
        if (bucket.time > now - archive.retentionMs && bucket.time <= now) buckets.push(bucket);
      }
    }
    buckets.sort((a, b) => a.time - b.time);
    return { archive, buckets };
  }

  /** Data files, oldest first. */
  private files(): string[] {
    // "<hour>.bin", then "<hour>.<n>.bin" for the same hour after a restart.
    const order = (name: string) => name.split('.').slice(0, -1).map(Number);
    return readdirSync(this.dir)
      .filter((name) => /^\d+(\.\d+)?\.bin$/.test(name))
      .sort((a, b) => {
        const [ha = 0, na = 0] = order(a);
        const [hb = 0, nb = 0] = order(b);
        return ha - hb || na - nb;
      });
  }

  /** Deletes files whose whole hour is older than the retention. */
  private prune(now: number): void {
    for (const name of this.files()) {
      if (Number.parseInt(name, 10) + HOUR_MS <= now - this.retentionMs) rmSync(join(this.dir, name), { force: true });
    }
  }

  /** Bytes on disk (for the bench and the size-bound test). */
  diskBytes(): number {
    return this.files().reduce((sum, name) => sum + statSync(join(this.dir, name)).size, 0);
  }

  append(bucket: ArchivedBucket): void {
    try {
      const hour = Math.floor(bucket.time / HOUR_MS) * HOUR_MS;
      if (hour !== this.fileHour || this.fd === null) {
        this.closeFile();
        this.prune(bucket.time);
        // A new name for every open: never append after a torn record of a crashed run.
        const taken = new Set(this.files());
        let name = `${hour}.bin`;
        for (let n = 1; taken.has(name); n++) name = `${hour}.${n}.bin`;
        this.fd = openSync(join(this.dir, name), 'ax', 0o600);
        this.fileHour = hour;
        this.writtenLayout = null;
      }
      const chunks: Buffer[] = [];
      if (!sameIds(this.writtenLayout, bucket.ids)) {
        chunks.push(record(KIND_LAYOUT, Buffer.from(JSON.stringify(bucket.ids), 'utf8')));
        this.writtenLayout = bucket.ids;
      }
      const payload = Buffer.alloc(12 + bucket.values.byteLength);
      payload.writeDoubleLE(bucket.time, 0);
      payload.writeUInt32LE(bucket.samples, 8);
      Buffer.from(bucket.values.buffer, bucket.values.byteOffset, bucket.values.byteLength).copy(payload, 12);
      chunks.push(record(KIND_BUCKET, payload));
      // One write per bucket: a crash tears at most this record.
      writeSync(this.fd, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
      this.failed = null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Once per distinct failure; the in-memory history goes on regardless.
      if (message !== this.failed) this.onError(message);
      this.failed = message;
      this.closeFile();
    }
  }

  private closeFile(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.fileHour = Number.NaN;
  }

  close(): void {
    this.closeFile();
  }
}

function sameIds(a: readonly string[] | null, b: readonly string[]): boolean {
  if (a === b) return true;
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function record(kind: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(kind, 0);
  header.writeUInt32LE(payload.length, 4);
  header.writeUInt32LE(crc32(payload), 8);
  return Buffer.concat([header, payload]);
}

/** The file's intact buckets; reading stops at the first torn or foreign record. */
export function readRecords(data: Buffer, onError: (message: string) => void = () => undefined): ArchivedBucket[] {
  const buckets: ArchivedBucket[] = [];
  let ids: string[] | null = null;
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const kind = data.readUInt8(offset);
    const length = data.readUInt32LE(offset + 4);
    const crc = data.readUInt32LE(offset + 8);
    const start = offset + HEADER_BYTES;
    if (length > MAX_PAYLOAD_BYTES || start + length > data.length) break;
    const payload = data.subarray(start, start + length);
    if (crc32(payload) !== crc) break;
    offset = start + length;
    if (kind === KIND_LAYOUT) {
      const parsed = parseIds(payload);
      if (!parsed) break;
      ids = parsed;
    } else if (kind === KIND_BUCKET) {
      if (!ids || length !== 12 + ids.length * VALUES_PER_POINT * 4) break;
      // Copied out: a Float32Array over the file buffer would need 4-byte alignment.
      const values = new Float32Array(ids.length * VALUES_PER_POINT);
      Buffer.from(values.buffer).set(payload.subarray(12));
      buckets.push({ time: payload.readDoubleLE(0), samples: payload.readUInt32LE(8), ids, values });
    } else {
      break;
    }
  }
  if (offset < data.length) onError(`skipped ${data.length - offset} bytes after the last intact record`);
  return buckets;
}

function parseIds(payload: Buffer): string[] | null {
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    return Array.isArray(parsed) && parsed.every((id) => typeof id === 'string') ? parsed : null;
  } catch {
    return null;
  }
}
