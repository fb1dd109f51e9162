// Bundle the agent into ESM for node 20: one entry file plus a chunk per CLI command. Packages from node_modules
// stay external (installed alongside), except the workspace's own shared
// package, which ships as TypeScript source and must be bundled in.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(await readFile(join(here, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {})
  .filter((name) => name !== '@lvs-console/shared')
  .flatMap((name) => [name, `${name}/*`]);

// An optional path builds a private copy (a test that runs the program while
// another test rebuilds dist/lvs-console.js).
const outfile = process.argv[2] ?? join(here, 'dist/lvs-console.js');

await build({
  // Split at the CLI's dynamic imports: each command's code is a chunk next to
  // the entry, loaded when that command runs (cli.ts COMMAND_LOADERS).
  entryPoints: { [basename(outfile, '.js')]: join(here, 'src/main.ts') },
  outdir: dirname(outfile),
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: [...external, 'node:*'],
  logLevel: 'warning',
  // ESM bundles have no require(); a few CommonJS dependencies reach for it.
  banner: { js: "import { createRequire as __lvsCreateRequire } from 'node:module'; const require = __lvsCreateRequire(import.meta.url);" },
});
console.log(`built ${outfile}`);
