// What an import reads of the kernel (issue 18): a merge that names a few
// services reads every service row but only those services' destination
// lists (observeWithin) and plans them from that fresh read; a replace, or a
// paste with `ipvsadm -C`, reads the whole table, since it deletes services
// it does not name wherever the kernel has them. Over HTTP through the real
// reconciler against the sim kernel, whose reads are counted like the
// netlink backend's (lvs_console_kernel_destination_lists_read_total).
import { afterEach, describe, expect, it } from 'vitest';
import { destinationId, serviceId, type DesiredState, type ServiceKey } from '@lvs-console/shared';
import type { ImportOutcome } from '@lvs-console/shared/api';
import { renderRules } from '@lvs-console/shared/ipvsadm';
import { ADMIN_TOKEN, data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

const SERVICES = 40;
const vip = (i: number): string => `192.0.2.${10 + i}`;
const key = (i: number): ServiceKey => ({ kind: 'addr', protocol: 'tcp', address: vip(i), port: 80 });
const server = (i: number, d: number): string => `198.51.100.${10 + ((i * 2 + d) % 200)}`;

/** 40 services of 2 NAT real servers each, as a paste. */
function tableText(): string {
  const lines: string[] = [];
  for (let i = 0; i < SERVICES; i++) {
    lines.push(`ipvsadm -A -t ${vip(i)}:80 -s wlc`);
    for (let d = 0; d < 2; d++) lines.push(`ipvsadm -a -t ${vip(i)}:80 -r ${server(i, d)}:8080 -m -w 1`);
  }
  return lines.join('\n');
}

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function revision(harness: Harness): Promise<number> {
  return data<{ revision: number }>(await trpcQuery(harness.url, 'state.get')).revision;
}

async function desired(harness: Harness): Promise<DesiredState> {
  return data<{ desired: DesiredState }>(await trpcQuery(harness.url, 'state.get')).desired;
}

async function listsReadMetric(harness: Harness): Promise<number> {
  const text = await (await fetch(`${harness.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
  const line = /^lvs_console_kernel_destination_lists_read_total (\d+)$/m.exec(text);
  expect(line, 'lvs_console_kernel_destination_lists_read_total in /metrics').not.toBeNull();
  return Number(line?.[1]);
}

/** Import for real and return the outcome with the destination lists the import read. */
async function importCounting(
  harness: Harness,
  request: { text: string; format?: string; mode: 'merge' | 'replace'; confirmDeletes?: boolean },
): Promise<{ outcome: ImportOutcome; lists: number }> {
  const before = await listsReadMetric(harness);
  const reads = harness.sim.destinationListsRead;
  const outcome = data<ImportOutcome>(await trpcMutation(harness.url, 'state.import', { baseRevision: await revision(harness), dryRun: false, ...request }));
  const lists = harness.sim.destinationListsRead - reads;
  // The metric counts the backend's reads (state.get and /metrics read nothing).
  expect((await listsReadMetric(harness)) - before).toBe(lists);
  return { outcome, lists };
}

async function withTable(): Promise<Harness> {
  const harness = await startHarness({ demo: false });
  await importCounting(harness, { text: tableText(), mode: 'merge' });
  expect((await harness.sim.observe()).services).toHaveLength(SERVICES);
  return harness;
}

function weightOf(table: { services: DesiredState['services'] }, i: number, d: number): number | undefined {
  return table.services.find((s) => serviceId(s.key) === serviceId(key(i)))?.destinations.find((x) => destinationId(x) === `${server(i, d)}:8080`)?.weight;
}

// Each case imports a 40-service table over HTTP first: seconds on a busy machine, so a deadline that only catches a hang.
describe('an import that names a few services reads only their destinations', { timeout: 120_000 }, () => {
  it('a pasted -e of one real server reads that one list before the plan and after the apply', async () => {
    h = await withTable();
    const { outcome, lists } = await importCounting(h, { text: `ipvsadm -e -t ${vip(7)}:80 -r ${server(7, 1)}:8080 -m -w 5`, mode: 'merge' });
    expect(outcome.lines).toEqual([`ipvsadm -e -t ${vip(7)}:80 -r ${server(7, 1)}:8080 -m -w 5`]);
    // One list before planning, one after the apply: not 2 x 40.
    expect(lists).toBe(2);
    expect(weightOf(await h.sim.observe(), 7, 1)).toBe(5);
    expect(weightOf(await desired(h), 7, 1)).toBe(5);
  });

  it('a keepalived.conf merge of two services (one new) reads their lists only; the plan sees a hand edit there', async () => {
    h = await withTable();
    // By hand, after the agent's last read: service 3 loses a real server.
    const three = (await h.sim.observe()).services.find((s) => serviceId(s.key) === serviceId(key(3)));
    const gone = three?.destinations.find((d) => d.address === server(3, 0));
    expect(gone).toBeDefined();
    if (!three || !gone) return;
    expect((await h.sim.apply([{ kind: 'delete-destination', service: key(3), destination: gone }])).results[0]?.ok).toBe(true);
    const conf = [3, SERVICES]
      .map(
        (i) => `virtual_server ${vip(i)} 80 {
  lb_algo wlc
  lb_kind NAT
  protocol TCP
  real_server ${server(i, 0)} 8080 {
    weight 2
  }
  real_server ${server(i, 1)} 8080 {
    weight 1
  }
}`,
      )
      .join('\n');
    const { outcome, lists } = await importCounting(h, { text: conf, format: 'keepalived', mode: 'merge' });
    expect(outcome.import.deletes).toEqual([]);
    // Service 3's list before the plan (the new one is not in the kernel yet), both after the apply.
    expect(lists).toBe(3);
    // Read afresh, not from the earlier observation: the hand-deleted real server is added back at weight 2.
    const kernel = await h.sim.observe();
    expect(weightOf(kernel, 3, 0)).toBe(2);
    expect(weightOf(kernel, SERVICES, 0)).toBe(2);
    expect(kernel.services).toHaveLength(SERVICES + 1);
    expect(renderRules({ ...(await desired(h)), timeouts: null, syncDaemons: [] })).toBe(
      renderRules({ services: kernel.services.map((s) => ({ ...s, destinations: s.destinations.map((d) => ({ ...d })) })), timeouts: null, syncDaemons: [] }),
    );
  });
});

describe('an import that may delete what it does not name reads the whole table', { timeout: 120_000 }, () => {
  it('a replace deletes a service added by hand that no state knew, from a full read', async () => {
    h = await withTable();
    const stray: ServiceKey = { kind: 'addr', protocol: 'tcp', address: '192.0.2.250', port: 80 };
    const added = await h.sim.apply([{ kind: 'add-service', service: { key: stray, scheduler: 'rr', flags: [], persistence: null, onePacket: false } }]);
    expect(added.results[0]?.ok).toBe(true);
    const text = `${tableText()}\nipvsadm -e -t ${vip(0)}:80 -r ${server(0, 0)}:8080 -m -w 3`;
    const { outcome, lists } = await importCounting(h, { text, mode: 'replace', confirmDeletes: true });
    expect(outcome.changes.map((c) => c.kind).sort()).toEqual(['delete-service', 'edit-destination']);
    // Every service's list before the plan (41), the touched ones after.
    expect(lists).toBeGreaterThanOrEqual(SERVICES + 1);
    const kernel = await h.sim.observe();
    expect(kernel.services.map((s) => serviceId(s.key))).not.toContain(serviceId(stray));
    expect(weightOf(kernel, 0, 0)).toBe(3);
  });

  it('a merge paste with ipvsadm -C is a replace: a full read, and the kernel holds only what it names', async () => {
    h = await withTable();
    const text = `ipvsadm -C\nipvsadm -A -t ${vip(1)}:80 -s rr\nipvsadm -a -t ${vip(1)}:80 -r ${server(1, 0)}:8080 -m -w 1`;
    const { outcome, lists } = await importCounting(h, { text, mode: 'merge', confirmDeletes: true });
    expect(outcome.import.replaces).toBe(true);
    expect(lists).toBeGreaterThanOrEqual(SERVICES);
    const kernel = await h.sim.observe();
    expect(kernel.services.map((s) => serviceId(s.key))).toEqual([serviceId(key(1))]);
    expect(kernel.services[0]?.destinations.map((d) => d.address)).toEqual([server(1, 0)]);
  });
});
