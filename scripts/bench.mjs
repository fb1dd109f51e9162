#!/usr/bin/env node
// `npm run bench`: every *.bench.ts / *.bench.mjs file exports run(), which
// returns results; each result is printed as one JSON line:
// {"name":"plan-10k","value":42.1,"unit":"ms","baseline":{...}}
// TypeScript bench files are bundled with esbuild first (Node 20 runs no TS).
// BENCH_FILTER=substring runs only matching files.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDirs = ['packages/shared/bench', 'apps/agent/bench', 'e2e/bench'];
const filter = process.env.BENCH_FILTER ?? '';

function benchFiles() {
  const files = [];
  for (const dir of benchDirs) {
    const abs = join(root, dir);
    let names = [];
    try {
      names = readdirSync(abs);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (/\.bench\.(ts|mjs)$/.test(name) && statSync(join(abs, name)).isFile() && join(dir, name).includes(filter)) files.push(join(abs, name));
    }
  }
  return files;
}

// Bundles land inside the repo so that external packages resolve from node_modules.
mkdirSync(join(root, '.cache'), { recursive: true });
const outDir = mkdtempSync(join(root, '.cache', 'bench-'));

/** Workspace packages are TypeScript sources: bundle them; every other package stays external. */
const workspaceSources = {
  name: 'workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@lvs-console\/shared(\/.*)?$/ }, (args) => {
      const sub = args.path.slice('@lvs-console/shared'.length);
      return { path: join(root, 'packages/shared/src', sub, 'index.ts') };
    });
    b.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
  },
};
let failures = 0;
for (const file of benchFiles()) {
  let entry = file;
  if (file.endsWith('.ts')) {
    entry = join(outDir, `${relative(root, file).replaceAll('/', '_')}.mjs`);
    await build({
      entryPoints: [file],
      outfile: entry,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
      plugins: [workspaceSources],
    });
  }
  try {
    const mod = await import(pathToFileURL(entry).href);
    const results = await mod.run();
    for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (error) {
    failures++;
    process.stderr.write(`bench ${relative(root, file)} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
}
rmSync(outDir, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
