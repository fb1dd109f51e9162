// schedulers.test-driver.ts - does the kernel pick what the TypeScript
// schedulers (packages/shared/src/schedulers) predict? Runs INSIDE the
// kernel-bed guest, started by schedulers.sh, after being bundled on the
// host by build-schedulers-driver.mjs (Node 20 runs no TypeScript).
//
//   node driver.mjs serve PORT   a real server: accept TCP, hold every
//                                connection open until the peer resets it
//   node driver.mjs run          the client side: apply the rules with
//                                `ipvsadm -R` in the director's namespace,
//                                make the connections, read the kernel's
//                                choices from /proc/PID/net/ip_vs_conn and
//                                compare them with the predictions
//
// `run` executes in the client namespace, which owns 198.18.0.0/16 through an
// AnyIP route (RFC 2544 benchmarking range), so one process can connect from
// thousands of distinct source addresses. The rules are parsed with the
// shared ipvsadm parser (parseRules) and turned into scheduler inputs with
// schedServiceOf, so the predictions see exactly what the kernel was told.
//
// What is compared, per scenario:
//   sequence   rr, wrr (TCP): the kernel's n-th pick == predictSequence()[n],
//              for n sequential connections from one client to a fresh service
//   clients    sh, mh: every client's real server == predictClients() (one
//              flow per client address, or per address:port with sh-port /
//              mh-port); "none" when the kernel had no destination. 10,000
//              clients per scenario over UDP (one datagram each: IPVS
//              schedules and enters the connection on the first packet, ~5x
//              faster than a TCP handshake under TCG; the hash path is the
//              same for both protocols), plus 1,000 over TCP handshakes as a
//              cross-check
//   virtuals   dh (UDP): a fwmark service reached through 10,000 VIPs; every
//              VIP's real server == the model's pick for that destination
//              address, and the per-server counts == predictShares()
//   counters   lc, wlc (TCP): n sequential connections, each established and
//              held open before the next starts; each server's share within 2
//              percentage points of predictShares(assume 'established')
//              (the pick-by-pick agreement is reported too)
//
// Environment: SCHED_LVS_NS (director netns), SCHED_CONN_PID (a process in
// it, for /proc/PID/net/ip_vs_conn), SCHED_VIP, SCHED_RS ("addr ..." of the
// real servers, listening on SCHED_RS_PORT), SCHED_CLIENTS (default 10000),
// SCHED_VARIANT_CLIENTS (weight-0/fallback/port variants, default SCHED_CLIENTS),
// SCHED_ONLY (comma list of scenario names), SCHED_SELFTEST=wrong (perturb
// one mh prediction: that check must FAIL).
//
// Output: "PASS  ..." / "FAIL  ..." per check and "# ..." notes; schedulers.sh
// counts them and prints the closing "N passed, N failed". Exit 1 on failure.
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { schedServiceOf } from '@lvs-console/shared/api';
import { parseProcConnections, parseRules } from '@lvs-console/shared/ipvsadm';
import {
  lastWeightAfterEdit,
  predictClients,
  predictSequence,
  predictShares,
  SchedulerEngine,
  type PredictClient,
  type SchedDestination,
  type SchedService,
  type SchedulerName,
} from '@lvs-console/shared/schedulers';

// ------------------------------------------------------------------ setup

const env = process.env;
const VIP = env.SCHED_VIP ?? '192.0.2.10';
const RS = (env.SCHED_RS ?? '203.0.113.11 203.0.113.12 203.0.113.13 203.0.113.14 203.0.113.15').split(/\s+/).filter(Boolean);
const RS_PORT = Number(env.SCHED_RS_PORT ?? '8080');
const CLIENTS = Number(env.SCHED_CLIENTS ?? '10000');
/** Clients of the weight-0, fallback and port variants (SCHED_VARIANT_CLIENTS; default SCHED_CLIENTS). */
const VARIANT_CLIENTS = Number(env.SCHED_VARIANT_CLIENTS ?? String(CLIENTS));
const ONLY = new Set((env.SCHED_ONLY ?? '').split(',').filter(Boolean));
const SELFTEST_WRONG = env.SCHED_SELFTEST === 'wrong';
const FWMARK = 1;
/** dh VIPs: a /16 the director owns with an AnyIP route; nft marks them FWMARK. */
const DH_VIP_BLOCK = '198.19';
const DH_VIP_PORT = 80;
const CONNECT_TIMEOUT_MS = 5000;
const PARALLEL = 128;
/** Share tolerance of the counter-driven schedulers (absolute, as a fraction). */
const SHARE_TOLERANCE = 0.02;

let passed = 0;
let failed = 0;
function pass(text: string): void {
  passed++;
  console.log(`PASS  ${text}`);
}
function fail(text: string): void {
  failed++;
  console.log(`FAIL  ${text}`);
}
function note(text: string): void {
  console.log(`# ${text}`);
}
function check(ok: boolean, text: string): void {
  if (ok) pass(text);
  else fail(text);
}

/** Client i of an address block: 198.18.<block + i/250>.<1 + i%250>. */
function clientAddress(block: number, i: number): string {
  return `198.18.${block + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

function dhVip(i: number): string {
  return `${DH_VIP_BLOCK}.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

// -------------------------------------------------------------- scenarios

interface DestSpec {
  /** Real server number, 1-based index into RS. */
  readonly rs: number;
  readonly weight: number;
}

type ScenarioKind = 'sequence' | 'clients' | 'virtuals' | 'counters';

interface Scenario {
  readonly name: string;
  readonly kind: ScenarioKind;
  readonly scheduler: SchedulerName;
  /** udp: one datagram per client (fast); tcp: a completed handshake held open. */
  readonly protocol: 'tcp' | 'udp';
  /** TCP port on VIP, or null for the dh fwmark service. */
  readonly port: number | null;
  readonly flags: readonly string[];
  /** Added with -a, in this order. */
  readonly dests: readonly DestSpec[];
  /** Applied with -e after all adds. */
  readonly edits: readonly DestSpec[];
  readonly count: number;
  /** clients: address block; 'port' scenarios use CLIENTS/10 addresses x 10 ports. */
  readonly block: number;
  readonly portsPerClient: number;
}

const W12345: readonly DestSpec[] = [1, 2, 3, 4, 5].map((w, i) => ({ rs: i + 1, weight: w }));
const ONES: readonly DestSpec[] = [1, 1, 1, 1, 1].map((w, i) => ({ rs: i + 1, weight: w }));

function scenario(partial: Partial<Scenario> & Pick<Scenario, 'name' | 'kind' | 'scheduler' | 'port' | 'dests' | 'count'>): Scenario {
  const udp = partial.kind === 'clients' || partial.kind === 'virtuals';
  return { flags: [], edits: [], block: 0, portsPerClient: 1, protocol: udp ? 'udp' : 'tcp', ...partial };
}

// Weight-0 cases: rs2 is ADDED with weight 0 (last_weight 0) and rs4 is
// EDITED to 0 after being added with 4 (last_weight stays 4): sh keeps a slot
// for both, mh keeps rs4's slots but gives rs2 none.
const W0_DESTS: readonly DestSpec[] = [
  { rs: 1, weight: 1 },
  { rs: 2, weight: 0 },
  { rs: 3, weight: 3 },
  { rs: 4, weight: 4 },
  { rs: 5, weight: 5 },
];
const W0_EDITS: readonly DestSpec[] = [{ rs: 4, weight: 0 }];

const SCENARIOS: readonly Scenario[] = [
  // UDP first (one datagram per client), then TCP (connections held open until the table is read).
  scenario({ name: 'sh', kind: 'clients', scheduler: 'sh', port: 2001, dests: W12345, count: CLIENTS }),
  scenario({ name: 'sh-weight0', kind: 'clients', scheduler: 'sh', port: 2002, dests: W0_DESTS, edits: W0_EDITS, count: VARIANT_CLIENTS }),
  scenario({
    name: 'sh-fallback-weight0',
    kind: 'clients',
    scheduler: 'sh',
    port: 2003,
    flags: ['sh-fallback'],
    dests: W0_DESTS,
    edits: W0_EDITS,
    count: VARIANT_CLIENTS,
  }),
  scenario({
    name: 'sh-port',
    kind: 'clients',
    scheduler: 'sh',
    port: 2004,
    flags: ['sh-port'],
    dests: W12345,
    count: VARIANT_CLIENTS,
    block: 100,
    portsPerClient: 10,
  }),
  scenario({ name: 'mh', kind: 'clients', scheduler: 'mh', port: 3001, dests: W12345, count: CLIENTS }),
  scenario({ name: 'mh-weight0', kind: 'clients', scheduler: 'mh', port: 3002, dests: W0_DESTS, edits: W0_EDITS, count: VARIANT_CLIENTS }),
  scenario({
    name: 'mh-fallback-weight0',
    kind: 'clients',
    scheduler: 'mh',
    port: 3003,
    flags: ['mh-fallback'],
    dests: W0_DESTS,
    edits: W0_EDITS,
    count: VARIANT_CLIENTS,
  }),
  scenario({
    name: 'mh-port',
    kind: 'clients',
    scheduler: 'mh',
    port: 3004,
    flags: ['mh-port'],
    dests: W12345,
    count: VARIANT_CLIENTS,
    block: 140,
    portsPerClient: 10,
  }),
  scenario({ name: 'dh', kind: 'virtuals', scheduler: 'dh', port: null, dests: W12345, count: CLIENTS }),
  scenario({ name: 'rr', kind: 'sequence', scheduler: 'rr', port: 1001, dests: ONES, count: 100 }),
  scenario({
    name: 'rr-weights',
    kind: 'sequence',
    scheduler: 'rr',
    port: 1002,
    dests: [
      { rs: 1, weight: 1 },
      { rs: 2, weight: 3 },
      { rs: 3, weight: 0 },
      { rs: 4, weight: 2 },
      { rs: 5, weight: 1 },
    ],
    count: 100,
  }),
  scenario({ name: 'wrr', kind: 'sequence', scheduler: 'wrr', port: 1003, dests: W12345, count: 150 }),
  scenario({
    name: 'wrr-gcd2',
    kind: 'sequence',
    scheduler: 'wrr',
    port: 1004,
    dests: [
      { rs: 1, weight: 4 },
      { rs: 2, weight: 2 },
      { rs: 3, weight: 6 },
      { rs: 4, weight: 0 },
      { rs: 5, weight: 8 },
    ],
    count: 100,
  }),
  scenario({ name: 'sh-tcp', kind: 'clients', scheduler: 'sh', protocol: 'tcp', port: 2005, dests: W12345, count: Math.ceil(CLIENTS / 10), block: 160 }),
  scenario({ name: 'mh-tcp', kind: 'clients', scheduler: 'mh', protocol: 'tcp', port: 3005, dests: W12345, count: Math.ceil(CLIENTS / 10), block: 170 }),
  scenario({
    name: 'lc',
    kind: 'counters',
    scheduler: 'lc',
    port: 4001,
    dests: [
      { rs: 1, weight: 1 },
      { rs: 2, weight: 5 },
      { rs: 3, weight: 0 },
      { rs: 4, weight: 1 },
      { rs: 5, weight: 2 },
    ],
    count: 300,
  }),
  scenario({ name: 'wlc', kind: 'counters', scheduler: 'wlc', port: 4002, dests: W12345, count: 600 }),
];

function rsEndpoint(rs: number): string {
  const address = RS[rs - 1];
  if (address === undefined) throw new Error(`no real server ${rs} (SCHED_RS has ${RS.length})`);
  return `${address}:${RS_PORT}`;
}

function serviceSpec(s: Scenario): string {
  return s.port === null ? `-f ${FWMARK}` : `${s.protocol === 'udp' ? '-u' : '-t'} ${VIP}:${s.port}`;
}

/** The ipvsadm -R lines of one scenario: -A, then -a oldest first, then -e. */
function rulesOf(s: Scenario): string[] {
  const svc = serviceSpec(s);
  const lines = [`-A ${svc} -s ${s.scheduler}${s.flags.length ? ` -b ${s.flags.join(',')}` : ''}`];
  for (const d of s.dests) lines.push(`-a ${svc} -r ${rsEndpoint(d.rs)} -m -w ${d.weight}`);
  for (const d of s.edits) lines.push(`-e ${svc} -r ${rsEndpoint(d.rs)} -m -w ${d.weight}`);
  return lines;
}

/** Real server name of an "address:port" endpoint (rs1 ...), or the endpoint itself. */
function rsName(endpoint: string | null): string {
  if (endpoint === null) return 'none';
  const i = RS.findIndex((address) => `${address}:${RS_PORT}` === endpoint);
  return i >= 0 ? `rs${i + 1}` : endpoint;
}

function endpointOf(dest: SchedDestination | null): string | null {
  return dest ? `${dest.address}:${dest.port}` : null;
}

function histogram(picks: ReadonlyArray<string | null>): string {
  const counts = new Map<string, number>();
  for (const p of picks) counts.set(rsName(p), (counts.get(rsName(p)) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/**
 * The scheduler input for a scenario: the parsed rules through the shared
 * parser and schedServiceOf, plus last_weight, which a config does not carry
 * (an -e to weight 0 keeps the previous one; mh reads it).
 */
function schedServiceFor(s: Scenario, services: ReturnType<typeof parseRules>['state']['services']): SchedService {
  const service = services.find((svc) =>
    s.port === null
      ? svc.key.kind === 'fwmark' && svc.key.fwmark === FWMARK
      : svc.key.kind === 'addr' && svc.key.protocol === s.protocol && svc.key.address === VIP && svc.key.port === s.port,
  );
  if (!service) throw new Error(`parseRules lost the ${s.name} service`);
  const sched = schedServiceOf(service);
  const lastWeight = new Map<string, number>();
  for (const d of s.dests) lastWeight.set(rsEndpoint(d.rs), lastWeightAfterEdit(0, d.weight, true));
  for (const d of s.edits) lastWeight.set(rsEndpoint(d.rs), lastWeightAfterEdit(lastWeight.get(rsEndpoint(d.rs)) ?? 0, d.weight, false));
  return {
    ...sched,
    destinations: sched.destinations.map((dest) => ({ ...dest, lastWeight: lastWeight.get(`${dest.address}:${dest.port}`) ?? dest.weight })),
  };
}

// ------------------------------------------------------------ connections

interface Attempt {
  readonly host: string;
  readonly port: number;
  readonly localAddress?: string;
  readonly localPort?: number;
}

interface Outcome {
  readonly attempt: Attempt;
  /** Known once connected (or when bound explicitly). */
  readonly localPort: number | null;
  readonly error: string | null;
}

const openSockets: net.Socket[] = [];

function connectOnce(attempt: Attempt): Promise<Outcome> {
  return new Promise((resolve) => {
    const options: net.NetConnectOpts = { host: attempt.host, port: attempt.port };
    if (attempt.localAddress !== undefined) options.localAddress = attempt.localAddress;
    if (attempt.localPort !== undefined) options.localPort = attempt.localPort;
    const socket = net.connect(options);
    let settled = false;
    const settle = (error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === null) openSockets.push(socket);
      else socket.destroy();
      resolve({ attempt, localPort: socket.localPort ?? attempt.localPort ?? null, error });
    };
    const timer = setTimeout(() => settle('timeout'), CONNECT_TIMEOUT_MS);
    socket.once('connect', () => settle(null));
    socket.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? err.message));
  });
}

/** Reset (RST) every open client socket: IPVS moves the entries to CLOSE (10 s). */
function resetAll(): void {
  for (const socket of openSockets.splice(0)) socket.resetAndDestroy();
}

// ----------------------------------------------------------- kernel table

interface KernelEntry {
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly virtualAddress: string;
  readonly virtualPort: number;
  readonly destination: string;
}

function hex(value: number, digits: number): string {
  return value.toString(16).toUpperCase().padStart(digits, '0');
}

function hexAddress(address: string): string {
  return address
    .split('.')
    .map((part) => hex(Number(part), 2))
    .join('');
}

/**
 * /proc/PID/net/ip_vs_conn, read ONCE after all traffic. Why once: the file
 * is a seq_file that restarts every ~4 KB read() by walking the connection
 * hash table from the start to entry #pos. Entries deleted meanwhile (expiry)
 * shift that count and other entries are silently skipped, and each restart
 * costs O(pos). So nothing may expire while the suite runs (UDP timeout 900 s
 * via --set, TCP connections held open until the end) and the table is read
 * a single time. Rows are grouped by their fixed-width IPv4 "Pro" and
 * "ToIP TPrt" columns (%-3s, %08X %04X at offset 18) and only the rows of one
 * scenario are handed to parseProcConnections.
 */
class KernelTable {
  private readonly groups = new Map<string, string[]>();
  readonly rows: number;

  constructor(text: string) {
    const lines = text.split('\n');
    let rows = 0;
    for (const line of lines) {
      if (line.length < 31 || line.startsWith('Pro ')) continue;
      rows++;
      const key = `${line.slice(0, 3)} ${line.slice(18, 26)} ${line.slice(27, 31)}`;
      const group = this.groups.get(key);
      if (group) group.push(line);
      else this.groups.set(key, [line]);
    }
    this.rows = rows;
  }

  entriesOf(s: Scenario): KernelEntry[] {
    const protocol = s.protocol.toUpperCase();
    const port = hex(s.port ?? DH_VIP_PORT, 4);
    const dhPrefix = hexAddress(`${DH_VIP_BLOCK}.0.0`).slice(0, 4);
    const rows: string[] = [];
    for (const [key, lines] of this.groups) {
      const [proto = '', to = '', tport = ''] = key.split(' ');
      if (proto !== protocol || tport !== port) continue;
      if (s.port === null ? to.startsWith(dhPrefix) : to === hexAddress(VIP)) rows.push(...lines);
    }
    const parsed = parseProcConnections(rows.join('\n'));
    if (!parsed.ok) throw new Error(`ip_vs_conn: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    return parsed.value.entries
      .filter((e) => !e.template && e.protocol === protocol)
      .map((e) => ({
        clientAddress: e.clientAddress,
        clientPort: e.clientPort,
        virtualAddress: e.virtualAddress,
        virtualPort: e.virtualPort,
        destination: `${e.destAddress}:${e.destPort}`,
      }));
  }
}

/** Compares one scenario's traffic with the kernel's table (after the single read). */
type Finish = (table: KernelTable) => void;

/** The kernel's entries of one scenario's service, by the key the scenario identifies connections with. */
function kernelChoices(s: Scenario, entries: readonly KernelEntry[], keyOf: (e: KernelEntry) => string): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of entries) {
    const ours =
      s.port === null ? e.virtualAddress.startsWith(`${DH_VIP_BLOCK}.`) && e.virtualPort === DH_VIP_PORT : e.virtualAddress === VIP && e.virtualPort === s.port;
    if (!ours) continue;
    map.set(keyOf(e), e.destination);
  }
  return map;
}

// ------------------------------------------------------------- datagrams

/** One datagram from localAddress[:localPort] on its own socket (the kernel has no other way to pick the source). */
function sendOnce(attempt: Attempt): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    let settled = false;
    const settle = (error: string | null): void => {
      if (settled) return;
      settled = true;
      socket.close();
      resolve({ attempt, localPort: attempt.localPort ?? null, error });
    };
    socket.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? err.message));
    const bind: dgram.BindOptions = {};
    if (attempt.localAddress !== undefined) bind.address = attempt.localAddress;
    if (attempt.localPort !== undefined) bind.port = attempt.localPort;
    socket.bind(bind, () => {
      socket.send('x', attempt.port, attempt.host, (err) => settle(err ? ((err as NodeJS.ErrnoException).code ?? err.message) : null));
    });
  });
}

async function inParallel(attempts: readonly Attempt[], parallel: number, one: (a: Attempt) => Promise<Outcome>): Promise<Outcome[]> {
  const outcomes = new Array<Outcome>(attempts.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < attempts.length) {
      const i = next++;
      outcomes[i] = await one(attempts[i] as Attempt);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, attempts.length) }, worker));
  return outcomes;
}

/** Many datagrams from ONE unbound socket (dh: only the destination matters). */
async function sendFromOneSocket(attempts: readonly Attempt[]): Promise<Outcome[]> {
  const socket = dgram.createSocket('udp4');
  const outcomes: Outcome[] = [];
  for (const attempt of attempts) {
    const error = await new Promise<string | null>((resolve) => {
      socket.send('x', attempt.port, attempt.host, (err) => resolve(err ? ((err as NodeJS.ErrnoException).code ?? err.message) : null));
    });
    outcomes.push({ attempt, localPort: null, error });
  }
  socket.close();
  return outcomes;
}

// ------------------------------------------------------------ the checks

function describe(s: Scenario): string {
  const weights = s.dests.map((d) => `rs${d.rs}:${d.weight}`).join(',');
  const edits = s.edits.length ? ` then -e ${s.edits.map((d) => `rs${d.rs}:${d.weight}`).join(',')}` : '';
  const flags = s.flags.length ? ` -b ${s.flags.join(',')}` : '';
  return `${s.scheduler}${flags} [${weights}${edits}]`;
}

function compareLists(
  label: string,
  units: string,
  keys: readonly string[],
  kernel: ReadonlyArray<string | null>,
  predicted: ReadonlyArray<string | null>,
): { same: number; detail: string } {
  let same = 0;
  const diffs: string[] = [];
  for (let i = 0; i < predicted.length; i++) {
    if (kernel[i] === predicted[i]) same++;
    else if (diffs.length < 5) diffs.push(`${keys[i]}: kernel ${rsName(kernel[i] ?? null)}, predicted ${rsName(predicted[i] ?? null)}`);
  }
  const detail = `${label}: ${same}/${predicted.length} ${units} identical (kernel ${histogram(kernel)})`;
  return { same, detail: diffs.length ? `${detail}; first differences: ${diffs.join('; ')}` : detail };
}

async function runSequence(s: Scenario, service: SchedService): Promise<Finish> {
  const client = clientAddress(250, s.scheduler === 'rr' ? 0 : 1);
  const outcomes: Outcome[] = [];
  for (let i = 0; i < s.count; i++) outcomes.push(await connectOnce({ host: VIP, port: s.port ?? 0, localAddress: client }));
  return (kernelTable) => {
    const table = kernelChoices(s, kernelTable.entriesOf(s), (e) => `${e.clientAddress}:${e.clientPort}>${e.virtualAddress}`);
    const keys = outcomes.map((o, i) => `#${i + 1} port ${o.localPort ?? '?'}`);
    const kernel = outcomes.map((o) => (o.localPort === null ? null : (table.get(`${client}:${o.localPort}>${VIP}`) ?? null)));
    const predicted = predictSequence(service, s.count).map(endpointOf);
    const { same, detail } = compareLists(`${s.name} ${describe(s)}`, 'picks (exact sequence)', keys, kernel, predicted);
    check(same === s.count, `${detail}; first 15: kernel ${kernel.slice(0, 15).map(rsName).join(' ')}`);
  };
}

function clientList(s: Scenario): PredictClient[] {
  const clients: PredictClient[] = [];
  if (s.portsPerClient === 1) {
    for (let i = 0; i < s.count; i++) clients.push({ address: clientAddress(s.block, i) });
  } else {
    // addresses x ports; the ports are spread (not consecutive) so both vary the hash.
    for (let i = 0; i < s.count; i++) {
      clients.push({ address: clientAddress(s.block, Math.floor(i / s.portsPerClient)), port: 20000 + ((i * 7919) % 40000) });
    }
  }
  return clients;
}

async function runClients(s: Scenario, service: SchedService): Promise<Finish> {
  const clients = clientList(s);
  const byPort = s.portsPerClient > 1;
  const attempts = clients.map((c) => ({ host: VIP, port: s.port ?? 0, localAddress: c.address, ...(c.port !== undefined ? { localPort: c.port } : {}) }));
  const outcomes = await inParallel(attempts, PARALLEL, s.protocol === 'udp' ? sendOnce : connectOnce);
  return (kernelTable) => {
    const table = kernelChoices(s, kernelTable.entriesOf(s), (e) => (byPort ? `${e.clientAddress}:${e.clientPort}` : e.clientAddress) + `>${e.virtualAddress}`);
    const entriesOfService = table.size;
    const keyOf = (c: PredictClient): string => (byPort ? `${c.address}:${c.port ?? 0}` : c.address) + `>${VIP}`;
    const kernel = clients.map((c) => table.get(keyOf(c)) ?? null);
    const predicted = predictClients(service, clients, { assume: 'none' }).map((p) => endpointOf(p.destination));
    if (SELFTEST_WRONG && s.name === 'mh') {
      const first = predicted[0] ?? null;
      predicted[0] = first === rsEndpoint(1) ? rsEndpoint(2) : rsEndpoint(1);
      note("SCHED_SELFTEST=wrong: the first mh client's prediction was perturbed; this check must FAIL");
    }
    // TCP: a refused connect must be one the kernel has no entry for. UDP: send errors are failures.
    const refused = outcomes.filter((o) => o.error !== null);
    const errors = histogramOf(refused.map((o) => o.error ?? ''));
    const units = byPort ? 'client address:port pairs' : 'client addresses';
    const { same, detail } = compareLists(`${s.name} ${s.protocol.toUpperCase()} ${describe(s)}`, units, clients.map(keyOf), kernel, predicted);
    const refusedOk = s.protocol === 'tcp' ? refused.every((o) => kernel[outcomes.indexOf(o)] === null) : refused.length === 0;
    const what = s.protocol === 'tcp' ? 'connects refused' : 'send errors';
    check(
      same === clients.length && refusedOk,
      `${detail}; ${entriesOfService} kernel entries, ${refused.length} ${what}${refused.length ? ` (${errors})` : ''}`,
    );
  };
}

function histogramOf(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].map(([k, v]) => `${k}=${v}`).join(' ');
}

async function runVirtuals(s: Scenario, service: SchedService): Promise<Finish> {
  const vips = Array.from({ length: s.count }, (_, i) => dhVip(i));
  const attempts = vips.map((vip) => ({ host: vip, port: DH_VIP_PORT }));
  const outcomes = s.protocol === 'udp' ? await sendFromOneSocket(attempts) : await inParallel(attempts, PARALLEL, connectOnce);
  return (kernelTable) => {
    const table = kernelChoices(s, kernelTable.entriesOf(s), (e) => e.virtualAddress);
    const kernel = vips.map((vip) => table.get(vip) ?? null);
    // dh hashes the packet's destination: pick per VIP with the engine itself.
    const engine = SchedulerEngine.create(service);
    const predicted = vips.map((vip) => {
      const index = engine.pick(service, { clientAddress: '198.51.100.2', clientPort: 40000, virtualAddress: vip, virtualPort: DH_VIP_PORT, protocol: 'tcp' });
      return index >= 0 ? endpointOf(service.destinations[index] ?? null) : null;
    });
    const failedConnects = outcomes.filter((o) => o.error !== null).length;
    const { same, detail } = compareLists(
      `${s.name} ${s.protocol.toUpperCase()} ${describe(s)} fwmark ${FWMARK} over ${s.count} VIPs ${dhVip(0)}..${dhVip(s.count - 1)}`,
      'VIPs',
      vips,
      kernel,
      predicted,
    );
    // predictShares over the same destination addresses must give the same counts.
    const shares = predictShares(service, { virtualAddresses: vips });
    const kernelCounts = service.destinations.map((d) => kernel.filter((k) => k === endpointOf(d)).length);
    const shareCounts = shares.shares.map((sh) => Math.round(sh.share * s.count));
    const sharesOk = kernelCounts.every((c, i) => c === shareCounts[i]);
    check(
      same === s.count && sharesOk && failedConnects === 0,
      `${detail}; predictShares counts ${sharesOk ? 'equal' : `differ: ${shareCounts.join('/')} vs kernel ${kernelCounts.join('/')}`}; ${failedConnects} send errors`,
    );
  };
}

async function runCounters(s: Scenario, service: SchedService): Promise<Finish> {
  const client = clientAddress(250, s.scheduler === 'lc' ? 2 : 3);
  const outcomes: Outcome[] = [];
  for (let i = 0; i < s.count; i++) outcomes.push(await connectOnce({ host: VIP, port: s.port ?? 0, localAddress: client }));
  return (kernelTable) => {
    const table = kernelChoices(s, kernelTable.entriesOf(s), (e) => `${e.clientAddress}:${e.clientPort}`);
    const kernel = outcomes.map((o) => (o.localPort === null ? null : (table.get(`${client}:${o.localPort}`) ?? null)));
    const clients = outcomes.map((o) => ({ address: client, port: o.localPort ?? 0 }));
    const predicted = predictClients(service, clients, { assume: 'established' }).map((p) => endpointOf(p.destination));
    const shares = predictShares(service, { connections: s.count, assume: 'established', clients });
    let worst = 0;
    const parts: string[] = [];
    service.destinations.forEach((d, i) => {
      const got = kernel.filter((k) => k === endpointOf(d)).length / s.count;
      const want = shares.shares[i]?.share ?? 0;
      worst = Math.max(worst, Math.abs(got - want));
      parts.push(`${rsName(endpointOf(d))} ${(got * 100).toFixed(1)}%/${(want * 100).toFixed(1)}%`);
    });
    const same = kernel.filter((k, i) => k === predicted[i]).length;
    const unscheduled = kernel.filter((k) => k === null).length;
    check(
      worst <= SHARE_TOLERANCE && unscheduled === 0,
      `${s.name} ${describe(s)}: ${s.count} sequential connections, each established and held open: shares kernel/predicted ${parts.join(', ')}; max deviation ${(worst * 100).toFixed(2)} points (limit ${SHARE_TOLERANCE * 100}); pick-by-pick ${same}/${s.count} identical`,
    );
  };
}

// ------------------------------------------------------------------ modes

async function waitForServers(): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  const pending = new Set(RS);
  while (pending.size > 0 && Date.now() < deadline) {
    for (const address of [...pending]) {
      const outcome = await connectOnce({ host: address, port: RS_PORT });
      if (outcome.error === null) pending.delete(address);
    }
    for (const socket of openSockets.splice(0)) socket.destroy();
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 250));
  }
  return pending.size === 0;
}

async function run(): Promise<void> {
  const lvsNs = env.SCHED_LVS_NS;
  const pid = env.SCHED_CONN_PID;
  if (!lvsNs || !pid) throw new Error('SCHED_LVS_NS and SCHED_CONN_PID are required');
  const scenarios = SCENARIOS.filter((s) => ONLY.size === 0 || ONLY.has(s.name));
  // Nothing may expire before the single read of the table (see KernelTable): UDP entries live 900 s.
  const rules = `${['--set 900 120 900', ...scenarios.flatMap(rulesOf)].join('\n')}\n`;

  // 1. The shared parser accepts the rules; their scheduler inputs.
  const parsed = parseRules(rules);
  check(
    parsed.ok,
    `parseRules accepts the ${rules.split('\n').length - 1} rule lines${parsed.ok ? '' : `: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`}`,
  );
  const services = new Map(scenarios.map((s) => [s.name, schedServiceFor(s, parsed.state.services)] as const));

  // 2. The kernel takes them (ipvsadm -R exits 0 even on bad lines: stderr counts).
  let t0 = Date.now();
  const applied = spawnSync('ip', ['netns', 'exec', lvsNs, 'ipvsadm', '-R'], { input: rules, encoding: 'utf8' });
  check(
    applied.status === 0 && applied.stderr === '',
    `ipvsadm -R of ${scenarios.length} fresh services (${((Date.now() - t0) / 1000).toFixed(1)} s)${applied.stderr ? `: ${applied.stderr.trim()}` : ''}`,
  );

  t0 = Date.now();
  const ready = await waitForServers();
  check(ready, `real servers ${RS.map((a, i) => `rs${i + 1}=${a}`).join(' ')} accept on :${RS_PORT} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (!ready) return;

  // 3. All traffic first (UDP scenarios, then TCP ones, whose connections stay open).
  const finishes: Array<[Scenario, Finish]> = [];
  for (const s of scenarios) {
    const service = services.get(s.name);
    if (!service) continue;
    t0 = Date.now();
    try {
      switch (s.kind) {
        case 'sequence':
          finishes.push([s, await runSequence(s, service)]);
          break;
        case 'clients':
          finishes.push([s, await runClients(s, service)]);
          break;
        case 'virtuals':
          finishes.push([s, await runVirtuals(s, service)]);
          break;
        case 'counters':
          finishes.push([s, await runCounters(s, service)]);
          break;
      }
    } catch (err) {
      fail(`${s.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    note(`${s.name}: traffic ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  // 4. One read of the kernel's table (the last datagrams may still be on the veth backlog: wait a moment).
  await new Promise((r) => setTimeout(r, 500));
  t0 = Date.now();
  const table = new KernelTable(readFileSync(`/proc/${pid}/net/ip_vs_conn`, 'utf8'));
  note(`read /proc/${pid}/net/ip_vs_conn once: ${table.rows} entries in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  resetAll();

  // 5. The comparisons.
  for (const [s, finish] of finishes) {
    try {
      finish(table);
    } catch (err) {
      fail(`${s.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function serve(port: number): void {
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
  });
  server.maxConnections = 100_000;
  server.listen({ port, host: '0.0.0.0', backlog: 4096 });
}

async function main(): Promise<void> {
  const [mode, arg] = process.argv.slice(2);
  if (mode === 'serve') {
    serve(Number(arg ?? RS_PORT));
    return;
  }
  if (mode !== 'run') {
    console.error('usage: driver.mjs serve PORT | run');
    process.exit(2);
  }
  await run();
  console.log(`# driver: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  fail(`driver crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
