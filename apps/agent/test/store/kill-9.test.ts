// Issue 16's fault test: the real agent program, driven over HTTP through 100
// mutations and imports, killed with SIGKILL at seeded random moments and
// started again. Afterwards every committed change has its audit line, the
// revisions are contiguous and state.json parses. The budget is a count of
// operations and kills, not a time: a loaded machine only makes it slower.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '@lvs-console/shared/schedulers';
import type { AuditEntry } from '@lvs-console/shared/api';

const agentDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKEN = 'fault-test-admin-token-0123456789';
const OPERATIONS = 100;
/** The agent is killed once in each run of this many operations, at a seeded one of them. */
const OPERATIONS_PER_KILL = 10;

let workDir: string;
let bundle: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'lvs-kill9-'));
  // A private bundle (entry and its chunks in a directory of its own): other tests rebuild dist/ while this one runs the program.
  bundle = join(agentDir, 'dist', `kill9-${process.pid}`, 'lvs-console.js');
  const built = spawnSync(process.execPath, ['build.mjs', bundle], { cwd: agentDir, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
  await rm(dirname(bundle), { recursive: true, force: true });
});

interface Agent {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

async function startAgent(stateDir: string): Promise<Agent> {
  const child = spawn(
    process.execPath,
    [bundle, 'serve', '--backend', 'sim', '--listen', '127.0.0.1:0', '--state-dir', stateDir, '--admin-token', TOKEN, '--vrrp', 'off', '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the agent did not listen within 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (found?.[1]) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the agent exited (${code}) before listening:\n${output}`));
    });
  });
  return { child, url, exited };
}

async function kill(agent: Agent): Promise<void> {
  agent.child.kill('SIGKILL');
  await agent.exited;
}

async function call(url: string, path: string, input?: unknown): Promise<{ status: number; data?: unknown }> {
  const response =
    input === undefined
      ? await fetch(`${url}/trpc/${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })
      : await fetch(`${url}/trpc/${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(input),
        });
  const body = (await response.json()) as { result?: { data: unknown } };
  return { status: response.status, data: body.result?.data };
}

interface Known {
  revision: number;
  services: Array<{ address: string; port: number; destinations: Array<{ address: string; port: number }> }>;
}

async function readKnown(url: string): Promise<Known> {
  const answer = await call(url, 'state.get');
  const snapshot = answer.data as {
    revision: number;
    desired: { services: Array<{ key: { address: string; port: number }; destinations: Array<{ address: string; port: number }> }> };
  };
  return {
    revision: snapshot.revision,
    services: snapshot.desired.services.map((s) => ({
      address: s.key.address,
      port: s.key.port,
      destinations: s.destinations.map((d) => ({ address: d.address, port: d.port })),
    })),
  };
}

/** One seeded mutation or import, as the path and input of a tRPC call. */
function nextOperation(prng: Prng, known: Known, step: number): { path: string; input: unknown } {
  const pick = <T>(items: T[]): T => items[Math.floor(prng.nextFloat() * items.length)] as T;
  const key = (address: string, port = 80) => ({ kind: 'addr', protocol: 'tcp', address, port });
  const baseRevision = known.revision;
  const roll = prng.nextFloat();
  const service = known.services.length ? pick(known.services) : null;
  const newAddress = `192.0.2.${(step % 250) + 1}`;
  if (!service || roll < 0.2) {
    return {
      path: 'services.add',
      input: {
        baseRevision,
        service: { key: key(newAddress), scheduler: 'wrr', destinations: [{ address: '198.51.100.1', port: 80, forwarding: 'masq', weight: 1 }] },
      },
    };
  }
  if (roll < 0.4) {
    // An import of ipvsadm commands, merged into the desired state.
    const vip = `203.0.113.${(step % 250) + 1}`;
    const text = `-A -t ${vip}:443 -s rr\n-a -t ${vip}:443 -r 198.51.100.${(step % 200) + 1}:443 -m -w ${1 + (step % 9)}\n`;
    return { path: 'state.import', input: { baseRevision, text, format: 'ipvsadm', mode: 'merge', dryRun: false } };
  }
  if (roll < 0.55) {
    return {
      path: 'destinations.add',
      input: {
        baseRevision,
        service: key(service.address, service.port),
        destination: { address: `198.51.100.${100 + (step % 100)}`, port: service.port, forwarding: 'masq', weight: 3 },
      },
    };
  }
  if (roll < 0.6 && known.services.length > 3) {
    return { path: 'services.remove', input: { baseRevision, service: key(service.address, service.port) } };
  }
  const destination = service.destinations.length ? pick(service.destinations) : null;
  if (!destination) return { path: 'services.add', input: { baseRevision, service: { key: key(newAddress), destinations: [] } } };
  return {
    path: 'destinations.setWeight',
    input: { baseRevision, service: key(service.address, service.port), destination, weight: Math.floor(prng.nextFloat() * 100) },
  };
}

async function auditEntries(stateDir: string): Promise<AuditEntry[]> {
  const names = (await readdir(stateDir)).filter((name) => /^audit\.log(\.\d+)?$/.test(name));
  const entries: AuditEntry[] = [];
  for (const name of names) {
    for (const line of (await readFile(join(stateDir, name), 'utf8')).split('\n')) {
      // A torn last line (killed mid-append) is not an entry; its revision must be audited again.
      try {
        if (line.trim()) entries.push(JSON.parse(line) as AuditEntry);
      } catch {
        // skipped
      }
    }
  }
  return entries.sort((a, b) => a.seq - b.seq);
}

async function readStateFile(stateDir: string): Promise<number> {
  const stored = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as { revision: number; state: { services: unknown[] } };
  expect(Array.isArray(stored.state.services)).toBe(true);
  return stored.revision;
}

/** What must hold in the state directory once the agent has started again after any crash. */
async function expectConsistent(stateDir: string, acknowledged: number[]): Promise<number> {
  const revision = await readStateFile(stateDir);
  const files = (await readdir(join(stateDir, 'revisions')))
    .filter((name) => /^\d{10}\.json$/.test(name))
    .map(Number.parseFloat)
    .sort((a, b) => a - b);
  // Contiguous, ending at state.json's revision.
  expect(files.at(-1)).toBe(revision);
  expect(files).toEqual(files.map((_, i) => (files[0] ?? 0) + i));
  for (const file of files) {
    const copy = JSON.parse(await readFile(join(stateDir, 'revisions', `${String(file).padStart(10, '0')}.json`), 'utf8')) as { revision: number };
    expect(copy.revision).toBe(file);
  }
  const index = JSON.parse(await readFile(join(stateDir, 'revisions', 'index.json'), 'utf8')) as Array<{ revision: number; who: string }>;
  expect(index.map((s) => s.revision)).toEqual(files);
  // Every change has exactly one audit line by its author (restoring a
  // revision into the kernel at start adds the agent's own line beside it),
  // and sequence numbers are never reused.
  const entries = await auditEntries(stateDir);
  expect(new Set(entries.map((e) => e.seq)).size).toBe(entries.length);
  for (const { revision: r, who } of index.filter((s) => s.revision >= 2)) {
    const lines = entries.filter((e) => e.result === 'ok' && e.revision === r && e.who === who);
    expect(lines, `audit lines of revision ${r}: ${JSON.stringify(entries.filter((e) => e.revision === r))}`).toHaveLength(1);
  }
  expect(Math.max(0, ...entries.map((e) => e.revision ?? 0))).toBe(revision);
  // Nothing the agent answered as done was lost.
  for (const r of acknowledged) expect(r).toBeLessThanOrEqual(revision);
  return revision;
}

describe('kill -9 at random points of 100 mutations and imports', () => {
  it('leaves every committed change audited, the revisions contiguous and state.json readable', async () => {
    const stateDir = join(workDir, 'state');
    const prng = Prng.fromSeed(16);
    const acknowledged: number[] = [];
    let agent = await startAgent(stateDir);
    let known = await readKnown(agent.url);
    let kills = 0;
    let killAt = 0;
    for (let step = 0; step < OPERATIONS; step++) {
      if (step % OPERATIONS_PER_KILL === 0) killAt = step + Math.floor(prng.nextFloat() * OPERATIONS_PER_KILL);
      const operation = nextOperation(prng, known, step);
      const killNow = step === killAt;
      // From before the request arrives to after its answer: every stage of a commit gets hit.
      const killAfterMs = prng.nextFloat() * 40;
      const request = call(agent.url, operation.path, operation.input).catch(() => null);
      if (killNow) {
        await new Promise((resolve) => setTimeout(resolve, killAfterMs));
        await kill(agent);
        kills++;
        const answer = await request;
        if (answer?.status === 200) acknowledged.push((answer.data as { revision: number }).revision);
        // state.json parses at any moment; the rest holds once a start has repaired what the kill cut short.
        await readStateFile(stateDir);
        agent = await startAgent(stateDir);
        await expectConsistent(stateDir, acknowledged);
      } else {
        const answer = await request;
        expect(answer?.status, `${operation.path} ${JSON.stringify(operation.input)}`).toBe(200);
        acknowledged.push((answer?.data as { revision: number }).revision);
      }
      known = await readKnown(agent.url);
      // A restart restores the newest revision: nothing acknowledged is behind it.
      expect(known.revision).toBeGreaterThanOrEqual(Math.max(0, ...acknowledged));
    }
    const revision = await expectConsistent(stateDir, acknowledged);
    await kill(agent);
    // The seed makes the run the same each time: these bound what was tested.
    expect(kills).toBe(OPERATIONS / OPERATIONS_PER_KILL);
    expect(revision).toBeGreaterThan(OPERATIONS / 2);
  }, 110_000);
});
