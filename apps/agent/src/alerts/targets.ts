// Where notifications go: webhooks (HTTP POST with fetch) and commands
// (keepalived's notify scripts: argv, event JSON on stdin, never a shell,
// as an unprivileged user when the agent is root). Commands come only from
// <state-dir>/notify-commands.json, never from the API.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  notifyCommandsFileSchema,
  renderAlertmanagerPayload,
  renderWebhookPayload,
  type AlertKind,
  type NotificationSource,
  type Notification,
  type NotifyCommand,
  type StoredWebhook,
  maskUrl,
} from '@lvs-console/shared/alerts';
import { formatIssues } from '@lvs-console/shared';

export interface DeliveryAnswer {
  ok: boolean;
  /** HTTP status or exit code; null when there was none (refused, timed out). */
  status: number | null;
  /** What the receiver said, cut short: a status line, an error, a command's output. */
  message: string;
}

export interface DeliveryTarget {
  id: string;
  type: 'webhook' | 'command';
  name: string;
  /** Where, as the console shows it (masked). */
  where: string;
  /** Kinds it takes; empty = all. */
  kinds: readonly AlertKind[];
  deliver(notification: Notification, source: NotificationSource, signal: AbortSignal): Promise<DeliveryAnswer>;
}

const ANSWER_CHARS = 200;
export const WEBHOOK_TIMEOUT_MS = 10_000;

function short(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > ANSWER_CHARS ? `${flat.slice(0, ANSWER_CHARS)}…` : flat;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

export function webhookTarget(hook: StoredWebhook): DeliveryTarget {
  return {
    id: `webhook:${hook.id}`,
    type: 'webhook',
    name: hook.name,
    where: `${hook.mode === 'alertmanager' ? 'Alertmanager ' : ''}${maskUrl(hook.url)}`,
    kinds: hook.kinds,
    async deliver(notification, source, signal) {
      const body = hook.mode === 'alertmanager' ? renderAlertmanagerPayload(notification, source) : renderWebhookPayload(notification, source);
      try {
        const res = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'lvs-console', ...(hook.token ? { authorization: `Bearer ${hook.token}` } : {}) },
          body: JSON.stringify(body),
          signal: AbortSignal.any([signal, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]),
          redirect: 'error',
        });
        const text = await res.text().catch(() => '');
        return { ok: res.ok, status: res.status, message: short(`${res.status} ${res.statusText}${text ? `: ${text}` : ''}`) };
      } catch (error) {
        return { ok: false, status: null, message: short(errorText(error)) };
      }
    },
  };
}

export interface RunAs {
  uid: number;
  gid: number;
}

/** uid and gid of a user from /etc/passwd (no shell, no getent). */
export async function lookupUser(name: string, passwd = '/etc/passwd'): Promise<RunAs | null> {
  const text = await readFile(passwd, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  return null;
}

export function commandTarget(command: NotifyCommand, runAs: RunAs | null): DeliveryTarget {
  const [program = '', ...args] = command.argv;
  return {
    id: `command:${command.name}`,
    type: 'command',
    name: command.name,
    where: command.argv.join(' '),
    kinds: command.kinds,
    deliver(notification, source, signal) {
      const payload = renderWebhookPayload(notification, source);
      const first = payload.alerts[0];
      return new Promise<DeliveryAnswer>((resolve) => {
        const child = spawn(program, args, {
          stdio: ['pipe', 'pipe', 'pipe'],
          signal,
          timeout: command.timeoutMs,
          // A small, fixed environment: nothing of the agent's (tokens) leaks into it.
          env: {
            PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
            LVS_EVENT_GROUP: payload.group,
            LVS_EVENT_STATUS: payload.status,
            LVS_EVENT_KIND: first?.kind ?? '',
            LVS_EVENT_SUMMARY: first?.summary ?? '',
            LVS_EVENT_COUNT: String(payload.alerts.length),
          },
          ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
        });
        let output = '';
        const collect = (chunk: Buffer) => {
          if (output.length < ANSWER_CHARS * 4) output += chunk.toString('utf8');
        };
        child.stdout.on('data', collect);
        child.stderr.on('data', collect);
        child.stdin.on('error', () => undefined);
        child.stdin.end(JSON.stringify(payload));
        child.on('error', (error) => resolve({ ok: false, status: null, message: short(errorText(error)) }));
        child.on('close', (code, killed) => {
          const how = code === null ? `killed (${killed ?? 'signal'}${killed === 'SIGTERM' ? `, over ${command.timeoutMs} ms?` : ''})` : `exit ${code}`;
          resolve({ ok: code === 0, status: code, message: short(`${how}${output ? `: ${output}` : ''}`) });
        });
      });
    },
  };
}

export const NOTIFY_COMMANDS_FILE = 'notify-commands.json';

/**
 * The commands of <state-dir>/notify-commands.json. Each program must be an
 * existing executable file; when the agent is root it must also be owned by
 * root and writable by nobody else (so no other user can swap what runs).
 * A bad file is an error at start, with the reason.
 */
export async function loadNotifyCommands(stateDir: string, isRoot: boolean): Promise<Array<{ command: NotifyCommand; runAs: RunAs | null }>> {
  const path = join(stateDir, NOTIFY_COMMANDS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not JSON (${errorText(error)})`);
  }
  const parsed = notifyCommandsFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path}: ${formatIssues(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })))}`);
  const out: Array<{ command: NotifyCommand; runAs: RunAs | null }> = [];
  for (const command of parsed.data) {
    const program = command.argv[0] ?? '';
    const info = await stat(program).catch(() => null);
    if (!info?.isFile()) throw new Error(`${path}: command "${command.name}": ${program} is not an existing file`);
    await access(program, constants.X_OK).catch(() => {
      throw new Error(`${path}: command "${command.name}": ${program} is not executable`);
    });
    let runAs: RunAs | null = null;
    if (isRoot) {
      if (info.uid !== 0 || (info.mode & 0o022) !== 0) {
        throw new Error(
          `${path}: command "${command.name}": ${program} must be owned by root and not writable by group or others (chown root ${program}; chmod go-w ${program})`,
        );
      }
      runAs = await lookupUser(command.user);
      if (!runAs) throw new Error(`${path}: command "${command.name}": no user "${command.user}" in /etc/passwd`);
    }
    out.push({ command, runAs });
  }
  return out;
}
