// Health checks at scale: 1,000 destinations probed by TCP connect every 2 s
// on loopback (listeners on 127.0.0.1-4, in a child process so this
// process's CPU time is the checker's alone).
// Targets (issue 6): CPU < 10 % of one core; a server that goes down reaches
// weight 0 in the kernel within fall × interval + timeout.
// Baseline: the same number of bare connect-and-close calls at the same pace,
// the least any TCP checker must spend (loopback connects are kernel work).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { desiredStateSchema, type DesiredState } from '@lvs-console/shared';
import { applyEffectiveTable } from '../src/health/apply';
import { HealthManager } from '../src/health/manager';
import { SimBackend } from '../src/kernel/sim';

interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
}

const DESTINATIONS = 1000;
const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
const INTERVAL_MS = 2000;
const TIMEOUT_MS = 1000;
const FALL = 3;
const MEASURE_MS = Number(process.env.BENCH_HEALTH_SECONDS ?? 10) * 1000;

// The listeners: accept and close; "stop ADDRESS PORT" on stdin closes one.
const LISTENERS = `
const net = require('node:net');
const readline = require('node:readline');
const addresses = ${JSON.stringify(ADDRESSES)};
const servers = new Map();
let pending = ${DESTINATIONS};
const endpoints = [];
for (let i = 0; i < ${DESTINATIONS}; i++) {
  const host = addresses[i % addresses.length];
  const server = net.createServer((socket) => { socket.on('error', () => {}); socket.end(); });
  server.listen({ host, port: 0 }, () => {
    const port = server.address().port;
    servers.set(host + ' ' + port, server);
    endpoints.push({ address: host, port });
    if (--pending === 0) process.stdout.write(JSON.stringify(endpoints) + '\\n');
  });
}
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, host, port] = line.split(' ');
  if (command === 'stop') {
    const server = servers.get(host + ' ' + port);
    if (server) server.close(() => process.stdout.write('stopped\\n'));
  }
});
`;

interface Endpoint {
  address: string;
  port: number;
}

async function startListeners(): Promise<{ child: ChildProcessWithoutNullStreams; endpoints: Endpoint[] }> {
  const child = spawn(process.execPath, ['-e', LISTENERS], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error('the listener process ended before listening');
  return { child, endpoints: JSON.parse(first.value) as Endpoint[] };
}

function desiredFor(endpoints: readonly Endpoint[]): DesiredState {
  const perService = 100;
  const services = [];
  for (let s = 0; s < endpoints.length / perService; s++) {
    services.push({
      key: { kind: 'addr', protocol: 'tcp', address: `192.0.2.${s + 1}`, port: 80 },
      scheduler: 'wlc',
      destinations: endpoints.slice(s * perService, (s + 1) * perService).map((e) => ({ address: e.address, port: e.port, forwarding: 'masq', weight: 10 })),
      health: { checks: [{ kind: 'tcp', intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS, rise: 2, fall: FALL }] },
    });
  }
  return desiredStateSchema.parse({ services });
}

function cpuPercent(start: NodeJS.CpuUsage, wallMs: number): number {
  const used = process.cpuUsage(start);
  return ((used.user + used.system) / 1000 / wallMs) * 100;
}

/**
 * The same number of connects as the checker made in the window, at the same
 * pace (a tick every 20 ms), with nothing else: connect, reset. Loopback
 * connects cost the kernel's handshake on this CPU, so this is the floor.
 */
async function pacedBareConnects(endpoints: readonly Endpoint[], count: number, wallMs: number): Promise<number> {
  const tickMs = 20;
  const ticks = Math.max(1, Math.round(wallMs / tickMs));
  const perTick = count / ticks;
  const started = process.cpuUsage();
  const wallStart = performance.now();
  let issued = 0;
  let next = 0;
  const inFlight = new Set<Promise<void>>();
  await new Promise<void>((resolve) => {
    let tick = 0;
    const timer = setInterval(() => {
      tick++;
      const due = Math.min(count, Math.round(tick * perTick));
      for (; issued < due; issued++) {
        const target = endpoints[next++ % endpoints.length] as Endpoint;
        const done = new Promise<void>((settle) => {
          const socket = connect({ host: target.address, port: target.port });
          socket.once('connect', () => {
            socket.resetAndDestroy();
            settle();
          });
          socket.once('error', () => settle());
        });
        inFlight.add(done);
        void done.then(() => inFlight.delete(done));
      }
      if (tick >= ticks) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  await Promise.all(inFlight);
  const used = process.cpuUsage(started);
  return ((used.user + used.system) / 1000 / (performance.now() - wallStart)) * 100;
}

export async function run(): Promise<BenchResult[]> {
  const { child, endpoints } = await startListeners();
  const backend = new SimBackend();
  const desired = desiredFor(endpoints);
  const manager = new HealthManager();
  const victim = endpoints[DESTINATIONS - 1] as Endpoint;
  const victimService = desired.services.at(-1);
  let downAt: number | null = null;
  let zeroAt: number | null = null;
  let syncing: Promise<void> = Promise.resolve();
  const sync = async (): Promise<void> => {
    await applyEffectiveTable(backend, desired, manager.snapshot(), Date.now());
    if (downAt !== null && zeroAt === null) {
      const observed = (await backend.observe()).services.find(
        (s) => s.key.kind === 'addr' && victimService?.key.kind === 'addr' && s.key.address === victimService.key.address,
      );
      const weight = observed?.destinations.find((d) => d.address === victim.address && d.port === victim.port)?.weight;
      if (weight === 0) zeroAt = performance.now();
    }
  };
  manager.onChange(() => {
    syncing = syncing.then(sync);
  });
  try {
    manager.setDesired(desired);
    await sync();
    // Warm up: the first probes are spread over one interval.
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS + 500));

    let probesBefore = 0;
    for (const service of manager.status().services) for (const dest of service.destinations) probesBefore += dest.history.length;
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    // Take one server down a second into the window; watch its weight reach 0.
    setTimeout(() => {
      downAt = performance.now();
      child.stdin.write(`stop ${victim.address} ${victim.port}\n`);
    }, 1000).unref();
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    const wallMs = performance.now() - wallStart;
    const checkerCpu = cpuPercent(cpuStart, wallMs);
    let probesAfter = 0;
    for (const service of manager.status().services) for (const dest of service.destinations) probesAfter += dest.history.length;
    await syncing;
    // History is bounded (30 per destination); with 2 s intervals over ~13 s it is not yet full.
    const probes = probesAfter - probesBefore;

    const bareCpu = await pacedBareConnects(endpoints.slice(0, DESTINATIONS - 1), probes, wallMs);
    return [
      {
        name: 'health-1000-tcp-2s-cpu',
        value: Math.round(checkerCpu * 100) / 100,
        unit: '% of one core',
        baseline: { name: 'bare-connect-same-rate-cpu', value: Math.round(bareCpu * 100) / 100, unit: '% of one core' },
      },
      { name: 'health-1000-tcp-2s-probes-per-second', value: Math.round((probes / wallMs) * 1000), unit: 'probes/s' },
      {
        name: 'health-reaction-down-to-weight-0',
        value: zeroAt !== null && downAt !== null ? Math.round(zeroAt - downAt) : -1,
        unit: 'ms',
        baseline: { name: 'budget-fall-x-interval-plus-timeout', value: FALL * INTERVAL_MS + TIMEOUT_MS, unit: 'ms' },
      },
    ];
  } finally {
    await manager.stop();
    await backend.close();
    child.kill();
  }
}
