// The one place the agent starts host programs. argv arrays only, never a
// shell string; an optional `ip netns exec NAME` prefix lets the real-kernel
// tests run each case in its own network namespace.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /**
   * A longer time limit for this one call (ms): a 110,000-line `ipvsadm -R`
   * or a listing of 10,000 services takes minutes on a slow machine. Never
   * shortens the runner's own limit.
   */
  timeoutMs?: number;
}

export interface CommandRunner {
  run(argv: readonly string[], stdin?: string, options?: RunOptions): Promise<CommandResult>;
}

export interface ExecRunnerOptions {
  /** Run every command inside this network namespace (`ip netns exec NAME ...`). */
  netns?: string;
  /** Path of the `ip` program used for the netns prefix. */
  ipPath?: string;
  /** Kill the program after this long; a wedged ipvsadm must not wedge the agent. */
  timeoutMs?: number;
  /** Refuse to buffer more output than this (bytes), e.g. a runaway listing. */
  maxOutputBytes?: number;
  /** Extra environment for the programs (merged over the agent's own). */
  env?: Readonly<Record<string, string>>;
}

const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** Spawns programs directly (no shell), collecting stdout and stderr. */
export function createExecRunner(options: ExecRunnerOptions = {}): CommandRunner {
  if (options.netns !== undefined && !NETNS_NAME.test(options.netns)) {
    throw new CommandError(`"${options.netns}" is not a valid network namespace name`);
  }
  const prefix = options.netns ? [options.ipPath ?? 'ip', 'netns', 'exec', options.netns] : [];
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxOutputBytes = options.maxOutputBytes ?? 512 * 1024 * 1024;
  return {
    run(argv, stdin, runOptions) {
      const full = [...prefix, ...argv];
      const limit = Math.max(timeoutMs, runOptions?.timeoutMs ?? 0);
      const [program, ...args] = full;
      if (!program) return Promise.reject(new CommandError('empty command'));
      return new Promise<CommandResult>((resolve, reject) => {
        const child = spawn(program, args, {
          stdio: ['pipe', 'pipe', 'pipe'],
          timeout: limit,
          env: options.env ? { ...process.env, ...options.env } : process.env,
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let size = 0;
        const collect = (sink: Buffer[]) => (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxOutputBytes) {
            child.kill('SIGKILL');
            return;
          }
          sink.push(chunk);
        };
        child.stdout.on('data', collect(out));
        child.stderr.on('data', collect(err));
        child.on('error', (error: NodeJS.ErrnoException) => {
          reject(new CommandError(error.code === 'ENOENT' ? `${program} is not installed or not in PATH` : `cannot run ${program}: ${error.message}`));
        });
        child.on('close', (code, signal) => {
          if (size > maxOutputBytes) {
            reject(new CommandError(`${program} printed more than ${maxOutputBytes} bytes; stopped it`));
            return;
          }
          if (signal) {
            reject(new CommandError(`${program} was stopped by ${signal}${signal === 'SIGTERM' ? ` (no answer within ${limit} ms)` : ''}`));
            return;
          }
          resolve({ code: code ?? 0, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
        });
        // A program that exits before reading stdin gives EPIPE; its exit code tells the story.
        child.stdin.on('error', () => undefined);
        child.stdin.end(stdin ?? '');
      });
    },
  };
}
