// bench.driver.ts - the agent's side of the ipvsadm-backend benchmark
// (suites/bench.sh). Bundled on the host by build-bench-driver.mjs; runs in
// the kernel-bed guest INSIDE the benchmark's network namespace (`ip netns
// exec NS node bench-driver.mjs ...`), the way the agent runs on a director:
// IpvsadmBackend with no netns option, ipvsadm and /proc/net/ip_vs direct.
//
//   node bench-driver.mjs rules SERVICES DESTS    print the ipvsadm -R rules of the table
//   node bench-driver.mjs apply SERVICES DESTS    IpvsadmBackend.apply(plan(table, empty)), timed
//   node bench-driver.mjs observe ROUNDS          cold observe(), then ROUNDS × (baseline, observe)
//                                                 alternating which goes first
//   node bench-driver.mjs host SERVICES DESTS     on the HOST: the node-side costs of apply and
//                                                 observe with canned ipvsadm output (no kernel)
//   node bench-driver.mjs netlink-apply SERVICES DESTS  NetlinkBackend.apply(plan(table, empty)), timed
//   node bench-driver.mjs netlink-observe ROUNDS  the same as observe, with NetlinkBackend
//   node bench-driver.mjs ipvsadm-sample|netlink-sample|netlink-sample-all-busy SECONDS
//                                                 1 Hz sample() (the agent's sampling path) for SECONDS: CPU
//                                                 seconds of this process per wall second
//                                                 (ipvsadm's runs included, from /proc/self/stat)
//   node bench-driver.mjs netlink-sample-floor|netlink-sample-floor-decoded SECONDS
//                                                 the floor under 1 Hz counters: one GET_SERVICE dump a
//                                                 second and nothing else (received only, or decoded too)
//   node bench-driver.mjs netlink-record         the kernel's GET_SERVICE and GET_DEST dump messages
//                                                 of this namespace's table, one "record CMD HEX" line each
//                                                 (fixtures for apps/agent/test/kernel/netlink-codec)
//   node bench-driver.mjs netlink-sweep ROUNDS   observe() with 1, 2, 4, 8 and 16 dump sockets: CPU and
//                                                 wall milliseconds per observation (medians of ROUNDS)
//   node bench-driver.mjs profile-summary FILE N  the N functions with the most self time in a
//                                                 node --cpu-prof profile, as "# profile: ..." notes
//   node bench-driver.mjs weight-changes CLI_JS BACKEND STATE_DIR CHANGES
//                                                 `CLI_JS serve --backend BACKEND` on STATE_DIR
//                                                 (made by `lvs-console apply` of this table),
//                                                 then CHANGES destinations.setWeight over its
//                                                 HTTP API, one at a time: each timed from the
//                                                 request to the answer (which comes once the
//                                                 kernel has it); then the kernel's weights
//                                                 (netlink dump) against the last ones set
//
// The table: SERVICES TCP services on 198.18.x.y:80 (wlc), DESTS NAT real
// servers each, from 198.18.64.0 up, :8080 (RFC 2544 benchmarking range; the
// guest has no network device, nothing leaves it). The baseline of `observe`
// is `ipvsadm -Sn` then `ipvsadm -Ln --exact --stats`, each read completely
// through a pipe like the backend reads them. Output: "# ..." notes and one
// JSON object per line with the measured seconds.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { desiredStateSchema, type ObservedTable, type Service } from '@lvs-console/shared';
import { plan } from '@lvs-console/shared/plan';
import { renderRules } from '@lvs-console/shared/ipvsadm';
import { IpvsadmBackend, restoreLine } from '../../../apps/agent/src/kernel/ipvsadm';
import { NetlinkBackend } from '../../../apps/agent/src/kernel/netlink/backend';
import { GENL_ATTRS_OFFSET, REQUESTS, decodeService } from '../../../apps/agent/src/kernel/netlink/ipvs-codec';
import { GenlSocket } from '../../../apps/agent/src/kernel/netlink/socket';
import type { KernelBackend } from '../../../apps/agent/src/kernel/backend';
import type { CounterSample } from '../../../apps/agent/src/kernel/sampling';
import type { CommandResult, CommandRunner } from '../../../apps/agent/src/kernel/runner';

const EMPTY: ObservedTable = { services: [], timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, syncDaemons: [] };

function table(services: number, dests: number): Service[] {
  const input = [];
  for (let s = 0; s < services; s++) {
    const destinations = [];
    for (let d = 0; d < dests; d++) {
      // Real servers from 198.18.64.0 up (VIPs stay below): 110,000 fit in the /15.
      const n = 16_384 + s * dests + d;
      destinations.push({ address: `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`, port: 8080, forwarding: 'masq' as const, weight: 1 + (d % 5) });
    }
    input.push({
      key: { kind: 'addr' as const, protocol: 'tcp' as const, address: `198.18.${(s >> 8) & 255}.${s & 255}`, port: 80 },
      scheduler: 'wlc' as const,
      destinations,
    });
  }
  return desiredStateSchema.parse({ services: input }).services;
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function out(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Run a program to completion, reading all of its output (like the backend's runner). */
function drain(argv: readonly string[]): Promise<number> {
  const [program, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(program ?? 'false', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`${argv.join(' ')} exited ${String(code)}`))));
  });
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await work();
  return [performance.now() - started, value];
}

async function applyTable(services: number, dests: number, backend: KernelBackend): Promise<void> {
  const desired = table(services, dests);
  const [planMs, changes] = await timed(() => Promise.resolve(plan({ services: desired }, EMPTY)));
  const [applyMs, result] = await timed(() => backend.apply(changes));
  const failed = result.results.filter((r) => !r.ok);
  out({
    planS: seconds(planMs),
    applyS: seconds(applyMs),
    restoreS: seconds(result.durationMs),
    changes: changes.length,
    failed: failed.length,
    firstError: failed[0]?.error ?? null,
  });
  if (failed.length > 0) process.exitCode = 1;
  await backend.close();
}

async function observeRounds(rounds: number, backend: KernelBackend): Promise<void> {
  const [coldMs, cold] = await timed(() => backend.observe());
  const destCount = cold.services.reduce((n, s) => n + s.destinations.length, 0);
  out({ coldObserveS: seconds(coldMs), services: cold.services.length, destinations: destCount });
  for (let round = 0; round < rounds; round++) {
    const baseline = async () => {
      const [saveMs] = await timed(() => drain(['ipvsadm', '-S', '-n']));
      const [statsMs] = await timed(() => drain(['ipvsadm', '-L', '-n', '--exact', '--stats']));
      return { saveS: seconds(saveMs), statsS: seconds(statsMs), baselineS: seconds(saveMs + statsMs) };
    };
    const observe = async () => {
      const [ms, observed] = await timed(() => backend.observe());
      return { observeS: seconds(ms), services: observed.services.length };
    };
    if (round % 2 === 0) {
      const b = await baseline();
      const o = await observe();
      out({ round, first: 'baseline', ...b, ...o });
    } else {
      const o = await observe();
      const b = await baseline();
      out({ round, first: 'observe', ...b, ...o });
    }
  }
  await backend.close();
}

/** User and system CPU seconds of this process plus its children it has waited for (ipvsadm runs), from /proc/self/stat. */
function cpuSplit(): { user: number; system: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the ")" that closes the command name: utime stime cutime cstime are 14-17 overall.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (i: number) => Number(fields[i] ?? 0) / 100; // USER_HZ
  return { user: ticks(11) + ticks(13), system: ticks(12) + ticks(14) };
}

function cpuSeconds(): number {
  const { user, system } = cpuSplit();
  return user + system;
}

/**
 * The agent's 1 Hz sampling path (KernelBackend.sample, as the StatsSampler
 * calls it) for `secs` seconds: CPU seconds (ours and ipvsadm's) per wall
 * second. `allBusy`: before each sample every service row of the previous
 * sample is marked changed, so sample() reads every destination list, as it
 * does when traffic moves every service's counters each second. (Real
 * traffic on 1,000 services every second would cost the TCG guest more in
 * its traffic generator than in the sampling, and measure that instead.)
 */
async function sample(secs: number, backend: KernelBackend, allBusy = false): Promise<void> {
  const first = await backend.observe();
  let previous: CounterSample | null = null;
  const next = async () => {
    if (previous && allBusy) {
      const before: CounterSample = previous;
      const services = before.table.services.map((service) => ({ ...service, stats: { ...service.stats, conns: service.stats.conns + 1 } }));
      previous = { ...before, table: { ...before.table, services } };
    }
    previous = await backend.sample(previous, Date.now());
    return previous.destinationReads;
  };
  const destinations = first.services.reduce((n, s) => n + s.destinations.length, 0);
  await atOneHertz(secs, next, () => ({ allBusy, services: first.services.length, destinations }));
  await backend.close();
}

/**
 * The floor under any 1 Hz reading of every service's counters: one
 * GET_SERVICE dump a second on one socket, each message received and
 * (with `decode`) decoded into a service row, nothing else: no destination
 * lists, no timeouts or daemons, no comparison with the sample before.
 */
async function sampleFloor(secs: number, decode: boolean): Promise<void> {
  // The socket the backend reads the service dump on.
  const socket = await GenlSocket.open(undefined, { largeDumpDatagrams: true });
  let rows = 0;
  const next = async () => {
    rows = 0;
    const errno = await socket.dump({
      request: REQUESTS.services(),
      onMessage: (buf, start, end) => {
        if (!decode || decodeService(buf, start, end)) rows++;
      },
    });
    if (errno) throw new Error(`GET_SERVICE dump: errno ${errno}`);
    return 0;
  };
  await atOneHertz(secs, next, () => ({ floor: decode ? 'service dump decoded' : 'service dump received', services: rows }));
  socket.close();
}

/** Run `next` once a second for `secs` seconds after a warm-up; print the CPU it took (share of one core, user/system split) with `extra()`. `next` returns the destination lists it read. */
async function atOneHertz(secs: number, next: () => Promise<number>, extra: () => Record<string, unknown>): Promise<void> {
  // Warm up first: under TCG, the JIT compiling the first observations costs more CPU than the sampling.
  for (let i = 0; i < 6; i++) await next();
  const startCpu = cpuSplit();
  const start = performance.now();
  let observations = 0;
  let destinationReads = 0;
  for (let i = 0; i < secs; i++) {
    const due = start + (i + 1) * 1000;
    destinationReads += await next();
    observations++;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const endCpu = cpuSplit();
  const user = endCpu.user - startCpu.user;
  const system = endCpu.system - startCpu.system;
  const wallS = (performance.now() - start) / 1000;
  const share = (seconds: number) => Math.round((seconds / wallS) * 10000) / 10000;
  out({
    sampleCpuShare: share(user + system),
    // User time is ours (decode, objects); system time is the kernel filling the dumps and the socket copies.
    userCpuShare: share(user),
    systemCpuShare: share(system),
    wallS: Math.round(wallS * 1000) / 1000,
    observations,
    // What one sample costs: the figure that still compares when a loaded guest cannot keep 1 Hz (share ~100 %).
    cpuSecondsPerSample: Math.round(((user + system) / Math.max(1, observations)) * 1000) / 1000,
    // Destination lists read per sample (the rest kept from the sample before).
    destinationReadsPerSample: Math.round((destinationReads / Math.max(1, observations)) * 10) / 10,
    ...extra(),
  });
}

/** observe() with each number of dump sockets: CPU (ours, from /proc/self/stat) and wall time per observation. */
async function socketSweep(rounds: number): Promise<void> {
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? Number.NaN;
  for (const dumpSockets of [1, 2, 4, 8, 16]) {
    const backend = await NetlinkBackend.open({ dumpSockets });
    for (let i = 0; i < 3; i++) await backend.observe();
    const cpuMs: number[] = [];
    const wallMs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const cpu = cpuSeconds();
      const [ms] = await timed(() => backend.observe());
      cpuMs.push((cpuSeconds() - cpu) * 1000);
      wallMs.push(ms);
    }
    await backend.close();
    out({ dumpSockets, cpuMs: Math.round(median(cpuMs)), wallMs: Math.round(median(wallMs)) });
  }
}

function percentile(sortedMs: readonly number[], p: number): number {
  // Nearest rank: the smallest value with at least p % of the values at or below it.
  return sortedMs[Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1)] ?? Number.NaN;
}

/** A running `lvs-console serve`: started, waited for, stopped. */
async function startServe(cli: string, backend: string, stateDir: string, port: number, token: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--backend', backend, '--listen', `127.0.0.1:${port}`, '--state-dir', stateDir, '--admin-token', token, '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (/^listening on /m.test(output)) resolve();
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    void exited.then(() => reject(new Error(`serve exited before listening: ${output.slice(0, 600)}`)));
  });
  const backendLine = /^backend:.*$/m.exec(output)?.[0] ?? '';
  process.stdout.write(`# serve: ${backendLine}\n`);
  return {
    url: `http://127.0.0.1:${port}/trpc`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function weightChanges(cli: string, backend: string, stateDir: string, changes: number, services: number): Promise<void> {
  const token = 'bench-weight-admin-token';
  const serve = await startServe(cli, backend, stateDir, 9300, token);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const post = async (proc: string, body: unknown) => {
    const response = await fetch(`${serve.url}/${proc}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return (await response.json()) as { result?: { data: { revision: number } }; error?: { message: string } };
  };
  try {
    const state = (await (await fetch(`${serve.url}/state.get`, { headers })).json()) as { result: { data: { revision: number } } };
    let revision = state.result.data.revision;
    const service = table(1, 10)[0] as Service;
    const weights = new Map(service.destinations.map((d) => [d.address, d.weight]));
    const timesMs: number[] = [];
    let failed = 0;
    let firstError: string | null = null;
    for (let i = 0; i < changes; i++) {
      const dest = service.destinations[i % service.destinations.length] as Service['destinations'][number];
      const weight = ((weights.get(dest.address) ?? 1) % 9) + 1;
      const started = performance.now();
      const answer = await post('destinations.setWeight', {
        baseRevision: revision,
        service: service.key,
        destination: { address: dest.address, port: dest.port },
        weight,
      });
      timesMs.push(performance.now() - started);
      if (answer.result) {
        revision = answer.result.data.revision;
        weights.set(dest.address, weight);
      } else {
        failed++;
        firstError ??= answer.error?.message ?? 'no result';
      }
      // The figures so far, after every change: a part deadline still leaves p50/p99 over the changes done.
      const done = [...timesMs].sort((a, b) => a - b);
      out({ doneChanges: timesMs.length, failedSoFar: failed, p50SoFar: seconds(percentile(done, 50)), p99SoFar: seconds(percentile(done, 99)) });
    }
    // What the agent's own sampler did meanwhile (lists read, ticks given up to the commits).
    const metricsText = await (await fetch(serve.url.replace(/\/trpc$/, '/metrics'), { headers })).text();
    const agentFigures = metricsText
      .split('\n')
      .filter((line) => /^lvs_console_(sample|samples)_/.test(line))
      .join(', ');
    process.stdout.write(`# agent metrics: ${agentFigures}\n`);
    // The kernel, read apart from the agent: every weight as last set.
    const reader = await NetlinkBackend.open();
    const observed = await reader.observe();
    await reader.close();
    const inKernel = observed.services.find((s) => s.key.kind === 'addr' && s.key.address === (service.key.kind === 'addr' ? service.key.address : ''));
    const mismatched = [...weights].filter(([address, weight]) => inKernel?.destinations.find((d) => d.address === address)?.weight !== weight).length;
    const sorted = [...timesMs].sort((a, b) => a - b);
    out({
      backend,
      changes,
      failed,
      firstError,
      kernelWeightsMismatched: mismatched,
      services: observed.services.length,
      tableServices: services,
      p50S: seconds(percentile(sorted, 50)),
      p99S: seconds(percentile(sorted, 99)),
      maxS: seconds(sorted[sorted.length - 1] ?? Number.NaN),
      // Each change in order: where the slow ones fall (start-up, a drift check, the host).
      timesS: timesMs.map(seconds),
    });
  } finally {
    await serve.stop();
  }
}

/** Every GET_SERVICE message, then every GET_DEST message of each service, as the kernel sent them. */
async function recordMessages(): Promise<void> {
  const socket = await GenlSocket.open();
  try {
    const record = (name: string, buf: Buffer, start: number, end: number) =>
      process.stdout.write(`record ${name} ${buf.toString('hex', start - GENL_ATTRS_OFFSET, end)}\n`);
    const services: ObservedTable['services'] = [];
    const errno = await socket.dump({
      request: REQUESTS.services(),
      onMessage: (buf, start, end) => {
        record('GET_SERVICE', buf, start, end);
        const service = decodeService(buf, start, end);
        if (service) services.push(service);
      },
    });
    if (errno) throw new Error(`GET_SERVICE dump: errno ${errno}`);
    for (const service of services) {
      const destErrno = await socket.dump({ request: REQUESTS.destinations(service.key), onMessage: (buf, start, end) => record('GET_DEST', buf, start, end) });
      if (destErrno) throw new Error(`GET_DEST dump: errno ${destErrno}`);
    }
  } finally {
    socket.close();
  }
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function of a --cpu-prof profile, the top `count` as notes (with the total). */
function profileSummary(file: string, count: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const names = new Map(
    profile.nodes.map((node) => {
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url ? ` ${url.slice(url.lastIndexOf('/') + 1)}:${lineNumber + 1}` : '';
      return [node.id, `${functionName || '(anonymous)'}${where}`];
    }),
  );
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const name = names.get(id) ?? '?';
    selfUs.set(name, (selfUs.get(name) ?? 0) + us);
    totalUs += us;
  });
  process.stdout.write(`# profile: ${file.slice(file.lastIndexOf('/') + 1)}: ${Math.round(totalUs / 1000)} ms sampled\n`);
  for (const [name, us] of [...selfUs].sort((x, y) => y[1] - x[1]).slice(0, count)) {
    process.stdout.write(`# profile: ${(us / 1000).toFixed(0).padStart(7)} ms ${((us / totalUs) * 100).toFixed(1).padStart(5)} %  ${name}\n`);
  }
}

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
const hexIpv4 = (address: string) =>
  hex(
    address.split('.').reduce((v, o) => v * 256 + Number(o), 0),
    8,
  );

/** /proc/net/ip_vs of a table (IPv4 address services only). */
function procText(desired: readonly Service[]): string {
  const lines = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn',
  ];
  for (const s of desired) {
    if (s.key.kind !== 'addr') continue;
    lines.push(`TCP  ${hexIpv4(s.key.address)}:${hex(s.key.port, 4)} ${s.scheduler}  `);
    for (const d of [...s.destinations].reverse())
      lines.push(`  -> ${hexIpv4(d.address)}:${hex(d.port, 4)}      Masq    ${String(d.weight).padEnd(6)} 0          0         `);
  }
  return `${lines.join('\n')}\n`;
}

/** Canned ipvsadm for the host: the node-side work of apply and observe without a kernel. */
function cannedRunner(desired: Service[], procFile: string): CommandRunner {
  let applied = false;
  const save = () => (applied ? renderRules({ services: desired }) : '');
  const stats = () => {
    const lines = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
      '  -> RemoteAddress:Port',
    ];
    for (const s of applied ? desired : []) {
      if (s.key.kind !== 'addr') continue;
      lines.push(`TCP  ${`${s.key.address}:${s.key.port}`.padEnd(30)}       10      100      100     5000     6000`);
      for (const d of s.destinations) lines.push(`  -> ${`${d.address}:${d.port}`.padEnd(30)}       1       10       10      500      600`);
    }
    return `${lines.join('\n')}\n`;
  };
  const texts: Record<string, () => string> = {
    '-S -n': save,
    '-L -n --exact --stats': stats,
    '-L -n --exact --thresholds': () =>
      stats()
        .replace('Conns   InPkts  OutPkts  InBytes OutBytes', 'Uthreshold Lthreshold ActiveConn InActConn')
        .replace(/( +\d+){5}$/gm, ' 0          0          0          0'),
    '-L --timeout': () => 'Timeout (tcp tcpfin udp): 900 120 300\n',
    '-L --daemon': () => '',
  };
  return {
    run(argv, stdin): Promise<CommandResult> {
      const key = argv.slice(1).join(' ');
      if (key === '-R') {
        applied = stdin !== undefined;
        writeFileSync(procFile, procText(desired));
        return Promise.resolve({ code: 0, stdout: '', stderr: '' });
      }
      return Promise.resolve({ code: 0, stdout: texts[key]?.() ?? '', stderr: '' });
    },
  };
}

async function hostCosts(services: number, dests: number): Promise<void> {
  const desired = table(services, dests);
  const [planMs, changes] = await timed(() => Promise.resolve(plan({ services: desired }, EMPTY)));
  const [renderMs] = await timed(() => Promise.resolve(changes.map(restoreLine).join('\n')));
  const procFile = join(mkdtempSync(join(tmpdir(), 'lvs-bench-')), 'ip_vs');
  writeFileSync(procFile, procText([]));
  const backend = new IpvsadmBackend({ runner: cannedRunner(desired, procFile), procIpVsPath: procFile });
  const [applyMs, result] = await timed(() => backend.apply(changes));
  const [observeMs] = await timed(() => backend.observe());
  const [observe2Ms] = await timed(() => backend.observe());
  out({
    planS: seconds(planMs),
    renderS: seconds(renderMs),
    applyNodeS: seconds(applyMs),
    failed: result.results.filter((r) => !r.ok).length,
    observeNodeS: seconds(observeMs),
    observe2NodeS: seconds(observe2Ms),
    heapMB: Math.round(process.memoryUsage().heapUsed / 1e6),
  });
}

const [mode, a, b] = process.argv.slice(2);
const services = Number(a ?? 10_000);
const dests = Number(b ?? 10);
// An error is a result line too (bench.sh reports the missing figures as failed checks).
// Written synchronously and without process.exit(): this may run inside the netlink addon's callback.
process.on('unhandledRejection', (error) => {
  writeSync(1, `${JSON.stringify({ error: error instanceof Error ? `${error.message} ${error.stack ?? ''}` : String(error) })}\n`);
  process.exitCode = 1;
});
switch (mode) {
  case 'rules':
    process.stdout.write(
      `${plan({ services: table(services, dests) }, EMPTY)
        .map(restoreLine)
        .join('\n')}\n`,
    );
    break;
  case 'apply':
    await applyTable(services, dests, new IpvsadmBackend());
    break;
  case 'observe':
    await observeRounds(Number(a ?? 2), new IpvsadmBackend());
    break;
  case 'netlink-apply':
    await applyTable(services, dests, await NetlinkBackend.open());
    break;
  case 'netlink-observe':
    await observeRounds(Number(a ?? 2), await NetlinkBackend.open());
    break;
  case 'ipvsadm-sample':
    await sample(Number(a ?? 30), new IpvsadmBackend());
    break;
  case 'netlink-sample':
    await sample(Number(a ?? 30), await NetlinkBackend.open());
    break;
  case 'netlink-sample-all-busy':
    await sample(Number(a ?? 30), await NetlinkBackend.open(), true);
    break;
  case 'netlink-sample-floor':
    await sampleFloor(Number(a ?? 30), false);
    break;
  case 'netlink-sample-floor-decoded':
    await sampleFloor(Number(a ?? 30), true);
    break;
  case 'netlink-record':
    await recordMessages();
    break;
  case 'netlink-sweep':
    await socketSweep(Number(a ?? 5));
    break;
  case 'profile-summary':
    profileSummary(a ?? '', Number(b ?? 25));
    break;
  case 'weight-changes':
    // weight-changes CLI_JS BACKEND STATE_DIR CHANGES [SERVICES]
    await weightChanges(a ?? '', b ?? 'netlink', process.argv[5] ?? '', Number(process.argv[6] ?? 100), Number(process.argv[7] ?? 0));
    break;
  case 'host':
    await hostCosts(services, dests);
    break;
  case undefined:
  default:
    process.stderr.write(
      'usage: bench-driver.mjs rules|apply|netlink-apply|host SERVICES DESTS | observe|netlink-observe ROUNDS | ipvsadm-sample|netlink-sample|netlink-sample-all-busy|netlink-sample-floor|netlink-sample-floor-decoded SECONDS | weight-changes CLI_JS BACKEND STATE_DIR CHANGES [SERVICES]\n',
    );
    process.exitCode = 2;
}
