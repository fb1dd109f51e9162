// External command: argv array, run directly (never through a shell), killed
// at the timeout. With dynamicWeight the exit code sets the weight like
// keepalived's misc_dynamic: 0 = up at the configured weight, 1 = down,
// 2-255 = up with weight (code - 2).
import { spawn } from 'node:child_process';
import type { HealthCheck } from '@lvs-console/shared';
import { abortMessage, type ProbeOutcome, type ProbeTarget } from './types';

type CommandCheck = Extract<HealthCheck, { kind: 'command' }>;

const OUTPUT_KEPT = 200;

/** The exit code read as keepalived's misc_dynamic reads it. */
export function dynamicOutcome(code: number): ProbeOutcome {
  if (code === 0) return { ok: true, message: 'exit 0: up at the configured weight', dynamicWeight: null };
  if (code === 1) return { ok: false, message: 'exit 1: down' };
  return { ok: true, message: `exit ${code}: up with weight ${code - 2}`, dynamicWeight: code - 2 };
}

export function commandCheck(check: CommandCheck, target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve({ ok: false, message: abortMessage(signal) });
      return;
    }
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
    };
    const child = spawn(check.program, check.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // A small, predictable environment; the target is passed in for scripts that need it.
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LVS_CHECK_ADDRESS: target.address, LVS_CHECK_PORT: String(target.port) },
      signal,
      killSignal: 'SIGKILL',
    });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let settled = false;
    const settle = (outcome: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted || error.name === 'AbortError') settle({ ok: false, message: `${abortMessage(signal)} (killed)` });
      else if (error.code === 'ENOENT') settle({ ok: false, message: `${check.program} not found` });
      else if (error.code === 'EACCES') settle({ ok: false, message: `${check.program} is not executable` });
      else settle({ ok: false, message: error.message });
    });
    child.once('close', (code, killedBy) => {
      const said = output.trim() ? `: ${output.trim().split('\n').pop() ?? ''}` : '';
      if (code === null) {
        settle({ ok: false, message: signal.aborted ? `${abortMessage(signal)} (killed)` : `killed by ${killedBy ?? 'a signal'}` });
        return;
      }
      if (check.dynamicWeight) {
        const outcome = dynamicOutcome(code);
        settle({ ...outcome, message: outcome.message + said });
        return;
      }
      settle(
        code === check.expectExitCode
          ? { ok: true, message: `exit ${code}${said}` }
          : { ok: false, message: `exit ${code} (expected ${check.expectExitCode})${said}` },
      );
    });
  });
}
