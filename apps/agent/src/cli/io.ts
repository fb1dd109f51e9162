// What every command shares: the I/O it is given, usage errors (exit 2),
// reading a file or stdin, and flag parsing with clear messages.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DomainError, formatIssues } from '@lvs-console/shared';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Resolves when `serve` should stop (default: SIGINT or SIGTERM). */
  waitForStop?: () => Promise<void>;
}

/** Bad input or usage: exit status 2, message on stderr. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** One command: its arguments after the command name; returns the exit status. */
export type Command = (args: string[], io: CliIo) => Promise<number>;

export function formatError(error: unknown): string {
  if (error instanceof DomainError) return error.issues.length ? formatIssues(error.issues) : error.message;
  return error instanceof Error ? error.message : String(error);
}

export async function readInput(path: string, io: CliIo): Promise<string> {
  if (path === '-') return io.readStdin();
  try {
    return await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : formatError(error)}`);
  }
}

export function parse<T extends ParseArgsConfig['options']>(args: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(formatError(error));
  }
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be ${allowed.join(' or ')}, not "${value}"`);
  return value as T;
}

export function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

/** Resolves on SIGINT or SIGTERM. */
export function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
