// The lvs-console command line, in-process (main(argv, io)) for speed, plus
// one smoke test of the built program.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli';

const agentDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

let dir: string;

async function run(argv: string[], stdin = ''): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: () => Promise.resolve(stdin),
    env: { ...process.env, LVS_CONSOLE_STATE_DIR: join(dir, 'state') },
    cwd: dir,
    waitForStop: () => Promise.resolve(),
  });
  return { status, stdout, stderr };
}

const RULES = `-A -t 192.0.2.1:80 -s wrr
-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 3
-a -t 192.0.2.1:80 -r 10.0.0.2:80 -m -w 1
-A -t 192.0.2.2:443 -s sh -b sh-port
-a -t 192.0.2.2:443 -r 10.0.0.1:443 -m -w 1
-a -t 192.0.2.2:443 -r 10.0.0.2:443 -m -w 1
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvs-cli-'));
  await writeFile(join(dir, 'rules.txt'), RULES);
  await writeFile(join(dir, 'empty.txt'), '');
  await writeFile(join(dir, 'clients.txt'), '198.51.100.1:40000\n# a comment\n198.51.100.2:40001\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lvs-console', () => {
  describe('--help', () => {
    it.each([['--help'], ['serve', '--help'], ['apply', '--help'], ['ipvsadm', '--help'], ['plan', '--help'], ['predict', '--help'], ['realserver', '--help']])(
      'should document %s',
      async (...argv) => {
        const result = await run(argv);
        expect(result.status).toBe(0);
        expect(result.stdout).toMatch(/usage: lvs-console/);
        expect(result.stderr).toBe('');
      },
    );

    it('should exit 2 on an unknown command', async () => {
      const result = await run(['frobnicate']);
      expect(result).toMatchObject({ status: 2, stdout: '' });
      expect(result.stderr).toMatch(/unknown command "frobnicate"/);
    });

    it('should exit 2 on an unknown flag', async () => {
      const result = await run(['plan', '--form', 'x']);
      expect(result).toMatchObject({ status: 2, stdout: '' });
      expect(result.stderr).toMatch(/--form/);
    });
  });

  describe('ipvsadm parse and render', () => {
    it('should parse rule text to desired-state JSON and render it back canonically', async () => {
      const parsed = await run(['ipvsadm', 'parse'], RULES);
      expect(parsed.status).toBe(0);
      const state = JSON.parse(parsed.stdout) as { services: unknown[] };
      expect(state.services).toHaveLength(2);
      const rendered = await run(['ipvsadm', 'render'], parsed.stdout);
      expect(rendered.status).toBe(0);
      expect(rendered.stdout).toBe(`-A -t 192.0.2.1:80 -s wrr
-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 3
-a -t 192.0.2.1:80 -r 10.0.0.2:80 -m -w 1
-A -t 192.0.2.2:443 -s sh -b sh-port
-a -t 192.0.2.2:443 -r 10.0.0.1:443 -m -w 1
-a -t 192.0.2.2:443 -r 10.0.0.2:443 -m -w 1
`);
    });

    it('should name the line of an error, exit 2 and print nothing on stdout', async () => {
      const lines = Array.from({ length: 50 }, (_, i) => (i === 39 ? '-a -t 192.0.2.1:80 -r 10.0.0.9:80 -w 70000' : `# line ${i + 1}`));
      const result = await run(['ipvsadm', 'parse'], `-A -t 192.0.2.1:80 -s rr\n${lines.slice(1).join('\n')}`);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^line 40: /);
    });

    it('should render for ipvsadm before 1.31 with --ipvsadm pre-1.31: no --tun-type for ipip, GUE left out and named', async () => {
      const state = JSON.stringify({
        services: [
          {
            key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 },
            destinations: [
              { address: '10.0.0.1', port: 80, forwarding: 'tunnel', weight: 1, tunnel: { type: 'ipip' } },
              { address: '10.0.0.2', port: 80, forwarding: 'tunnel', weight: 1, tunnel: { type: 'gue', port: 6080 } },
            ],
          },
        ],
      });
      const modern = await run(['ipvsadm', 'render'], state);
      expect(modern.stdout).toContain('-r 10.0.0.1:80 -i -w 1 --tun-type ipip');
      expect(modern.stdout).toContain('-r 10.0.0.2:80 -i -w 1 --tun-type gue');
      const old = await run(['ipvsadm', 'render', '--ipvsadm', 'pre-1.31'], state);
      expect(old.status).toBe(0);
      expect(old.stdout).toBe('-A -t 192.0.2.1:80 -s wlc\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -i -w 1\n');
      expect(old.stderr).toMatch(/^left out for ipvsadm pre-1\.31: .*10\.0\.0\.2:80/);
      const bad = await run(['ipvsadm', 'render', '--ipvsadm', '1.26'], state);
      expect(bad).toMatchObject({ status: 2, stdout: '' });
      expect(bad.stderr).toMatch(/--ipvsadm/);
    });

    it('should refuse JSON with unknown fields on render', async () => {
      const result = await run(['ipvsadm', 'render'], '{"services":[],"extra":1}');
      expect(result).toMatchObject({ status: 2, stdout: '' });
      expect(result.stderr).toMatch(/unknown field "extra"/);
    });
  });

  describe('plan', () => {
    it('should print the ipvsadm lines from one table to another', async () => {
      await writeFile(join(dir, 'desired.txt'), RULES.replace('10.0.0.1:80 -m -w 3', '10.0.0.1:80 -m -w 5'));
      const result = await run(['plan', '--from', 'rules.txt', '--to', 'desired.txt']);
      expect(result).toEqual({ status: 0, stdout: 'ipvsadm -e -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 5\n', stderr: '' });
    });

    it('should build everything from an empty table', async () => {
      const result = await run(['plan', '--from', 'empty.txt', '--to', 'rules.txt']);
      expect(result.status).toBe(0);
      expect(result.stdout.trim().split('\n')).toHaveLength(6);
    });

    it('should exit 2 without --to', async () => {
      const result = await run(['plan', '--from', 'rules.txt']);
      expect(result).toMatchObject({ status: 2, stdout: '' });
    });

    it('should exit 2 on a missing file', async () => {
      const result = await run(['plan', '--from', 'nope.txt', '--to', 'rules.txt']);
      expect(result).toMatchObject({ status: 2, stdout: '' });
      expect(result.stderr).toMatch(/cannot read nope\.txt: no such file/);
    });
  });

  describe('predict', () => {
    it('should print where each client lands', async () => {
      const result = await run(['predict', 'rules.txt', '--service', 'tcp:192.0.2.2:443', '--client', '198.51.100.1:40000', '--client', '198.51.100.2:40001']);
      expect(result.status).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).toMatch(/^198\.51\.100\.\d:4000\d -> 10\.0\.0\.[12]:443$/);
      const again = await run(['predict', 'rules.txt', '--service', 'tcp:192.0.2.2:443', '--clients-file', 'clients.txt']);
      expect(again.stdout).toBe(result.stdout);
    });

    it('should print the first picks of a fresh service', async () => {
      const result = await run(['predict', 'rules.txt', '--service', 'tcp:192.0.2.1:80', '--sequence', '4']);
      expect(result.status).toBe(0);
      expect(result.stdout.trim().split('\n')).toHaveLength(4);
      expect(result.stdout).toMatch(/^192\.0\.2\.1:32768 -> 10\.0\.0\.[12]:80$/m);
      // wrr with weights 3:1 sends three of four to 10.0.0.1.
      expect(result.stdout.match(/10\.0\.0\.1:80/g)).toHaveLength(3);
    });

    it('should exit 2 for an unknown service or a bad client', async () => {
      expect((await run(['predict', 'rules.txt', '--service', 'tcp:192.0.2.9:80', '--sequence', '2'])).status).toBe(2);
      const bad = await run(['predict', 'rules.txt', '--service', 'tcp:192.0.2.1:80', '--client', 'not-an-address']);
      expect(bad).toMatchObject({ status: 2, stdout: '' });
      expect(bad.stderr).toMatch(/not a client ADDR\[:PORT\]/);
    });
  });

  describe('apply', () => {
    it('should print the plan and change nothing with --dry-run', async () => {
      const result = await run(['apply', 'rules.txt', '--backend', 'sim', '--dry-run']);
      expect(result.status).toBe(0);
      expect(result.stdout.trim().split('\n')).toHaveLength(6);
      expect(result.stderr).toMatch(/dry run: nothing changed/);
    });

    it('should apply a file and record it as a revision in the state directory', async () => {
      const result = await run(['apply', 'rules.txt', '--backend', 'sim', '--state-dir', 'state-apply']);
      expect(result.status).toBe(0);
      expect(result.stderr).toMatch(/6 changes applied; desired state is revision 1/);
    });

    it('should exit 2 on a bad file and apply nothing', async () => {
      await writeFile(join(dir, 'bad.json'), JSON.stringify({ services: [{ key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 70000 } }] }));
      const result = await run(['apply', 'bad.json', '--backend', 'sim']);
      expect(result).toMatchObject({ status: 2, stdout: '' });
      expect(result.stderr).toMatch(/services\[0\]\.key\.port: port must be between 0 and 65535/);
    });
  });

  describe('realserver', () => {
    it('should check a stock host and report what a DR real server lacks', async () => {
      const result = await run(['realserver', 'check', '--mode', 'dr', '--vip', '192.0.2.1', '--backend', 'sim']);
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(/FAIL/);
    });

    it('should exit 2 on a bad mode or address', async () => {
      expect((await run(['realserver', 'check', '--mode', 'nat', '--vip', '192.0.2.1'])).status).toBe(2);
      expect((await run(['realserver', 'check', '--mode', 'dr', '--vip', '192.0.2.300'])).status).toBe(2);
    });

    it('should refuse real-server reporting flags that cannot work, before touching the host', async () => {
      const base = ['serve', '--role', 'realserver', '--host-backend', 'sim', '--mode', 'dr', '--vip', '192.0.2.1'];
      const noToken = await run([...base, '--report-to', 'http://127.0.0.1:9', '--address', '10.0.0.1']);
      expect(noToken.status).toBe(2);
      expect(noToken.stderr).toContain('--report-token');
      expect((await run([...base, '--report-to', 'http://127.0.0.1:9', '--report-token', 'x'.repeat(20)])).stderr).toContain('--address RIP');
      expect((await run([...base, '--report-to', 'ftp://director', '--report-token', 'x'.repeat(20), '--address', '10.0.0.1'])).status).toBe(2);
      expect((await run([...base, '--fix', 'on-request'])).stderr).toContain('needs --report-to');
      expect((await run([...base, '--report-interval', '0'])).status).toBe(2);
    });

    it("should keep a simulated real server's settings with --fix auto", async () => {
      const result = await run(['serve', '--role', 'realserver', '--host-backend', 'sim', '--mode', 'dr', '--vip', '192.0.2.1', '--log-level', 'silent']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('[simulated host]');
      expect(result.stdout).not.toMatch(/FAIL/);
    });
  });

  describe('serve', () => {
    it('should exit 2 on bad flags before starting anything', async () => {
      expect((await run(['serve', '--drift', 'sometimes'])).status).toBe(2);
      const history = await run(['serve', '--stats-history', '25']);
      expect(history.status).toBe(2);
      expect(history.stderr).toMatch(/--stats-history takes whole hours from 0 to 24, not 25/);
      expect((await run(['serve', '--tls-cert', 'x.pem'])).status).toBe(2);
      expect((await run(['serve', '--backend', 'nftables'])).status).toBe(2);
    });

    it('should refuse --backend netlink with the reason where the kernel has no IPVS', async () => {
      if (existsSync('/proc/net/ip_vs')) return; // this host has IPVS: the real-kernel bed covers it
      const result = await run(['serve', '--backend', 'netlink', '--listen', '127.0.0.1:0', '--state-dir', 'state-netlink', '--log-level', 'silent']);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/--backend netlink: no \/proc\/net\/ip_vs: this kernel has no IPVS/);
    });

    it('should warn when listening beyond loopback without TLS', async () => {
      const result = await run(['serve', '--backend', 'sim', '--listen', '0.0.0.0:0', '--state-dir', 'state-warn', '--log-level', 'silent']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/WARNING: listening on 0\.0\.0\.0 without TLS/);
    });

    it('should start, print the banner with backend, URL and login link, and stop', async () => {
      const result = await run(['serve', '--backend', 'sim', '--demo', '--listen', '127.0.0.1:0', '--state-dir', 'state-serve', '--log-level', 'silent']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/backend: +Simulated kernel \(--backend sim: simulated kernel\)/);
      expect(result.stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
      expect(result.stdout).toMatch(/open the console: http:\/\/127\.0\.0\.1:\d+\/#login=[A-Za-z0-9_-]+/);
    });
  });
});

describe('the built lvs-console program', () => {
  it('should build and run (spawn smoke test)', () => {
    const build = spawnSync(process.execPath, ['build.mjs'], { cwd: agentDir, encoding: 'utf8' });
    expect(build.status).toBe(0);
    const parse = spawnSync(process.execPath, ['bin/lvs-console.js', 'ipvsadm', 'parse'], { cwd: agentDir, input: RULES, encoding: 'utf8' });
    expect(parse.status).toBe(0);
    expect(JSON.parse(parse.stdout)).toMatchObject({ services: [{ scheduler: 'wrr' }, { scheduler: 'sh' }] });
    const bad = spawnSync(process.execPath, ['bin/lvs-console.js', 'ipvsadm', 'parse'], {
      cwd: agentDir,
      input: '-A -t 192.0.2.1:80 -s nope\n',
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^line 1: /);
  });
});
