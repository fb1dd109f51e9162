#!/usr/bin/env node
// build-bench-driver.mjs - HOST-side build step of the bench suite: bundles
// bench.driver.ts (the agent's IpvsadmBackend, @lvs-console/shared from its
// TypeScript sources, zod) into one ESM file the guest runs with plain node:
//
//   node e2e/kernel/suites/build-bench-driver.mjs [OUTFILE]
//
// Default OUTFILE: <repo>/.cache/kernel/bench-driver.mjs. Prints the output
// path; exit 1 on a build error.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const outfile = resolve(process.argv[2] ?? join(root, '.cache/kernel/bench-driver.mjs'));

/** @lvs-console/shared[/sub] -> packages/shared/src[/sub]/index.ts (the workspace ships TypeScript). */
const sharedSources = {
  name: 'shared-sources',
  setup(b) {
    b.onResolve({ filter: /^@lvs-console\/shared(\/.*)?$/ }, (args) => {
      const sub = args.path.slice('@lvs-console/shared'.length);
      return { path: join(root, 'packages/shared/src', sub, 'index.ts') };
    });
  },
};

mkdirSync(dirname(outfile), { recursive: true });
try {
  await build({
    entryPoints: [join(here, 'bench.driver.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    legalComments: 'none',
    plugins: [sharedSources],
  });
} catch {
  process.exit(1); // esbuild already printed the errors
}
console.log(outfile);
