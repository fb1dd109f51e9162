// `lvs-console keepalived import|export`, in-process, against real files and
// a real agent on loopback (the demo cluster) for --from-agent.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKeepalivedConf } from '@lvs-console/shared/keepalived';
import { main } from '../../src/cli';
import { startHarness, VIEWER_TOKEN, type Harness } from '../http/harness';

let dir: string;
let agent: Harness;

async function run(argv: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: () => Promise.resolve(options.stdin ?? ''),
    env: options.env ?? {},
    cwd: dir,
  });
  return { status, stdout, stderr };
}

const MAIN = `global_defs {
    router_id lb1
    lvs_timeouts tcp 600
}
include conf.d/*.conf
virtual_server 192.0.2.1 80 {
    protocol TCP
    lvs_sched rr
    lvs_method DR
    real_server 10.0.0.1 80 {
        TCP_CHECK {
            connect_timeout 2
        }
    }
}
`;
const INCLUDED = `virtual_server 192.0.2.2 443 {
    protocol TCP
    lvs_sched wlc
    lvs_method NAT
    real_server 10.0.0.2 8443 {
        weight 4
        SMTP_CHECK {
        }
    }
}
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvs-ka-cli-'));
  await mkdir(join(dir, 'conf.d'));
  await writeFile(join(dir, 'keepalived.conf'), MAIN);
  await writeFile(join(dir, 'conf.d', 'web.conf'), INCLUDED);
  await writeFile(join(dir, 'conf.d', 'notes.txt'), 'not matched by the glob {');
  await writeFile(join(dir, 'broken.conf'), 'virtual_server 192.0.2.1 80 {\n    protocol TCP\n');
  agent = await startHarness();
});
afterAll(async () => {
  await agent.close();
  await rm(dir, { recursive: true, force: true });
});

describe('lvs-console keepalived', () => {
  it('documents itself and refuses a missing subcommand', async () => {
    const help = await run(['keepalived', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: lvs-console keepalived import FILE/);
    expect((await run(['--help'])).stdout).toContain('keepalived import FILE');
    const missing = await run(['keepalived']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^missing subcommand: import or export/);
  });

  it('import prints the desired state, warnings on stderr with line and file', async () => {
    const result = await run(['keepalived', 'import', 'keepalived.conf']);
    expect(result.status).toBe(0);
    const state = JSON.parse(result.stdout) as { services: Array<{ key: { address: string } }>; timeouts: unknown };
    expect(state.services.map((s) => s.key.address)).toEqual(['192.0.2.2', '192.0.2.1']);
    expect(state.timeouts).toEqual({ tcp: 600, tcpFin: 0, udp: 0 });
    expect(result.stderr).toContain('line 1: global_defs: router_id not used by the console\n');
    expect(result.stderr).toContain(`${join(dir, 'conf.d', 'web.conf')}:7: SMTP_CHECK is not supported by the console; this check is not imported\n`);
  });

  it('import exits 2 with "line N: ..." on an error and prints nothing on stdout', async () => {
    const result = await run(['keepalived', 'import', 'broken.conf']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("line 1: unbalanced braces: the '{' here is never closed\n");
    expect((await run(['keepalived', 'import', 'missing.conf'])).stderr).toBe('cannot read missing.conf: no such file\n');
  });

  it('export turns desired-state JSON on stdin into keepalived.conf that reads back', async () => {
    const imported = await run(['keepalived', 'import', 'keepalived.conf']);
    const exported = await run(['keepalived', 'export'], { stdin: imported.stdout });
    expect(exported.status).toBe(0);
    const back = readKeepalivedConf(exported.stdout);
    expect(back.ok).toBe(true);
    expect(back.state).toEqual(JSON.parse(imported.stdout));
    expect((await run(['keepalived', 'export'], { stdin: '{"services": [{"key": 1}]}' })).status).toBe(2);
  });

  it("export --from-agent reads the running agent's state with the token from LVS_TOKEN (never in the URL)", async () => {
    const result = await run(['keepalived', 'export', '--from-agent', agent.url], { env: { LVS_TOKEN: VIEWER_TOKEN } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^virtual_server /m);
    expect(readKeepalivedConf(result.stdout).ok).toBe(true);
    const wrong = await run(['keepalived', 'export', '--from-agent', agent.url], { env: { LVS_TOKEN: 'not-a-token-0123456789' } });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/the agent answered 401/);
    const inUrl = await run(['keepalived', 'export', '--from-agent', `${agent.url}/?token=${VIEWER_TOKEN}`], { env: {} });
    expect(inUrl.status).toBe(2);
    expect(inUrl.stderr).toMatch(/never in the URL/);
  });

  it("export --from-agent finds the token in the state directory's tokens.json", async () => {
    const stateDir = join(dir, 'state');
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, 'tokens.json'), JSON.stringify({ version: 1, tokens: [{ name: 'viewer', role: 'viewer', token: VIEWER_TOKEN }] }));
    const result = await run(['keepalived', 'export', '--from-agent', agent.url, '--state-dir', stateDir]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^virtual_server /m);
  });
});
