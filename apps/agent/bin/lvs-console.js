#!/usr/bin/env node
// Launcher: the agent is bundled into ../dist/lvs-console.js by `npm run build`.
import { access } from 'node:fs/promises';

const bundle = new URL('../dist/lvs-console.js', import.meta.url);
try {
  await access(bundle);
} catch {
  process.stderr.write('lvs-console is not built: run `npm run build` first\n');
  process.exit(1);
}
await import(bundle.href);
