// Alerting figures (issue 17): one /metrics scrape of 1,000 health-checked
// destinations (target < 50 ms to serve), through the real HTTP server of an
// agent on the simulated kernel, uncompressed and gzip-compressed (bytes on
// the wire and ms, as Prometheus asks with Accept-Encoding: gzip).
// Baseline: the same scrape of the same table without health settings (the
// counters /metrics wrote before), so the cost of the new series shows.
// And from a health check's final failure (a TCP probe refused by a real
// server on loopback that stopped) to the webhook request at a real HTTP
// receiver on loopback: target < 1 s. Baseline: the same POST made directly.
import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/config/clock';
import { SimBackend } from '../src/kernel/sim';
import type { RunningAgent } from '../src/server';
import { startSimAgent } from './sim-agent';

interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
}

const TOKEN = 'bench-admin-token-0123456789';
const SERVICES = 100;
const PER_SERVICE = 10;
const SCRAPES = 40;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function trpc(url: string, path: string, input: unknown): Promise<{ revision: number }> {
  const res = await fetch(`${url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { result?: { data: { revision: number } }; error?: { message: string } };
  if (!body.result) throw new Error(`${path}: ${body.error?.message ?? res.status}`);
  return body.result.data;
}

export async function startBenchAgent(): Promise<{ running: RunningAgent; sim: SimBackend; close(): Promise<void> }> {
  const stateDir = await mkdtemp(join(tmpdir(), 'lvs-bench-alerts-'));
  const sim = new SimBackend({ clock: systemClock, seed: 5 });
  const running = await startSimAgent(stateDir, sim, TOKEN);
  return {
    running,
    sim,
    async close() {
      await running.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** 100 services x 10 destinations, each with (or without) health settings. */
async function loadTable(running: RunningAgent, withHealth: boolean): Promise<void> {
  let revision = running.agent.store.revision;
  for (let s = 0; s < SERVICES; s++) {
    const destinations = Array.from({ length: PER_SERVICE }, (_, d) => ({
      address: `198.51.${100 + Math.floor(s / 50)}.${(s % 50) * 5 + 1}`,
      port: 8000 + d,
      forwarding: 'masq',
      weight: 1 + d,
    }));
    const service = {
      key: { kind: 'addr', protocol: 'tcp', address: `192.0.2.${s + 1}`, port: 80 },
      scheduler: 'wrr',
      destinations,
      ...(withHealth ? { health: { checks: [{ kind: 'tcp', intervalMs: 60_000, timeoutMs: 1000 }] } } : {}),
    };
    ({ revision } = await trpc(running.url, 'services.add', { baseRevision: revision, service }));
  }
}

// The scraper runs in a child process, as Prometheus would: parsing 1.7 MB in
// the agent's own process would be counted as the agent's serving time. It
// reads the wire with node:http (no transparent decompression) and, asking for
// gzip as Prometheus does, pays for the gunzip as Prometheus would.
const SCRAPER = `
const { request } = require('node:http');
const { gunzipSync } = require('node:zlib');
const [url, token, count, encoding] = process.argv.slice(1);
const get = () => new Promise((resolve, reject) => {
  const req = request(url, { headers: { authorization: 'Bearer ' + token, 'accept-encoding': encoding } }, (res) => {
    const chunks = [];
    res.on('data', (chunk) => chunks.push(chunk));
    res.on('end', () => resolve({ status: res.statusCode, coding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
    res.on('error', reject);
  });
  req.on('error', reject);
  req.end();
});
(async () => {
  const durations = [];
  let bytes = 0;
  for (let i = 0; i < Number(count) + 5; i++) {
    const started = performance.now();
    const res = await get();
    const text = (res.coding === 'gzip' ? gunzipSync(res.body) : res.body).toString('utf8');
    if (res.status !== 200 || !text.includes('lvs_')) throw new Error('/metrics answered ' + res.status);
    if (encoding === 'gzip' && res.coding !== 'gzip') throw new Error('/metrics did not answer gzip');
    bytes = res.body.length;
    if (i >= 5) durations.push(performance.now() - started);
  }
  process.stdout.write(JSON.stringify({ durations, bytes }));
})();
`;

async function scrapeMs(url: string, encoding: 'identity' | 'gzip'): Promise<{ p50: number; p99: number; bytes: number }> {
  const child = spawn(process.execPath, ['-e', SCRAPER, `${url}/metrics`, TOKEN, String(SCRAPES), encoding], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the scraper exited with ${code}`);
  const { durations, bytes } = JSON.parse(out) as { durations: number[]; bytes: number };
  durations.sort((a, b) => a - b);
  return { p50: percentile(durations, 50), p99: percentile(durations, 99), bytes };
}

interface Scrape {
  p50: number;
  p99: number;
  bytes: number;
  series: number;
  gzip: { p50: number; p99: number; bytes: number };
}

async function scrape(withHealth: boolean): Promise<Scrape> {
  const agent = await startBenchAgent();
  try {
    await loadTable(agent.running, withHealth);
    const result = await scrapeMs(agent.running.url, 'identity');
    const gzip = await scrapeMs(agent.running.url, 'gzip');
    const text = await (await fetch(`${agent.running.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const healthy = text.split('\n').filter((line) => line.startsWith('lvs_destination_healthy{')).length;
    if (withHealth && healthy !== SERVICES * PER_SERVICE) throw new Error(`expected ${SERVICES * PER_SERVICE} lvs_destination_healthy series, got ${healthy}`);
    return { ...result, gzip, series: text.split('\n').filter((line) => line && !line.startsWith('#')).length };
  } finally {
    await agent.close();
  }
}

const FAILURES = 20;

function listen(server: Server | ReturnType<typeof createHttpServer>, port = 0): Promise<number> {
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(address !== null && typeof address === 'object' ? address.port : 0);
    }),
  );
}

/** Final failing probe to webhook request, once per service (each its own group: no repeat interval in the way). */
async function failureToWebhook(): Promise<{ p50: number; max: number; direct: number }> {
  // Arrival time of the first "down" delivery per service: on a loaded
  // machine another service's probe may time out too, so deliveries are
  // matched by the service they name, not counted.
  const downArrivals = new Map<string, number>();
  const receiver = createHttpServer((req, res) => {
    let body = '';
    req
      .setEncoding('utf8')
      .on('data', (chunk: string) => {
        body += chunk;
      })
      .on('end', () => {
        const at = Date.now();
        try {
          const payload = JSON.parse(body) as { alerts?: { kind: string; status: string; labels?: { service?: string } }[] };
          for (const alert of payload.alerts ?? []) {
            const service = alert.labels?.service;
            if (alert.kind === 'destination-down' && alert.status === 'firing' && service !== undefined && !downArrivals.has(service))
              downArrivals.set(service, at);
          }
        } catch {
          /* the direct baseline POST is not an alert */
        }
        res.writeHead(200).end('ok');
      });
  });
  const hookPort = await listen(receiver);
  const agent = await startBenchAgent();
  const listeners: Server[] = [];
  try {
    const { url } = agent.running;
    await trpc(url, 'notifications.update', {
      enabled: true,
      groupWaitMs: 0,
      repeatIntervalMs: 60_000,
      webhooks: [{ id: 'bench', name: 'bench', url: `http://127.0.0.1:${hookPort}/hook` }],
    });
    let revision = agent.running.agent.store.revision;
    const ports: number[] = [];
    for (let i = 0; i < FAILURES; i++) {
      const server = createServer((socket) => socket.destroy());
      ports.push(await listen(server));
      listeners.push(server);
      ({ revision } = await trpc(url, 'services.add', {
        baseRevision: revision,
        service: {
          key: { kind: 'addr', protocol: 'tcp', address: `192.0.2.${200 + i}`, port: 80 },
          scheduler: 'wrr',
          destinations: [{ address: '127.0.0.1', port: ports[i], forwarding: 'masq', weight: 1 }],
          health: { checks: [{ kind: 'tcp', intervalMs: 200, timeoutMs: 150, rise: 1, fall: 1, warmupMs: 0 }] },
        },
      }));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const latencies: number[] = [];
    for (let i = 0; i < FAILURES; i++) {
      const service = `tcp:192.0.2.${200 + i}:80`;
      downArrivals.delete(service);
      const server = listeners[i];
      if (server) await new Promise((resolve) => server.close(resolve));
      const deadline = Date.now() + 10_000;
      while (!downArrivals.has(service) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      const arrived = downArrivals.get(service);
      if (arrived === undefined) throw new Error(`no webhook for failure ${i}`);
      const status = agent.running.agent.health.status({ service });
      const failedAt = status.services[0]?.destinations[0]?.checks[0]?.lastFailure?.time;
      if (failedAt === undefined) throw new Error(`no failing probe recorded for ${i}`);
      latencies.push(arrived - failedAt);
    }
    latencies.sort((a, b) => a - b);
    const directStarted = performance.now();
    await fetch(`http://127.0.0.1:${hookPort}/hook`, { method: 'POST', body: '{}' }).then((r) => r.text());
    return { p50: percentile(latencies, 50), max: latencies[latencies.length - 1] ?? Number.NaN, direct: performance.now() - directStarted };
  } finally {
    await agent.close();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
}

export async function run(): Promise<BenchResult[]> {
  const failure = await failureToWebhook();
  const direct = { name: 'one direct POST to the same receiver', value: Math.round(failure.direct * 100) / 100, unit: 'ms' };
  const plain = await scrape(false);
  const health = await scrape(true);
  const baseline = { name: 'metrics scrape p99, 1,000 destinations without health (counters only)', value: Math.round(plain.p99 * 100) / 100, unit: 'ms' };
  return [
    {
      name: `alerts-metrics-scrape-1000-destinations-p50 (${health.series} series, ${health.bytes} bytes)`,
      value: Math.round(health.p50 * 100) / 100,
      unit: 'ms',
      baseline,
    },
    { name: 'alerts-metrics-scrape-1000-destinations-p99 (target < 50 ms)', value: Math.round(health.p99 * 100) / 100, unit: 'ms', baseline },
    // Prometheus sends Accept-Encoding: gzip; the baseline is the same scrape without compression.
    {
      name: `alerts-metrics-scrape-1000-destinations-gzip-bytes`,
      value: health.gzip.bytes,
      unit: 'bytes',
      baseline: { name: 'the same scrape uncompressed', value: health.bytes, unit: 'bytes' },
    },
    {
      name: 'alerts-metrics-scrape-1000-destinations-gzip-p50 (gunzip included)',
      value: Math.round(health.gzip.p50 * 100) / 100,
      unit: 'ms',
      baseline: { name: 'the same scrape uncompressed, p50', value: Math.round(health.p50 * 100) / 100, unit: 'ms' },
    },
    {
      name: 'alerts-metrics-scrape-1000-destinations-gzip-p99 (gunzip included)',
      value: Math.round(health.gzip.p99 * 100) / 100,
      unit: 'ms',
      baseline: { name: 'the same scrape uncompressed, p99', value: Math.round(health.p99 * 100) / 100, unit: 'ms' },
    },
    { name: `alerts-failure-to-webhook-p50 (${FAILURES} failures)`, value: failure.p50, unit: 'ms', baseline: direct },
    { name: `alerts-failure-to-webhook-max (${FAILURES} failures, target < 1000 ms)`, value: failure.max, unit: 'ms', baseline: direct },
  ];
}
