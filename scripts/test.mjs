#!/usr/bin/env node
// `npm test`: install what the tests need that npm does not, run every suite
// this machine can run, and say which suites were skipped and why.
//
// Suites, in order:
//   static   typecheck + lint + format (prettier --check)
//   unit     vitest: pure core, agent (sim backend, real HTTP on loopback), web logic
//   browser  Playwright in Debian's Chromium against the agent (sim backend)
//   kernel   the real-kernel test bed: a Debian kernel in QEMU running real IPVS
//
// Environment: LVS_TEST_ONLY=unit,browser runs only the named suites;
// LVS_SKIP_KERNEL=1 skips the kernel suite (e.g. on a laptop).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.env.LVS_TEST_ONLY ? new Set(process.env.LVS_TEST_ONLY.split(',')) : null;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const results = [];
const scratch = mkdtempSync(join(tmpdir(), 'lvs-test-'));

function log(line) {
  process.stdout.write(`[test] ${line}\n`);
}

/** Run a command with inherited output; resolves to its exit code. */
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
      env: { ...process.env, ...options.env },
    });
    let output = '';
    if (options.capture) {
      child.stdout.on('data', (chunk) => {
        output += chunk;
        process.stdout.write(chunk);
      });
    }
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

function wanted(name) {
  return !only || only.has(name);
}

function record(name, outcome) {
  results.push({ name, ...outcome });
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Debian's Chromium for Playwright (Playwright cannot download its own browsers
 * here), and the Noto CJK fonts: without them the zh-CN console's screenshots
 * show boxes instead of Chinese glyphs.
 */
const BROWSER_PACKAGES = [
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'fonts-noto-cjk'],
];

function ensureChromium() {
  const missing = BROWSER_PACKAGES.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
  if (missing.length === 0) return null;
  if (!isRoot) {
    return `${missing.join(', ')} not installed; install with \`sudo apt-get install -y ${missing.join(' ')}\` (Debian) and run npm test again`;
  }
  log(`installing Debian ${missing.join(', ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) return `apt-get update failed; cannot install ${missing.join(', ')}`;
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  const still = BROWSER_PACKAGES.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
  if (install.status !== 0 || still.length) return `apt-get install ${still.join(' ')} failed`;
  return null;
}

async function staticSuite() {
  const typecheck = await run('npm', ['run', '--silent', 'typecheck']);
  const lint = await run('npx', ['eslint', '.', '--max-warnings=0']);
  const format = await run('npx', ['prettier', '--check', '.']);
  const passed = [typecheck, lint, format].filter((result) => result.code === 0).length;
  record('static', { passed, failed: 3 - passed, detail: 'typecheck, lint, format' });
}

/**
 * Debian packages whose programs the unit tests run for real (keepalived -t
 * checks every keepalived.conf we write; promtool, from the prometheus
 * package, checks and tests the shipped alert rules). Installed when missing
 * and root; once there, a test that finds them missing fails instead of
 * skipping. Installing prometheus may start its server where init scripts
 * run (not in containers, whose policy-rc.d denies it); the tests need
 * only promtool.
 */
const UNIT_TOOLS = [
  ['/usr/sbin/keepalived', 'keepalived'],
  ['/usr/bin/promtool', 'prometheus'],
];

function ensureUnitTools() {
  const missing = UNIT_TOOLS.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
  if (missing.length && isRoot) {
    log(`installing ${missing.join(', ')} (apt-get)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  }
  const still = UNIT_TOOLS.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
  if (still.length) log(`not installed: ${still.join(', ')} (sudo apt-get install -y ${still.join(' ')}); the tests that run them are skipped`);
  return still.length === 0 && isRoot;
}

async function unitSuite() {
  const report = join(scratch, 'vitest.json');
  const required = ensureUnitTools();
  const { code } = await run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
    env: required ? { LVS_REQUIRE_TOOLS: '1' } : {},
  });
  const json = readJson(report);
  if (!json) {
    record('unit', { passed: 0, failed: 1, detail: `vitest exited ${code} without a report` });
    return;
  }
  const failed = json.numFailedTests + (code !== 0 && json.numFailedTests === 0 ? 1 : 0);
  record('unit', { passed: json.numPassedTests, failed, skipped: json.numPendingTests + json.numTodoTests, detail: `${json.testResults?.length ?? 0} files` });
}

async function browserSuite() {
  const missing = ensureChromium();
  if (missing) {
    record('browser', { skipped: 'all', reason: missing });
    return;
  }
  const build = await run('npm', ['run', '--silent', 'build']);
  if (build.code !== 0) {
    record('browser', { passed: 0, failed: 1, detail: 'npm run build failed' });
    return;
  }
  const report = join(scratch, 'playwright.json');
  const { code } = await run('npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json'], {
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: report },
  });
  const json = readJson(report);
  if (!json?.stats) {
    record('browser', { passed: 0, failed: 1, detail: `playwright exited ${code} without a report` });
    return;
  }
  const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = json.stats;
  record('browser', {
    passed: expected + flaky,
    failed: unexpected + (code !== 0 && unexpected === 0 ? 1 : 0),
    skipped,
    detail: flaky ? `${flaky} flaky` : '',
  });
}

async function kernelSuite() {
  if (process.env.LVS_SKIP_KERNEL === '1') {
    record('kernel', { skipped: 'all', reason: 'LVS_SKIP_KERNEL=1' });
    return;
  }
  const script = join(root, 'e2e/kernel/run.sh');
  if (!existsSync(script)) {
    record('kernel', { skipped: 'all', reason: 'e2e/kernel/run.sh is missing' });
    return;
  }
  const started = Date.now();
  const { code, output } = await run('bash', [script], { capture: true });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (code === 3) {
    const reason = /SKIP kernel: (.*)/.exec(output)?.[1] ?? 'the machine cannot run the QEMU test bed';
    record('kernel', { skipped: 'all', reason });
    return;
  }
  // The guest prints one closing "N passed, N failed" line for all its suites.
  const matches = [...output.matchAll(/^(\d+) passed, (\d+) failed/gm)];
  const last = matches.at(-1);
  const passed = last ? Number(last[1]) : 0;
  const failed = last ? Number(last[2]) : 0;
  record('kernel', { passed, failed: failed + (code !== 0 && failed === 0 ? 1 : 0), detail: `${seconds} s wall` });
}

const suites = [
  ['static', staticSuite],
  ['unit', unitSuite],
  ['browser', browserSuite],
  ['kernel', kernelSuite],
];

const started = Date.now();
for (const [name, suite] of suites) {
  if (!wanted(name)) {
    record(name, { skipped: 'all', reason: 'not selected by LVS_TEST_ONLY' });
    continue;
  }
  log(`suite ${name}`);
  await suite();
}
rmSync(scratch, { recursive: true, force: true });

let passed = 0;
let failed = 0;
let skippedTests = 0;
process.stdout.write('\n==== LVS Console test summary ====\n');
for (const r of results) {
  if (r.skipped === 'all') {
    process.stdout.write(`  ${r.name.padEnd(8)} SKIPPED  ${r.reason}\n`);
    continue;
  }
  passed += r.passed;
  failed += r.failed;
  skippedTests += r.skipped ?? 0;
  const status = r.failed ? 'FAILED ' : 'ok     ';
  const extra = [r.skipped ? `${r.skipped} skipped` : '', r.detail ?? ''].filter(Boolean).join('; ');
  process.stdout.write(`  ${r.name.padEnd(8)} ${status}  ${r.passed} passed, ${r.failed} failed${extra ? ` (${extra})` : ''}\n`);
}
process.stdout.write(`  total time ${Math.round((Date.now() - started) / 1000)} s\n`);
process.stdout.write(`${passed} passed, ${failed} failed${skippedTests ? `, ${skippedTests} skipped` : ''}\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
