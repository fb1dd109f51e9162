// The real kernel, through the ipvsadm program. Reads run concurrently and
// are kept to what a 10,000-service table can afford (every full ipvsadm
// listing costs one netlink dump per service): -Sn for config, --stats for
// counters, /proc/net/ip_vs (one cheap kernel pass) for connection numbers
// and Local destinations, --timeout and --daemon (tiny). Thresholds, which
// -Sn omits, come from a --thresholds listing only when it is due (see
// ThresholdMemory); --persistent-conn only when a service has persistence.
// Rates are computed from counter deltas between observations (the kernel's
// --rate listing only on request). A plan goes to the kernel as ONE
// `ipvsadm -R` batch on stdin. -R carries on past a failing line and tells
// only by a message on stderr, so after the batch we observe again: the
// table is the truth, and each stderr message is matched to the change that
// caused it.
import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { DomainError, SCHEDULERS, destinationId, formatIssues, serviceId } from '@lvs-console/shared';
import type {
  Counters,
  Destination,
  KernelInfo,
  KernelRates,
  ObservedDestination,
  ObservedService,
  ObservedTable,
  Service,
  ServiceKey,
  SyncDaemon,
  Timeouts,
} from '@lvs-console/shared';
import { LIST_ARGV, observeFromListings, parseVersionHeader, setTimeoutsArgv, startDaemonArgv, stopDaemonArgv, zeroArgv } from '@lvs-console/shared/ipvsadm';
import type { ListingTexts } from '@lvs-console/shared/ipvsadm';
import { changeLine, sameDestinationConfig, sameServiceSettings } from '@lvs-console/shared/plan';
import type { Change } from '@lvs-console/shared/plan';
import type { ApplyOptions, ApplyResult, ChangeResult, ConnectionPage, ConnectionQuery, KernelBackend } from './backend';
import { ConnectionPager, PROC_IP_VS_CONN, parseProcConnLine, readConnectionFile } from './conn-table';
import { KERNEL_MESSAGES, KernelTable, messageFitsChange, missingSchedulerMessage, storedPort } from '@lvs-console/shared/kernel';
import { schedulerModules } from './modules';
import { fullSample, type CounterSample } from './sampling';
import { CommandError, createExecRunner } from './runner';
import type { CommandRunner } from './runner';

export interface IpvsadmBackendOptions {
  /** How programs are started; default: spawn with argv, optionally inside `netns`. */
  runner?: CommandRunner;
  /** Path or name of the ipvsadm program. */
  ipvsadmPath?: string;
  /** Run every command inside this network namespace (ignored when a runner is given). */
  netns?: string;
  /** /proc/net/ip_vs_conn, or a test fixture in the same format. */
  connTablePath?: string;
  /** /proc/net/ip_vs: present when the kernel has IPVS. */
  procIpVsPath?: string;
  /** `uname -r`; default os.release(). */
  kernelRelease?: string;
  /** /lib/modules/<release>, where scheduler modules live. */
  modulesDir?: string;
  /**
   * Also run `ipvsadm -Ln --exact --rate` on every observe for the kernel's
   * own smoothed rates. Default false: rates are counter deltas between two
   * observations, which costs nothing extra (a --rate listing of 10,000
   * services costs as much as the --stats one).
   */
  kernelRates?: boolean;
  /** Re-read thresholds at least this often (ms); default 30 s, longer when listings are slow. */
  thresholdsMaxAgeMs?: number;
  /** Clock for threshold ages and rates (tests). */
  now?: () => number;
}

type ConfigView = Pick<ObservedTable, 'services' | 'timeouts' | 'syncDaemons'>;

/** Which listing feeds which field of observeFromListings(); `proc` is read from /proc/net/ip_vs instead. */
const LISTINGS = {
  save: LIST_ARGV.save,
  stats: LIST_ARGV.stats,
  rate: LIST_ARGV.rate,
  thresholds: LIST_ARGV.thresholds,
  persistent: LIST_ARGV.persistentConn,
  list: LIST_ARGV.list,
  timeout: LIST_ARGV.timeout,
  daemon: LIST_ARGV.daemon,
} as const satisfies Record<Exclude<keyof ListingTexts, 'proc'>, readonly string[]>;

type Part = keyof ListingTexts;

/**
 * Thresholds (-x/-y) per destination, from the last --thresholds listing.
 * `ipvsadm -S` omits them and the only other source is a full listing as
 * slow as -Sn itself, so it is re-read only when due: nothing remembered,
 * the -Sn text differs from the one the memory belongs to (a change this
 * backend did not make), one of our own changes sets or clears a threshold
 * (the listing judges it), or the memory is older than
 * max(thresholdsMaxAgeMs, 20 × the last read's duration), which keeps the
 * extra listing time near 5%. Our own applies without thresholds are known
 * without reading (ipvsadm -a/-e without -x/-y sets 0). A threshold changed
 * BY HAND on an existing destination, with no other change, shows up within
 * that age. Only non-zero thresholds are stored.
 */
interface ThresholdMemory {
  at: number;
  /** The -Sn text the memory describes. */
  save: string;
  /** Service key -> destination key -> [upper, lower]; non-zero only. */
  nonZero: Map<string, Map<string, readonly [number, number]>>;
}

const THRESHOLDS_COST_FACTOR = 20;

/** Cheap keys (no address parsing): -Sn's canonical text on one side, the plan's on the other. */
function serviceKeyText(key: ServiceKey): string {
  return key.kind === 'fwmark' ? `f ${key.fwmark} ${key.family}` : `${key.protocol} ${key.address} ${key.port}`;
}

function destKeyText(dest: Pick<Destination, 'address' | 'port'>): string {
  return `${dest.address} ${dest.port}`;
}

function rate(now: number, before: number, seconds: number): number {
  return now >= before ? (now - before) / seconds : 0;
}

function ratesBetween(now: Counters, before: Counters | undefined, seconds: number): KernelRates {
  if (!before || seconds <= 0) return { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };
  return {
    cps: rate(now.conns, before.conns, seconds),
    inPps: rate(now.inPkts, before.inPkts, seconds),
    outPps: rate(now.outPkts, before.outPkts, seconds),
    inBps: rate(now.inBytes, before.inBytes, seconds),
    outBps: rate(now.outBytes, before.outBytes, seconds),
  };
}

/** The counters of one observation, in table order (services, each followed by its destinations). */
interface CounterSnapshot {
  at: number;
  save: string;
  table: ObservedTable;
}

/** Services by id, destinations by id on first use: judging 110,000 changes must not scan the table per change. */
class TableIndex {
  private readonly services: Map<string, Service>;
  private readonly dests = new Map<string, Map<string, Destination>>();
  constructor(table: ConfigView) {
    this.services = new Map(table.services.map((s) => [serviceId(s.key), s]));
  }

  service(key: ServiceKey): Service | undefined {
    return this.services.get(serviceId(key));
  }

  destination(key: ServiceKey, dest: Pick<Destination, 'address' | 'port'>): Destination | undefined {
    const id = serviceId(key);
    let byId = this.dests.get(id);
    if (!byId) {
      byId = new Map((this.services.get(id)?.destinations ?? []).map((d) => [destinationId(d), d]));
      this.dests.set(id, byId);
    }
    return byId.get(destinationId(dest));
  }
}

const SAFE_WORD = /^[A-Za-z0-9_.:[\],/-]+$/;

/** One `ipvsadm -R` line for a change (the words ipvsadm -S itself would print). */
export function restoreLine(change: Change): string {
  const line = changeLine(change);
  // -R splits on whitespace: a word with anything else in it would change the meaning.
  for (const word of line.split(' ')) {
    if (!SAFE_WORD.test(word)) throw new DomainError('INVALID_INPUT', `refusing to send "${word}" to ipvsadm -R`);
  }
  return line;
}

const STDERR_NOISE = /^(Warning: IPVS version mismatch|\s+Kernel compiled with|\s+ipvsadm v|$)/;

export class IpvsadmBackend implements KernelBackend {
  readonly kind = 'ipvsadm' as const;
  private readonly runner: CommandRunner;
  private readonly ipvsadm: string;
  private readonly connTablePath: string;
  private readonly procIpVsPath: string;
  private readonly kernelRelease: string;
  private readonly modulesDir: string;
  private readonly netns: string | undefined;
  private readonly kernelRates: boolean;
  private readonly thresholdsMaxAgeMs: number;
  private readonly now: () => number;
  /** ipvsadm lists every service's destinations in each read. */
  destinationListsRead = 0;
  private schedulerCache: string[] | null = null;
  private thresholds: ThresholdMemory | null = null;
  private lastCounters: CounterSnapshot | null = null;
  /** Services plus destinations of the last table read: sizes the time limits. */
  private tableLines = 0;
  /** Duration (ms) of the slowest full listing of the last read: what a thresholds listing costs. */
  private listingMs = 0;
  /** The last table had a persistent service: read --persistent-conn with the first round. */
  private sawPersistence = false;

  constructor(options: IpvsadmBackendOptions = {}) {
    this.netns = options.netns;
    this.runner = options.runner ?? createExecRunner(options.netns ? { netns: options.netns } : {});
    this.ipvsadm = options.ipvsadmPath ?? 'ipvsadm';
    this.connTablePath = options.connTablePath ?? PROC_IP_VS_CONN;
    this.procIpVsPath = options.procIpVsPath ?? '/proc/net/ip_vs';
    this.kernelRelease = options.kernelRelease ?? release();
    this.modulesDir = options.modulesDir ?? `/lib/modules/${this.kernelRelease}`;
    this.kernelRates = options.kernelRates ?? false;
    this.thresholdsMaxAgeMs = options.thresholdsMaxAgeMs ?? 30_000;
    this.now = options.now ?? (() => performance.now());
  }

  // ---- running ipvsadm ----------------------------------------------------

  /**
   * The time a call may take grows with the table: every listing is a
   * netlink dump per service, and -R one kernel call per line. Measured under
   * QEMU/TCG: 110,000 lines ~25-110 s for -R, 15-30 s per listing; a fast
   * machine needs a fraction. 30 s plus 2 ms per line of the last -Sn (and
   * per -R line) leaves room on slow machines without letting a wedged
   * ipvsadm hang the agent forever.
   */
  private timeoutFor(stdin: string | undefined): number {
    let lines = this.tableLines;
    if (stdin !== undefined) for (let i = stdin.indexOf('\n'); i >= 0; i = stdin.indexOf('\n', i + 1)) lines++;
    return 30_000 + 2 * lines;
  }

  private async ipvsadmRun(args: readonly string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      return await this.runner.run([this.ipvsadm, ...args], stdin, { timeoutMs: this.timeoutFor(stdin) });
    } catch (error) {
      if (error instanceof CommandError) throw new DomainError('UNAVAILABLE', error.message);
      throw error;
    }
  }

  /** A read that must succeed: its stderr becomes the error. */
  private async read(args: readonly string[]): Promise<string> {
    const result = await this.ipvsadmRun(args);
    if (result.code !== 0) {
      throw new DomainError('KERNEL_ERROR', `ipvsadm ${args.join(' ')} failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
    }
    return result.stdout;
  }

  /** A single command whose kernel refusal is an error with the kernel's words. */
  private async command(args: readonly string[]): Promise<void> {
    const result = await this.ipvsadmRun(args);
    const message = result.stderr
      .split('\n')
      .filter((l) => !STDERR_NOISE.test(l))
      .join(' ')
      .trim();
    if (result.code !== 0 || message) {
      throw new DomainError('KERNEL_ERROR', message || `ipvsadm ${args.join(' ')} failed with exit code ${result.code}`);
    }
  }

  // ---- reads --------------------------------------------------------------

  /** /proc/net/ip_vs of the namespace ipvsadm runs in, or null when it cannot be read. */
  private async readProc(): Promise<string | null> {
    if (!this.netns) {
      try {
        return await readFile(this.procIpVsPath, 'utf8');
      } catch {
        return null;
      }
    }
    // /proc/net is per network namespace: read it from inside.
    const result = await this.runner.run(['cat', this.procIpVsPath], undefined, { timeoutMs: this.timeoutFor(undefined) });
    return result.code === 0 ? result.stdout : null;
  }

  /** Run these reads concurrently; a /proc/net/ip_vs that cannot be read is replaced by the plain listing. */
  private async readTexts(parts: readonly Part[], into: ListingTexts): Promise<void> {
    await Promise.all(
      parts.map(async (part) => {
        if (part !== 'proc') {
          into[part] = await this.read(LISTINGS[part]);
          return;
        }
        const text = await this.readProc();
        if (text !== null) into.proc = text;
        else into.list = await this.read(LISTINGS.list);
      }),
    );
  }

  private merge(texts: ListingTexts): ObservedTable {
    const result = observeFromListings(texts);
    if (!result.ok) throw new DomainError('KERNEL_ERROR', `could not read ipvsadm's output:\n${formatIssues(result.errors)}`, result.errors);
    return result.table;
  }

  private thresholdsDue(at: number): boolean {
    if (!this.thresholds) return true;
    const maxAge = Math.max(this.thresholdsMaxAgeMs, THRESHOLDS_COST_FACTOR * this.listingMs);
    return at - this.thresholds.at > maxAge;
  }

  /** A fresh --thresholds listing went into `table`: remember it. */
  private rememberThresholds(table: ConfigView, save: string, at: number): void {
    const nonZero = new Map<string, Map<string, readonly [number, number]>>();
    for (const s of table.services) {
      for (const d of s.destinations) {
        if (d.upperThreshold === 0 && d.lowerThreshold === 0) continue;
        const key = serviceKeyText(s.key);
        let dests = nonZero.get(key);
        if (!dests) {
          dests = new Map<string, readonly [number, number]>();
          nonZero.set(key, dests);
        }
        dests.set(destKeyText(d), [d.upperThreshold, d.lowerThreshold]);
      }
    }
    this.thresholds = { at, save, nonZero };
  }

  /** Put the remembered thresholds into `table` (every other destination has none). */
  private recallThresholds(memory: ThresholdMemory, table: ConfigView): void {
    if (memory.nonZero.size === 0) return;
    for (const s of table.services) {
      const dests = memory.nonZero.get(serviceKeyText(s.key));
      if (!dests) continue;
      for (const d of s.destinations) {
        const known = dests.get(destKeyText(d));
        if (!known) continue;
        d.upperThreshold = known[0];
        d.lowerThreshold = known[1];
      }
    }
  }

  /**
   * One consistent read. Round 1 runs everything expected to be needed
   * concurrently; round 2 (rare) adds the thresholds listing when the table
   * is not the one the memory describes, and --persistent-conn when
   * persistence appeared. `trust`: the -Sn text differs from the memory's
   * only by our own applied changes (rememberApplied() has accounted for them).
   */
  private async readTable(counters: boolean, thresholds: 'auto' | 'force' | 'trust' = 'auto'): Promise<ObservedTable> {
    const started = this.now();
    const parts: Part[] = ['save', 'timeout', 'daemon'];
    if (counters) {
      parts.push('stats', 'proc');
      if (this.kernelRates) parts.push('rate');
      if (this.sawPersistence) parts.push('persistent');
    }
    if (thresholds === 'force' || this.thresholdsDue(started)) parts.push('thresholds');
    const texts: ListingTexts = { save: '' };
    await this.readTexts(parts, texts);
    this.listingMs = this.now() - started;
    let table = this.merge(texts);
    this.tableLines = table.services.reduce((n, s) => n + 1 + s.destinations.length, 0);
    const more: Part[] = [];
    const memory = this.thresholds;
    const known = memory !== null && (thresholds === 'trust' || memory.save === texts.save);
    if (texts.thresholds === undefined && !known) more.push('thresholds');
    if (counters) {
      this.sawPersistence = table.services.some((s) => s.persistence !== null);
      if (this.sawPersistence && texts.persistent === undefined) more.push('persistent');
    }
    if (more.length > 0) {
      await this.readTexts(more, texts);
      table = this.merge(texts);
    }
    if (texts.thresholds !== undefined) {
      this.rememberThresholds(table, texts.save, started);
    } else if (memory) {
      this.recallThresholds(memory, table);
      memory.save = texts.save;
    }
    if (counters && !this.kernelRates) this.fillRates(table, texts.save, started);
    this.destinationListsRead += table.services.length;
    return table;
  }

  /**
   * Rates from the counters' change since the previous observation (0 on the
   * first). The same -Sn text means the same services and destinations in
   * the same order: compare position by position, without building keys.
   */
  private fillRates(table: ObservedTable, save: string, at: number): void {
    const previous = this.lastCounters;
    this.lastCounters = { at, save, table };
    if (!previous) return;
    const seconds = (at - previous.at) / 1000;
    if (previous.save === save && previous.table.services.length === table.services.length) {
      for (let s = 0; s < table.services.length; s++) {
        const now = table.services[s] as ObservedService;
        const before = previous.table.services[s] as ObservedService;
        now.rates = ratesBetween(now.stats, before.stats, seconds);
        for (let d = 0; d < now.destinations.length; d++) {
          const dest = now.destinations[d] as ObservedDestination;
          dest.rates = ratesBetween(dest.stats, before.destinations[d]?.stats, seconds);
        }
      }
      return;
    }
    const byKey = new Map(previous.table.services.map((s) => [serviceKeyText(s.key), s]));
    for (const service of table.services) {
      const before = byKey.get(serviceKeyText(service.key));
      service.rates = ratesBetween(service.stats, before?.stats, seconds);
      const dests = new Map((before?.destinations ?? []).map((d) => [destKeyText(d), d]));
      for (const dest of service.destinations) dest.rates = ratesBetween(dest.stats, dests.get(destKeyText(dest))?.stats, seconds);
    }
  }

  /** Config only (what apply() checks against): rules, thresholds, timeouts, daemons. */
  private readConfig(thresholds: 'auto' | 'force' | 'trust' = 'auto'): Promise<ConfigView> {
    return this.readTable(false, thresholds);
  }

  observe(): Promise<ObservedTable> {
    return this.readTable(true);
  }

  /** ipvsadm lists the whole table or nothing: every sample is a full observation. */
  async sample(_previous: CounterSample | null, now: number): Promise<CounterSample> {
    return fullSample(await this.observe(), now);
  }

  observeWithin(): Promise<ObservedTable> {
    return this.observe();
  }

  async info(): Promise<KernelInfo> {
    const text = await this.read(['-L', '-n']);
    const info = parseVersionHeader(text.split('\n', 1)[0] ?? '');
    if (!info) throw new DomainError('KERNEL_ERROR', 'ipvsadm -Ln printed no "IP Virtual Server version" header');
    return info;
  }

  async describe(): Promise<string> {
    const info = await this.info();
    return `Linux IPVS ${info.ipvsVersion}, kernel ${this.kernelRelease}`;
  }

  async connections(query: ConnectionQuery): Promise<ConnectionPage> {
    if (!this.netns) return readConnectionFile(this.connTablePath, query);
    // /proc/net is per network namespace: read it from inside.
    const result = await this.runner.run(['cat', this.connTablePath]);
    if (result.code !== 0) throw new DomainError('KERNEL_ERROR', `cannot read ${this.connTablePath}: ${result.stderr.trim()}`);
    const pager = new ConnectionPager(query);
    for (const line of result.stdout.split('\n')) {
      const entry = parseProcConnLine(line);
      if (entry) pager.offer(entry);
    }
    return pager.page();
  }

  async availableSchedulers(): Promise<string[]> {
    this.schedulerCache ??= await schedulerModules(this.procIpVsPath, this.modulesDir, this.kernelRelease);
    return [...this.schedulerCache];
  }

  async setTimeouts(timeouts: Timeouts): Promise<void> {
    await this.command(setTimeoutsArgv(timeouts));
  }

  async startDaemon(daemon: SyncDaemon): Promise<void> {
    await this.command(startDaemonArgv(daemon));
  }

  async stopDaemon(state: SyncDaemon['state']): Promise<void> {
    await this.command(stopDaemonArgv(state));
  }

  async zero(service?: ServiceKey): Promise<void> {
    await this.command(zeroArgv(service));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  // ---- apply --------------------------------------------------------------

  async apply(changes: readonly Change[], options: ApplyOptions = {}): Promise<ApplyResult> {
    if (changes.length === 0) return { results: [], durationMs: 0 };
    const lines = changes.map(restoreLine);
    // The table before the batch: the caller's fresh read when it has one (it planned against it).
    const [before, available] = await Promise.all([options.before ?? this.readConfig(), this.availableSchedulers()]);
    const started = performance.now();
    const batch = await this.ipvsadmRun(['-R'], `${lines.join('\n')}\n`);
    const durationMs = performance.now() - started;
    // One read after: it judges the changes and, with counters, is the caller's next observation.
    const after = await this.readTable(options.observeAfter === true, this.rememberApplied(changes) ? 'force' : 'trust');
    const messages = batch.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => !STDERR_NOISE.test(l));
    // The model's prediction only serves to tell which line printed which
    // message: a batch without messages needs none (it is seconds of work
    // for 110,000 changes on a slow machine). It is made from `before`, so
    // running it after -R changes nothing.
    const predicted = messages.length > 0 ? this.predict(before, changes, available) : [];
    // Exit code 2 is ipvsadm's own fail(): it stopped reading at that line.
    const stopped = batch.code === 2;
    const results = this.judge(changes, after, messages, predicted, stopped);
    return options.observeAfter ? { results, durationMs, observed: after } : { results, durationMs };
  }

  /**
   * After -R: destinations our changes added or edited without thresholds
   * have none (ipvsadm sends 0 for a missing -x/-y); deleted ones are gone.
   * Returns true when a change sets or clears a threshold: then the listing
   * is read to judge it.
   */
  private rememberApplied(changes: readonly Change[]): boolean {
    const memory = this.thresholds;
    if (!memory) return true;
    const nonZero = (d: Destination) => d.upperThreshold !== 0 || d.lowerThreshold !== 0;
    for (const change of changes) {
      switch (change.kind) {
        case 'add-destination':
          if (nonZero(change.destination)) return true;
          break;
        case 'edit-destination':
          if (nonZero(change.to) || nonZero(change.from)) return true;
          break;
        case 'delete-destination':
          memory.nonZero
            .get(serviceKeyText(change.service))
            ?.delete(destKeyText({ address: change.destination.address, port: storedPort(change.service, change.destination) }));
          break;
        case 'delete-service':
          memory.nonZero.delete(serviceKeyText(change.service.key));
          break;
        case 'add-service':
        case 'edit-service':
        case 'set-timeouts':
        case 'start-daemon':
        case 'stop-daemon':
          break;
      }
    }
    return false;
  }

  /** What the kernel's rules say each change will do, from the table as it is now. */
  private predict(before: ConfigView, changes: readonly Change[], available: string[]): ChangeResult[] {
    const model = KernelTable.of(before, available.length > 0 ? available : SCHEDULERS);
    return changes.map((change): ChangeResult => {
      const outcome = model.apply(change);
      return outcome.ok ? { change, ok: true } : { change, ok: false, error: outcome.error };
    });
  }

  /** Decide per change: the observed table is the truth; stderr supplies the words. */
  private judge(
    changes: readonly Change[],
    after: ConfigView,
    messages: readonly string[],
    predicted: readonly ChangeResult[],
    stopped: boolean,
  ): ChangeResult[] {
    const index = new TableIndex(after);
    const inEffect = changes.map((change) => this.inEffect(change, index, after));
    const assigned: (string | undefined)[] = changes.map(() => undefined);
    let cursor = 0;
    for (const message of messages) {
      // The next change, in line order, that could have printed this message:
      // one the model expected to fail with these words, else one the table shows did not happen.
      let index = -1;
      for (let i = cursor; i < changes.length && index < 0; i++) {
        const change = changes[i] as Change;
        if (predicted[i]?.ok === false && this.sameWords(predicted[i]?.error, message, change)) index = i;
      }
      for (let i = cursor; i < changes.length && index < 0; i++) {
        if (!inEffect[i] && messageFitsChange((changes[i] as Change).kind, message)) index = i;
      }
      if (index < 0) continue;
      assigned[index] = message;
      cursor = index + 1;
    }
    let stopLine = -1;
    if (stopped) stopLine = assigned.findIndex((m, i) => m !== undefined && !inEffect[i]);
    return changes.map((change, i): ChangeResult => {
      const message = assigned[i];
      if (message !== undefined) return { change, ok: false, error: this.explain(change, message) };
      if (inEffect[i]) return { change, ok: true };
      if (stopped && stopLine >= 0 && i > stopLine) {
        return { change, ok: false, error: 'not applied: ipvsadm -R stopped at an earlier line' };
      }
      return { change, ok: false, error: 'ipvsadm reported no error, but the kernel table does not show this change' };
    });
  }

  private sameWords(predictedError: string | undefined, message: string, change: Change): boolean {
    if (predictedError === undefined) return false;
    return predictedError === message || predictedError === this.explain(change, message);
  }

  /** The kernel's words, made specific where they are obscure. */
  private explain(change: Change, message: string): string {
    if (message === KERNEL_MESSAGES.schedulerNotFound && (change.kind === 'add-service' || change.kind === 'edit-service')) {
      const settings = change.kind === 'add-service' ? change.service : change.to;
      return missingSchedulerMessage(settings.scheduler, settings.persistence?.engine);
    }
    return message;
  }

  /** Does the observed table show this change's effect? */
  private inEffect(change: Change, index: TableIndex, table: ConfigView): boolean {
    const find = (key: ServiceKey): Service | undefined => index.service(key);
    const findDest = (key: ServiceKey, dest: Destination): Destination | undefined =>
      index.destination(key, { address: dest.address, port: storedPort(key, dest) });
    switch (change.kind) {
      case 'add-service': {
        const found = find(change.service.key);
        return found !== undefined && sameServiceSettings(found, change.service);
      }
      case 'edit-service': {
        const found = find(change.to.key);
        return found !== undefined && sameServiceSettings(found, change.to);
      }
      case 'delete-service':
        return find(change.service.key) === undefined;
      case 'add-destination': {
        const found = findDest(change.service, change.destination);
        return found !== undefined && sameDestinationConfig(found, change.destination);
      }
      case 'edit-destination': {
        const found = findDest(change.service, change.to);
        return found !== undefined && sameDestinationConfig(found, change.to);
      }
      case 'delete-destination':
        return findDest(change.service, change.destination) === undefined;
      case 'set-timeouts':
        return (['tcp', 'tcpFin', 'udp'] as const).every((k) => change.to[k] === 0 || table.timeouts[k] === change.to[k]);
      case 'start-daemon': {
        const found = table.syncDaemons.find((d) => d.state === change.daemon.state);
        return found !== undefined && found.interface === change.daemon.interface && found.syncId === change.daemon.syncId;
      }
      case 'stop-daemon':
        return !table.syncDaemons.some((d) => d.state === change.daemon.state);
    }
  }
}
