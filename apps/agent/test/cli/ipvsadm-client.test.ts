// `lvs-console ipvsadm <ipvsadm options>` against a running agent (sim
// kernel) over HTTP: changes go through the API (audited, no drift),
// listings print as ipvsadm prints them, --dry-run changes nothing, -C needs
// --yes, and the token comes from the environment or the state directory.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, DriftReport } from '@lvs-console/shared/api';
import { main } from '../../src/cli';
import { ADMIN_TOKEN, data, startHarness, trpcQuery, type Harness } from '../http/harness';

let h: Harness;
let tokenDir: string;

beforeAll(async () => {
  h = await startHarness({ demo: false });
  tokenDir = await mkdtemp(join(tmpdir(), 'lvs-client-tokens-'));
  await writeFile(join(tokenDir, 'tokens.json'), JSON.stringify({ version: 1, tokens: [{ name: 'admin', role: 'admin', token: ADMIN_TOKEN }] }));
});
afterAll(async () => {
  await h.close();
  await rm(tokenDir, { recursive: true, force: true });
});

async function ipvsadm(
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await main(['ipvsadm', ...args], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: () => Promise.resolve(options.stdin ?? ''),
    env: options.env ?? { LVS_CONSOLE_URL: h.url, LVS_CONSOLE_TOKEN: ADMIN_TOKEN },
    cwd: '/',
  });
  return { status, stdout, stderr };
}

async function revision(): Promise<number> {
  return data<{ revision: number }>(await trpcQuery(h.url, 'state.get')).revision;
}

describe('lvs-console ipvsadm as a client of the agent', () => {
  it('builds a table with ipvsadm options; -S -n and -L -n print it as ipvsadm does; no drift', async () => {
    for (const args of [
      ['-A', '-t', '192.168.10.100:80', '-s', 'wrr'],
      ['-a', '-t', '192.168.10.100:80', '-r', '10.0.0.7:80', '-m'],
      ['-a', '-t', '192.168.10.100:80', '-r', '10.0.0.17:80', '-m', '-w', '3'],
      ['-A', '-u', '192.168.10.100:53', '-s', 'rr', '-p', '60'],
    ]) {
      expect(await ipvsadm(args)).toEqual({ status: 0, stdout: '', stderr: '' });
    }
    expect((await ipvsadm(['-S', '-n'])).stdout).toBe(
      [
        '-A -t 192.168.10.100:80 -s wrr',
        '-a -t 192.168.10.100:80 -r 10.0.0.7:80 -m -w 1',
        '-a -t 192.168.10.100:80 -r 10.0.0.17:80 -m -w 3',
        '-A -u 192.168.10.100:53 -s rr -p 60',
        '',
      ].join('\n'),
    );
    expect((await ipvsadm(['-Ln'])).stdout).toBe(
      [
        'IP Virtual Server version 1.2.1 (size=4096)',
        'Prot LocalAddress:Port Scheduler Flags',
        '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
        'TCP  192.168.10.100:80 wrr',
        '  -> 10.0.0.7:80                  Masq    1      0          0         ',
        '  -> 10.0.0.17:80                 Masq    3      0          0         ',
        'UDP  192.168.10.100:53 rr persistent 60',
        '',
      ].join('\n'),
    );
    expect((await ipvsadm(['-L', '-n', '-t', '192.168.10.100:80', '--stats', '--exact'])).stdout).toBe(
      [
        'IP Virtual Server version 1.2.1 (size=4096)',
        'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
        '  -> RemoteAddress:Port',
        'TCP  192.168.10.100:80                   0        0        0        0        0',
        '  -> 10.0.0.7:80                         0        0        0        0        0',
        '  -> 10.0.0.17:80                        0        0        0        0        0',
        '',
      ].join('\n'),
    );
    const drift = data<DriftReport>(await trpcQuery(h.url, 'state.drift'));
    expect(drift.changes).toEqual([]);
    const audit = data<AuditEntry[]>(await trpcQuery(h.url, 'audit.list', { limit: 1 }));
    expect(audit[0]?.lines).toEqual(['ipvsadm -A -u 192.168.10.100:53 -s rr -p 60']);
  });

  it('-e of a live real server; --dry-run prints the plan and changes nothing', async () => {
    const before = await revision();
    const dry = await ipvsadm(['-e', '-t', '192.168.10.100:80', '-r', '10.0.0.7:80', '-m', '-w', '5', '--dry-run']);
    expect(dry).toEqual({ status: 0, stdout: 'ipvsadm -e -t 192.168.10.100:80 -r 10.0.0.7:80 -m -w 5\n', stderr: '' });
    expect(await revision()).toBe(before);
    expect((await ipvsadm(['-e', '-t', '192.168.10.100:80', '-r', '10.0.0.7:80', '-m', '-w', '5'])).status).toBe(0);
    expect(await revision()).toBe(before + 1);
    expect((await ipvsadm(['-Sn'])).stdout).toContain('-a -t 192.168.10.100:80 -r 10.0.0.7:80 -m -w 5\n');
  });

  it('-L -n -c lists the connection table and -L --daemon the sync daemons, as ipvsadm prints them', async () => {
    expect(await ipvsadm(['-L', '-n', '-c'])).toEqual({
      status: 0,
      stdout: 'IPVS connection entries\npro expire state       source             virtual            destination\n',
      stderr: '',
    });
    expect((await ipvsadm(['-L', '--daemon'])).stdout).toBe('');
    expect((await ipvsadm(['--start-daemon', 'master', '--mcast-interface', 'eth0', '--syncid', '3'])).status).toBe(0);
    expect((await ipvsadm(['-L', '--daemon'])).stdout).toMatch(/^master sync daemon \(mcast=eth0, syncid=3(, [a-z]+=[0-9.]+)*\)\n$/);
    expect((await ipvsadm(['--stop-daemon', 'master'])).status).toBe(0);
    expect((await ipvsadm(['-L', '--daemon'])).stdout).toBe('');
  });

  it('bad input exits 2 naming what to do; nothing changes', async () => {
    const before = await revision();
    const result = await ipvsadm(['-a', '-t', '192.168.10.100:80', '-r', '10.0.0.7:80', '-m']);
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: 'line 1: destination 10.0.0.7:80 already exists in service TCP 192.168.10.100:80; use -e to change it\n',
    });
    expect((await ipvsadm(['-A', '-t', '192.168.10.100:80', '-s', 'nosuch'])).status).toBe(2);
    expect(await revision()).toBe(before);
  });

  it('-C needs --yes, naming how many services it deletes', async () => {
    const before = await revision();
    const refused = await ipvsadm(['-C']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(
      'this import replaces the table and deletes 2 services it does not define (TCP 192.168.10.100:80, UDP 192.168.10.100:53): add --yes to go ahead\n',
    );
    expect(await revision()).toBe(before);
    const dry = await ipvsadm(['-C', '--dry-run']);
    expect(dry.stderr).toBe('this deletes 2 services: TCP 192.168.10.100:80, UDP 192.168.10.100:53 (needs --yes)\n');
    expect(dry.stdout).toBe('ipvsadm -D -t 192.168.10.100:80\nipvsadm -D -u 192.168.10.100:53\n');
    // -R restores rules from stdin on top of the table (as ipvsadm -R does).
    expect((await ipvsadm(['-R'], { stdin: '-A -t 192.0.2.9:80 -s rr\n' })).status).toBe(0);
    expect((await ipvsadm(['-C', '--yes'])).status).toBe(0);
    expect((await ipvsadm(['-Sn'])).stdout).toBe('');
  });

  it('reads the admin token from the state directory, and says what to do without one', async () => {
    const env = { LVS_CONSOLE_URL: h.url, LVS_CONSOLE_STATE_DIR: tokenDir };
    expect((await ipvsadm(['-L', '--timeout'], { env })).stdout).toBe('Timeout (tcp tcpfin udp): 900 120 300\n');
    const missing = await ipvsadm(['-Ln'], { env: { LVS_CONSOLE_URL: h.url, LVS_CONSOLE_STATE_DIR: join(tokenDir, 'nothing') } });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^no token: set LVS_CONSOLE_TOKEN/);
  });
});
