// Real servers' reports end to end: a real-server agent on a simulated host
// reports to a director over HTTP; tokens are checked per role; an admin's
// fix request reaches the real server at its next report and changes its host.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RealServerReport, RealServerReports } from '@lvs-console/shared/api';
import { ManualClock } from '../../src/config/clock';
import { SimHostBackend } from '../../src/host';
import { realserverCheck } from '../../src/host/realserver';
import { silentLogger } from '../../src/log';
import { RealServerAgent } from '../../src/realservers/agent';
import { RealServerRegistry } from '../../src/realservers/registry';
import { ADMIN_TOKEN, REALSERVER_TOKEN, VIEWER_TOKEN, data, startHarness, trpcMutation, trpcQuery, type Harness } from '../http/harness';

const ROLE = { mode: 'dr' as const, vips: ['203.0.113.10'] };
const RIP = '198.51.100.21';

function agentFor(h: Harness, host: SimHostBackend, fix: 'auto' | 'on-request' = 'on-request', token = REALSERVER_TOKEN): RealServerAgent {
  return new RealServerAgent({ role: ROLE, host, fix, intervalMs: 60_000, log: silentLogger, hostname: 'rs1', report: { url: h.url, token, address: RIP } });
}

async function reports(h: Harness): Promise<RealServerReports> {
  return data<RealServerReports>(await trpcQuery(h.url, 'realServers.list', undefined, VIEWER_TOKEN));
}

describe('real-server reports over HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('lists what the real server reported, and applies a fix an admin asked for at the next report', async () => {
    const host = new SimHostBackend();
    const agent = agentFor(h, host);
    const first = await agent.runRound();
    expect(first).toMatchObject({ reported: true, applied: false, passed: false, error: null });

    let report = (await reports(h)).reports[0];
    expect(report).toMatchObject({ address: RIP, mode: 'dr', vips: ['203.0.113.10'], hostname: 'rs1', passed: false, stale: false, fixRequested: null });
    expect(report?.rows.find((r) => r.message.includes('arp_ignore'))).toMatchObject({ ok: false, actual: '0' });
    // on-request: nothing on the real server changed by itself.
    expect((await realserverCheck(ROLE, host)).passed).toBe(false);

    const requested = data<RealServerReport>(await trpcMutation(h.url, 'realServers.requestFix', { address: RIP }));
    expect(requested.fixRequested?.by).toBe('admin');
    const second = await agent.runRound();
    expect(second).toMatchObject({ reported: true, applied: true, passed: true });
    expect((await realserverCheck(ROLE, host)).passed).toBe(true);

    report = (await reports(h)).reports[0];
    expect(report).toMatchObject({ passed: true, fixRequested: null });
    expect(report?.lastFix).toMatchObject({ by: 'admin', ok: true });
    // Forgetting the report drops it until the real server reports again.
    data(await trpcMutation(h.url, 'realServers.forget', { address: RIP }));
    expect((await reports(h)).reports).toEqual([]);
    expect((await trpcMutation(h.url, 'realServers.forget', { address: RIP })).status).toBe(404);
    await agent.runRound();
    expect((await reports(h)).reports.map((r) => r.address)).toEqual([RIP]);
    const audit = data<Array<{ what: string; who: string }>>(await trpcQuery(h.url, 'audit.list', { limit: 20 }));
    expect(audit.some((e) => e.what === `realServers.requestFix ${RIP}` && e.who === 'admin')).toBe(true);
  });

  it('re-applies drifted settings by itself with --fix auto, and says so in the report', async () => {
    const host = new SimHostBackend();
    const outcome = await agentFor(h, host, 'auto').runRound();
    expect(outcome).toMatchObject({ applied: true, passed: true, reported: true });
    expect((await reports(h)).reports[0]?.passed).toBe(true);
  });

  it('keeps each token to its role', async () => {
    const host = new SimHostBackend();
    // A viewer token cannot report; a realserver token can do nothing else.
    expect((await agentFor(h, host, 'on-request', VIEWER_TOKEN).runRound()).error).toMatch(/403.*realserver token/);
    expect((await reports(h)).reports).toEqual([]);
    expect((await trpcQuery(h.url, 'state.get', undefined, REALSERVER_TOKEN)).status).toBe(403);
    expect((await trpcQuery(h.url, 'realServers.list', undefined, REALSERVER_TOKEN)).status).toBe(403);
    expect((await trpcMutation(h.url, 'realServers.requestFix', { address: RIP }, REALSERVER_TOKEN)).status).toBe(403);
    expect((await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${REALSERVER_TOKEN}` } })).status).toBe(403);
    // A viewer cannot ask for a fix; nobody can for a server that never reported.
    await agentFor(h, host).runRound();
    expect((await trpcMutation(h.url, 'realServers.requestFix', { address: RIP }, VIEWER_TOKEN)).status).toBe(403);
    const unknown = await trpcMutation(h.url, 'realServers.requestFix', { address: '198.51.100.99' }, ADMIN_TOKEN);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.message).toContain('no report from 198.51.100.99');
  });

  it('refuses a malformed report and keeps what it had', async () => {
    await agentFor(h, new SimHostBackend()).runRound();
    const before = await reports(h);
    const bad = await trpcMutation(h.url, 'realServers.report', { address: 'not-an-ip', mode: 'dr', vips: [], rows: [] }, REALSERVER_TOKEN);
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/address/);
    const control = await trpcMutation(
      h.url,
      'realServers.report',
      {
        address: RIP,
        mode: 'dr',
        vips: ['203.0.113.10'],
        rows: [{ setting: { kind: 'module', name: 'ipip', reason: 'x' }, actual: null, ok: true, message: 'bell\u0007' }],
      },
      REALSERVER_TOKEN,
    );
    expect(control.status).toBe(400);
    expect(await reports(h)).toEqual(before);
  });

  it('reports a director it cannot reach as an error of the round, not a crash', async () => {
    const host = new SimHostBackend();
    const agent = new RealServerAgent({
      role: ROLE,
      host,
      fix: 'auto',
      intervalMs: 60_000,
      log: silentLogger,
      report: { url: 'http://127.0.0.1:9', token: REALSERVER_TOKEN, address: RIP },
    });
    const outcome = await agent.runRound();
    expect(outcome.reported).toBe(false);
    expect(outcome.error).toBeTruthy();
    // The settings are still kept locally.
    expect(outcome.passed).toBe(true);
  });
});

describe('RealServerRegistry', () => {
  const report = (intervalSeconds?: number) => ({
    address: RIP,
    mode: 'dr' as const,
    vips: ['203.0.113.10'],
    rows: [],
    ...(intervalSeconds ? { intervalSeconds } : {}),
  });

  it('marks a real server stale after three of its intervals and forgets it after a day', () => {
    const clock = new ManualClock(1_000_000);
    const registry = new RealServerRegistry(clock, 30);
    registry.report(report(10));
    clock.advance(30_000);
    expect(registry.list().reports[0]?.stale).toBe(false);
    clock.advance(1);
    expect(registry.list().reports[0]?.stale).toBe(true);
    clock.advance(24 * 60 * 60 * 1000);
    expect(registry.list().reports).toEqual([]);
  });

  it('hands a fix out once and keeps it pending until the outcome comes back', () => {
    const clock = new ManualClock(1_000_000);
    const registry = new RealServerRegistry(clock);
    registry.report(report());
    registry.requestFix(RIP, { name: 'alice', role: 'admin' });
    expect(registry.report(report()).apply).toBe(true);
    expect(registry.list().reports[0]?.fixRequested?.by).toBe('alice');
    expect(registry.report(report()).apply).toBe(false);
    registry.report({ ...report(), applied: { ok: false, messages: ['sysctl: permission denied'] } });
    expect(registry.list().reports[0]).toMatchObject({ fixRequested: null, lastFix: { by: 'alice', ok: false, messages: ['sysctl: permission denied'] } });
  });
});
