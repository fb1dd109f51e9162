// `lvs-console serve`: the agent (director role), a simulated pair, or the
// real-server role.
import { resolve } from 'node:path';
import { BACKEND_REQUESTS, type BackendRequest } from '../config/backend-choice';
import { defaultStateDir, defaultWebDir } from '../config/paths';
import { MAX_STATS_HISTORY_HOURS } from '../config/stats-history';
import { createLogger } from '../log';
import type { DriftMode } from '../reconcile/reconciler';
import type { ServeOptions } from '../server';
import { integer, oneOf, parse, UsageError, waitForSignal, type CliIo } from './io';
import { serveRealServer } from './serve-realserver';

export const SERVE_HELP = `usage: lvs-console serve [options]

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
  --stats-history HOURS     hours of 10 s counter history kept behind the 1 s
                            window, in memory and in the state directory
                            (0-24, default 24; about 11 MB an hour at 1,000
                            real servers; 0 keeps none and removes old files)
  --trust-proxy-user HEADER  a single-sign-on proxy in front names the person
                            in this header (e.g. X-Forwarded-User); believed
                            only from loopback and --trusted-proxy addresses,
                            only for people of users.json (lvs-console user add)
  --trusted-proxy ADDR[/BITS]  a proxy address or block (repeat per proxy)

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
`;

export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
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
      'stats-history': { type: 'string' },
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
      'trust-proxy-user': { type: 'string' },
      'trusted-proxy': { type: 'string', multiple: true },
    },
    false,
  );
  void positionals;
  if (values.help) {
    io.stdout(SERVE_HELP);
    return 0;
  }
  const role = oneOf(values.role, ['director', 'realserver'] as const, '--role', 'director');
  if (role === 'realserver') return serveRealServer(values, io);
  const driftMode = oneOf<DriftMode>(values.drift, ['report', 'revert'], '--drift', 'report');
  const backend = oneOf<BackendRequest>(values.backend, BACKEND_REQUESTS, '--backend', 'auto');
  const logLevel = oneOf(values['log-level'], ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, '--log-level', 'info');
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const seed = integer(values.seed, '--seed');
  const statsHistoryHours = integer(values['stats-history'], '--stats-history');
  if (statsHistoryHours !== undefined && (statsHistoryHours < 0 || statsHistoryHours > MAX_STATS_HISTORY_HOURS)) {
    throw new UsageError(`--stats-history takes whole hours from 0 to ${MAX_STATS_HISTORY_HOURS}, not ${statsHistoryHours}`);
  }
  const vrrp = oneOf(values.vrrp, ['auto', 'keepalived', 'sim', 'off'] as const, '--vrrp', 'auto');

  const { startAgent } = await import('../server');
  const serveOptions: ServeOptions = {
    listen: values.listen ?? '127.0.0.1:8080',
    backend,
    stateDir: resolve(io.cwd, values['state-dir'] ?? io.env.LVS_CONSOLE_STATE_DIR ?? defaultStateDir(io.env)),
    demo: values.demo ?? false,
    seed,
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    driftMode,
    ...(statsHistoryHours !== undefined ? { statsHistoryHours } : {}),
    webDir: values['web-dir'] ? resolve(io.cwd, values['web-dir']) : defaultWebDir(),
    adminToken: values['admin-token'] ?? io.env.LVS_CONSOLE_ADMIN_TOKEN,
    viewerToken: values['viewer-token'] ?? io.env.LVS_CONSOLE_VIEWER_TOKEN,
    realserverToken: values['realserver-token'] ?? io.env.LVS_CONSOLE_REALSERVER_TOKEN,
    log: createLogger({ level: logLevel, destination: process.stderr }),
    cluster: {
      name: values.cluster,
      self: values.node,
      peers: values.peer,
      tokenFile: values['cluster-token-file'] ? resolve(io.cwd, values['cluster-token-file']) : undefined,
      tokenFromEnv: io.env.LVS_CONSOLE_CLUSTER_TOKEN,
    },
    vrrp,
    ...(values['trust-proxy-user'] ? { trustProxyUser: { header: values['trust-proxy-user'], proxies: values['trusted-proxy'] ?? [] } } : {}),
  };
  if (values['trusted-proxy'] && !values['trust-proxy-user']) throw new UsageError('--trusted-proxy goes with --trust-proxy-user HEADER');
  // A pair of simulated directors only where the simulated kernel would be chosen anyway.
  const simulated =
    backend === 'sim' || (backend === 'auto' && (await import('../kernel/select').then((m) => m.chooseBackend({ loadModule: false }))).kind === 'sim');
  if (values['demo-pair'] && !simulated) io.stderr('note: --demo-pair ignored: this host has real IPVS, and the real kernel is never loaded with a demo\n');
  if (values['demo-pair'] && simulated) {
    const { startDemoPair } = await import('../demo-pair');
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
