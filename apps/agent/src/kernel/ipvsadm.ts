// The real kernel, through the ipvsadm program. Reads run concurrently
// (-Sn for config, -L listings for counters, rates, thresholds, connection
// numbers, timeouts and daemons); a plan goes to the kernel as ONE
// `ipvsadm -R` batch on stdin. -R carries on past a failing line and tells
// only by a message on stderr, so after the batch we observe again: the
// table is the truth, and each stderr message is matched to the change that
// caused it.
import { access, readFile, readdir } from 'node:fs/promises';
import { release } from 'node:os';
import { DomainError, SCHEDULERS, destinationId, formatIssues, serviceId } from '@lvs-console/shared';
import type { Destination, KernelInfo, ObservedTable, Service, ServiceKey, SyncDaemon, Timeouts } from '@lvs-console/shared';
import {
  LIST_ARGV,
  observeFromListings,
  parseVersionHeader,
  setTimeoutsArgv,
  startDaemonArgv,
  stopDaemonArgv,
} from '@lvs-console/shared/ipvsadm';
import type { ListingTexts } from '@lvs-console/shared/ipvsadm';
import { changeLine, plan, sameDestinationConfig, sameServiceSettings } from '@lvs-console/shared/plan';
import type { Change } from '@lvs-console/shared/plan';
import type { ApplyResult, ChangeResult, ConnectionPage, ConnectionQuery, KernelBackend } from './backend';
import { ConnectionPager, PROC_IP_VS_CONN, parseProcConnLine, readConnectionFile } from './conn-table';
import { KERNEL_MESSAGES, messageFitsChange, missingSchedulerMessage, SCHEDULER_SINCE } from './kernel-rules';
import { CommandError, createExecRunner } from './runner';
import type { CommandRunner } from './runner';
import { SimBackend } from './sim';

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
}

type ConfigView = Pick<ObservedTable, 'services' | 'timeouts' | 'syncDaemons'>;

/** Which listing feeds which field of observeFromListings(). */
const LISTINGS = {
  save: LIST_ARGV.save,
  stats: LIST_ARGV.stats,
  rate: LIST_ARGV.rate,
  thresholds: LIST_ARGV.thresholds,
  persistent: LIST_ARGV.persistentConn,
  list: LIST_ARGV.list,
  timeout: LIST_ARGV.timeout,
  daemon: LIST_ARGV.daemon,
} as const satisfies Record<keyof ListingTexts, readonly string[]>;

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

/** Compare dotted release numbers: "6.1.0-27-amd64" vs "5.12". */
function releaseAtLeast(kernelRelease: string, wanted: string): boolean {
  const have = kernelRelease.split(/[.-]/).map((p) => Number.parseInt(p, 10));
  const need = wanted.split('.').map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (Number.isNaN(a)) return true;
    if (a !== b) return a > b;
  }
  return true;
}

/** The port the kernel keeps for a destination: DR and TUN follow the service port. */
function storedPort(key: ServiceKey, dest: Pick<Destination, 'forwarding' | 'port'>): number {
  return key.kind === 'addr' && dest.forwarding !== 'masq' ? key.port : dest.port;
}

export class IpvsadmBackend implements KernelBackend {
  readonly kind = 'ipvsadm' as const;
  private readonly runner: CommandRunner;
  private readonly ipvsadm: string;
  private readonly connTablePath: string;
  private readonly procIpVsPath: string;
  private readonly kernelRelease: string;
  private readonly modulesDir: string;
  private readonly netns: string | undefined;
  private schedulerCache: string[] | null = null;

  constructor(options: IpvsadmBackendOptions = {}) {
    this.netns = options.netns;
    this.runner = options.runner ?? createExecRunner(options.netns ? { netns: options.netns } : {});
    this.ipvsadm = options.ipvsadmPath ?? 'ipvsadm';
    this.connTablePath = options.connTablePath ?? PROC_IP_VS_CONN;
    this.procIpVsPath = options.procIpVsPath ?? '/proc/net/ip_vs';
    this.kernelRelease = options.kernelRelease ?? release();
    this.modulesDir = options.modulesDir ?? `/lib/modules/${this.kernelRelease}`;
  }

  // ---- running ipvsadm ----------------------------------------------------

  private async ipvsadmRun(args: readonly string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      return await this.runner.run([this.ipvsadm, ...args], stdin);
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
    const message = result.stderr.split('\n').filter((l) => !STDERR_NOISE.test(l)).join(' ').trim();
    if (result.code !== 0 || message) {
      throw new DomainError('KERNEL_ERROR', message || `ipvsadm ${args.join(' ')} failed with exit code ${result.code}`);
    }
  }

  // ---- reads --------------------------------------------------------------

  /** Run the listings concurrently and merge them (config from -Sn, numbers from -L). */
  private async readTable(parts: readonly (keyof typeof LISTINGS)[]): Promise<ObservedTable> {
    const texts: ListingTexts = { save: '' };
    await Promise.all(parts.map(async (part) => {
      texts[part] = await this.read(LISTINGS[part]);
    }));
    const result = observeFromListings(texts);
    if (!result.ok) throw new DomainError('KERNEL_ERROR', `could not read ipvsadm's output:\n${formatIssues(result.errors)}`, result.errors);
    return result.table;
  }

  /** Config only (what apply() checks against): rules, thresholds, timeouts, daemons. */
  private readConfig(): Promise<ConfigView> {
    return this.readTable(['save', 'thresholds', 'timeout', 'daemon']);
  }

  observe(): Promise<ObservedTable> {
    return this.readTable(['save', 'stats', 'rate', 'thresholds', 'persistent', 'list', 'timeout', 'daemon']);
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
    if (this.schedulerCache) return [...this.schedulerCache];
    try {
      await access(this.procIpVsPath);
    } catch {
      return [];
    }
    const found = new Set<string>();
    let knowsModules = false;
    try {
      const files = await readdir(`${this.modulesDir}/kernel/net/netfilter/ipvs`);
      knowsModules = true;
      for (const file of files) {
        const match = /^ip_vs_([a-z]+)\.ko/.exec(file);
        if (match?.[1]) found.add(match[1]);
      }
    } catch {
      // No module tree (a container, or everything built in): fall through.
    }
    try {
      const builtin = await readFile(`${this.modulesDir}/modules.builtin`, 'utf8');
      knowsModules = true;
      for (const match of builtin.matchAll(/ip_vs_([a-z]+)\.ko/g)) if (match[1]) found.add(match[1]);
    } catch {
      // modules.builtin is optional.
    }
    const list = knowsModules
      ? SCHEDULERS.filter((s) => found.has(s))
      // Nothing to look at: trust the release number.
      : SCHEDULERS.filter((s) => { const since = SCHEDULER_SINCE[s]; return !since || releaseAtLeast(this.kernelRelease, since); });
    this.schedulerCache = [...list];
    return [...list];
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

  close(): Promise<void> {
    return Promise.resolve();
  }

  // ---- apply --------------------------------------------------------------

  async apply(changes: readonly Change[]): Promise<ApplyResult> {
    if (changes.length === 0) return { results: [], durationMs: 0 };
    const lines = changes.map(restoreLine);
    const [before, available] = await Promise.all([this.readConfig(), this.availableSchedulers()]);
    const predicted = await this.predict(before, changes, available);
    const started = performance.now();
    const batch = await this.ipvsadmRun(['-R'], `${lines.join('\n')}\n`);
    const durationMs = performance.now() - started;
    const after = await this.readConfig();
    const messages = batch.stderr.split('\n').map((l) => l.trim()).filter((l) => !STDERR_NOISE.test(l));
    // Exit code 2 is ipvsadm's own fail(): it stopped reading at that line.
    const stopped = batch.code === 2;
    return { results: this.judge(changes, after, messages, predicted, stopped), durationMs };
  }

  /** What the kernel's rules say each change will do, from the table as it is now. */
  private async predict(before: ConfigView, changes: readonly Change[], available: string[]): Promise<ChangeResult[]> {
    const model = new SimBackend({ availableSchedulers: available.length > 0 ? available : SCHEDULERS });
    await model.apply(plan({ services: before.services, timeouts: before.timeouts, syncDaemons: before.syncDaemons }, await model.observe()));
    return (await model.apply(changes)).results;
  }

  /** Decide per change: the observed table is the truth; stderr supplies the words. */
  private judge(
    changes: readonly Change[],
    after: ConfigView,
    messages: readonly string[],
    predicted: readonly ChangeResult[],
    stopped: boolean,
  ): ChangeResult[] {
    const inEffect = changes.map((change) => this.inEffect(change, after));
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
  private inEffect(change: Change, table: ConfigView): boolean {
    const find = (key: ServiceKey): Service | undefined => table.services.find((s) => serviceId(s.key) === serviceId(key));
    const findDest = (key: ServiceKey, dest: Destination): Destination | undefined =>
      find(key)?.destinations.find((d) => destinationId(d) === destinationId({ address: dest.address, port: storedPort(key, dest) }));
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
