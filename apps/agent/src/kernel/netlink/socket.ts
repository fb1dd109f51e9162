// The one module that touches the `netlink` npm package (pinned 0.3.0, a
// N-API addon with prebuilds). Only its raw socket is used: framing, seq
// matching, multipart dumps and errors are ours (ipvs-codec.ts), so the
// package's pitfalls (nested attributes without NLA_F_NESTED, its single
// multipart buffer per socket) never apply. One GenlSocket runs at most one
// dump at a time (the kernel refuses a second); requests that are not dumps
// are pipelined: many in flight, several per datagram, each answered by its
// own ACK or error. Dumps stream: each message goes to the caller's decoder
// as it arrives, and the next dump of a series is sent from the handler that
// saw the last one's DONE (observation runs one dump per service).
import { createRequire } from 'node:module';
import {
  GENL_ATTRS_OFFSET,
  IPVS_GENL_NAME,
  NETLINK_GENERIC,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  familyIdOf,
  genlMessage,
  getFamilyMessage,
  parseReplies,
  statusOf,
  walkMessages,
} from './ipvs-codec';
import type { IpvsRequest, NetlinkReply } from './ipvs-codec';

/** The few members of the addon's RawNetlinkSocket we use. */
interface RawSocket {
  on(event: 'message' | 'truncatedMessage', listener: (msg: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  send(msg: Uint8Array, options?: { port?: number }, callback?: (error?: Error) => void): void;
  close(): void;
  unref(): void;
  ref(): void;
  getRecvBufferSize(): number;
}

type RawSocketClass = new (
  protocol: number,
  options?: { recvBufferSize?: number; sendBufferSize?: number; messagePeeking?: boolean; msgBufferSize?: number },
) => RawSocket;

let addon: RawSocketClass | null = null;

/** Load the addon (throws with the reason when its prebuilt cannot load on this host). */
export function loadNetlinkAddon(): RawSocketClass {
  if (!addon) {
    const require = createRequire(import.meta.url);
    addon = (require('netlink') as { RawNetlinkSocket: RawSocketClass }).RawNetlinkSocket;
  }
  return addon;
}

export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  constructor(
    message: string,
    readonly errno: number,
  ) {
    super(message);
  }
}

/** The outcome of one request: its data replies, or the kernel's errno. */
export interface RequestOutcome {
  errno: number;
  replies: Array<Extract<NetlinkReply, { kind: 'data' }>>;
}

/** One dump of a series: the request and what to do with each of its messages. */
export interface DumpJob {
  request: IpvsRequest;
  /** One data message: its attributes are buf[start..end). */
  onMessage: (buf: Buffer, start: number, end: number) => void;
}

/** The series running on a socket: its current dump and how the series ends. */
interface DumpSeries {
  next: () => DumpJob | null;
  job: DumpJob;
  seq: number;
  resolve: (errno: number) => void;
  reject: (error: Error) => void;
}

interface Pending {
  outcome: RequestOutcome;
  resolve: (outcome: RequestOutcome) => void;
}

/**
 * Requests in flight at once. The kernel answers a whole datagram before we
 * read anything, and an ACK it cannot queue is dropped (ENOBUFS): so the
 * window is what the receive buffer holds at ACK_BYTES per ACK (an ACK's
 * skb is under 1 KiB; twice that for safety). The buffer asked for is
 * capped by net.core.rmem_max: 4 MiB here gives 256, Debian's default
 * 208 KiB (doubled by the kernel) about 200.
 */
const MAX_WINDOW = 256;
const MIN_WINDOW = 16;
const ACK_BYTES = 2048;
const DATAGRAM_BYTES = 32 * 1024;
const RECV_BUFFER = 4 * 1024 * 1024;
// The addon's default reads (peek for the size, then read exactly that) are
// kept: a fixed read buffer (messagePeeking: false) measured slower here, as
// the addon zero-fills the whole buffer for every datagram.

/**
 * Reads of this size make the kernel fill dump datagrams up to 32 KiB:
 * netlink_dump() sizes its buffers by the largest recvmsg() the socket has
 * made (nlk->max_recvmsg_len, capped just under 32 KiB), and the addon's
 * peek-then-read makes reads exactly as large as the datagram, so a dump
 * otherwise stays at about 4 KiB per datagram. The 1,000-row service dump
 * then comes in about 10 datagrams instead of 85: fewer syscalls, and fewer
 * dump rounds in the kernel, each of which walks the service table again
 * from its start up to where the last one stopped.
 */
const LARGE_DATAGRAM_READ = 32 * 1024;

export interface GenlSocketOptions {
  /**
   * Read each datagram into a fixed 32 KiB buffer (so the kernel sends large
   * ones). For a socket that mostly runs big dumps: the addon zero-fills the
   * whole buffer for every datagram, which a socket of small answers (ACKs,
   * one-list dumps) pays for each of them.
   */
  largeDumpDatagrams?: boolean;
}

export class GenlSocket {
  private readonly socket: RawSocket;
  private readonly pending = new Map<number, Pending>();
  private seq = 1;
  private familyId = 0;
  private dumpChain: Promise<unknown> = Promise.resolve();
  private series: DumpSeries | null = null;
  private closed = false;
  private failure: Error | null = null;
  private readonly window: number;
  /** Exchanges under way: the socket keeps node alive while there is one. */
  private active = 0;

  private constructor(options: GenlSocketOptions) {
    const Raw = loadNetlinkAddon();
    this.socket = new Raw(
      NETLINK_GENERIC,
      options.largeDumpDatagrams ? { recvBufferSize: RECV_BUFFER, messagePeeking: false, msgBufferSize: LARGE_DATAGRAM_READ } : { recvBufferSize: RECV_BUFFER },
    );
    this.socket.on('truncatedMessage', () => {
      // Cannot happen with reads of LARGE_DATAGRAM_READ (the kernel's dump datagrams stay under 32 KiB); never hang on one.
      this.fail(new Error('a netlink datagram was larger than the read buffer'));
    });
    // The addon calls these from its poll handler: an exception escaping them
    // would abort the process (a C++ exception with no handler), so none may.
    this.socket.on('message', (msg) => {
      try {
        this.receive(msg);
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
    this.socket.on('error', (error) => {
      try {
        this.fail(error);
      } catch {
        // fail() only resolves promises; nothing to add.
      }
    });
    this.socket.unref();
    this.window = Math.max(MIN_WINDOW, Math.min(MAX_WINDOW, Math.floor(this.socket.getRecvBufferSize() / ACK_BYTES)));
  }

  /** Open a socket and resolve the family (IPVS by default); throws when the kernel has none (no ip_vs module). */
  static async open(family = IPVS_GENL_NAME, options: GenlSocketOptions = {}): Promise<GenlSocket> {
    const socket = new GenlSocket(options);
    try {
      const seq = socket.nextSeq();
      const outcome = await socket.exchange([{ seq, bytes: getFamilyMessage(family, seq), dump: false }]);
      const id = outcome[0]?.replies[0] ? familyIdOf(outcome[0].replies[0].attrs) : undefined;
      if (!id) {
        throw new NetlinkError(
          outcome[0]?.errno === 2
            ? `the kernel has no ${family} generic netlink family${family === IPVS_GENL_NAME ? ' (the ip_vs module is not loaded)' : ''}`
            : `cannot resolve the ${family} netlink family (errno ${outcome[0]?.errno ?? '?'})`,
          outcome[0]?.errno ?? 0,
        );
      }
      socket.familyId = id;
      return socket;
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  private nextSeq(): number {
    const seq = this.seq;
    this.seq = this.seq >= 0x7fffffff ? 1 : this.seq + 1;
    return seq;
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const [seq, pending] of this.pending) {
      this.pending.delete(seq);
      pending.resolve({ errno: -1, replies: pending.outcome.replies });
    }
    const series = this.series;
    this.series = null;
    series?.reject(new NetlinkError(`the netlink socket failed: ${error.message}`, 0));
  }

  private receive(msg: Buffer): void {
    const series = this.series;
    if (series && this.pending.size === 0) {
      // A dump alone on the socket (observation): no reply objects, straight to the decoder.
      walkMessages(msg, (type, _flags, seq, at, length) => this.dumpMessage(msg, type, seq, at, length));
      return;
    }
    for (const reply of parseReplies(msg)) {
      const pending = this.pending.get(reply.seq);
      if (!pending) continue;
      if (reply.kind === 'data') {
        pending.outcome.replies.push(reply);
        // A plain request's answer is followed by its ACK; a dump's parts by DONE.
        continue;
      }
      if (reply.kind === 'ack') {
        pending.outcome.errno = reply.errno;
        // A dump's error arrives as NLMSG_ERROR; a dump's ACK (rare) follows DONE.
      }
      this.pending.delete(reply.seq);
      pending.resolve(pending.outcome);
    }
    if (series) walkMessages(msg, (type, _flags, seq, at, length) => this.dumpMessage(msg, type, seq, at, length));
  }

  /** One message for the running dump series (others are ignored). */
  private dumpMessage(msg: Buffer, type: number, seq: number, at: number, length: number): void {
    const series = this.series;
    if (!series || seq !== series.seq) return;
    if (type !== NLMSG_DONE && type !== NLMSG_ERROR) {
      if (length >= GENL_ATTRS_OFFSET) series.job.onMessage(msg, at + GENL_ATTRS_OFFSET, at + length);
      return;
    }
    // The dump's end: DONE (its status is the dump's), or an error instead of any data.
    const errno = statusOf(msg, at, length);
    const job = errno === 0 ? series.next() : null;
    if (!job) {
      this.series = null;
      series.resolve(errno);
      return;
    }
    series.job = job;
    this.sendDump(series);
  }

  private sendDump(series: DumpSeries): void {
    series.seq = this.nextSeq();
    const bytes = genlMessage(this.familyId, series.job.request.cmd, NLM_F_REQUEST | NLM_F_DUMP, series.seq, series.job.request.attrs);
    // Not awaited: the kernel answers before send() returns; a failed send fails the socket.
    this.socket.send(bytes, { port: 0 }, (error) => {
      if (error) this.fail(error);
    });
  }

  /** Send these framed messages (in order, windowed) and wait for every outcome. */
  private async exchange(messages: ReadonlyArray<{ seq: number; bytes: Buffer; dump: boolean }>): Promise<RequestOutcome[]> {
    if (this.closed) throw new NetlinkError('the netlink socket is closed', 0);
    if (this.failure) throw new NetlinkError(`the netlink socket failed: ${this.failure.message}`, 0);
    // Keep the process alive while an exchange runs (between windows nothing is
    // pending, and an unreferenced socket would let node exit mid-plan).
    if (this.active++ === 0) this.socket.ref();
    try {
      return await this.exchangeWindows(messages);
    } finally {
      if (--this.active === 0 && !this.closed) this.socket.unref();
    }
  }

  private async exchangeWindows(messages: ReadonlyArray<{ seq: number; bytes: Buffer; dump: boolean }>): Promise<RequestOutcome[]> {
    const outcomes: Promise<RequestOutcome>[] = [];
    let next = 0;
    while (next < messages.length) {
      // Keep at most `window` requests unanswered.
      const start = next;
      while (next < messages.length && next - start < this.window) next++;
      const batch = messages.slice(start, next);
      const waits = batch.map(
        (m) =>
          new Promise<RequestOutcome>((resolve) => {
            this.pending.set(m.seq, { outcome: { errno: 0, replies: [] }, resolve });
          }),
      );
      outcomes.push(...waits);
      await this.sendAll(batch.map((m) => m.bytes));
      await Promise.all(waits);
      // fail() may have run while we waited.
      const failure = this.failure;
      if (failure) throw new NetlinkError(`the netlink socket failed: ${failure.message}`, 0);
    }
    return Promise.all(outcomes);
  }

  private async sendAll(messages: readonly Buffer[]): Promise<void> {
    let group: Buffer[] = [];
    let size = 0;
    const flush = async (): Promise<void> => {
      if (group.length === 0) return;
      const bytes = group.length === 1 ? (group[0] as Buffer) : Buffer.concat(group);
      group = [];
      size = 0;
      await new Promise<void>((resolve, reject) => {
        this.socket.send(bytes, { port: 0 }, (error) => (error ? reject(error) : resolve()));
      });
    };
    for (const message of messages) {
      if (size + message.length > DATAGRAM_BYTES) await flush();
      group.push(message);
      size += message.length;
    }
    await flush();
  }

  /**
   * Plain requests, pipelined; outcomes in request order. The kernel handles
   * them in order and carries on past a failing one, like `ipvsadm -R`.
   */
  async requests(requests: readonly IpvsRequest[]): Promise<RequestOutcome[]> {
    const framed = requests.map((request) => {
      if (request.dump) throw new Error('dumps go through dump()');
      const seq = this.nextSeq();
      return { seq, bytes: genlMessage(this.familyId, request.cmd, NLM_F_REQUEST | NLM_F_ACK, seq, request.attrs), dump: false };
    });
    // A dump's multipart answer must not interleave with other traffic on this socket.
    const run = this.dumpChain.then(() => this.exchange(framed));
    this.dumpChain = run.catch(() => undefined);
    return run;
  }

  /** One request, throwing the kernel's errno as a NetlinkError. */
  async request(request: IpvsRequest): Promise<RequestOutcome> {
    const [outcome] = await this.requests([request]);
    if (!outcome) throw new NetlinkError('no answer from the kernel', 0);
    return outcome;
  }

  /**
   * Dumps one after another on this socket, each message handed to its
   * job's onMessage as it arrives: `next` gives the next job (null: the
   * series is over). Resolves with 0 when all are done, or with the errno of
   * the first dump the kernel refused (the series stops there).
   */
  dumps(next: () => DumpJob | null): Promise<number> {
    const run = this.dumpChain.then(() => this.runSeries(next));
    this.dumpChain = run.catch(() => undefined);
    return run;
  }

  /** One dump. */
  dump(job: DumpJob): Promise<number> {
    let sent = false;
    return this.dumps(() => {
      if (sent) return null;
      sent = true;
      return job;
    });
  }

  private async runSeries(next: () => DumpJob | null): Promise<number> {
    if (this.closed) throw new NetlinkError('the netlink socket is closed', 0);
    if (this.failure) throw new NetlinkError(`the netlink socket failed: ${this.failure.message}`, 0);
    const job = next();
    if (!job) return 0;
    if (this.active++ === 0) this.socket.ref();
    try {
      return await new Promise<number>((resolve, reject) => {
        const series: DumpSeries = { next, job, seq: 0, resolve, reject };
        this.series = series;
        this.sendDump(series);
      });
    } finally {
      if (--this.active === 0 && !this.closed) this.socket.unref();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error('closed'));
    this.socket.close();
  }
}
