// External command: argv array, run directly (never through a shell), killed
// at the timeout. With dynamicWeight the exit code sets the weight like
// keepalived's misc_dynamic: 0 = up at the configured weight, 1 = down,
// 2-255 = up with weight (code - 2).
import { spawn } from 'node:child_process';
import type { HealthCheck } from '@lvs-console/shared';
import { abortedOutcome, abortReason, outcome, outcomeBecause, type ProbeOutcome, type ProbeTarget } from './types';

type CommandCheck = Extract<HealthCheck, { kind: 'command' }>;

const OUTPUT_KEPT = 200;

/** The exit code read as keepalived's misc_dynamic reads it. */
export function dynamicOutcome(code: number, output = ''): ProbeOutcome {
  if (code === 0) return { ...outcome(true, 'probeExitUp', { output }), dynamicWeight: null };
  if (code === 1) return outcome(false, 'probeExitDown', { output });
  return { ...outcome(true, 'probeExitWeight', { code, weight: code - 2, output }), dynamicWeight: code - 2 };
}

export function commandCheck(check: CommandCheck, target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(abortedOutcome(signal));
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
      if (signal.aborted || error.name === 'AbortError') settle(outcomeBecause(false, 'probeKilled', abortReason(signal)));
      else if (error.code === 'ENOENT') settle(outcome(false, 'probeProgramNotFound', { program: check.program }));
      else if (error.code === 'EACCES') settle(outcome(false, 'probeProgramNotExecutable', { program: check.program }));
      else settle({ ok: false, message: error.message });
    });
    child.once('close', (code, killedBy) => {
      const said = output.trim() ? `: ${output.trim().split('\n').pop() ?? ''}` : '';
      if (code === null) {
        settle(signal.aborted ? outcomeBecause(false, 'probeKilled', abortReason(signal)) : outcome(false, 'probeKilledBy', { signal: killedBy ?? '?' }));
        return;
      }
      if (check.dynamicWeight) {
        settle(dynamicOutcome(code, said));
        return;
      }
      settle(
        code === check.expectExitCode
          ? outcome(true, 'probeExit', { code, output: said })
          : outcome(false, 'probeExitExpected', { code, expected: check.expectExitCode, output: said }),
      );
    });
  });
}
