// `lvs-console ipvsadm -A -t ... | -L -n | -S -n | -Z | ...`: ipvsadm's own
// options, sent to the running agent through its API, so every change is
// validated, audited, undoable and never shows as drift. Listings are
// printed byte for byte as ipvsadm prints them for the same table. The
// token comes from the environment (LVS_CONSOLE_TOKEN) or the agent's state
// directory (tokens.json), and travels in a header, never in a URL.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DomainError, configOfService, serviceLabel, type ConnectionEntry, type KernelInfo, type ObservedTable, type ServiceKey } from '@lvs-console/shared';
import type { ImportOutcome } from '@lvs-console/shared/api';
import {
  formatConnectionListing,
  formatDaemonListing,
  formatIpvsadmListing,
  formatTimeoutListing,
  readPaste,
  renderRules,
  scanTokens,
  type ListingMode,
} from '@lvs-console/shared/ipvsadm';
import type { CliIo } from './io';
import { defaultStateDir } from '../config/paths';

export const IPVSADM_CLIENT_HELP = `usage: lvs-console ipvsadm <ipvsadm options> [--dry-run] [--yes] [--url URL]

Runs an ipvsadm command through the running agent (default URL
http://127.0.0.1:8080, or LVS_CONSOLE_URL): the change is validated, audited,
undoable and never shows as drift. The same options as ipvsadm:
  -A -E -D -a -e -d -C -R (rules on stdin) -Z  --set  --start-daemon --stop-daemon
  -L/-l with -n --stats --rate --exact --thresholds --persistent-conn --timeout
  -L -n -c (the connection table)  -L --daemon
  -S -n
Listings are numeric (as with -n) and print what the kernel holds, as ipvsadm
does. --dry-run prints the ipvsadm lines the agent would run and changes
nothing. A change that deletes services the command does not name (-C) needs
--yes. The admin token is read from LVS_CONSOLE_TOKEN or, on the director,
from the agent's state directory (LVS_CONSOLE_STATE_DIR, --state-dir).
`;

interface Connection {
  url: string;
  token: string;
}

const OWN_FLAGS = new Set(['--dry-run', '--yes']);
const OWN_VALUE_FLAGS = new Set(['--url', '--state-dir']);

function invalid(message: string): never {
  throw new DomainError('INVALID_INPUT', message);
}

/** Our flags out of the argv, ipvsadm's left as they are. */
function splitArgs(args: readonly string[]): { ipvsadm: string[]; flags: Set<string>; values: Map<string, string> } {
  const ipvsadm: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (OWN_FLAGS.has(arg)) flags.add(arg);
    else if (OWN_VALUE_FLAGS.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) invalid(`${name} needs a value`);
      values.set(name, value);
    } else ipvsadm.push(arg);
  }
  return { ipvsadm, flags, values };
}

async function connection(io: CliIo, values: Map<string, string>): Promise<Connection> {
  const url = (values.get('--url') ?? io.env.LVS_CONSOLE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#]+$/.test(url)) invalid(`--url must be http(s)://host:port, not "${url}"`);
  const fromEnv = io.env.LVS_CONSOLE_TOKEN ?? io.env.LVS_CONSOLE_ADMIN_TOKEN;
  if (fromEnv) return { url, token: fromEnv };
  const stateDir = resolve(io.cwd, values.get('--state-dir') ?? io.env.LVS_CONSOLE_STATE_DIR ?? defaultStateDir(io.env));
  const path = join(stateDir, 'tokens.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return invalid(`no token: set LVS_CONSOLE_TOKEN, or run this on the director as a user who can read ${path}`);
  }
  const admin = (JSON.parse(text) as { tokens?: Array<{ role: string; token: string }> }).tokens?.find((t) => t.role === 'admin');
  if (!admin) invalid(`${path} holds no admin token`);
  return { url, token: admin.token };
}

interface TrpcBody<T> {
  result?: { data: T };
  error?: { message: string; data?: { domainCode?: string | null } };
}

async function call<T>(conn: Connection, path: string, input: unknown, kind: 'query' | 'mutation'): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${conn.token}` };
  let response: Response;
  try {
    response =
      kind === 'query'
        ? await fetch(`${conn.url}/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`, { headers })
        : await fetch(`${conn.url}/trpc/${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(input) });
  } catch (error) {
    throw new DomainError('UNAVAILABLE', `cannot reach the agent at ${conn.url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = (await response.json()) as TrpcBody<T>;
  if (body.result) return body.result.data;
  const code = body.error?.data?.domainCode;
  throw new DomainError(
    code === 'INVALID_INPUT' || code === 'CONFLICT' ? code : 'KERNEL_ERROR',
    body.error?.message ?? `the agent answered HTTP ${response.status}`,
  );
}

interface Snapshot {
  revision: number;
  observed: ObservedTable | null;
}

async function observedTable(conn: Connection): Promise<{ table: ObservedTable; revision: number }> {
  const snapshot = await call<Snapshot>(conn, 'state.get', undefined, 'query');
  if (!snapshot.observed) throw new DomainError('UNAVAILABLE', 'the agent has not observed the kernel yet; try again in a moment');
  return { table: snapshot.observed, revision: snapshot.revision };
}

function sameKey(a: ServiceKey, b: ServiceKey): boolean {
  return serviceLabel(a) === serviceLabel(b);
}

/** The ipvsadm command line as the paste reader reads it. */
function commandText(args: readonly string[]): string {
  return `ipvsadm ${args.join(' ')}`;
}

export async function ipvsadmClient(args: readonly string[], io: CliIo): Promise<number> {
  const { ipvsadm, flags, values } = splitArgs(args);
  const scanned = scanTokens(ipvsadm);
  if (!scanned.ok) invalid(`${scanned.message}\n\n${IPVSADM_CLIENT_HELP}`);
  const { line } = scanned;
  if (line.command === 'help') {
    io.stdout(IPVSADM_CLIENT_HELP);
    return 0;
  }
  const conn = await connection(io, values);

  if (line.command === 'list') return list(conn, ipvsadm, line.options.some(isServiceOption), io);
  if (line.command === 'save') {
    const { table } = await observedTable(conn);
    io.stdout(renderRules({ services: table.services.map(configOfService) }));
    return 0;
  }
  if (line.command === 'zero') {
    const service = line.options.some(isServiceOption) ? serviceKeyOf(ipvsadm) : undefined;
    if (flags.has('--dry-run')) {
      io.stdout(`${commandText(ipvsadm)}\n`);
      return 0;
    }
    await call(conn, 'services.zeroCounters', service ? { service } : {}, 'mutation');
    return 0;
  }
  if (line.command === 'version') {
    io.stdout("lvs-console ipvsadm: the agent's API, with ipvsadm v1.31 options\n");
    return 0;
  }
  // Changes: one import of this command (or of -R's stdin) on the live table.
  const text = line.command === 'restore' ? await io.readStdin() : commandText(ipvsadm);
  const { revision } = await observedTable(conn);
  const dryRun = flags.has('--dry-run');
  const outcome = await call<ImportOutcome>(
    conn,
    'state.import',
    {
      baseRevision: revision,
      text,
      format: 'ipvsadm',
      mode: 'merge',
      dryRun,
      confirmDeletes: flags.has('--yes'),
    },
    'mutation',
  ).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'CONFLICT' && /confirm the deletion/.test(error.message)) {
      invalid(`${error.message.replace(/; confirm the deletion.*$/, '')}: add --yes to go ahead`);
    }
    throw error;
  });
  if (dryRun) {
    const deletes = outcome.import.replaces ? outcome.import.deletes : [];
    if (deletes.length) io.stderr(`this deletes ${deletes.length} service${deletes.length === 1 ? '' : 's'}: ${deletes.join(', ')} (needs --yes)\n`);
    io.stdout(outcome.lines.length ? `${outcome.lines.join('\n')}\n` : '');
    return 0;
  }
  const failed = outcome.results.filter((r) => !r.ok);
  for (const result of failed) io.stderr(`${result.error ?? 'the kernel refused a change'}\n`);
  return failed.length ? 1 : 0;
}

function isServiceOption(option: { variant: string | undefined } | undefined): boolean {
  return option?.variant !== undefined && ['tcp', 'udp', 'sctp', 'fwmark'].includes(option.variant);
}

/** -L/-l: the observed table printed as ipvsadm prints it (numeric). */
async function list(conn: Connection, args: readonly string[], oneService: boolean, io: CliIo): Promise<number> {
  const has = (name: string) => args.includes(name);
  if (args.some((a) => /^-[a-zA-Z]*c/.test(a) && !a.startsWith('--')) || has('--connection')) {
    io.stdout(formatConnectionListing(await allConnections(conn)));
    return 0;
  }
  const { table } = await observedTable(conn);
  if (has('--daemon')) {
    io.stdout(formatDaemonListing(table.syncDaemons));
    return 0;
  }
  if (has('--timeout')) {
    io.stdout(formatTimeoutListing(table.timeouts));
    return 0;
  }
  const info = await call<{ kernel?: KernelInfo }>(conn, 'system.info', undefined, 'query');
  const mode: ListingMode = has('--stats')
    ? 'stats'
    : has('--rate')
      ? 'rate'
      : has('--thresholds')
        ? 'thresholds'
        : has('--persistent-conn')
          ? 'persistent-conn'
          : 'plain';
  let services = table.services;
  if (oneService) {
    const key = serviceKeyOf(args);
    services = services.filter((s) => sameKey(s.key, key));
    if (services.length === 0) throw new DomainError('NOT_FOUND', 'No such service');
  }
  io.stdout(formatIpvsadmListing({ services }, { mode, exact: has('--exact') || has('-X'), info: info.kernel ?? null }));
  return 0;
}

/** Most connections -c lists: the agent pages them 1,000 at a time. */
const MAX_LISTED_CONNECTIONS = 1_000_000;

/** The kernel's whole connection table, templates included, in its order (as ipvsadm -Lcn reads /proc/net/ip_vs_conn). */
async function allConnections(conn: Connection): Promise<ConnectionEntry[]> {
  const entries: ConnectionEntry[] = [];
  for (;;) {
    const page = await call<{ entries: ConnectionEntry[]; matched: number }>(
      conn,
      'connections.list',
      { limit: 1000, offset: entries.length, includeTemplates: true },
      'query',
    );
    entries.push(...page.entries);
    if (page.entries.length === 0 || entries.length >= page.matched) return entries;
    if (entries.length >= MAX_LISTED_CONNECTIONS) {
      throw new DomainError('INVALID_INPUT', `more than ${MAX_LISTED_CONNECTIONS} connections: run ipvsadm -Lcn on the director`);
    }
  }
}

/** The -t/-u/--sctp-service/-f service of an argv, through the paste reader's own rules. */
function serviceKeyOf(args: readonly string[]): ServiceKey {
  const parsed = readServiceKey(args);
  if (!parsed) invalid('a service (-t, -u, --sctp-service or -f) is needed');
  return parsed;
}

function readServiceKey(args: readonly string[]): ServiceKey | null {
  // An -A of the service on an empty table yields its key, with ipvsadm's parsing and messages.
  const service: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (['-t', '-u', '-f', '--tcp-service', '--udp-service', '--sctp-service', '--fwmark-service'].includes(arg)) service.push(arg, args[i + 1] ?? '');
    if (arg === '-6') service.push(arg);
  }
  if (service.length === 0) return null;
  const read = readPaste(`ipvsadm -A ${service.join(' ')} -p`);
  if (!read.ok) invalid(read.errors.map((e) => e.message).join('; '));
  return read.state.services[0]?.key ?? null;
}
