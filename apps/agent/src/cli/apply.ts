// `lvs-console apply FILE`: make a desired-state file the next revision and
// apply it to the kernel once, under the state directory's lock.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DesiredState } from '@lvs-console/shared';
import { plan, renderPlan } from '@lvs-console/shared/plan';
import { BACKEND_REQUESTS, chooseBackend, type BackendRequest } from '../config/backend-choice';
import { systemClock } from '../config/clock';
import { defaultStateDir } from '../config/paths';
import type { KernelBackend } from '../kernel/backend';
import { silentLogger } from '../log';
import { AgentMetrics } from '../reconcile/agent-metrics';
import { EventBus } from '../reconcile/events';
import type { HostPort } from '../reconcile/ports';
import { Reconciler } from '../reconcile/reconciler';
import { AuditLog } from '../store/audit-log';
import { lockStateDir } from '../store/dir-lock';
import { StateStore } from '../store/state-store';
import { oneOf, parse, readInput, UsageError, type CliIo } from './io';
import { parseStateText } from './state-text';

export const APPLY_HELP = `usage: lvs-console apply FILE [--backend auto|netlink|ipvsadm|sim] [--state-dir DIR] [--dry-run]

Make FILE (desired-state JSON, or ipvsadm rule text) the desired state and
apply it to the kernel once. --dry-run prints the plan and changes nothing.
FILE "-" reads stdin.
`;

export async function applyCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    backend: { type: 'string' },
    'state-dir': { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(APPLY_HELP);
    return 0;
  }
  const file = positionals[0];
  if (!file) throw new UsageError('apply needs a FILE (desired-state JSON or ipvsadm text)');
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1] ?? ''}"`);
  const backendRequest = oneOf<BackendRequest>(values.backend, BACKEND_REQUESTS, '--backend', 'auto');
  const parsedFile = parseStateText(await readInput(file, io));

  const clock = systemClock;
  const chosen = await chooseBackend(backendRequest, { clock });
  try {
    io.stderr(`backend: ${chosen.choice.label} (${chosen.choice.reason})\n`);
    const observed = await chosen.backend.observe();
    // ipvsadm-save text never lists sync daemons: a file without any leaves the running ones alone.
    const desired = parsedFile.syncDaemons.length ? parsedFile : { ...parsedFile, syncDaemons: observed.syncDaemons };
    if (values['dry-run']) {
      const lines = renderPlan(plan(desired, observed));
      io.stdout(lines.length ? `${lines.join('\n')}\n` : '');
      io.stderr(lines.length ? `${lines.length} changes would run (dry run: nothing changed)\n` : 'nothing to do: the kernel already matches\n');
      return 0;
    }
    const stateDir = resolve(io.cwd, values['state-dir'] ?? io.env.LVS_CONSOLE_STATE_DIR ?? defaultStateDir(io.env));
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    // A running agent owns the state directory; two writers would overwrite each other.
    const dirLock = await lockStateDir(stateDir, 'lvs-console apply');
    try {
      return await applyLocked(stateDir, desired, chosen.backend, io, chosen.host);
    } finally {
      await dirLock.release();
    }
  } finally {
    await chosen.backend.close();
  }
}

/** Make `desired` the next revision and apply it (the caller holds the state directory's lock). */
async function applyLocked(stateDir: string, desired: DesiredState, backend: KernelBackend, io: CliIo, host: HostPort | null = null): Promise<number> {
  const clock = systemClock;
  const store = await StateStore.open(stateDir, clock);
  const audit = await AuditLog.open(`${stateDir}/audit.log`, clock);
  const reconciler = new Reconciler({
    backend,
    store,
    audit,
    events: new EventBus(),
    clock,
    log: silentLogger,
    metrics: new AgentMetrics(),
    driftMode: 'report',
    host,
    // The director's own CLI, run as root there: the one place command health checks come from.
    allowCommandChecks: true,
  });
  const caller = { name: `cli (${io.env.USER ?? 'unknown user'})`, role: 'admin' as const };
  const outcome = await reconciler.commit({
    baseRevision: store.revision,
    // A rule file says nothing about host settings: keep the ones already desired.
    edit: {
      op: 'replace-state',
      state: { ...desired, hostSettings: desired.hostSettings.length ? desired.hostSettings : (store.current()?.state.hostSettings ?? []) },
    },
    caller,
  });
  io.stdout(outcome.lines.length ? `${outcome.lines.join('\n')}\n` : '');
  io.stderr(`${outcome.lines.length} changes applied; desired state is revision ${outcome.revision} in ${stateDir}\n`);
  // A file that lists host settings (the VIP on an interface, ip_forward,
  // modules, SNAT) asks for them too: make them live, or say which failed.
  if (host && desired.hostSettings.length) {
    const results = await reconciler.applyHostSettings(store.revision, caller);
    for (const r of results) io.stderr(`host: ${r.ok ? 'ok  ' : 'FAIL'} ${r.message}\n`);
    if (results.some((r) => !r.ok)) return 1;
  }
  return 0;
}
