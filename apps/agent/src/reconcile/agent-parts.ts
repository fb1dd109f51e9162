// The agent as the API sees it: its parts, plus the few operations that
// combine several of them (system info, shares, host status,
// import, sim).
import type { ClusterService } from '../cluster/cluster';
import type { VipMonitor, VipStatus } from '../ha/vip-monitor';
import type { HealthManager } from '../health/manager';
import type { NotificationService } from '../alerts/service';
import type { RealServerRegistry } from '../realservers/registry';
import { hostname } from 'node:os';
import {
  DomainError,
  destinationId,
  formatIssues,
  parseServiceId,
  serviceId,
  serviceLabel,
  type DesiredState,
  type HostSetting,
  type KernelInfo,
  type Protocol,
  type ServiceKey,
  emptyState,
} from '@lvs-console/shared';
import { findUnsafeStrings, UNSAFE_STRING_MESSAGE, type ImportOutcome, type ShareRow } from '@lvs-console/shared/api';
import { hostSettingId, mergeHostSettings } from '@lvs-console/shared/host';
import { zeroArgv } from '@lvs-console/shared/ipvsadm';
import type { Clock } from '../config/clock';
import type { BackendKind, ConnectionPage, ConnectionQuery, KernelBackend } from '../kernel/backend';
import type { AuthService } from '../auth/auth-service';
import type { LoginThrottle } from '../auth/login-throttle';
import type { RefusalCounter } from '../auth/refusals';
import type { StatsSampler } from '../stats/sampler';
import type { AuditLog } from '../store/audit-log';
import type { StateStore } from '../store/state-store';
import type { Caller } from '@lvs-console/shared/api';
import type { AgentMetrics } from './agent-metrics';
import type { EventBus } from './events';
import { checkDeleteConfirmation, parseImportText, type ImportRequest, type ParsedImport } from './import-text';
import { predictedShares } from './shares';
import type { HostPort, HostSettingStatus, SimPort, SimTrafficSettings } from './ports';
import type { DriftMode, Reconciler } from './reconciler';

export const AGENT_VERSION = '0.1.0';

/** Most entries read from the kernel to filter connections by protocol. */
const PROTOCOL_SCAN_LIMIT = 50_000;

export interface BackendChoice {
  kind: BackendKind;
  /** Plain words for the console's header: "Simulated kernel" or "Linux IPVS (ipvsadm)". */
  label: string;
  /** Why this backend: "no IPVS in this kernel: simulated kernel". */
  reason: string;
}

export interface AgentSettings {
  stateDir: string;
  driftMode: DriftMode;
  listenUrl: string;
  tls: boolean;
  demo: boolean;
  startedAt: number;
}

export interface SystemInfo {
  version: string;
  backend: BackendChoice & { description: string; schedulers: string[] };
  host: { name: string; label: string | null };
  caller: Caller;
  startedAt: number;
  now: number;
  stateDir: string;
  driftMode: DriftMode;
  listenUrl: string;
  tls: boolean;
  demo: boolean;
  revision: number;
  statsHistorySeconds: number;
  sim: boolean;
  /** The "IP Virtual Server version ... (size=...)" of this director's kernel (ipvsadm -L's header). */
  kernel: KernelInfo;
}

export interface HostStatusReport {
  available: boolean;
  label: string | null;
  settings: HostSettingStatus[];
  /** Per service: the settings its forwarding methods need, and whether each holds. */
  services: Array<{
    service: string; label: string; methods: string[]; settings: HostSettingStatus[];
    /** Per real-server address: the director's source address toward it (the DIP), or null. */
    directorAddresses: Record<string, string | null>;
    /** Who answers for the service's VIP; null when the agent does not manage VIPs. */
    vip: VipStatus | null;
  }>;
}

export interface SimStatusReport {
  available: boolean;
  traffic: SimTrafficSettings | null;
  failed: Array<{ service: string; destination: string }>;
}

export interface AgentPartsOptions {
  settings: AgentSettings;
  clock: Clock;
  backend: KernelBackend;
  backendChoice: BackendChoice;
  store: StateStore;
  audit: AuditLog;
  reconciler: Reconciler;
  stats: StatsSampler;
  events: EventBus;
  auth: AuthService;
  refusals: RefusalCounter;
  loginThrottle: LoginThrottle;
  metrics: AgentMetrics;
  host?: HostPort | null;
  sim?: SimPort | null;
  health: HealthManager;
  realServers: RealServerRegistry;
  /** This director's cluster membership, or null for a director on its own. */
  cluster?: ClusterService | null;
  /** Where each service VIP is (this director's interface, or the pair's MASTER). */
  vips?: VipMonitor | null;
  /** Webhooks and commands that tell someone when something breaks (issue 17). */
  notifications?: NotificationService | null;
  /** Host settings a service needs for its forwarding methods (from the host module). */
  requirementsOf?: (desired: DesiredState) => Array<{ service: string; settings: HostSetting[] }>;
}

export class AgentParts {
  readonly settings: AgentSettings;
  readonly clock: Clock;
  readonly backend: KernelBackend;
  readonly backendChoice: BackendChoice;
  readonly store: StateStore;
  readonly audit: AuditLog;
  readonly reconciler: Reconciler;
  readonly stats: StatsSampler;
  readonly events: EventBus;
  readonly auth: AuthService;
  readonly refusals: RefusalCounter;
  readonly loginThrottle: LoginThrottle;
  readonly metrics: AgentMetrics;
  readonly host: HostPort | null;
  readonly sim: SimPort | null;
  readonly health: HealthManager;
  readonly realServers: RealServerRegistry;
  readonly cluster: ClusterService | null;
  readonly notifications: NotificationService | null;
  private schedulerList: string[] | null = null;

  constructor(private readonly opts: AgentPartsOptions) {
    this.settings = opts.settings;
    this.clock = opts.clock;
    this.backend = opts.backend;
    this.backendChoice = opts.backendChoice;
    this.store = opts.store;
    this.audit = opts.audit;
    this.reconciler = opts.reconciler;
    this.stats = opts.stats;
    this.events = opts.events;
    this.auth = opts.auth;
    this.refusals = opts.refusals;
    this.loginThrottle = opts.loginThrottle;
    this.metrics = opts.metrics;
    this.host = opts.host ?? null;
    this.sim = opts.sim ?? null;
    this.health = opts.health;
    this.realServers = opts.realServers;
    this.cluster = opts.cluster ?? null;
    this.notifications = opts.notifications ?? null;
  }

  async systemInfo(caller: Caller): Promise<SystemInfo> {
    this.schedulerList ??= await this.backend.availableSchedulers();
    return {
      version: AGENT_VERSION,
      backend: { ...this.backendChoice, description: await this.backend.describe(), schedulers: this.schedulerList },
      host: { name: hostname(), label: this.host?.label ?? null },
      caller,
      startedAt: this.settings.startedAt,
      now: this.clock.now(),
      stateDir: this.settings.stateDir,
      driftMode: this.settings.driftMode,
      listenUrl: this.settings.listenUrl,
      tls: this.settings.tls,
      demo: this.settings.demo,
      revision: this.store.revision,
      statsHistorySeconds: this.stats.historySeconds,
      sim: this.sim !== null,
      kernel: await this.backend.info(),
    };
  }

  /** A destination address of some service in the desired state (who a realserver token may speak for). */
  isConfiguredRealServer(address: string): boolean {
    return this.store.current()?.state.services.some((service) => service.destinations.some((d) => d.address === address)) ?? false;
  }

  loginLink(code: string): { url: string; code: string } {
    return { url: `${this.settings.listenUrl}/#login=${code}`, code };
  }

  /** Predicted (scheduler model) vs measured (kernel counters) share of new connections. */
  shares(key: ServiceKey, seconds: number): { service: string; scheduler: string; seconds: number; rows: ShareRow[] } {
    const id = serviceId(key);
    const service = this.store.current()?.state.services.find((s) => serviceId(s.key) === id);
    if (!service) throw new DomainError('NOT_FOUND', `service ${serviceLabel(key)} does not exist`);
    const predicted = predictedShares(service);
    const measured = this.stats.connectionsPerDestination(id, seconds);
    let total = 0;
    for (const count of measured.values()) total += count;
    const rows: ShareRow[] = service.destinations.map((dest) => {
      const destId = destinationId(dest);
      const connections = measured.get(destId) ?? 0;
      return {
        destination: destId,
        weight: dest.weight,
        predicted: predicted.get(destId) ?? null,
        measured: total > 0 ? connections / total : null,
        connections,
      };
    });
    return { service: id, scheduler: service.scheduler, seconds, rows };
  }

  async hostStatus(): Promise<HostStatusReport> {
    const desired = this.store.current()?.state;
    if (!this.host || !desired) return { available: false, label: this.host?.label ?? null, settings: [], services: [] };
    const perService = this.opts.requirementsOf?.(desired) ?? [];
    // One read of the host for every row, desired or required, then grouped per service.
    const rows = mergeHostSettings([...desired.hostSettings, ...perService.flatMap((entry) => entry.settings)]);
    const statusById = new Map((await this.host.check(rows)).map((status) => [status.id, status]));
    const sources = await this.host.sourceAddresses(desired.services.flatMap((s) => s.destinations.map((d) => d.address)));
    await this.opts.vips?.refresh();
    const statusOf = (setting: HostSetting) => statusById.get(hostSettingId(setting));
    const services = perService.map((entry) => {
      const key = parseServiceId(entry.service);
      const service = desired.services.find((s) => serviceId(s.key) === entry.service);
      return {
        service: entry.service,
        label: key ? serviceLabel(key) : entry.service,
        methods: [...new Set(service?.destinations.map((d) => d.forwarding) ?? [])],
        directorAddresses: Object.fromEntries((service?.destinations ?? []).map((d) => [d.address, sources.get(d.address) ?? null])),
        vip: service?.key.kind === 'addr' ? this.opts.vips?.status(service.key.address) ?? null : null,
        // Each service shows its own reason for a row, not the merged one.
        settings: entry.settings.flatMap((setting) => {
          const status = statusOf(setting);
          return status ? [{ ...status, setting }] : [];
        }),
      };
    });
    const settings = desired.hostSettings.flatMap((setting) => {
      const status = statusOf(setting);
      return status ? [{ ...status, setting }] : [];
    });
    return { available: true, label: this.host.label, settings, services };
  }

  /**
   * A page of the kernel's connection table. The backend filters by address,
   * port and state; a protocol filter is applied here over at most
   * PROTOCOL_SCAN_LIMIT matching entries (the backend has no protocol filter).
   */
  async connections(query: ConnectionQuery & { protocol?: Protocol | undefined }): Promise<ConnectionPage> {
    const { protocol, ...rest } = query;
    if (!protocol) return this.backend.connections(rest);
    const scan = await this.backend.connections({ ...rest, offset: 0, limit: PROTOCOL_SCAN_LIMIT });
    const wanted = protocol.toUpperCase();
    const matching = scan.entries.filter((e) => e.protocol.toUpperCase() === wanted || (e.template && rest.includeTemplates === true));
    const offset = rest.offset ?? 0;
    return { entries: matching.slice(offset, offset + rest.limit), matched: matching.length, total: scan.total };
  }

  /**
   * Import pasted ipvsadm text or desired-state JSON (dry run by default).
   * Parsed once against the current state for the audit line, and again
   * under the writer's lock against the state it commits on.
   */
  async importText(request: ImportRequest & { baseRevision: number }, caller: Caller): Promise<ImportOutcome> {
    let preview: ParsedImport;
    try {
      preview = parseImportText(request, this.store.current()?.state ?? emptyState());
      // The rules every other input meets: no shell metacharacters in any stored string.
      const unsafe = findUnsafeStrings(preview.next);
      if (unsafe.length) {
        throw new DomainError('INVALID_INPUT', formatIssues(unsafe.slice(0, 20).map((path) => ({ path, message: UNSAFE_STRING_MESSAGE }))));
      }
    } catch (error) {
      if (error instanceof DomainError && !request.dryRun) {
        await this.audit.reject({ who: caller.name, role: caller.role, what: `import ${request.format}`, error: error.message });
      }
      throw error;
    }
    checkDeleteConfirmation(preview.summary, request);
    const { summary } = preview;
    const what = `import ${preview.format} (${summary.ruleLines} rule lines, ${request.mode}${summary.deletes.length ? `, deletes ${summary.deletes.length} services` : ''})`;
    let read = preview;
    const outcome = await this.reconciler.commitParsed(request.baseRevision, caller, what, request.dryRun, request.mode === 'merge' && !summary.replaces, (current) => {
      read = parseImportText(request, current);
      checkDeleteConfirmation(read.summary, request);
      return read.next;
    });
    // The reader's warnings (a keepalived.conf's notes, a paste's) come back with the outcome too.
    return { ...outcome, warnings: [...read.summary.warnings, ...outcome.warnings], import: read.summary };
  }

  /** `ipvsadm -Z [service]` on this director's kernel, audited with the line it ran. */
  async zeroCounters(service: ServiceKey | undefined, caller: Caller): Promise<{ line: string }> {
    const line = `ipvsadm ${zeroArgv(service).join(' ')}`;
    const what = service ? `zero the counters of ${serviceLabel(service)}` : 'zero every counter';
    try {
      await this.backend.zero(service);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.audit.append({ who: caller.name, role: caller.role, what, result: 'failed', error: message, lines: [line] });
      throw error instanceof DomainError ? error : new DomainError('KERNEL_ERROR', message);
    }
    await this.audit.append({ who: caller.name, role: caller.role, what, result: 'ok', lines: [line] });
    return { line };
  }

  private requireSim(): SimPort {
    if (!this.sim) throw new DomainError('UNSUPPORTED', 'traffic controls exist only with the simulated kernel (--backend sim)');
    return this.sim;
  }

  simStatus(): SimStatusReport {
    if (!this.sim) return { available: false, traffic: null, failed: [] };
    const sim = this.sim;
    const failed: SimStatusReport['failed'] = [];
    for (const service of this.reconciler.latestObservation()?.table.services ?? []) {
      const id = serviceId(service.key);
      for (const dest of service.destinations) {
        if (sim.isFailing(id, destinationId(dest))) failed.push({ service: id, destination: destinationId(dest) });
      }
    }
    return { available: true, traffic: sim.getTraffic(), failed };
  }

  async setSimTraffic(baseRevision: number, request: Partial<SimTrafficSettings> & { service?: string | undefined }, caller: Caller): Promise<SimStatusReport> {
    const sim = this.requireSim();
    await this.reconciler.checkRevision(baseRevision, caller, `set simulated traffic${request.service ? ` of ${request.service}` : ''}`);
    const { service, ...settings } = request;
    if (service !== undefined && !this.reconciler.latestObservation()?.table.services.some((s) => serviceId(s.key) === service)) {
      throw new DomainError('NOT_FOUND', `the simulated kernel has no service ${service}`);
    }
    sim.setTraffic(settings, service);
    await this.audit.append({ who: caller.name, role: caller.role, what: `set simulated traffic${service ? ` of ${service}` : ''}: ${JSON.stringify(settings)}`, result: 'ok' });
    return this.simStatus();
  }

  async failSimDestination(
    baseRevision: number,
    request: { service: ServiceKey; destination: { address: string; port: number }; failed: boolean },
    caller: Caller,
  ): Promise<SimStatusReport> {
    const sim = this.requireSim();
    const what = `${request.failed ? 'fail' : 'recover'} simulated real server ${destinationId(request.destination)} in ${serviceLabel(request.service)}`;
    await this.reconciler.checkRevision(baseRevision, caller, what);
    sim.failDestination(serviceId(request.service), destinationId(request.destination), request.failed);
    await this.audit.append({ who: caller.name, role: caller.role, what, result: 'ok' });
    return this.simStatus();
  }
}
