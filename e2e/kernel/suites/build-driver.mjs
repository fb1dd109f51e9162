#!/usr/bin/env node
// build-driver.mjs - HOST-side build step of the suites that run TypeScript
// in the guest (schedulers, bench): bundles the suite's driver with
// @lvs-console/shared from its TypeScript sources (and zod) into one ESM
// file the guest runs with plain node:
//
//   node e2e/kernel/suites/build-driver.mjs schedulers|bench [OUTFILE]
//
// Default OUTFILE: <repo>/.cache/kernel/<suite>-driver.mjs (the guest sees
// the host's filesystem, so it finds the file at the same path). Everything
// is bundled: nothing has to resolve from node_modules in the guest.
// Prints the output path; exit 1 on a build error, 2 on an unknown suite.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const entries = { schedulers: 'schedulers.test-driver.ts', bench: 'bench.driver.ts' };
const suite = process.argv[2] ?? '';
if (!Object.hasOwn(entries, suite)) {
  console.error(`usage: build-driver.mjs ${Object.keys(entries).join('|')} [OUTFILE]`);
  process.exit(2);
}
const outfile = resolve(process.argv[3] ?? join(root, `.cache/kernel/${suite}-driver.mjs`));

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
    entryPoints: [join(here, entries[suite])],
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
