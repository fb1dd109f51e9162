// The real kernel over IPVS generic netlink, as keepalived and seesaw talk
// to it: no program per call, no text. A plan goes out pipelined (many
// requests per datagram, each ACKed or refused on its own), so every
// kernel error belongs to exactly the change that sent it. Observation is
// one GET_SERVICE dump plus one GET_DEST dump per service (spread over a few
// sockets: one socket runs one dump at a time), with the kernel's 64-bit
// counters and its own rate estimates. Connections still come from
// /proc/net/ip_vs_conn (netlink has no connection dump).
import { release } from 'node:os';
import { DomainError, serviceFamily } from '@lvs-console/shared';
import type { KernelInfo, ObservedService, ObservedTable, ServiceKey, SyncDaemon, Timeouts } from '@lvs-console/shared';
import type { Change } from '@lvs-console/shared/plan';
import type { ApplyOptions, ApplyResult, ChangeResult, ConnectionPage, ConnectionQuery, KernelBackend } from '../backend';
import { PROC_IP_VS_CONN, readConnectionFile } from '../conn-table';
import { schedulerModules } from '../modules';
import {
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
} from './ipvs-codec';
import type { IpvsRequest } from './ipvs-codec';
import { GenlSocket, NetlinkError } from './socket';
import type { RequestOutcome } from './socket';

export interface NetlinkBackendOptions {
  /** Sockets for destination dumps running side by side (default 4). */
  dumpSockets?: number;
  connTablePath?: string;
  procIpVsPath?: string;
  kernelRelease?: string;
  modulesDir?: string;
}

/** What a refused change was about, for errnoMessage's words. */
function errnoContextOf(change: Change): ErrnoContext {
  if (change.kind === 'add-service') return { settings: change.service };
  if (change.kind === 'edit-service') return { settings: change.to };
  if (change.kind === 'start-daemon') return { daemon: change.daemon };
  return {};
}

export class NetlinkBackend implements KernelBackend {
  readonly kind = 'netlink' as const;
  private readonly kernelRelease: string;
  private readonly modulesDir: string;
  private readonly procIpVsPath: string;
  private readonly connTablePath: string;
  private schedulerCache: string[] | null = null;

  private constructor(
    /** Requests and the small dumps. */
    private readonly main: GenlSocket,
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
    try {
      for (let i = 0; i < Math.max(1, options.dumpSockets ?? 4); i++) dumpers.push(await GenlSocket.open());
    } catch (error) {
      main.close();
      for (const socket of dumpers) socket.close();
      throw error;
    }
    return new NetlinkBackend(main, dumpers, options);
  }

  // ---- reads --------------------------------------------------------------

  private static check(outcome: RequestOutcome, what: string, cmd: number): RequestOutcome {
    if (outcome.errno === -1) throw new DomainError('UNAVAILABLE', `netlink socket closed while ${what}`);
    if (outcome.errno !== 0) throw new DomainError('KERNEL_ERROR', `${what}: ${errnoMessage(cmd, outcome.errno)}`);
    return outcome;
  }

  private async dumpDestinations(services: ObservedService[]): Promise<void> {
    let next = 0;
    // Each socket takes the next service until none is left: dumps in parallel, never two on one socket.
    await Promise.all(
      this.dumpers.map(async (socket) => {
        while (next < services.length) {
          const service = services[next++] as ObservedService;
          const request = REQUESTS.destinations(service.key);
          const outcome = NetlinkBackend.check(await socket.dump(request), 'reading destinations', request.cmd);
          const family = serviceFamily(service.key);
          for (const reply of outcome.replies) {
            const dest = decodeDestination(reply.attrs, family);
            if (dest) service.destinations.push(dest);
          }
        }
      }),
    );
  }

  async observe(): Promise<ObservedTable> {
    const [servicesOutcome, config, daemons] = await this.guard(() =>
      Promise.all([this.main.dump(REQUESTS.services()), this.main.request(REQUESTS.config()), this.main.dump(REQUESTS.daemons())]),
    );
    const services: ObservedService[] = [];
    for (const reply of NetlinkBackend.check(servicesOutcome, 'reading services', REQUESTS.services().cmd).replies) {
      const service = decodeService(reply.attrs);
      if (service) services.push(service);
    }
    await this.guard(() => this.dumpDestinations(services));
    const timeouts = decodeTimeouts(NetlinkBackend.check(config, 'reading timeouts', REQUESTS.config().cmd).replies[0]?.attrs ?? new Map<number, Buffer>());
    const syncDaemons: SyncDaemon[] = [];
    for (const reply of NetlinkBackend.check(daemons, 'reading sync daemons', REQUESTS.daemons().cmd).replies) {
      const daemon = decodeDaemon(reply.attrs);
      if (daemon) syncDaemons.push(daemon);
    }
    return { services, timeouts, syncDaemons };
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
    return { results, durationMs, observed: await this.observe() };
  }
}
