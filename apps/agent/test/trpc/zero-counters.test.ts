// services.zeroCounters over HTTP against the sim kernel with demo traffic:
// one service's counters go to zero, the others keep theirs, every call is
// audited with the ipvsadm line it ran, a viewer cannot do it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceId } from '@lvs-console/shared';
import type { AuditEntry } from '@lvs-console/shared/api';
import { VIEWER_TOKEN, WEB, data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function connsOf(): Promise<Map<string, number>> {
  return new Map((await h.sim.observe()).services.map((s) => [serviceId(s.key), s.stats.conns]));
}

describe('services.zeroCounters', () => {
  it('zeroes one service, leaves the others, and audits the line', async () => {
    // Demo traffic for ten simulated seconds (the harness runs no timers).
    h.sim.advanceBy(10_000);
    const before = await connsOf();
    expect(before.get(serviceId(WEB))).toBeGreaterThan(0);
    const others = [...before].filter(([id, conns]) => id !== serviceId(WEB) && conns > 0);
    expect(others.length).toBeGreaterThan(0);
    const result = data<{ line: string }>(await trpcMutation(h.url, 'services.zeroCounters', { service: WEB }));
    expect(result.line).toBe('ipvsadm -Z -t 192.0.2.10:80');
    const after = await connsOf();
    expect(after.get(serviceId(WEB))).toBe(0);
    for (const [id, conns] of others) expect(after.get(id)).toBe(conns);
    const audit = data<AuditEntry[]>(await trpcQuery(h.url, 'audit.list', { limit: 5 }));
    expect(audit[0]).toMatchObject({ what: 'zero the counters of TCP 192.0.2.10:80', result: 'ok', lines: ['ipvsadm -Z -t 192.0.2.10:80'] });
  });

  it('zeroes everything without a service', async () => {
    data(await trpcMutation(h.url, 'services.zeroCounters', {}));
    expect([...(await connsOf()).values()].every((conns) => conns === 0)).toBe(true);
  });

  it('refuses an unknown service (audited as failed) and a viewer', async () => {
    const unknown = await trpcMutation(h.url, 'services.zeroCounters', { service: { kind: 'addr', protocol: 'tcp', address: '192.0.2.254', port: 1 } });
    expect(unknown.body.error?.message).toBe('No such service');
    const audit = data<AuditEntry[]>(await trpcQuery(h.url, 'audit.list', { limit: 1 }));
    expect(audit[0]).toMatchObject({ result: 'failed', error: 'No such service' });
    const viewer = await trpcMutation(h.url, 'services.zeroCounters', {}, VIEWER_TOKEN);
    expect(viewer.status).toBe(403);
  });
});
