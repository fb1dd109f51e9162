// Dump rows decoded once while their bytes stay the same.
//
// At 1 Hz most of a table is idle: the kernel sends the same bytes for a
// service or a real server as a second ago (same counters, same rates, same
// config). Comparing a message's bytes with the ones kept from the last dump
// is a memcmp; decoding it again builds an object with a dozen fields. So a
// row whose bytes did not change gets the object decoded from them before.
// Rows are matched by their position in the dump, which stays put while the
// table does (the kernel walks its hash table in order); a row that moved is
// simply decoded again. The objects handed out are shared between dumps and
// must be treated as read-only (as observed tables already are).

/** The rows of the last complete dump of one list: each message's bytes and what they decoded to. */
interface RowsOfDump<T> {
  readonly bytes: readonly Buffer[];
  readonly rows: readonly T[];
}

const EMPTY: RowsOfDump<never> = { bytes: [], rows: [] };

/** One dump in progress: decodes against the rows of the dump before, collects its own. */
export class RowsReader<T> {
  private readonly bytes: Buffer[] = [];
  private readonly rows: T[] = [];
  /** How many rows came from the dump before without a decode. */
  reused = 0;

  constructor(
    private readonly before: RowsOfDump<T>,
    private readonly decode: (buf: Buffer, start: number, end: number) => T | null,
  ) {}

  /** The row of the message buf[start..end): the one decoded before when its bytes are the same at this position, else decoded now (null: not a row). */
  row(buf: Buffer, start: number, end: number): T | null {
    const at = this.rows.length;
    const size = end - start;
    const old = this.before.bytes[at];
    if (old !== undefined && old.length === size && buf.compare(old, 0, size, start, end) === 0) {
      const row = this.before.rows[at] as T;
      this.bytes.push(old);
      this.rows.push(row);
      this.reused++;
      return row;
    }
    const row = this.decode(buf, start, end);
    if (row === null) return null;
    // A copy: the receive buffer holds a whole datagram of other rows.
    const copy = Buffer.allocUnsafe(size);
    buf.copy(copy, 0, start, end);
    this.bytes.push(copy);
    this.rows.push(row);
    return row;
  }

  /** What the next dump of this list compares with. */
  result(): RowsOfDump<T> {
    return { bytes: this.bytes, rows: this.rows };
  }

  get count(): number {
    return this.rows.length;
  }
}

/**
 * The decoded rows of many lists (the service list, each service's
 * destination list), by name, within a budget of rows kept: past it a list
 * is decoded in full each time and keeps nothing (memory stays bounded on
 * tables of 100,000 real servers, where a kept copy of every message would
 * cost tens of megabytes).
 */
export class DecodedRows<T> {
  private readonly lists = new Map<string, RowsOfDump<T>>();
  private kept = 0;

  constructor(readonly budget: number) {}

  /** Start reading a dump of `list`, whose messages `decode` reads. */
  reader(list: string, decode: (buf: Buffer, start: number, end: number) => T | null): RowsReader<T> {
    return new RowsReader(this.lists.get(list) ?? EMPTY, decode);
  }

  /** The dump `reader` read ran to its end: keep its rows for the next one (within the budget). */
  finish(list: string, reader: RowsReader<T>): void {
    const old = this.lists.get(list);
    if (old) this.kept -= old.rows.length;
    this.lists.delete(list);
    if (this.kept + reader.count > this.budget) return;
    this.lists.set(list, reader.result());
    this.kept += reader.count;
  }

  /** Forget the lists not named (services that left the table). */
  retain(lists: ReadonlySet<string>): void {
    for (const [list, rows] of this.lists) {
      if (lists.has(list)) continue;
      this.lists.delete(list);
      this.kept -= rows.rows.length;
    }
  }

  /** Rows kept now (for tests and the budget). */
  get size(): number {
    return this.kept;
  }
}
