// The `lvs-console` command line. Thin: parse flags (node:util parseArgs),
// call shared or agent functions, print. Exit status 0 = done, 1 = the
// kernel or host refused, 2 = bad input or usage (message on stderr,
// nothing on stdout).
import { mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  canonicalIp,
  DomainError,
  formatEndpoint,
  formatIssues,
  parseServiceId,
  serviceId,
  type DesiredState,
  type ServiceKey,
} from '@lvs-console/shared';
import { schedServiceOf } from '@lvs-console/shared/api';
import { parseRules, type IpvsadmTarget } from '@lvs-console/shared/ipvsadm';
import { plan, renderPlan } from '@lvs-console/shared/plan';
import { predictClients, predictSequence, type PredictClient } from '@lvs-console/shared/schedulers';
import { validateState } from '@lvs-console/shared/validate';
import { BACKEND_REQUESTS, chooseBackend, type BackendRequest } from './config/backend-choice';
import { systemClock } from './config/clock';
import { defaultStateDir, defaultWebDir } from './config/paths';
import { KEEPALIVED_HELP, keepalivedCommand } from './cli/keepalived';
import { createLogger, silentLogger } from './log';
import { AgentMetrics } from './reconcile/agent-metrics';
import { EventBus } from './reconcile/events';
import type { HostPort } from './reconcile/ports';
import { LinuxHostBackend, SimHostBackend, formatRealServerRows, realServerSettings, realserverApply, realserverCheck } from './host';
import { RealServerAgent } from './realservers/agent';
import { loginLinkCommand } from './cli/login-link';
import { userCommand } from './cli/users';
import { detectFormat } from './reconcile/import-text';
import { Reconciler, type DriftMode } from './reconcile/reconciler';
import type { KernelBackend } from './kernel/backend';
import { AuditLog } from './store/audit-log';
import { lockStateDir } from './store/dir-lock';
import { StateStore } from './store/state-store';
import type { ServeOptions } from './server';
import { IPVSADM_HELP, isIpvsadmCommandLine, parsePastedText, renderStateText } from './cli/ipvsadm';
import { ipvsadmClient } from './cli/ipvsadm-client';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Resolves when `serve` should stop (default: SIGINT or SIGTERM). */
  waitForStop?: () => Promise<void>;
}

/** Bad input or usage: exit status 2, message on stderr. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const HELP: Record<string, string> = {
  main: `lvs-console: manage Linux Virtual Server (IPVS) load balancers

usage: lvs-console <command> [options]

commands:
  serve                 serve the web console and the API
  apply FILE            make a desired-state file (JSON or ipvsadm text) live once
  ipvsadm parse         ipvsadm rule text on stdin -> desired-state JSON on stdout
  ipvsadm render        desired-state JSON on stdin -> canonical ipvsadm -Sn text
  keepalived import FILE  keepalived.conf -> desired-state JSON (warnings on stderr)
  keepalived export     desired-state JSON (stdin or --from-agent) -> keepalived.conf
  plan                  show the ipvsadm lines that turn one table into another
  predict RULES         which real server each client lands on
  realserver apply|check  prepare a real server for DR or TUN
  login-link            a one-time login link (--role, --for) for the console
  user add|list|remove|passwd  people who log in with a password

Run "lvs-console <command> --help" for a command's options.
`,
  serve: `usage: lvs-console serve [options]

  --listen ADDR:PORT        where to listen (default 127.0.0.1:8080)
  --backend auto|netlink|ipvsadm|sim  kernel backend (default auto: the real
                            kernel when /proc/net/ip_vs exists, over generic
                            netlink when it offers the IPVS family, else through
                            ipvsadm; otherwise simulated)
  --state-dir DIR           desired state, revisions, audit log, tokens
                            (default /var/lib/lvs-console as root,
                            ~/.local/state/lvs-console otherwise)
  --demo                    load the demo cluster (simulated kernel only)
  --demo-pair               two simulated directors (lb1 here, lb2 on the next
                            port) as a pair with simulated VRRP
  --seed N                  random seed of the simulated traffic
  --tls-cert FILE --tls-key FILE  serve HTTPS
  --drift report|revert     on kernel changes made by hand (default report)
  --web-dir DIR             built web console (default apps/web/dist)
  --admin-token T           admin token (or LVS_CONSOLE_ADMIN_TOKEN)
  --viewer-token T          viewer token (or LVS_CONSOLE_VIEWER_TOKEN)
  --realserver-token T      token real servers report with (or
                            LVS_CONSOLE_REALSERVER_TOKEN); only realServers.report
  --log-level LEVEL         pino level (default info)

a pair (or more) of directors sharing one desired state (or cluster.json
in the state directory: {"name", "self", "token", "peers": [{"name","url"}]}):
  --cluster NAME            the cluster's name (every member uses the same)
  --node NAME               this director's name in the pair's VRRP settings
  --peer NAME=URL           another director's agent (repeat per peer)
  --cluster-token-file F    the shared cluster token (or LVS_CONSOLE_CLUSTER_TOKEN)
  --vrrp auto|keepalived|sim|off  who moves the VIPs (auto: keepalived with the
                            real kernel, a simulated election with --backend sim)

  --role director|realserver  realserver: apply the real-server settings
                            (with --mode dr|tun --vip ADDR ...) and keep them

real-server role (--role realserver):
  --mode dr|tun --vip ADDR [--vip ADDR ...] [--interface IF]
  --fix auto|on-request     auto (default): apply at start and on drift;
                            on-request: only report, apply when the console asks
  --report-to URL           the director's URL: report the settings there
  --report-token T          the director's realserver token
                            (or LVS_CONSOLE_REALSERVER_TOKEN)
  --address RIP             this server's address as the director's
                            destinations name it (needed with --report-to)
  --report-interval SECONDS  between checks and reports (default 30)
  --host-backend linux|sim  sim: an in-memory host, for demos and tests
`,
  apply: `usage: lvs-console apply FILE [--backend auto|netlink|ipvsadm|sim] [--state-dir DIR] [--dry-run]

Make FILE (desired-state JSON, or ipvsadm rule text) the desired state and
apply it to the kernel once. --dry-run prints the plan and changes nothing.
FILE "-" reads stdin.
`,
  ipvsadm: IPVSADM_HELP,
  plan: `usage: lvs-console plan --from OBSERVED --to DESIRED

Each FILE is desired-state JSON or ipvsadm rule text ("-" reads stdin).
Prints the ipvsadm lines that turn OBSERVED into DESIRED, one per line.
`,
  predict: `usage: lvs-console predict RULES --service PROTO:VIP:PORT|fwmark:N
         (--client ADDR[:PORT] ... | --clients-file F | --sequence N)

RULES is desired-state JSON or ipvsadm rule text. Prints one line per client,
"ADDR[:PORT] -> RS:PORT" (or "-> none" when no real server is available),
using the kernel scheduler models. --sequence N prints the first N picks of
a freshly created service, from client 192.0.2.1 with source ports 32768, ...
`,
  keepalived: KEEPALIVED_HELP,
  realserver: `usage: lvs-console realserver apply|check --mode dr|tun --vip ADDR [--vip ADDR ...]
                                 [--interface IFACE] [--backend linux|sim]

Prepare (apply) or verify (check) a real server for direct routing or
tunnelling: the VIP on lo (DR) or tunl0 (TUN), arp_ignore/arp_announce,
rp_filter, the ipip module. Prints one line per setting; exit status 1 when
any is not (or could not be) in place. --backend sim checks a stock
in-memory host (for trying it out).
`,
};

function formatError(error: unknown): string {
  if (error instanceof DomainError) return error.issues.length ? formatIssues(error.issues) : error.message;
  return error instanceof Error ? error.message : String(error);
}

async function readInput(path: string, io: CliIo): Promise<string> {
  if (path === '-') return io.readStdin();
  try {
    return await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : formatError(error)}`);
  }
}

/** JSON or ipvsadm text -> a validated desired state; errors as "line N: message". */
export function parseStateText(text: string, origin: 'operator' | 'kernel' = 'operator'): DesiredState {
  if (detectFormat(text) === 'json') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`not valid JSON: ${formatError(error)}`);
    }
    const validated = validateState(json);
    if (!validated.ok) throw new UsageError(formatIssues(validated.issues));
    return validated.value;
  }
  const parsed = parseRules(text, { origin });
  if (!parsed.ok) throw new UsageError(formatIssues(parsed.errors));
  const validated = validateState(parsed.state);
  if (!validated.ok) throw new UsageError(formatIssues(validated.issues));
  return validated.value;
}

function parse<T extends ParseArgsConfig['options']>(args: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(formatError(error));
  }
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be ${allowed.join(' or ')}, not "${value}"`);
  return value as T;
}

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

// ---- commands ----------------------------------------------------------------

async function ipvsadmCommand(args: string[], io: CliIo): Promise<number> {
  if (isIpvsadmCommandLine(args)) return ipvsadmClient(args, io);
  const { positionals, values } = parse(args, { ipvsadm: { type: 'string' } });
  const sub = positionals[0];
  if (values.help || sub === undefined) {
    if (sub === undefined && !values.help) throw new UsageError(`missing subcommand: parse or render\n\n${HELP.ipvsadm ?? ''}`);
    io.stdout(HELP.ipvsadm ?? '');
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1] ?? ''}"`);
  if (sub === 'parse') return parsePastedText(await io.readStdin(), io);
  if (values.ipvsadm !== undefined && sub !== 'render') throw new UsageError('--ipvsadm is an option of "ipvsadm render"');
  if (sub === 'render') return renderStateText(await io.readStdin(), io, oneOf<IpvsadmTarget>(values.ipvsadm, ['1.31', 'pre-1.31'], '--ipvsadm', '1.31'));
  throw new UsageError(`unknown subcommand "ipvsadm ${sub}": use parse or render`);
}

async function planCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { from: { type: 'string' }, to: { type: 'string' } });
  if (values.help) {
    io.stdout(HELP.plan ?? '');
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
  if (!values.from || !values.to) throw new UsageError('plan needs --from OBSERVED and --to DESIRED');
  const from = parseStateText(await readInput(values.from, io), 'kernel');
  const to = parseStateText(await readInput(values.to, io));
  const lines = renderPlan(plan(to, from));
  io.stdout(lines.length ? `${lines.join('\n')}\n` : '');
  return 0;
}

function parseClient(text: string): PredictClient {
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(text);
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(text);
  const bare6 = /^[0-9a-fA-F:]+$/.test(text) && text.includes(':') ? text : null;
  const address = v6?.[1] ?? v4?.[1] ?? bare6;
  const portText = v6?.[2] ?? v4?.[2];
  if (!address) throw new UsageError(`"${text}" is not a client ADDR[:PORT]`);
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && port > 65535) throw new UsageError(`"${text}": port must be 0..65535`);
  return port === undefined ? { address } : { address, port };
}

function clientLabel(client: PredictClient): string {
  return client.port === undefined ? client.address : formatEndpoint(client.address, client.port);
}

function parseServiceFlag(text: string): ServiceKey {
  const lower = text.toLowerCase();
  const fw = /^fwmark:(\d+)$/.exec(lower);
  const key = fw ? parseServiceId(`fwmark:${fw[1] ?? ''}`) : parseServiceId(lower);
  if (!key) throw new UsageError(`--service "${text}" is not PROTO:VIP:PORT (tcp:192.0.2.1:80) or fwmark:N`);
  return key;
}

async function predictCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    service: { type: 'string' },
    client: { type: 'string', multiple: true },
    'clients-file': { type: 'string' },
    sequence: { type: 'string' },
  });
  if (values.help) {
    io.stdout(HELP.predict ?? '');
    return 0;
  }
  const rulesPath = positionals[0];
  if (!rulesPath) throw new UsageError('predict needs a RULES file (JSON or ipvsadm text)');
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1] ?? ''}"`);
  if (!values.service) throw new UsageError('predict needs --service PROTO:VIP:PORT or fwmark:N');
  const modes = [values.client !== undefined, values['clients-file'] !== undefined, values.sequence !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError('give exactly one of --client, --clients-file or --sequence');

  const state = parseStateText(await readInput(rulesPath, io));
  const key = parseServiceFlag(values.service);
  const service = state.services.find((s) => serviceId(s.key) === serviceId(key));
  if (!service) throw new UsageError(`service ${values.service} is not in ${rulesPath}`);
  const sched = schedServiceOf(service);

  if (values.sequence !== undefined) {
    const count = integer(values.sequence, '--sequence') ?? 0;
    if (count < 1 || count > 1_000_000) throw new UsageError('--sequence must be 1..1000000');
    const client = { address: '192.0.2.1' };
    const picks = predictSequence(sched, count, { client });
    // predictSequence's synthetic client uses source ports 32768, 32769, ...
    io.stdout(picks.map((dest, i) => `${formatEndpoint(client.address, 32768 + (i % 28232))} -> ${dest ? dest.id : 'none'}`).join('\n') + '\n');
    return 0;
  }
  let clients: PredictClient[];
  if (values['clients-file'] !== undefined) {
    const text = await readInput(values['clients-file'], io);
    clients = [];
    text.split('\n').forEach((line, i) => {
      const trimmed = line.replace(/#.*/, '').trim();
      if (!trimmed) return;
      try {
        clients.push(parseClient(trimmed));
      } catch (error) {
        throw new UsageError(`line ${i + 1}: ${formatError(error)}`);
      }
    });
  } else {
    clients = (values.client ?? []).map(parseClient);
  }
  const predictions = predictClients(sched, clients);
  io.stdout(predictions.map((p) => `${clientLabel(p.client)} -> ${p.destination ? p.destination.id : 'none'}`).join('\n') + (predictions.length ? '\n' : ''));
  return 0;
}

async function applyCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    backend: { type: 'string' },
    'state-dir': { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(HELP.apply ?? '');
    return 0;
  }
  const file = positionals[0];
  if (!file) throw new UsageError('apply needs a FILE (desired-state JSON or ipvsadm text)');
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1] ?? ''}"`);
  const backendRequest = oneOf<BackendRequest>(values.backend, BACKEND_REQUESTS, '--backend', 'auto');
  const parsedFile = parseStateText(await readInput(file, io));

  const clock = systemClock;
  const chosen = await chooseBackend(backendRequest, { clock });
  try {
    io.stderr(`backend: ${chosen.choice.label} (${chosen.choice.reason})\n`);
    const observed = await chosen.backend.observe();
    // ipvsadm-save text never lists sync daemons: a file without any leaves the running ones alone.
    const desired = parsedFile.syncDaemons.length ? parsedFile : { ...parsedFile, syncDaemons: observed.syncDaemons };
    if (values['dry-run']) {
      const lines = renderPlan(plan(desired, observed));
      io.stdout(lines.length ? `${lines.join('\n')}\n` : '');
      io.stderr(lines.length ? `${lines.length} changes would run (dry run: nothing changed)\n` : 'nothing to do: the kernel already matches\n');
      return 0;
    }
    const stateDir = resolve(io.cwd, values['state-dir'] ?? io.env.LVS_CONSOLE_STATE_DIR ?? defaultStateDir(io.env));
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    // A running agent owns the state directory; two writers would overwrite each other.
    const dirLock = await lockStateDir(stateDir, 'lvs-console apply');
    try {
      return await applyLocked(stateDir, desired, chosen.backend, io, chosen.host);
    } finally {
      await dirLock.release();
    }
  } finally {
    await chosen.backend.close();
  }
}

/** Make `desired` the next revision and apply it (the caller holds the state directory's lock). */
async function applyLocked(stateDir: string, desired: DesiredState, backend: KernelBackend, io: CliIo, host: HostPort | null = null): Promise<number> {
  const clock = systemClock;
  const store = await StateStore.open(stateDir, clock);
  const audit = await AuditLog.open(`${stateDir}/audit.log`, clock);
  const reconciler = new Reconciler({
    backend, store, audit, events: new EventBus(), clock, log: silentLogger, metrics: new AgentMetrics(), driftMode: 'report', host,
    // The director's own CLI, run as root there: the one place command health checks come from.
    allowCommandChecks: true,
  });
  const caller = { name: `cli (${io.env.USER ?? 'unknown user'})`, role: 'admin' as const };
  const outcome = await reconciler.commit({
    baseRevision: store.revision,
    // A rule file says nothing about host settings: keep the ones already desired.
    edit: { op: 'replace-state', state: { ...desired, hostSettings: desired.hostSettings.length ? desired.hostSettings : store.current()?.state.hostSettings ?? [] } },
    caller,
  });
  io.stdout(outcome.lines.length ? `${outcome.lines.join('\n')}\n` : '');
  io.stderr(`${outcome.lines.length} changes applied; desired state is revision ${outcome.revision} in ${stateDir}\n`);
  // A file that lists host settings (the VIP on an interface, ip_forward,
  // modules, SNAT) asks for them too: make them live, or say which failed.
  if (host && desired.hostSettings.length) {
    const results = await reconciler.applyHostSettings(store.revision, caller);
    for (const r of results) io.stderr(`host: ${r.ok ? 'ok  ' : 'FAIL'} ${r.message}\n`);
    if (results.some((r) => !r.ok)) return 1;
  }
  return 0;
}

async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    listen: { type: 'string' },
    backend: { type: 'string' },
    'state-dir': { type: 'string' },
    demo: { type: 'boolean' },
    'demo-pair': { type: 'boolean' },
    seed: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    drift: { type: 'string' },
    'web-dir': { type: 'string' },
    'admin-token': { type: 'string' },
    'viewer-token': { type: 'string' },
    'realserver-token': { type: 'string' },
    'log-level': { type: 'string' },
    role: { type: 'string' },
    mode: { type: 'string' },
    vip: { type: 'string', multiple: true },
    interface: { type: 'string' },
    fix: { type: 'string' },
    'report-to': { type: 'string' },
    'report-token': { type: 'string' },
    address: { type: 'string' },
    'report-interval': { type: 'string' },
    'host-backend': { type: 'string' },
    cluster: { type: 'string' },
    node: { type: 'string' },
    peer: { type: 'string', multiple: true },
    'cluster-token-file': { type: 'string' },
    vrrp: { type: 'string' },
  }, false);
  void positionals;
  if (values.help) {
    io.stdout(HELP.serve ?? '');
    return 0;
  }
  const role = oneOf(values.role, ['director', 'realserver'] as const, '--role', 'director');
  if (role === 'realserver') return serveRealServer(values, io);
  const driftMode = oneOf<DriftMode>(values.drift, ['report', 'revert'], '--drift', 'report');
  const backend = oneOf<BackendRequest>(values.backend, BACKEND_REQUESTS, '--backend', 'auto');
  const logLevel = oneOf(values['log-level'], ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, '--log-level', 'info');
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const seed = integer(values.seed, '--seed');
  const vrrp = oneOf(values.vrrp, ['auto', 'keepalived', 'sim', 'off'] as const, '--vrrp', 'auto');

  const { startAgent } = await import('./server');
  const serveOptions: ServeOptions = {
    listen: values.listen ?? '127.0.0.1:8080',
    backend,
    stateDir: resolve(io.cwd, values['state-dir'] ?? io.env.LVS_CONSOLE_STATE_DIR ?? defaultStateDir(io.env)),
    demo: values.demo ?? false,
    seed,
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    driftMode,
    webDir: values['web-dir'] ? resolve(io.cwd, values['web-dir']) : defaultWebDir(),
    adminToken: values['admin-token'] ?? io.env.LVS_CONSOLE_ADMIN_TOKEN,
    viewerToken: values['viewer-token'] ?? io.env.LVS_CONSOLE_VIEWER_TOKEN,
    realserverToken: values['realserver-token'] ?? io.env.LVS_CONSOLE_REALSERVER_TOKEN,
    log: createLogger({ level: logLevel, destination: process.stderr }),
    cluster: {
      name: values.cluster, self: values.node, peers: values.peer,
      tokenFile: values['cluster-token-file'] ? resolve(io.cwd, values['cluster-token-file']) : undefined,
      tokenFromEnv: io.env.LVS_CONSOLE_CLUSTER_TOKEN,
    },
    vrrp,
  };
  // A pair of simulated directors only where the simulated kernel would be chosen anyway.
  const simulated = backend === 'sim' || (backend === 'auto' && (await import('./kernel/select').then((m) => m.chooseBackend({ loadModule: false }))).kind === 'sim');
  if (values['demo-pair'] && !simulated) io.stderr('note: --demo-pair ignored: this host has real IPVS, and the real kernel is never loaded with a demo\n');
  if (values['demo-pair'] && simulated) {
    const { startDemoPair } = await import('./demo-pair');
    const pair = await startDemoPair({ ...serveOptions, backend: 'sim' });
    io.stdout(`${pair.banner.join('\n')}\n`);
    await (io.waitForStop ?? waitForSignal)();
    await pair.close();
    return 0;
  }
  const running = await startAgent(serveOptions);
  io.stdout(`${running.banner.join('\n')}\n`);
  await (io.waitForStop ?? waitForSignal)();
  await running.close();
  return 0;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function realserverCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    mode: { type: 'string' },
    vip: { type: 'string', multiple: true },
    interface: { type: 'string' },
    backend: { type: 'string' },
  });
  if (values.help) {
    io.stdout(HELP.realserver ?? '');
    return 0;
  }
  const action = positionals[0];
  if (action !== 'apply' && action !== 'check') throw new UsageError('realserver needs "apply" or "check"');
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1] ?? ''}"`);
  if (!values.mode) throw new UsageError('realserver needs --mode dr or --mode tun');
  const mode = oneOf(values.mode, ['dr', 'tun'] as const, '--mode', 'dr');
  if (!values.vip?.length) throw new UsageError('realserver needs at least one --vip ADDR');
  const backendKind = oneOf(values.backend, ['linux', 'sim'] as const, '--backend', 'linux');
  const host = backendKind === 'sim' ? new SimHostBackend() : new LinuxHostBackend();
  const options = { mode, vips: values.vip, ...(values.interface ? { interface: values.interface } : {}) };
  // Validate first so bad input exits 2 before anything touches the host.
  realServerSettings(options);
  const result = action === 'check' ? await realserverCheck(options, host) : await realserverApply(options, host);
  io.stdout(`${formatRealServerRows(result.rows)}\n`);
  return result.passed ? 0 : 1;
}

interface RealServerServeValues {
  mode?: string | undefined; vip?: string[] | undefined; interface?: string | undefined; fix?: string | undefined;
  'report-to'?: string | undefined; 'report-token'?: string | undefined; address?: string | undefined;
  'report-interval'?: string | undefined; 'host-backend'?: string | undefined; 'log-level'?: string | undefined;
}

/**
 * serve --role realserver: keep the real-server settings (or only watch them
 * with --fix on-request) and, with --report-to, report them to the director.
 */
async function serveRealServer(values: RealServerServeValues, io: CliIo): Promise<number> {
  if (!values.mode) throw new UsageError('serve --role realserver needs --mode dr or --mode tun');
  const mode = oneOf(values.mode, ['dr', 'tun'] as const, '--mode', 'dr');
  if (!values.vip?.length) throw new UsageError('serve --role realserver needs at least one --vip ADDR');
  const options = { mode, vips: values.vip, ...(values.interface ? { interface: values.interface } : {}) };
  realServerSettings(options);
  const fix = oneOf(values.fix, ['auto', 'on-request'] as const, '--fix', 'auto');
  const hostBackend = oneOf(values['host-backend'], ['linux', 'sim'] as const, '--host-backend', 'linux');
  const interval = integer(values['report-interval'], '--report-interval') ?? 30;
  if (interval < 1 || interval > 3600) throw new UsageError('--report-interval must be 1 to 3600 seconds');
  let report: { url: string; token: string; address: string } | undefined;
  if (values['report-to']) {
    const url = parseDirectorUrl(values['report-to']);
    const token = values['report-token'] ?? io.env.LVS_CONSOLE_REALSERVER_TOKEN;
    if (!token) throw new UsageError('--report-to needs --report-token (the director\'s realserver token) or LVS_CONSOLE_REALSERVER_TOKEN');
    const address = values.address ? canonicalIp(values.address.trim()) : null;
    if (!address) throw new UsageError('--report-to needs --address RIP: this server\'s address as the director\'s destinations name it');
    report = { url, token, address };
  } else if (fix === 'on-request') {
    throw new UsageError('--fix on-request needs --report-to: only the director can ask for a fix');
  }
  const logLevel = oneOf(values['log-level'], ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, '--log-level', 'info');
  const log = createLogger({ level: logLevel, destination: process.stderr });
  const host = hostBackend === 'sim' ? new SimHostBackend() : new LinuxHostBackend();
  const agent = new RealServerAgent({ role: options, host, fix, intervalMs: interval * 1000, log, ...(report ? { report } : {}) });
  const first = await agent.start();
  io.stdout(`real server (${mode}) for ${values.vip.join(', ')}${hostBackend === 'sim' ? ' [simulated host]' : ''}:\n${formatRealServerRows(first.rows)}\n`);
  if (report) io.stdout(first.reported ? `reporting to ${report.url} as ${report.address} every ${interval} s\n` : `reporting to ${report.url} failed: ${first.error ?? 'unknown error'}; retrying every ${interval} s\n`);
  await (io.waitForStop ?? waitForSignal)();
  agent.stop();
  return first.passed || fix === 'on-request' ? 0 : 1;
}

/** http(s) URL of the director, without a path. */
function parseDirectorUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--report-to "${text}" is not a URL (e.g. https://director:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--report-to must be an http:// or https:// URL');
  return url.origin;
}

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  serve: serveCommand,
  apply: applyCommand,
  ipvsadm: ipvsadmCommand,
  plan: planCommand,
  predict: predictCommand,
  realserver: realserverCommand,
  keepalived: keepalivedCommand,
  'login-link': loginLinkCommand,
  user: userCommand,
};

/** Run the CLI; returns the exit status. Never calls process.exit (tests run it in-process). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    if (command === undefined) {
      io.stderr(HELP.main ?? '');
      return 2;
    }
    io.stdout(HELP.main ?? '');
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr(`unknown command "${command}"\n\n${HELP.main ?? ''}`);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (error) {
    const message = formatError(error);
    io.stderr(`${message.endsWith('\n') ? message : `${message}\n`}`);
    if (error instanceof UsageError) return 2;
    if (error instanceof DomainError && error.code === 'INVALID_INPUT') return 2;
    return 1;
  }
}
