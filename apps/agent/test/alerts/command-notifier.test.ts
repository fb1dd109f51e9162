// The command notifier with a real program: a root-owned script from
// notify-commands.json runs as "nobody", gets its argv exactly as written (no
// shell), the event's JSON on stdin and a fixed environment without the
// agent's secrets; a script another user could change is refused at start.
// Runs only as root (the agent's own rule: only root can run a program as
// another user, and only then does ownership matter).
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deriveAlertEvents, emptyAlertSnapshot, type AlertSnapshot } from '@lvs-console/shared/alerts';
import { commandTarget, loadNotifyCommands, lookupUser, NOTIFY_COMMANDS_FILE } from '../../src/alerts/targets';

const SVC = 'tcp:192.0.2.10:80';
const RS = '198.51.100.11:80';
const isRoot = process.getuid?.() === 0;

function snapshot(healthy: boolean): AlertSnapshot {
  return {
    ...emptyAlertSnapshot(),
    destinations: { [`${SVC} ${RS}`]: { service: SVC, destination: RS, healthy, drainFinished: false } },
    services: { [SVC]: { quorumUp: true, sorryServer: null, sorryServerActive: false } },
  };
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A state dir with notify-commands.json naming a script that records what it was given into out/. */
async function setUp(scriptMode: number) {
  const root = await mkdtemp(join(tmpdir(), 'lvs-notify-'));
  dirs.push(root);
  // nobody must reach the script and write its records.
  await chmod(root, 0o755);
  const out = join(root, 'out');
  await mkdir(out);
  await chmod(out, 0o777);
  const script = join(root, 'record-event.sh');
  await writeFile(script, `#!/bin/sh\nid -u > ${out}/uid\nfor a in "$@"; do printf '%s\\n' "$a"; done > ${out}/argv\ncat > ${out}/stdin\nenv > ${out}/env\n`);
  await chmod(script, scriptMode);
  const stateDir = join(root, 'state');
  await mkdir(stateDir);
  const argv = [script, '--to', 'ops team', '$(touch /tmp/lvs-notify-pwned)', '; rm -rf /'];
  await writeFile(join(stateDir, NOTIFY_COMMANDS_FILE), JSON.stringify([{ name: 'pager', argv, kinds: ['destination-down'] }]));
  return { stateDir, out, script, argv };
}

describe.skipIf(!isRoot)('the command notifier (as root)', () => {
  it('runs the configured program as nobody with its argv as written, the event on stdin and none of the agent environment', async () => {
    const { stateDir, out, argv } = await setUp(0o755);
    const [loaded] = await loadNotifyCommands(stateDir, true);
    const nobody = await lookupUser('nobody');
    expect(nobody).not.toBeNull();
    expect(loaded?.runAs).toEqual(nobody);

    process.env.LVS_CONSOLE_TOKEN = 'agent-secret-must-not-leak';
    try {
      const [event] = deriveAlertEvents(snapshot(true), snapshot(false), Date.UTC(2026, 0, 1));
      const notification = { group: `service ${SVC}`, time: Date.UTC(2026, 0, 1), alerts: [{ ...event!, transitions: 1 }] };
      const answer = await commandTarget(loaded!.command, loaded!.runAs).deliver(
        notification,
        { director: 'lb1', cluster: null, consoleUrl: 'http://127.0.0.1:8080' },
        AbortSignal.timeout(30_000),
      );
      expect(answer).toMatchObject({ ok: true, status: 0 });
    } finally {
      delete process.env.LVS_CONSOLE_TOKEN;
    }

    expect((await readFile(join(out, 'uid'), 'utf8')).trim()).toBe(String(nobody!.uid));
    // Every argument arrives as one word, shell syntax untouched and never run.
    expect((await readFile(join(out, 'argv'), 'utf8')).split('\n').slice(0, -1)).toEqual(argv.slice(1));
    await expect(readFile('/tmp/lvs-notify-pwned')).rejects.toThrow();
    const stdin = JSON.parse(await readFile(join(out, 'stdin'), 'utf8')) as { status: string; alerts: Array<{ kind: string; labels: Record<string, string> }> };
    expect(stdin.status).toBe('firing');
    expect(stdin.alerts[0]).toMatchObject({ kind: 'destination-down', labels: { service: SVC, destination: RS } });
    const env = await readFile(join(out, 'env'), 'utf8');
    expect(env).toContain('LVS_EVENT_KIND=destination-down');
    expect(env).not.toContain('agent-secret-must-not-leak');
  });

  it('refuses a program that someone other than root could change, naming the fix', async () => {
    const writable = await setUp(0o775);
    await expect(loadNotifyCommands(writable.stateDir, true)).rejects.toThrow(
      /must be owned by root and not writable by group or others \(chown root .*; chmod go-w/,
    );

    const notRoots = await setUp(0o755);
    const nobody = await lookupUser('nobody');
    await chown(notRoots.script, nobody!.uid, nobody!.gid);
    await expect(loadNotifyCommands(notRoots.stateDir, true)).rejects.toThrow(/must be owned by root/);
  });
});
