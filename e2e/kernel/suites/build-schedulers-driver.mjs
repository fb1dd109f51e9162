#!/usr/bin/env node
// build-schedulers-driver.mjs - HOST-side build step of the schedulers suite:
// bundles schedulers.test-driver.ts (and @lvs-console/shared from its
// TypeScript sources) into one ESM file the guest runs with plain node:
//
//   node e2e/kernel/suites/build-schedulers-driver.mjs [OUTFILE]
//
// Default OUTFILE: <repo>/.cache/kernel/schedulers-driver.mjs (the guest sees
// the host's filesystem, so it finds the file at the same path). Everything
// is bundled (zod too): nothing has to resolve from node_modules in the guest.
// Prints the output path; exit 1 on a build error.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const outfile = resolve(process.argv[2] ?? join(root, '.cache/kernel/schedulers-driver.mjs'));

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
    entryPoints: [join(here, 'schedulers.test-driver.ts')],
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
