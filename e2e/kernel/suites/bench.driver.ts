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
//
// The table: SERVICES TCP services on 198.18.x.y:80 (wlc), DESTS NAT real
// servers each, from 198.18.64.0 up, :8080 (RFC 2544 benchmarking range; the
// guest has no network device, nothing leaves it). The baseline of `observe`
// is `ipvsadm -Sn` then `ipvsadm -Ln --exact --stats`, each read completely
// through a pipe like the backend reads them. Output: "# ..." notes and one
// JSON object per line with the measured seconds.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { desiredStateSchema, type ObservedTable, type Service } from '@lvs-console/shared';
import { plan } from '@lvs-console/shared/plan';
import { renderRules } from '@lvs-console/shared/ipvsadm';
import { IpvsadmBackend, restoreLine } from '../../../apps/agent/src/kernel/ipvsadm';
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
    child.stdout.on('data', (chunk: Buffer) => { bytes += chunk.length; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`${argv.join(' ')} exited ${String(code)}`))));
  });
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await work();
  return [performance.now() - started, value];
}

async function applyTable(services: number, dests: number): Promise<void> {
  const desired = table(services, dests);
  const backend = new IpvsadmBackend();
  const [planMs, changes] = await timed(() => Promise.resolve(plan({ services: desired }, EMPTY)));
  const [applyMs, result] = await timed(() => backend.apply(changes));
  const failed = result.results.filter((r) => !r.ok);
  out({ planS: seconds(planMs), applyS: seconds(applyMs), restoreS: seconds(result.durationMs), changes: changes.length, failed: failed.length, firstError: failed[0]?.error ?? null });
  if (failed.length > 0) process.exitCode = 1;
}

async function observeRounds(rounds: number): Promise<void> {
  const backend = new IpvsadmBackend();
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
}

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
const hexIpv4 = (address: string) => hex(address.split('.').reduce((v, o) => v * 256 + Number(o), 0), 8);

/** /proc/net/ip_vs of a table (IPv4 address services only). */
function procText(desired: readonly Service[]): string {
  const lines = ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn'];
  for (const s of desired) {
    if (s.key.kind !== 'addr') continue;
    lines.push(`TCP  ${hexIpv4(s.key.address)}:${hex(s.key.port, 4)} ${s.scheduler}  `);
    for (const d of [...s.destinations].reverse()) lines.push(`  -> ${hexIpv4(d.address)}:${hex(d.port, 4)}      Masq    ${String(d.weight).padEnd(6)} 0          0         `);
  }
  return `${lines.join('\n')}\n`;
}

/** Canned ipvsadm for the host: the node-side work of apply and observe without a kernel. */
function cannedRunner(desired: Service[], procFile: string): CommandRunner {
  let applied = false;
  const save = () => (applied ? renderRules({ services: desired }) : '');
  const stats = () => {
    const lines = ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes', '  -> RemoteAddress:Port'];
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
    '-L -n --exact --thresholds': () => stats().replace('Conns   InPkts  OutPkts  InBytes OutBytes', 'Uthreshold Lthreshold ActiveConn InActConn').replace(/( +\d+){5}$/gm, ' 0          0          0          0'),
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
    planS: seconds(planMs), renderS: seconds(renderMs), applyNodeS: seconds(applyMs), failed: result.results.filter((r) => !r.ok).length,
    observeNodeS: seconds(observeMs), observe2NodeS: seconds(observe2Ms), heapMB: Math.round(process.memoryUsage().heapUsed / 1e6),
  });
}

const [mode, a, b] = process.argv.slice(2);
const services = Number(a ?? 10_000);
const dests = Number(b ?? 10);
switch (mode) {
  case 'rules':
    process.stdout.write(`${plan({ services: table(services, dests) }, EMPTY).map(restoreLine).join('\n')}\n`);
    break;
  case 'apply':
    await applyTable(services, dests);
    break;
  case 'observe':
    await observeRounds(Number(a ?? 2));
    break;
  case 'host':
    await hostCosts(services, dests);
    break;
  case undefined:
  default:
    process.stderr.write('usage: bench-driver.mjs rules|apply|host SERVICES DESTS | observe ROUNDS\n');
    process.exitCode = 2;
}
