// Health checks wired through the whole agent: a real TCP listener on
// loopback and a closed port; the kernel gets weight 0 for the failing real
// server, the desired state keeps the configured weight, and none of it
// shows as drift. Real time, bounded waits (the checker probes real sockets).
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { destinationId, type ObservedTable } from '@lvs-console/shared';
import { ADMIN_TOKEN, data, startHarness, trpcMutation, trpcQuery, type Harness } from './harness';

const servers: Server[] = [];
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      servers.push(server);
      resolve(server);
    });
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = await listen();
  const port = portOf(server);
  servers.splice(servers.indexOf(server), 1);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function kernelWeights(harness: Harness): Promise<Record<string, number>> {
  const table: ObservedTable = await harness.sim.observe();
  const service = table.services.find((s) => s.key.kind === 'addr' && s.key.address === '192.0.2.50');
  return Object.fromEntries((service?.destinations ?? []).map((d) => [destinationId(d), d.weight]));
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('health checks through the agent', () => {
  it('quiesces a real server whose check fails, restores it when it answers, and reports no drift', async () => {
    const up = portOf(await listen());
    const down = await closedPort();
    h = await startHarness({ demo: false });
    const { revision } = data<{ revision: number }>(await trpcQuery(h.url, 'state.get'));
    const check = { kind: 'tcp', intervalMs: 200, timeoutMs: 150, rise: 1, fall: 1, warmupMs: 0 };
    const added = await trpcMutation(h.url, 'services.add', {
      baseRevision: revision,
      service: {
        key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.50', port: 80 },
        scheduler: 'wrr',
        destinations: [
          { address: '127.0.0.1', port: up, forwarding: 'masq', weight: 5 },
          { address: '127.0.0.1', port: down, forwarding: 'masq', weight: 5 },
        ],
        health: { checks: [check] },
      },
    });
    expect(added.status).toBe(200);
    const harness = h;

    await until('the failing server to be quiesced', async () => (await kernelWeights(harness))[`127.0.0.1:${down}`] === 0);
    expect((await kernelWeights(harness))[`127.0.0.1:${up}`]).toBe(5);
    const state = data<{ desired: { services: Array<{ destinations: Array<{ port: number; weight: number }> }> } }>(await trpcQuery(h.url, 'state.get'));
    expect(state.desired.services[0]?.destinations.map((d) => d.weight)).toEqual([5, 5]);
    const drift = data<{ changes: unknown[] }>(await trpcQuery(h.url, 'state.drift'));
    expect(drift.changes).toEqual([]);
    const status = data<{ services: Array<{ destinations: Array<{ id: string; status: string }> }> }>(await trpcQuery(h.url, 'health.status'));
    expect(status.services[0]?.destinations.find((d) => d.id === `127.0.0.1:${down}`)?.status).toBe('down');

    // The same facts on /metrics, for Prometheus to alert on.
    const scrape = async () => (await fetch(`${harness.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    const failing = `{service="tcp:192.0.2.50:80",destination="127.0.0.1:${down}"}`;
    const metrics = await scrape();
    expect(metrics).toContain(`lvs_destination_healthy${failing} 0\n`);
    expect(metrics).toContain(`lvs_destination_healthy{service="tcp:192.0.2.50:80",destination="127.0.0.1:${up}"} 1\n`);
    expect(metrics).toContain(`lvs_destination_configured_weight${failing} 5\n`);
    expect(metrics).toContain(`lvs_destination_effective_weight${failing} 0\n`);
    expect(metrics).toContain('lvs_service_quorum_up{service="tcp:192.0.2.50:80"} 1\n');
    expect(metrics).toMatch(/^lvs_console_last_apply_success 1$/m);

    await listen(down);
    await until('the recovered server to get its weight back', async () => (await kernelWeights(harness))[`127.0.0.1:${down}`] === 5);
    expect(await scrape()).toContain(`lvs_destination_healthy${failing} 1\n`);
  });
});
