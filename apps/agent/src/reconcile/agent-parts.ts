// The agent as the API sees it: its parts, plus the few operations that
// combine several of them (system info, shares, host status,
// import, sim).
import type { HealthManager } from '../health/manager';
import type { RealServerRegistry } from '../realservers/registry';
import { hostname } from 'node:os';
import {
  DomainError,
  destinationId,
  formatIssues,
  parseServiceId,
  serviceId,
  serviceLabel,
  type HostSetting,
  type Protocol,
  type Service,
  type ServiceKey,
} from '@lvs-console/shared';
import { findUnsafeStrings, UNSAFE_STRING_MESSAGE, type CommitOutcome, type ShareRow } from '@lvs-console/shared/api';
import { hostSettingId, mergeHostSettings } from '@lvs-console/shared/host';
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
import { parseImportText, type ImportRequest, type ParsedImport } from './import-text';
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
  /** Host settings a service needs for its forwarding methods (from the host module). */
  requirementsOf?: (services: readonly Service[]) => Array<{ service: string; settings: HostSetting[] }>;
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
    const perService = this.opts.requirementsOf?.(desired.services) ?? [];
    // One read of the host for every row, desired or required, then grouped per service.
    const rows = mergeHostSettings([...desired.hostSettings, ...perService.flatMap((entry) => entry.settings)]);
    const statusById = new Map((await this.host.check(rows)).map((status) => [status.id, status]));
    const sources = await this.host.sourceAddresses(desired.services.flatMap((s) => s.destinations.map((d) => d.address)));
    const statusOf = (setting: HostSetting) => statusById.get(hostSettingId(setting));
    const services = perService.map((entry) => {
      const key = parseServiceId(entry.service);
      const service = desired.services.find((s) => serviceId(s.key) === entry.service);
      return {
        service: entry.service,
        label: key ? serviceLabel(key) : entry.service,
        methods: [...new Set(service?.destinations.map((d) => d.forwarding) ?? [])],
        directorAddresses: Object.fromEntries((service?.destinations ?? []).map((d) => [d.address, sources.get(d.address) ?? null])),
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
   * Import ipvsadm-save text or desired-state JSON (dry run by default), under
   * the rules every other input meets: no shell metacharacters in any stored
   * string, no command health checks, and nothing dropped without a warning.
   */
  async importText(request: ImportRequest & { baseRevision: number }, caller: Caller): Promise<CommitOutcome> {
    let imported: ParsedImport;
    try {
      imported = parseImportText(request);
      const unsafe = findUnsafeStrings(imported.state);
      if (unsafe.length) {
        throw new DomainError('INVALID_INPUT', formatIssues(unsafe.slice(0, 20).map((path) => ({ path, message: UNSAFE_STRING_MESSAGE }))));
      }
    } catch (error) {
      if (error instanceof DomainError && !request.dryRun) {
        await this.audit.reject({ who: caller.name, role: caller.role, what: `import ${request.format}`, error: error.message });
      }
      throw error;
    }
    const what = `import ${imported.format} (${imported.state.services.length} services, ${request.mode})`;
    const scoped = request.mode === 'merge';
    const warnings = [...imported.warnings];
    const importedHost = imported.state.hostSettings;
    if (importedHost.length && request.mode === 'merge') {
      warnings.push(`${importedHost.length} host settings in the document were added to the desired ones (same setting: the document's value wins)`);
    }
    if (!importedHost.length && request.mode === 'replace' && imported.format === 'json') {
      warnings.push('the document has no host settings: the desired host settings stay as they are');
    }
    const outcome = await this.reconciler.commitParsed(request.baseRevision, caller, what, request.dryRun, scoped, (current) => {
      // Rule text rarely carries timeouts or sync daemons; absent means "keep what is there".
      const timeouts = imported.state.timeouts ?? current.timeouts;
      const syncDaemons = imported.state.syncDaemons.length ? imported.state.syncDaemons : current.syncDaemons;
      if (request.mode === 'replace') {
        // A document with host settings brings them; rule text has none and keeps the desired ones.
        return { ...imported.state, hostSettings: importedHost.length ? importedHost : current.hostSettings, timeouts, syncDaemons };
      }
      const incoming = new Set(imported.state.services.map((s) => serviceId(s.key)));
      return {
        ...current,
        services: [...current.services.filter((s) => !incoming.has(serviceId(s.key))), ...imported.state.services],
        hostSettings: mergeHostSettings([...importedHost, ...current.hostSettings]),
        timeouts,
        syncDaemons,
      };
    });
    return { ...outcome, warnings: [...outcome.warnings, ...warnings] };
  }

  private requireSim(): SimPort {
    if (!this.sim) throw new DomainError('UNSUPPORTED', 'traffic controls exist only with the simulated kernel (--backend sim)');
    return this.sim;
  }

  /** A stale revision is a conflict, audited like every refused change. */
  private async checkRevision(baseRevision: number, caller: Caller, what: string): Promise<void> {
    if (baseRevision === this.store.revision) return;
    const message = `the desired state changed since revision ${baseRevision} (it is now revision ${this.store.revision}); reload and try again`;
    await this.audit.reject({ who: caller.name, role: caller.role, what, error: message });
    throw new DomainError('CONFLICT', message);
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
    await this.checkRevision(baseRevision, caller, 'set simulated traffic');
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
    await this.checkRevision(baseRevision, caller, `${request.failed ? 'fail' : 'recover'} simulated real server ${destinationId(request.destination)}`);
    sim.failDestination(serviceId(request.service), destinationId(request.destination), request.failed);
    await this.audit.append({
      who: caller.name,
      role: caller.role,
      what: `${request.failed ? 'fail' : 'recover'} simulated real server ${destinationId(request.destination)} in ${serviceLabel(request.service)}`,
      result: 'ok',
    });
    return this.simStatus();
  }
}
