// `lvs-console ipvsadm parse` reads pasted text exactly as the import box
// does: each seed write-up pasted whole gives its author's table, skipped
// lines are named on stderr, and bad lines exit 2 with "line N: ...".
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DesiredState } from '@lvs-console/shared';
import { renderRules } from '@lvs-console/shared/ipvsadm';
import { main } from '../../src/cli';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../../../packages/shared/test/fixtures/seeds/${name}`, import.meta.url)), 'utf8');

async function run(argv: string[], stdin: string): Promise<{ status: number; stdout: string; stderr: string }> {
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
    env: {},
    cwd: '/',
  });
  return { status, stdout, stderr };
}

describe('lvs-console ipvsadm parse', () => {
  it.each([
    ['000_69cd17229d364707', fixture('000_69cd17229d364707.Sn')],
    ['001_7d3af739274dd511', fixture('001_7d3af739274dd511-dr.Sn')],
    ['002_6688bd36d8d96982', fixture('002_6688bd36d8d96982-nat.Sn') + fixture('002_6688bd36d8d96982-persistent.Sn')],
    ['003_2126bffc24a5b74b', fixture('003_2126bffc24a5b74b.Sn')],
    ['004_5b7713e7ae6b680f', fixture('004_5b7713e7ae6b680f.Sn')],
  ])("seed %s pasted whole gives its author's table", async (name, expected) => {
    const result = await run(['ipvsadm', 'parse'], fixture(`whole/${name}.txt`));
    expect(result.status).toBe(0);
    expect(renderRules(JSON.parse(result.stdout) as DesiredState)).toBe(expected);
    expect(result.stderr).toMatch(/^line \d+: skipped: /m);
  });

  it('names each skipped line on stderr', async () => {
    const result = await run(
      ['ipvsadm', 'parse'],
      '[root@lvs ~]# ipvsadm -A -t 192.0.2.1:http -s rr\n[root@lvs ~]# ipvsadm -Ln\nipvsadm -A|E -t|u|f VIP:port\n',
    );
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(
      [
        'line 2: skipped: a listing command; its output shows the table, the commands make it',
        'line 3: skipped: a syntax template ("-A|E"), not a command',
        '',
      ].join('\n'),
    );
    expect(renderRules(JSON.parse(result.stdout) as DesiredState)).toBe('-A -t 192.0.2.1:80 -s rr\n');
  });

  it('a root prompt is not a comment: an error exits 2 naming the line', async () => {
    const result = await run(['ipvsadm', 'parse'], '# ipvsadm -A -t 192.0.2.1:80 -s rr\n# ipvsadm -a -t 192.0.2.1:80 -r server2 -g\n');
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr:
        'line 2: "server2" is a host name; ipvsadm prints names when -n is not given, and this paste cannot look them up: paste `ipvsadm -S -n` or `ipvsadm -L -n` output, or write the address\n',
    });
  });

  it('text without any rule line exits 2 instead of printing an empty table', async () => {
    const result = await run(['ipvsadm', 'parse'], 'just some notes\n');
    expect(result).toEqual({ status: 2, stdout: '', stderr: 'no ipvsadm commands or listing found (1 line skipped); nothing to import\n' });
  });
});
