// The real kernel over IPVS generic netlink, as keepalived and seesaw talk
// to it: no program per call, no text. A plan goes out pipelined (many
// requests per datagram, each ACKed or refused on its own), so every
// kernel error belongs to exactly the change that sent it. Observation is
// one GET_SERVICE dump plus one GET_DEST dump per service (spread over a few
// sockets: one socket runs one dump at a time), with the kernel's 64-bit
// counters and its own rate estimates. Connections still come from
// /proc/net/ip_vs_conn (netlink has no connection dump).
import { release } from 'node:os';
import { DomainError, serviceId } from '@lvs-console/shared';
import type { KernelInfo, ObservedDestination, ObservedService, ObservedTable, ServiceKey, SyncDaemon, Timeouts } from '@lvs-console/shared';
import type { Change } from '@lvs-console/shared/plan';
import type { ApplyOptions, ApplyResult, ChangeResult, ConnectionPage, ConnectionQuery, KernelBackend } from '../backend';
import { PROC_IP_VS_CONN, readConnectionFile } from '../conn-table';
import { schedulerModules } from '../modules';
import { planDestinationReads, touchedServiceIds, type CounterSample } from '../sampling';
import {
  IPVS_CMD,
  REQUESTS,
  changeRequest,
  decodeDaemon,
  decodeDestination,
  decodeInfo,
  decodeService,
  decodeTimeouts,
  errnoMessage,
  type ErrnoContext,
  ipvsadmRefusal,
  parseAttrs,
} from './ipvs-codec';
import type { IpvsRequest } from './ipvs-codec';
import { DecodedRows, type RowsReader } from './decoded-rows';
import { GenlSocket, NetlinkError } from './socket';
import type { DumpJob, RequestOutcome } from './socket';

export interface NetlinkBackendOptions {
  /** Sockets for destination dumps running side by side (default 4). */
  dumpSockets?: number;
  connTablePath?: string;
  procIpVsPath?: string;
  kernelRelease?: string;
  modulesDir?: string;
}

const SERVICE_LIST = 'services';
/**
 * Rows kept for the comparison with the next dump (a message's bytes, about
 * 320 for a service and 360 for a real server, plus its decoded object):
 * every service of a 10,000-service table, and the real servers of 1,000
 * services × 20 (about 7 MB). Past that a list is decoded in full each time.
 */
const KEPT_SERVICE_ROWS = 10_000;
const KEPT_DESTINATION_ROWS = 20_000;

/** What a refused change was about, for errnoMessage's words. */
function errnoContextOf(change: Change): ErrnoContext {
  if (change.kind === 'add-service') return { settings: change.service };
  if (change.kind === 'edit-service') return { settings: change.to };
  if (change.kind === 'start-daemon') return { daemon: change.daemon };
  return {};
}

export class NetlinkBackend implements KernelBackend {
  readonly kind = 'netlink' as const;
  destinationListsRead = 0;
  private readonly kernelRelease: string;
  private readonly modulesDir: string;
  private readonly procIpVsPath: string;
  private readonly connTablePath: string;
  private schedulerCache: string[] | null = null;
  /** The last dumps' rows, so an unchanged row is not decoded again (most of an idle table, each second). */
  private readonly serviceRows = new DecodedRows<ObservedService>(KEPT_SERVICE_ROWS);
  private readonly destinationRows = new DecodedRows<ObservedDestination>(KEPT_DESTINATION_ROWS);

  private constructor(
    /** Requests and the small dumps. */
    private readonly main: GenlSocket,
    /** The service dump (every service row, each second): large datagrams. */
    private readonly serviceDumper: GenlSocket,
    /** Destination dumps, one at a time each. */
    private readonly dumpers: readonly GenlSocket[],
    options: NetlinkBackendOptions,
  ) {
    this.kernelRelease = options.kernelRelease ?? release();
    this.modulesDir = options.modulesDir ?? `/lib/modules/${this.kernelRelease}`;
    this.procIpVsPath = options.procIpVsPath ?? '/proc/net/ip_vs';
    this.connTablePath = options.connTablePath ?? PROC_IP_VS_CONN;
  }

  /** Open the sockets in the calling process's network namespace; throws when the kernel has no IPVS family. */
  static async open(options: NetlinkBackendOptions = {}): Promise<NetlinkBackend> {
    const main = await GenlSocket.open();
    const dumpers: GenlSocket[] = [];
    let services: GenlSocket | null = null;
    try {
      services = await GenlSocket.open(undefined, { largeDumpDatagrams: true });
      for (let i = 0; i < Math.max(1, options.dumpSockets ?? 4); i++) dumpers.push(await GenlSocket.open());
    } catch (error) {
      main.close();
      services?.close();
      for (const socket of dumpers) socket.close();
      throw error;
    }
    return new NetlinkBackend(main, services, dumpers, options);
  }

  // ---- reads --------------------------------------------------------------

  private static check(outcome: RequestOutcome, what: string, cmd: number): RequestOutcome {
    if (outcome.errno === -1) throw new DomainError('UNAVAILABLE', `netlink socket closed while ${what}`);
    if (outcome.errno !== 0) throw new DomainError('KERNEL_ERROR', `${what}: ${errnoMessage(cmd, outcome.errno)}`);
    return outcome;
  }

  /** A dump's errno (0: it ran to its end) as observe()'s error. */
  private static checkDump(errno: number, what: string, cmd: number): void {
    if (errno !== 0) throw new DomainError('KERNEL_ERROR', `${what}: ${errnoMessage(cmd, errno)}`);
  }

  /** The destinations of these services: one GET_DEST dump each, the dump sockets side by side. */
  private async dumpDestinations(services: readonly ObservedService[]): Promise<void> {
    let next = 0;
    const readers: Array<[string, RowsReader<ObservedDestination>]> = [];
    const nextJob = (): DumpJob | null => {
      const service = services[next++];
      if (!service) return null;
      // The kernel's own address text (no parse: this runs per service per second): a colon is IPv6.
      const family = service.key.kind === 'fwmark' ? service.key.family : service.key.address.includes(':') ? 'inet6' : 'inet';
      const destinations = service.destinations;
      const list = serviceId(service.key);
      const reader = this.destinationRows.reader(list, (buf, start, end) => decodeDestination(buf, family, start, end));
      readers.push([list, reader]);
      return {
        request: REQUESTS.destinations(service.key),
        onMessage: (buf, start, end) => {
          const dest = reader.row(buf, start, end);
          if (dest) destinations.push(dest);
        },
      };
    };
    this.destinationListsRead += services.length;
    const errnos = await Promise.all(this.dumpers.map((socket) => socket.dumps(nextJob)));
    for (const errno of errnos) NetlinkBackend.checkDump(errno, 'reading destinations', IPVS_CMD.GET_DEST);
    for (const [list, reader] of readers) this.destinationRows.finish(list, reader);
  }

  async observe(): Promise<ObservedTable> {
    const table = await this.observeServices();
    await this.guard(() => this.dumpDestinations(table.services));
    return table;
  }

  /** Services (without destinations), timeouts and sync daemons. */
  private async observeServices(): Promise<ObservedTable> {
    const services: ObservedService[] = [];
    const syncDaemons: SyncDaemon[] = [];
    const rows = this.serviceRows.reader(SERVICE_LIST, decodeService);
    const [servicesErrno, config, daemonsErrno] = await this.guard(() =>
      Promise.all([
        this.serviceDumper.dump({
          request: REQUESTS.services(),
          onMessage: (buf, start, end) => {
            const service = rows.row(buf, start, end);
            // A copy of the shared row: observation fills in its own destinations.
            if (service) services.push({ ...service, destinations: [] });
          },
        }),
        this.main.request(REQUESTS.config()),
        this.main.dump({
          request: REQUESTS.daemons(),
          onMessage: (buf, start, end) => {
            const daemon = decodeDaemon(parseAttrs(buf, start, end));
            if (daemon) syncDaemons.push(daemon);
          },
        }),
      ]),
    );
    NetlinkBackend.checkDump(servicesErrno, 'reading services', IPVS_CMD.GET_SERVICE);
    NetlinkBackend.checkDump(daemonsErrno, 'reading sync daemons', IPVS_CMD.GET_DAEMON);
    this.serviceRows.finish(SERVICE_LIST, rows);
    this.destinationRows.retain(new Set(services.map((service) => serviceId(service.key))));
    const timeouts = decodeTimeouts(NetlinkBackend.check(config, 'reading timeouts', REQUESTS.config().cmd).replies[0]?.attrs ?? new Map<number, Buffer>());
    return { services, timeouts, syncDaemons };
  }

  /**
   * Every service row afresh; the destination lists `keep` gives (by index
   * into the rows just read) are kept, copied, and every other service's are
   * read from the kernel now. Returns the table and how many lists were read.
   */
  private async observeKeeping(
    keep: (services: readonly ObservedService[]) => ReadonlyMap<number, ObservedService['destinations']>,
  ): Promise<{ table: ObservedTable; reads: number }> {
    const table = await this.observeServices();
    const kept = keep(table.services);
    const reread: ObservedService[] = [];
    table.services.forEach((service, index) => {
      const destinations = kept.get(index);
      if (destinations) service.destinations = [...destinations];
      else reread.push(service);
    });
    await this.guard(() => this.dumpDestinations(reread));
    return { table, reads: reread.length };
  }

  /** Keep `base`'s destination lists except those of the services `fresh` names. */
  private static keepingAllBut(base: Pick<ObservedTable, 'services'>, fresh: ReadonlySet<string>) {
    return (services: readonly ObservedService[]): Map<number, ObservedService['destinations']> => {
      const lists = new Map(base.services.map((service) => [serviceId(service.key), service.destinations]));
      const kept = new Map<number, ObservedService['destinations']>();
      services.forEach((service, index) => {
        const id = serviceId(service.key);
        const destinations = fresh.has(id) ? undefined : lists.get(id);
        if (destinations) kept.set(index, destinations);
      });
      return kept;
    };
  }

  /**
   * The table after an apply, given the one read just before it: every
   * service, timeout and daemon afresh, and the destinations of the services
   * the changes touched (or that were not there before); the others keep the
   * destinations read a moment ago. One weight change on a table of 1,000
   * services reads one destination list, not 1,000.
   */
  private async observeAfter(changes: readonly Change[], before: ApplyOptions['before']): Promise<ObservedTable> {
    if (!before) return this.observe();
    return (await this.observeKeeping(NetlinkBackend.keepingAllBut(before, touchedServiceIds(changes)))).table;
  }

  async observeWithin(services: ReadonlySet<string>, base: ObservedTable): Promise<ObservedTable> {
    return (await this.observeKeeping(NetlinkBackend.keepingAllBut(base, services))).table;
  }

  async sample(previous: CounterSample | null, now: number): Promise<CounterSample> {
    let plan: ReturnType<typeof planDestinationReads> | null = null;
    const { table, reads } = await this.observeKeeping((services) => {
      plan = planDestinationReads(previous, services, now);
      return plan.kept;
    });
    const { changedAt, destinationsReadAt } = plan ?? planDestinationReads(null, table.services, now);
    return { at: now, table, changedAt, destinationsReadAt, destinationReads: reads };
  }

  /** Socket-level failures become UNAVAILABLE (the kernel cannot be reached at all). */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof NetlinkError) throw new DomainError('UNAVAILABLE', error.message);
      throw error;
    }
  }

  async info(): Promise<KernelInfo> {
    const request = REQUESTS.info();
    const outcome = NetlinkBackend.check(await this.guard(() => this.main.request(request)), 'reading IPVS info', request.cmd);
    return decodeInfo(outcome.replies[0]?.attrs ?? new Map<number, Buffer>());
  }

  async describe(): Promise<string> {
    const info = await this.info();
    return `Linux IPVS ${info.ipvsVersion}, kernel ${this.kernelRelease} (generic netlink)`;
  }

  connections(query: ConnectionQuery): Promise<ConnectionPage> {
    return readConnectionFile(this.connTablePath, query);
  }

  async availableSchedulers(): Promise<string[]> {
    this.schedulerCache ??= await schedulerModules(this.procIpVsPath, this.modulesDir, this.kernelRelease);
    return [...this.schedulerCache];
  }

  // ---- single commands ----------------------------------------------------

  /** One command; the kernel's refusal is an error in ipvsadm's words. */
  private async command(request: IpvsRequest, context: ErrnoContext = {}): Promise<void> {
    const outcome = await this.guard(() => this.main.request(request));
    if (outcome.errno === -1) throw new DomainError('UNAVAILABLE', 'netlink socket closed');
    if (outcome.errno !== 0) throw new DomainError('KERNEL_ERROR', errnoMessage(request.cmd, outcome.errno, context));
  }

  setTimeouts(timeouts: Timeouts): Promise<void> {
    return this.command(REQUESTS.setTimeouts(timeouts));
  }

  startDaemon(daemon: SyncDaemon): Promise<void> {
    return this.command(REQUESTS.startDaemon(daemon), { daemon });
  }

  stopDaemon(state: SyncDaemon['state']): Promise<void> {
    return this.command(REQUESTS.stopDaemon(state));
  }

  zero(service?: ServiceKey): Promise<void> {
    return this.command(REQUESTS.zero(service));
  }

  /** Remove every service (IPVS_CMD_FLUSH, `ipvsadm -C`): for tests and benchmarks that start from nothing. */
  flush(): Promise<void> {
    return this.command(REQUESTS.flush());
  }

  close(): Promise<void> {
    this.main.close();
    this.serviceDumper.close();
    for (const socket of this.dumpers) socket.close();
    return Promise.resolve();
  }

  // ---- apply --------------------------------------------------------------

  async apply(changes: readonly Change[], options: ApplyOptions = {}): Promise<ApplyResult> {
    if (changes.length === 0) return { results: [], durationMs: 0 };
    const results: ChangeResult[] = changes.map((change) => ({ change, ok: true }));
    const sent: number[] = [];
    const requests: IpvsRequest[] = [];
    changes.forEach((change, i) => {
      // What ipvsadm refuses itself never reaches the kernel: the same words, the same outcome.
      const refusal = ipvsadmRefusal(change);
      if (refusal) {
        results[i] = { change, ok: false, error: refusal };
        return;
      }
      sent.push(i);
      requests.push(changeRequest(change));
    });
    const started = performance.now();
    const outcomes = await this.guard(() => this.main.requests(requests));
    const durationMs = performance.now() - started;
    outcomes.forEach((outcome, n) => {
      const i = sent[n] as number;
      const change = changes[i] as Change;
      if (outcome.errno === 0) return;
      if (outcome.errno === -1) {
        results[i] = { change, ok: false, error: 'not applied: the netlink socket closed before the kernel answered' };
        return;
      }
      const request = requests[n] as IpvsRequest;
      results[i] = { change, ok: false, error: errnoMessage(request.cmd, outcome.errno, errnoContextOf(change)) };
    });
    if (!options.observeAfter) return { results, durationMs };
    return { results, durationMs, observed: await this.observeAfter(changes, options.before) };
  }
}
