// How often one change reads the kernel's table: once before planning and once
// after applying (that read judges the batch, feeds drift and the console).
// Against the ipvsadm backend with the fake ipvsadm program, counting listings.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { desiredStateSchema } from '@lvs-console/shared';
import type { Caller } from '@lvs-console/shared/api';
import { plan } from '@lvs-console/shared/plan';
import { ManualClock } from '../../src/config/clock';
import { IpvsadmBackend } from '../../src/kernel/ipvsadm';
import { createExecRunner } from '../../src/kernel/runner';
import { silentLogger } from '../../src/log';
import { AgentMetrics } from '../../src/reconcile/agent-metrics';
import { EventBus } from '../../src/reconcile/events';
import { Reconciler } from '../../src/reconcile/reconciler';
import { AuditLog } from '../../src/store/audit-log';
import { StateStore } from '../../src/store/state-store';

const FAKE = fileURLToPath(new URL('../fixtures/fake-ipvsadm', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'lvs-reads-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ADMIN: Caller = { name: 'admin', role: 'admin' };
const WEB = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 } as const;
const SERVER = { address: '198.51.100.11', port: 8080 } as const;

describe('a change through the reconciler and the ipvsadm backend', { timeout: 120_000 }, () => {
  it('reads the kernel table once before planning and once after applying', async () => {
    const stateFile = join(root, 'state.json');
    const procFile = `${stateFile}.proc`;
    writeFileSync(
      procFile,
      'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n',
    );
    const modulesDir = join(root, 'modules');
    mkdirSync(join(modulesDir, 'kernel/net/netfilter/ipvs'), { recursive: true });
    writeFileSync(join(modulesDir, 'kernel/net/netfilter/ipvs/ip_vs_wrr.ko.xz'), '');
    const real = createExecRunner({ env: { FAKE_IPVSADM_STATE: stateFile, FAKE_IPVSADM_PROC: procFile } });
    const listings: string[] = [];
    const backend = new IpvsadmBackend({
      runner: {
        run: (argv, stdin) => {
          if (argv.includes('-S')) listings.push(argv.slice(1).join(' '));
          return real.run(argv, stdin);
        },
      },
      ipvsadmPath: FAKE,
      procIpVsPath: procFile,
      modulesDir,
      kernelRelease: '5.10.0-fake',
    });
    const services = desiredStateSchema.parse({
      services: [{ key: WEB, scheduler: 'wrr', destinations: [{ ...SERVER, forwarding: 'masq', weight: 3 }] }],
    }).services;
    await backend.apply(plan({ services }, await backend.observe()));

    const clock = new ManualClock();
    const store = await StateStore.open(join(root, 'state'), clock);
    const audit = await AuditLog.open(join(root, 'audit.log'), clock);
    const reconciler = new Reconciler({
      backend,
      store,
      audit,
      events: new EventBus(),
      clock,
      log: silentLogger,
      metrics: new AgentMetrics(),
      driftMode: 'report',
    });
    expect((await reconciler.start()).kind).toBe('adopted');

    listings.length = 0;
    const outcome = await reconciler.commit({
      baseRevision: store.revision,
      caller: ADMIN,
      edit: { op: 'set-weight', service: WEB, destination: SERVER, weight: 7 },
    });
    expect(outcome.results.map((r) => r.ok)).toEqual([true]);
    expect(listings).toEqual(['-S -n', '-S -n']);
    // The read after the apply is what the console and drift see.
    expect(reconciler.latestObservation()?.table.services[0]?.destinations[0]?.weight).toBe(7);
    expect(reconciler.drift().changes).toEqual([]);
    expect((await backend.observe()).services[0]?.destinations[0]?.weight).toBe(7);
  });
});
