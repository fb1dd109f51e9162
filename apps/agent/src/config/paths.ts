// Where things live by default: the state directory and the built console.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** /var/lib/lvs-console as root; $XDG_STATE_HOME/lvs-console or ~/.local/state/lvs-console otherwise. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '/var/lib/lvs-console';
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'lvs-console');
}

/**
 * apps/web/dist next to this agent. Both the bundle (apps/agent/dist/) and
 * the sources (apps/agent/src/config/) sit below apps/agent.
 */
export function defaultWebDir(moduleUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < 4; i++) {
    if (dir.endsWith(`${'/'}agent`)) return resolve(dir, '..', 'web', 'dist');
    dir = dirname(dir);
  }
  return resolve(process.cwd(), 'apps', 'web', 'dist');
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80", "8080" (loopback). */
export function parseListen(text: string): ListenAddress {
  const bracketed = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text);
  const plain = /^([0-9.]+|localhost):(\d{1,5})$/.exec(text);
  const portOnly = /^(\d{1,5})$/.exec(text);
  const host = bracketed?.[1] ?? plain?.[1] ?? (portOnly ? '127.0.0.1' : null);
  const portText = bracketed?.[2] ?? plain?.[2] ?? portOnly?.[1];
  const port = Number(portText);
  if (host === null || portText === undefined || !Number.isInteger(port) || port > 65535) {
    throw new Error(`--listen "${text}" is not ADDRESS:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)`);
  }
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
