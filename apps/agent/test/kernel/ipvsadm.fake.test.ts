// The ipvsadm backend against a FAKE ipvsadm program (test/fixtures/fake-ipvsadm):
// real process spawning, one -R batch on stdin, stderr mapped back onto
// changes. The same contract suite the sim passes; the real kernel runs it in the VM.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { desiredStateSchema } from '@lvs-console/shared';
import { plan, settingsOf } from '@lvs-console/shared/plan';
import type { Change } from '@lvs-console/shared/plan';
import type { Destination } from '@lvs-console/shared';
import { IpvsadmBackend, restoreLine } from '../../src/kernel/ipvsadm';
import { schedulerAvailability } from '@lvs-console/shared/kernel';
import { createExecRunner } from '../../src/kernel/runner';
import type { CommandRunner } from '../../src/kernel/runner';
import { describeKernelContract } from './contract';

const FAKE = fileURLToPath(new URL('../fixtures/fake-ipvsadm', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'lvs-fake-ipvsadm-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A pretend module tree: every scheduler but twos, like a 5.10 kernel.
const SCHEDULERS_HERE = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];
const modulesDir = join(root, 'modules');
mkdirSync(join(modulesDir, 'kernel/net/netfilter/ipvs'), { recursive: true });
for (const name of [...SCHEDULERS_HERE, 'ftp', 'pe_sip']) writeFileSync(join(modulesDir, `kernel/net/netfilter/ipvs/ip_vs_${name}.ko.xz`), '');
const connTable = join(root, 'ip_vs_conn');
writeFileSync(
  connTable,
  [
    'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData',
    'TCP C6120001 D431 C000020A 0050 C633640B 1F90 ESTABLISHED     899',
    'TCP C6120002 D432 C000020A 0050 C633640C 1F90 TIME_WAIT        60',
    'IP  C6120001 0000 C000020A 0050 C633640B 1F90 NONE            290',
    'UDP 2001:0db8:0000:0000:0000:0000:0000:0001 1234 2001:0db8:0000:0000:0000:0000:0000:0010 0035 2001:0db8:0000:0000:0000:0000:0000:0011 0035 UDP 299',
    '',
  ].join('\n'),
);

const PROC_HEADER =
  'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n';
let counter = 0;
function makeFake(extra: { runner?: (stateFile: string) => CommandRunner } = {}): { backend: IpvsadmBackend; stateFile: string } {
  const stateFile = join(root, `state-${counter++}.json`);
  // The fake rewrites its /proc/net/ip_vs whenever its table changes.
  const procFile = `${stateFile}.proc`;
  writeFileSync(procFile, PROC_HEADER);
  const env = { FAKE_IPVSADM_STATE: stateFile, FAKE_IPVSADM_SCHEDULERS: SCHEDULERS_HERE.join(','), FAKE_IPVSADM_PROC: procFile };
  const runner = extra.runner?.(stateFile) ?? createExecRunner({ env });
  const backend = new IpvsadmBackend({
    runner,
    ipvsadmPath: FAKE,
    procIpVsPath: procFile,
    modulesDir,
    kernelRelease: '5.10.0-fake',
    connTablePath: connTable,
  });
  return { backend, stateFile };
}

// Every ipvsadm call starts a node process here: allow for a loaded machine.
describeKernelContract('ipvsadm backend with a fake ipvsadm program', () => Promise.resolve(makeFake().backend), { timeoutMs: 120_000 });

describe('IpvsadmBackend details (fake ipvsadm)', { timeout: 120_000 }, () => {
  const web = desiredStateSchema.parse({
    services: [
      {
        key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
        scheduler: 'wrr',
        destinations: [{ address: '198.51.100.11', port: 8080, forwarding: 'masq', weight: 3 }],
      },
    ],
  }).services;

  it('sends the whole plan as ONE ipvsadm -R batch on stdin', async () => {
    const calls: { argv: readonly string[]; stdin: string | undefined }[] = [];
    const { backend } = makeFake({
      runner: (stateFile) => {
        const real = createExecRunner({ env: { FAKE_IPVSADM_STATE: stateFile, FAKE_IPVSADM_PROC: `${stateFile}.proc` } });
        return {
          run: (argv, stdin) => {
            calls.push({ argv, stdin });
            return real.run(argv, stdin);
          },
        };
      },
    });
    const changes = plan({ services: web }, await backend.observe());
    calls.length = 0;
    const { results } = await backend.apply(changes);
    expect(results.every((r) => r.ok)).toBe(true);
    const batches = calls.filter((c) => c.argv.includes('-R'));
    expect(batches).toHaveLength(1);
    expect(batches[0]?.argv).toEqual([FAKE, '-R']);
    expect(batches[0]?.stdin).toBe(`${changes.map(restoreLine).join('\n')}\n`);
    expect(batches[0]?.stdin).toBe('-A -t 192.0.2.10:80 -s wrr\n-a -t 192.0.2.10:80 -r 198.51.100.11:8080 -m -w 3\n');
    // Every call is an argv array with the program first; no shell in sight.
    for (const call of calls) expect(call.argv[0]).toBe(FAKE);
  });

  it('maps an ipvsadm parse failure (exit 2) to its line and marks the rest not applied', async () => {
    const { backend } = makeFake();
    const zeroPort = desiredStateSchema.parse({ services: [{ key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.11', port: 0 } }] }).services[0];
    if (!zeroPort) throw new Error('fixture');
    const web0 = web[0];
    if (!web0) throw new Error('fixture');
    const changes: Change[] = [
      { kind: 'add-service', service: settingsOf(web0) },
      { kind: 'add-service', service: settingsOf(zeroPort) },
      { kind: 'add-destination', service: web0.key, destination: web0.destinations[0] as Destination },
    ];
    const { results } = await backend.apply(changes);
    expect(results.map((r) => [r.ok, r.error ?? ''])).toEqual([
      [true, ''],
      [false, 'Zero port specified for non-persistent service'],
      [false, 'not applied: ipvsadm -R stopped at an earlier line'],
    ]);
    expect((await backend.observe()).services.map((s) => s.destinations.length)).toEqual([0]);
  });

  it("reads -R's state from the table even when the last line failed (exit 255)", async () => {
    const { backend, stateFile } = makeFake();
    const web0 = web[0];
    if (!web0) throw new Error('fixture');
    const { results } = await backend.apply([
      { kind: 'add-service', service: settingsOf(web0) },
      { kind: 'delete-service', service: { ...settingsOf(web0), key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 81 } } },
    ]);
    expect(results.map((r) => r.error ?? 'ok')).toEqual(['ok', 'No such service']);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ services: [{ address: '192.0.2.10', port: 80 }] });
  });

  it('lists schedulers from the module tree and names the missing twos module', async () => {
    const { backend } = makeFake();
    expect(await backend.availableSchedulers()).toEqual(SCHEDULERS_HERE);
    const twosRow = schedulerAvailability(await backend.availableSchedulers()).find((s) => s.scheduler === 'twos');
    expect(twosRow).toEqual({
      scheduler: 'twos',
      available: false,
      message: 'the running kernel has no ip_vs_twos module (scheduler twos needs Linux 5.12 or later)',
    });
    const twos = desiredStateSchema.parse({ services: [{ key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.12', port: 80 }, scheduler: 'twos' }] })
      .services[0];
    if (!twos) throw new Error('fixture');
    const { results } = await backend.apply([{ kind: 'add-service', service: settingsOf(twos) }]);
    expect(results[0]?.error).toBe('the running kernel has no ip_vs_twos module (scheduler twos needs Linux 5.12 or later)');
  });

  it('says there are no schedulers when the kernel has no IPVS', async () => {
    const backend = new IpvsadmBackend({ ipvsadmPath: FAKE, procIpVsPath: join(root, 'absent'), modulesDir });
    expect(await backend.availableSchedulers()).toEqual([]);
  });

  it('describes the kernel from the version header and the release', async () => {
    const { backend } = makeFake();
    expect(await backend.describe()).toBe('Linux IPVS 1.2.1, kernel 5.10.0-fake');
    expect(await backend.info()).toEqual({ ipvsVersion: '1.2.1', connTableSize: 4096 });
  });

  it('reads the connection table bounded, with filters', async () => {
    const { backend } = makeFake();
    const all = await backend.connections({ limit: 100 });
    expect(all.total).toBe(4);
    expect(all.matched).toBe(3);
    expect(all.entries[0]).toEqual({
      protocol: 'TCP',
      clientAddress: '198.18.0.1',
      clientPort: 0xd431,
      virtualAddress: '192.0.2.10',
      virtualPort: 80,
      destAddress: '198.51.100.11',
      destPort: 8080,
      state: 'ESTABLISHED',
      expiresIn: 899,
      template: false,
    });
    expect(all.entries[2]).toMatchObject({ protocol: 'UDP', clientAddress: '2001:db8::1', destAddress: '2001:db8::11', destPort: 53 });
    const templates = await backend.connections({ limit: 100, includeTemplates: true, state: 'NONE' });
    expect(templates.entries.map((e) => e.template)).toEqual([true]);
    const bounded = await backend.connections({ limit: 1, offset: 1 });
    expect(bounded.entries.map((e) => e.state)).toEqual(['TIME_WAIT']);
    expect(bounded.matched).toBe(3);
  });

  it('observes with -Sn, --stats and /proc/net/ip_vs; thresholds from memory until they are due', async () => {
    const calls: string[] = [];
    let clock = 0;
    const stateFile = join(root, `state-${counter++}.json`);
    const procFile = `${stateFile}.proc`;
    writeFileSync(procFile, PROC_HEADER);
    const real = createExecRunner({ env: { FAKE_IPVSADM_STATE: stateFile, FAKE_IPVSADM_PROC: procFile } });
    const backend = new IpvsadmBackend({
      runner: {
        run: (argv, stdin) => {
          calls.push(argv.slice(1).join(' '));
          return real.run(argv, stdin);
        },
      },
      ipvsadmPath: FAKE,
      procIpVsPath: procFile,
      modulesDir,
      kernelRelease: '5.10.0-fake',
      now: () => clock,
      thresholdsMaxAgeMs: 60_000,
    });
    const withThreshold = desiredStateSchema.parse({
      services: [
        {
          key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
          destinations: [
            { address: '198.51.100.11', port: 8080, forwarding: 'masq', weight: 1, upperThreshold: 100, lowerThreshold: 50 },
            { address: '198.51.100.12', port: 8080, forwarding: 'route', weight: 1 },
          ],
        },
      ],
    }).services;
    const { results } = await backend.apply(plan({ services: withThreshold }, await backend.observe()));
    expect(results.every((r) => r.ok)).toBe(true);
    // Read once with nothing remembered, and after -R because a change set a threshold.
    expect(calls.filter((c) => c.includes('--thresholds')).length).toBe(2);

    // Connection numbers and Local come from /proc/net/ip_vs.
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      services: { dests: { address: string; active: number; inactive: number; local?: boolean }[] }[];
    };
    for (const dest of state.services[0]?.dests ?? []) Object.assign(dest, { active: 5, inactive: 7, local: dest.address === '198.51.100.12' });
    writeFileSync(stateFile, JSON.stringify(state));
    await backend.apply([{ kind: 'set-timeouts', from: { tcp: 900, tcpFin: 120, udp: 300 }, to: { tcp: 901, tcpFin: 0, udp: 0 } }]);
    calls.length = 0;
    clock = 10_000;
    const observed = await backend.observe();
    expect(calls.sort()).toEqual(['-L --daemon', '-L --timeout', '-L -n --exact --stats', '-S -n']);
    expect(
      observed.services[0]?.destinations.map((d) => [d.address, d.upperThreshold, d.lowerThreshold, d.activeConns, d.inactiveConns, d.local ?? false]),
    ).toEqual([
      ['198.51.100.11', 100, 50, 5, 7, false],
      ['198.51.100.12', 0, 0, 5, 7, true],
    ]);

    // Due by age: the listing is read again.
    calls.length = 0;
    clock = 80_000;
    await backend.observe();
    expect(calls).toContain('-L -n --exact --thresholds');
    calls.length = 0;
    clock = 81_000;
    await backend.observe();
    expect(calls).not.toContain('-L -n --exact --thresholds');
  });

  it('computes rates from the counters of two observations', async () => {
    const fixture = (name: string) =>
      readFileSync(fileURLToPath(new URL(`../../../../packages/shared/test/fixtures/kernel/traffic/${name}`, import.meta.url)), 'utf8');
    const procFile = join(root, 'rates.proc');
    writeFileSync(procFile, fixture('proc-net-ip_vs.txt'));
    let factor = 1;
    // Every standalone number of the --stats listing times `factor`.
    const stats = () => fixture('Ln-exact-stats.txt').replace(/(\s)(\d+)(?=\s|$)/g, (_m, space: string, n: string) => `${space}${Number(n) * factor}`);
    const texts: Record<string, () => string> = {
      '-S -n': () => fixture('Sn.txt'),
      '-L -n --exact --stats': stats,
      '-L -n --exact --thresholds': () => fixture('Ln-thresholds.txt'),
      '-L -n --exact --persistent-conn': () => fixture('Ln-persistent-conn.txt'),
      '-L --timeout': () => fixture('L-timeout.txt'),
      '-L --daemon': () => '',
    };
    let clock = 0;
    const backend = new IpvsadmBackend({
      runner: { run: (argv) => Promise.resolve({ code: 0, stdout: texts[argv.slice(1).join(' ')]?.() ?? '', stderr: '' }) },
      procIpVsPath: procFile,
      now: () => clock,
    });
    const first = await backend.observe();
    expect(first.services[0]?.rates).toEqual({ cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 });
    factor = 3;
    clock = 2000;
    const second = await backend.observe();
    // TCP 192.0.2.10:80: 30 conns, 186/180 packets, 12702/15930 bytes; tripled over 2 s.
    expect(second.services[0]?.rates).toEqual({ cps: 30, inPps: 186, outPps: 180, inBps: 12702, outBps: 15930 });
    expect(second.services[0]?.destinations[0]?.rates).toEqual({ cps: 10, inPps: 62, outPps: 60, inBps: 4234, outBps: 5310 });
    expect(second.services[0]?.destinations[0]?.inactiveConns).toBe(10);
    expect(second.services[1]?.destinations.map((d) => d.persistentConns)).toBeDefined();
  });

  it('reports a missing ipvsadm program as UNAVAILABLE', async () => {
    const backend = new IpvsadmBackend({ ipvsadmPath: join(root, 'no-such-ipvsadm') });
    await expect(backend.observe()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
