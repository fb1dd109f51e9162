// Composition: choose the backend, open the state directory, start the
// reconciler, the sampler, the drift timer and the HTTP server. Starting or
// stopping never flushes the kernel's table.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProxyUserTrust, type ProxyUserOptions } from './auth/proxy-user';
import { CONSOLE_URL_FILE } from './cli/login-link';
import { writeFileAtomic } from './store/atomic-file';
import type { AddressInfo } from 'node:net';
import { describedText, emptyState, isMessageId, nestedParams, serviceId, type DesiredState } from '@lvs-console/shared';
import { directorRequirements } from '@lvs-console/shared/host';
import { syncDaemonsFor } from '@lvs-console/shared/ha';
import { RealServerRegistry } from './realservers/registry';
import { AuthService } from './auth/auth-service';
import { loginLinkUrl } from './auth/login-codes';
import { LoginThrottle } from './auth/login-throttle';
import { RefusalCounter } from './auth/refusals';
import { appRouter } from './trpc/router';
import { chooseBackend, type BackendChoice, type BackendRequest } from './config/backend-choice';
import { systemClock, type Clock } from './config/clock';
import { isLoopback, parseListen, urlHost, type ListenAddress } from './config/paths';
import { createAgentServer } from './http/http-server';
import { HealthManager } from './health/manager';
import type { KernelBackend } from './kernel/backend';
import { DEMO_TRAFFIC, loadDemo } from './kernel/demo';
import type { SimBackend } from './kernel/sim';
import { createLogger, type Logger } from './log';
import { AgentMetrics } from './reconcile/agent-metrics';
import { AGENT_VERSION, type Agent } from './trpc/agent';
import { EventBus } from './reconcile/events';
import type { HostPort } from './reconcile/ports';
import { driftTicker } from './reconcile/drift-ticker';
import { Reconciler, type DriftMode, type StartOutcome } from './reconcile/reconciler';
import { StatsSampler } from './stats/sampler';
import { openStatsHistory } from './stats/stats-history';
import { DEFAULT_STATS_HISTORY_HOURS } from './config/stats-history';
import { AuditLog } from './store/audit-log';
import { lockStateDir, type DirLock } from './store/dir-lock';
import { StateStore } from './store/state-store';
import { ClusterService, newestFromPeers, stateDigest } from './cluster/cluster';
import { loadClusterConfig, type ClusterFlags } from './cluster/config';
import { SimVrrpEngine, type VrrpEngine } from './ha/vrrp';
import { createKeepalivedEngine } from './ha/keepalived';
import { VipMonitor } from './ha/vip-monitor';
import { pairHostIssues } from './ha/pair-host';
import { hostname } from 'node:os';
import { NotificationService } from './alerts/service';
import { loadNotifyCommands } from './alerts/targets';
import { systemTimers, type HealthTimers } from './health/timers';

export interface ServeOptions {
  listen: string;
  backend: BackendRequest;
  stateDir: string;
  demo: boolean;
  seed?: number | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  driftMode: DriftMode;
  webDir: string | null;
  adminToken?: string | undefined;
  viewerToken?: string | undefined;
  realserverToken?: string | undefined;
  /** Report interval assumed for real servers that do not say theirs (default 30 s). */
  realServerIntervalSeconds?: number;
  /** Seconds between drift checks (default 5). */
  driftIntervalMs?: number;
  /** Counter sampling period (default 1 s). */
  sampleIntervalMs?: number;
  /** Hours of 10 s averages kept behind the 1 s window, in memory and on disk (default 24; 0: none, nothing on disk). */
  statsHistoryHours?: number;
  maxBodyBytes?: number;
  clock?: Clock;
  log?: Logger;
  /** Tests: a ready backend instead of choosing one. */
  backendOverride?: { backend: KernelBackend; sim: SimBackend | null; choice: BackendChoice; host?: HostPort | null };
  host?: HostPort | null;
  /** Start the sim's own timer and the agent's periodic work (off in tests that drive time by hand). */
  timers?: boolean;
  /** Cluster membership from flags; `cluster.json` in the state directory is read too. */
  cluster?: ClusterFlags;
  /** VRRP for a pair: keepalived (default with the real kernel), sim (default with the simulated one), or off. */
  vrrp?: 'auto' | 'keepalived' | 'sim' | 'off';
  /** Tests: the notifier's time and timers (grouping waits, retry back-off). */
  notifyTimers?: HealthTimers;
  /** --trust-proxy-user HEADER with --trusted-proxy ADDR: an SSO proxy names the person. */
  trustProxyUser?: ProxyUserOptions;
}

export interface RunningAgent {
  agent: Agent;
  url: string;
  loginUrl: string;
  start: StartOutcome;
  banner: string[];
  close(): Promise<void>;
}

export async function startAgent(options: ServeOptions): Promise<RunningAgent> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger();
  const timers = options.timers ?? true;
  const listen = parseListen(options.listen);
  const tls = options.tlsCert && options.tlsKey ? { cert: await readFile(options.tlsCert), key: await readFile(options.tlsKey) } : null;
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new Error('--tls-cert and --tls-key go together');
  }

  await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  const dirLock = await lockStateDir(options.stateDir, 'lvs-console serve');
  try {
    return await startLocked(options, { clock, log, timers, listen, tls, dirLock });
  } catch (error) {
    await dirLock.release();
    throw error;
  }
}

async function startLocked(
  options: ServeOptions,
  {
    clock,
    log,
    timers,
    listen,
    tls,
    dirLock,
  }: {
    clock: Clock;
    log: Logger;
    timers: boolean;
    listen: ListenAddress;
    tls: { cert: Buffer; key: Buffer } | null;
    dirLock: DirLock;
  },
): Promise<RunningAgent> {
  // A demo sim starts half a minute in the past so the first look already shows traffic.
  const chosen =
    options.backendOverride ??
    (await chooseBackend(options.backend, { clock, seed: options.seed, demo: options.demo, ...(options.demo ? { startAt: clock.now() - 30_000 } : {}) }));
  const host = options.host ?? chosen.host ?? null;
  const notes: string[] = [];
  const note = (text: string) => {
    notes.push(text);
    log.warn(text);
  };
  const store = await StateStore.open(options.stateDir, clock, note);
  const audit = await AuditLog.open(`${options.stateDir}/audit.log`, clock);
  await auditUnauditedRevisions(store, audit, note);

  if (chosen.sim) {
    if (options.demo) {
      if (!store.current()) {
        await loadDemo(chosen.sim);
        chosen.sim.advanceTo(clock.now());
        notes.push('demo cluster loaded into the simulated kernel');
      } else {
        // The desired state is restored into the (empty) sim below; give it traffic to show.
        chosen.sim.setTraffic(DEMO_TRAFFIC);
        chosen.sim.advanceTo(clock.now());
        notes.push('demo traffic on; the desired state from the state directory is restored into the simulated kernel');
      }
    }
    if (timers) chosen.sim.start();
  } else if (options.demo) {
    notes.push('--demo ignored: the real kernel is never loaded with a demo cluster');
  }

  const events = new EventBus();
  const metrics = new AgentMetrics();
  // Health checks decide the effective weights; the reconciler applies the effective table.
  let cluster: ClusterService | null = null;
  const vips = new VipMonitor({ desired: () => store.current()?.state ?? null, host, cluster: () => cluster });
  const health = new HealthManager({
    logger: log,
    serviceBlocker: (id) => vips.blockerFor(id),
    observe: () => chosen.backend.observe(),
    ...(chosen.sim ? { simulatedDefaultProbe: chosen.sim } : {}),
    // Automatic removal of a drained real server, as a normal audited change.
    submitEdit: async (edit, author) => {
      await reconciler.commitParsed(store.revision, { name: author, role: 'admin' }, describedText('auditRemoveDrained'), false, true, edit);
    },
  });
  const clusterConfig = await loadClusterConfig(options.stateDir, options.cluster ?? {});
  // A pair's VIPs move with VRRP: keepalived beside the real kernel, an election among live peers beside the sim.
  const vrrpKind = options.vrrp === undefined || options.vrrp === 'auto' ? (chosen.sim ? 'sim' : 'keepalived') : options.vrrp;
  let vrrp: VrrpEngine | null = null;
  if (clusterConfig && vrrpKind === 'sim') {
    const sim = new SimVrrpEngine(clusterConfig.self, clock, () => cluster?.simPeers() ?? []);
    vrrp = sim;
    // Simulated clients follow the simulated VIPs: traffic arrives only at the MASTER.
    chosen.sim?.setVipFilter((vip) => sim.status().some((s) => s.state === 'MASTER' && s.addresses.includes(vip)));
  } else if (clusterConfig && vrrpKind === 'keepalived') {
    vrrp = await createKeepalivedEngine({ self: clusterConfig.self, dir: `${options.stateDir}/keepalived`, clock, log });
  }
  const reconciler = new Reconciler({
    backend: chosen.backend,
    store,
    audit,
    events,
    clock,
    log,
    metrics,
    driftMode: options.driftMode,
    host,
    ...(clusterConfig ? { checkHost: (current: DesiredState, next: DesiredState) => pairHostIssues(host, clusterConfig.self, current, next) } : {}),
    effective: (desired) => {
      const table = health.effectiveTable(desired);
      // The sync daemon follows this director's VRRP role (master on the MASTER).
      return desired.ha?.sync && vrrp ? { ...table, syncDaemons: syncDaemonsFor(desired.ha, new Map(vrrp.status().map((s) => [s.instance, s.state]))) } : table;
    },
  });
  const syncHealth = () => health.setDesired(store.current()?.state ?? emptyState());
  const configureVrrp = () => {
    vrrp?.configure(store.current()?.state ?? emptyState()).catch((error: unknown) => log.error({ err: error }, 'configuring VRRP failed'));
  };
  // A member that was away (or is new) starts from the cluster's newest revision.
  // Without a state of its own it waits up to 30 s for a busy peer rather than adopting its (often empty) kernel table.
  const atStart = clusterConfig ? await newestFromPeers(clusterConfig, log, store.current() ? 2000 : 30_000) : null;
  const caughtUp = atStart?.newest ?? null;
  if (caughtUp && !store.current()) {
    await store.saveReplicated(caughtUp.stored);
    notes.push(`took revision ${caughtUp.stored.revision} from ${caughtUp.from} (this director had no desired state)`);
  } else if (atStart?.unanswered.length && !store.current()) {
    notes.push(`no peer gave a desired state at start (${atStart.unanswered.join('; ')}); this director takes the newest revision when a peer answers`);
  }
  syncHealth();
  if (vrrp) await vrrp.configure(store.current()?.state ?? emptyState()).catch((error: unknown) => log.error({ err: error }, 'configuring VRRP failed'));
  const startOutcome = await reconciler.start();
  if (caughtUp && caughtUp.stored.revision > store.revision) {
    const answer = await reconciler.receiveReplicated(caughtUp.stored, caughtUp.from, stateDigest);
    notes.push(`caught up with ${caughtUp.from}: ${answer.message}`);
  }
  syncHealth();
  const stopRevisionListener = events.subscribe((event) => {
    if (event.type !== 'revision') return;
    syncHealth();
    configureVrrp();
  });
  const stopVrrpListener =
    vrrp?.onChange(() => {
      const state =
        vrrp
          ?.status()
          .map((s) => `${s.instance}=${s.state}`)
          .join(' ') ?? '';
      log.info({ vrrp: state }, `VRRP: ${state}`);
      if (store.current()?.state.ha?.sync)
        reconciler.applySyncRole().catch((error: unknown) => log.warn({ err: error }, 'the sync daemon did not follow the VRRP role'));
    }) ?? (() => undefined);
  if (clusterConfig) {
    cluster = new ClusterService({
      config: clusterConfig,
      reconciler,
      store,
      audit,
      clock,
      log,
      vrrp,
      agentVersion: AGENT_VERSION,
      observedSyncDaemons: () => reconciler.latestObservation()?.table.syncDaemons ?? [],
    });
    const sim = vrrp instanceof SimVrrpEngine ? vrrp : null;
    cluster.afterPoll = () => {
      sim?.elect();
      notifications.notifier.check();
      void vips.refresh().catch((error: unknown) => log.warn({ err: error }, 'checking the VIPs failed'));
    };
    reconciler.setReplication(cluster);
  }
  const stopHealthListener = health.onChange(() => {
    reconciler.applyHealth().catch((error: unknown) => log.warn({ err: error }, 'applying health-driven changes failed'));
  });
  log.info({ outcome: startOutcome.kind, revision: store.revision }, startOutcome.message);

  // The 10 s history (24 h unless --stats-history says otherwise), read back from the state directory.
  const { store: statsStore, archive: statsArchive } = openStatsHistory(
    options.stateDir,
    options.statsHistoryHours ?? DEFAULT_STATS_HISTORY_HOURS,
    clock.now(),
    log,
  );
  const sampler = new StatsSampler({
    backend: chosen.backend,
    store: statsStore,
    clock,
    log,
    ...(options.sampleIntervalMs !== undefined ? { intervalMs: options.sampleIntervalMs } : {}),
    onObservation: (table, time) => reconciler.noteObservation(table, time),
    onDuration: (seconds, destinationReads) => {
      metrics.samplerLastDurationSeconds = seconds;
      metrics.sampleDestinationReads += destinationReads;
    },
    yieldTo: () => reconciler.commitPending,
    onSkip: () => {
      metrics.samplesSkipped++;
    },
  });
  reconciler.onApplied((serviceIds, at) => sampler.noteApplied(serviceIds, at));
  const auth = await AuthService.open({
    stateDir: options.stateDir,
    clock,
    adminToken: options.adminToken,
    viewerToken: options.viewerToken,
    realserverToken: options.realserverToken,
  });

  const scheme = tls ? 'https' : 'http';
  const startedAt = clock.now();
  const settings = { stateDir: options.stateDir, driftMode: options.driftMode, listenUrl: '', tls: tls !== null, demo: options.demo, startedAt };
  const refusals = new RefusalCounter(audit, clock, new Set(Object.keys(appRouter._def.procedures)));
  // Notifications: what changed since the last look, on every trigger that may have changed it.
  const notifications = await NotificationService.open({
    stateDir: options.stateDir,
    timers: options.notifyTimers ?? systemTimers,
    audit,
    logger: log,
    inputs: {
      health: () => health.figures(),
      drift: () => reconciler.drift(),
      vrrp: () =>
        cluster
          ? cluster
              .members()
              .flatMap((m) => (m.status?.vrrp ?? []).map((v) => ({ director: m.name, instance: v.instance, state: m.stale ? 'UNKNOWN' : v.state })))
          : (vrrp?.status() ?? []).map((v) => ({ director: hostname(), instance: v.instance, state: v.state })),
    },
    source: () => ({ director: clusterConfig?.self ?? hostname(), cluster: clusterConfig?.name ?? null, consoleUrl: settings.listenUrl }),
    commands: await loadNotifyCommands(options.stateDir, process.getuid?.() === 0),
  });
  notifications.notifier.start();
  const stopNotifyEvents = events.subscribe((event) => notifications.noteAgentEvent(event));
  const stopNotifyHealth = health.onChange(() => notifications.notifier.check());
  const stopNotifyVrrp = vrrp?.onChange(() => notifications.notifier.check()) ?? (() => undefined);

  const agent: Agent = {
    settings,
    clock,
    backend: chosen.backend,
    backendChoice: chosen.choice,
    store,
    audit,
    reconciler,
    stats: sampler,
    events,
    auth,
    metrics,
    refusals,
    loginThrottle: new LoginThrottle(clock),
    host,
    sim: chosen.sim,
    health,
    realServers: new RealServerRegistry(clock, options.realServerIntervalSeconds),
    cluster,
    vips,
    notifications,
    // The VIP rows come with the director's VIP interface (single director); a pair's VIPs are keepalived's.
    requirementsOf: (desired) =>
      desired.services.map((service) => ({
        service: serviceId(service.key),
        settings: directorRequirements(service, desired.vipInterface !== undefined && !desired.ha ? { vipInterface: desired.vipInterface } : {}),
      })),
  };

  const proxyUsers = options.trustProxyUser ? new ProxyUserTrust(options.trustProxyUser) : null;
  const server = createAgentServer({
    agent,
    log,
    webDir: options.webDir,
    tls,
    proxyUsers,
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await chosen.backend.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `cannot listen on ${options.listen}: the address is in use (another agent running?); choose another with --listen`
        : `cannot listen on ${options.listen}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const port = (server.address() as AddressInfo).port;
  const url = `${scheme}://${urlHost(listen.host)}:${port}`;
  settings.listenUrl = url;
  // `lvs-console login-link` prints links with this address.
  await writeFileAtomic(join(options.stateDir, CONSOLE_URL_FILE), `${url}\n`, { mode: 0o600, durable: false });
  const loginUrl = loginLinkUrl(url, await auth.createLoginCode());

  await sampler.sampleOnce();
  let driftTimer: NodeJS.Timeout | null = null;
  let vipTimer: NodeJS.Timeout | null = null;
  await vips.refresh().catch((error: unknown) => log.warn({ err: error }, 'checking the VIPs failed'));
  if (timers) {
    sampler.start();
    refusals.start();
    const driftTick = driftTicker(
      reconciler,
      () => sampler.lastSample(),
      (error) => log.warn({ err: error }, 'drift check failed'),
    );
    driftTimer = setInterval(() => void driftTick(), options.driftIntervalMs ?? 5000);
    driftTimer.unref();
    cluster?.start();
    vipTimer = setInterval(() => void vips.refresh().catch((error: unknown) => log.warn({ err: error }, 'checking the VIPs failed')), 2000);
    vipTimer.unref();
  }

  const banner = [
    `LVS Console ${agentVersionLine()}`,
    `backend:  ${chosen.choice.label} (${chosen.choice.reason})`,
    `state:    ${options.stateDir} (revision ${store.revision}; ${startOutcome.message})`,
    `tokens:   ${auth.tokenSource}`,
    `drift:    ${options.driftMode}`,
    ...(clusterConfig
      ? [`cluster:  ${clusterConfig.name}, this director is "${clusterConfig.self}"; peers ${clusterConfig.peers.map((p) => `${p.name} ${p.url}`).join(', ')}`]
      : []),
    ...(vrrp ? [`vrrp:     ${vrrp.kind}${vrrp.problem ? ` — ${vrrp.problem}` : ''}`] : []),
    ...notes.map((note) => `note:     ${note}`),
    `listening on ${url}`,
    `open the console: ${loginUrl}`,
    `real servers (DR/TUN) report with: lvs-console serve --role realserver --mode dr --vip VIP --address RIP --report-to ${url} --report-token <the realserver token, ${auth.tokenSource}>`,
  ];
  if (!tls && !isLoopback(listen.host)) {
    banner.push(
      `WARNING: listening on ${listen.host} without TLS: tokens and changes cross the network in clear text; use --tls-cert/--tls-key or listen on 127.0.0.1`,
    );
  }

  let closed = false;
  return {
    agent,
    url,
    loginUrl,
    start: startOutcome,
    banner,
    async close() {
      if (closed) return;
      closed = true;
      if (driftTimer) clearInterval(driftTimer);
      if (vipTimer) clearInterval(vipTimer);
      cluster?.stop();
      stopVrrpListener();
      await vrrp?.close();
      sampler.stop();
      statsStore.flush();
      statsArchive?.close();
      stopRevisionListener();
      stopHealthListener();
      stopNotifyEvents();
      stopNotifyHealth();
      stopNotifyVrrp();
      await notifications.stop();
      await health.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await refusals.stop();
      await audit.flushed();
      await auth.sessions.flushed();
      // Stopping the agent leaves the kernel's table exactly as it is.
      await chosen.backend.close();
      await dirLock.release();
    },
  };
}

/**
 * A crash between saving a revision and appending its audit line leaves a
 * change without a line: write it now, from the revision file, saying so.
 */
async function auditUnauditedRevisions(store: StateStore, audit: AuditLog, note: (text: string) => void): Promise<void> {
  const missing = store
    .revisions()
    .filter((summary) => summary.revision > audit.lastAuditedRevision)
    .reverse();
  for (const summary of missing) {
    await audit.append({
      who: summary.who,
      role: 'admin',
      what: describedText(
        'auditWrittenAtStart',
        nestedParams('what', {
          message: summary.what,
          ...(isMessageId(summary.whatId) ? { messageId: summary.whatId, params: summary.whatParams ?? {} } : {}),
        }),
      ),
      result: 'ok',
      revision: summary.revision,
    });
  }
  if (missing.length) note(`wrote the missing audit lines of revisions ${missing.map((s) => s.revision).join(', ')}`);
}

function agentVersionLine(): string {
  return `agent ${AGENT_VERSION} (node ${process.version})`;
}
