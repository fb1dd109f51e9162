// Issue 20: `lvs-console ipvsadm …` starts a node process per command; in a
// loaded TCG guest that start cost ~20 s while the CLI loaded every
// command's modules. Start-to-exit of `lvs-console ipvsadm --help` from a
// fresh build, against the same build with every command's chunk imported
// first (what the eager dispatcher loaded), in one run, interleaved.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
}

/** Runs of each variant; the median is reported (a busy machine has outliers). */
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeRun(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (result.status !== 0 || !result.stdout.includes('usage: lvs-console ipvsadm')) {
    throw new Error(`lvs-console ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
  return elapsed;
}

export function run(): BenchResult[] {
  // The bench bundle runs from .cache/bench-*/: the repository is two levels up.
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const agentDir = join(root, 'apps/agent');
  const outDir = join(root, '.cache', `cli-start-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  try {
    const entry = join(outDir, 'lvs-console.js');
    const built = spawnSync(process.execPath, ['build.mjs', entry], { cwd: agentDir, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
    // The eager baseline: every command's chunk imported before the CLI runs.
    const preload = join(outDir, 'import-every-command.mjs');
    writeFileSync(
      preload,
      [
        "import { readdirSync } from 'node:fs';",
        `const dir = new URL('chunks/', ${JSON.stringify(pathToFileURL(`${outDir}/`).href)});`,
        "for (const name of readdirSync(dir).filter((n) => n.endsWith('.js'))) await import(new URL(name, dir).href);",
        '',
      ].join('\n'),
    );
    const lazy: number[] = [];
    const eager: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      lazy.push(timeRun([entry, 'ipvsadm', '--help']));
      eager.push(timeRun(['--import', pathToFileURL(preload).href, entry, 'ipvsadm', '--help']));
    }
    return [
      {
        name: 'cli-start-ipvsadm-help',
        value: Math.round(median(lazy)),
        unit: 'ms',
        baseline: { name: "the same start with every command's modules loaded (the eager dispatcher)", value: Math.round(median(eager)), unit: 'ms' },
      },
    ];
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
