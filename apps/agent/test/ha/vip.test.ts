// A director on its own owns its VIPs: naming the VIP interface puts every
// service VIP there (and takes a removed service's VIP away), the setup
// checklist checks it, and "why no traffic" names a VIP that went missing.
import { afterEach, describe, expect, it } from 'vitest';
import { SimHostBackend } from '../../src/host';
import { DEMO_DIRECTOR_ADDRESSES } from '../../src/kernel/demo';
import { hostPortOf } from '../../src/reconcile/ports';
import { data, startHarness, trpcMutation, trpcQuery, WEB, type Harness } from '../http/harness';

let h: Harness;
afterEach(async () => {
  await h.close();
});

interface HostStatus {
  services: Array<{ service: string; vip: { ok: boolean; message: string; mode: string } | null }>;
}
interface HealthStatus {
  services: Array<{ destinations: Array<{ explanation: { receivesNewConnections: boolean; summary: string; reasons: Array<{ code: string }> } | null }> }>;
}

const vipRow = (address: string) => ({ kind: 'address' as const, address, prefixLength: 32, interface: 'eth0', reason: '' });

describe('the VIPs of a director on its own', () => {
  it('puts each service VIP on the named interface, checks it, and names it in "why no traffic" when it goes missing', async () => {
    const simHost = new SimHostBackend({ interfaceAddresses: DEMO_DIRECTOR_ADDRESSES });
    h = await startHarness({ host: hostPortOf(simHost) });
    const revision = data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision;
    const before = data<HostStatus>(await trpcQuery(h.url, 'host.status'));
    // Not managed yet: no VIP status at all.
    expect(before.services.every((s) => s.vip === null)).toBe(true);

    const set = await trpcMutation(h.url, 'cluster.setVipInterface', { baseRevision: revision, interface: 'eth0' });
    expect(set.status).toBe(200);
    expect(data<{ warnings: string[] }>(set).warnings).toEqual([]);
    expect((await simHost.read([vipRow('192.0.2.10')]))[0]?.ok).toBe(true);
    const web = (status: HostStatus) => status.services.find((s) => s.service === 'tcp:192.0.2.10:80');
    expect(web(data<HostStatus>(await trpcQuery(h.url, 'host.status')))?.vip).toMatchObject({
      ok: true,
      mode: 'interface',
      message: 'the VIP 192.0.2.10 is on eth0',
    });

    // Someone deletes it by hand: the checklist and "why no traffic" say so.
    await simHost.remove([vipRow('192.0.2.10')]);
    const missing = web(data<HostStatus>(await trpcQuery(h.url, 'host.status')))?.vip;
    expect(missing?.ok).toBe(false);
    expect(missing?.message).toMatch(/^the VIP 192\.0\.2\.10 is not on eth0 of this director/);
    const health = data<HealthStatus>(await trpcQuery(h.url, 'health.status', { service: 'tcp:192.0.2.10:80' }));
    const explanation = health.services[0]?.destinations[0]?.explanation;
    expect(explanation?.receivesNewConnections).toBe(false);
    expect(explanation?.summary).toMatch(/VIP 192\.0\.2\.10 is not on eth0/);
    expect(explanation?.reasons[0]?.code).toBe('vip-missing');

    // "Apply host settings" puts it back.
    const current = data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision;
    await trpcMutation(h.url, 'host.apply', { baseRevision: current });
    expect(web(data<HostStatus>(await trpcQuery(h.url, 'host.status')))?.vip?.ok).toBe(true);

    // Removing the last service on a VIP takes the VIP away.
    const removed = await trpcMutation(h.url, 'services.remove', { baseRevision: current, service: WEB });
    expect(removed.status).toBe(200);
    expect((await simHost.read([vipRow('192.0.2.10')]))[0]?.ok).toBe(false);
  });

  it('refuses a bad interface name and changes nothing', async () => {
    h = await startHarness();
    const revision = data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision;
    const bad = await trpcMutation(h.url, 'cluster.setVipInterface', { baseRevision: revision, interface: 'eth0;reboot' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/^interface: interface names are 1-15 letters, digits or \. _ - : @/);
    expect(data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision).toBe(revision);
  });
});
