// Notifications as the rest of the agent sees them: the settings file in the
// state directory (notifications.json, 0600: it holds webhook tokens), the
// operator's commands (notify-commands.json, read at start only), the
// notifier, and the snapshot of what can be alerted on.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  applyFailedEvent,
  defaultNotificationSettings,
  mergeNotificationSettings,
  notificationSettingsSchema,
  notificationSettingsView,
  type AlertSnapshot,
  type NotificationSettings,
  type NotificationSettingsInput,
  type NotificationSettingsView,
  type NotificationSource,
  type NotifyCommand,
} from '@lvs-console/shared/alerts';
import type { AgentEvent, Caller } from '@lvs-console/shared/api';
import { DomainError, describedText, formatIssues, wordParam } from '@lvs-console/shared';
import type { HealthFigures } from '@lvs-console/shared/metrics';
import type { Logger } from '../log';
import type { HealthTimers } from '../health/timers';
import { writeFileAtomic } from '../store/atomic-file';
import type { AuditLog } from '../store/audit-log';
import { DeliveryLogFile } from './delivery-log-file';
import { DEFAULT_MAX_LOG, Notifier, type DeliveryLogEntry } from './notifier';
import { commandTarget, webhookTarget, type RunAs } from './targets';

export const NOTIFICATIONS_FILE = 'notifications.json';

export interface AlertInputs {
  health: () => HealthFigures;
  drift: () => { changes: unknown[]; descriptions: string[] };
  /** Each director's VRRP instances as this agent last heard them. */
  vrrp: () => Array<{ director: string; instance: string; state: string }>;
}

/** What can be alerted on now, from the agent's parts. */
export function alertSnapshot(inputs: AlertInputs): AlertSnapshot {
  const snapshot: AlertSnapshot = { destinations: {}, services: {}, drift: { count: 0, descriptions: [] }, vrrp: {} };
  for (const service of inputs.health().services) {
    snapshot.services[service.service] = { quorumUp: service.quorumUp, sorryServer: service.sorryServer, sorryServerActive: service.sorryServerActive };
    for (const dest of service.destinations) {
      snapshot.destinations[`${service.service} ${dest.destination}`] = {
        service: service.service,
        destination: dest.destination,
        healthy: dest.status === 'up' || dest.status === 'unchecked',
        drainFinished: dest.draining && dest.drainConnections === 0,
      };
    }
  }
  const drift = inputs.drift();
  snapshot.drift = { count: drift.changes.length, descriptions: drift.descriptions };
  for (const row of inputs.vrrp()) snapshot.vrrp[`${row.director} ${row.instance}`] = row;
  return snapshot;
}

export interface NotificationServiceOptions {
  stateDir: string;
  timers: HealthTimers;
  audit: AuditLog;
  logger: Logger;
  inputs: AlertInputs;
  source: () => NotificationSource;
  commands: Array<{ command: NotifyCommand; runAs: RunAs | null }>;
}

export class NotificationService {
  readonly notifier: Notifier;
  private settings: NotificationSettings;

  private constructor(
    private readonly opts: NotificationServiceOptions,
    settings: NotificationSettings,
    private readonly logFile: DeliveryLogFile,
  ) {
    this.settings = settings;
    this.notifier = new Notifier(
      { timers: opts.timers, snapshot: () => alertSnapshot(opts.inputs), source: opts.source, logger: opts.logger, persisted: logFile },
      settings,
    );
    this.applySettings();
  }

  static async open(opts: NotificationServiceOptions): Promise<NotificationService> {
    const path = join(opts.stateDir, NOTIFICATIONS_FILE);
    let settings = defaultNotificationSettings();
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text !== null) {
      const parsed = notificationSettingsSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error(`${path}: ${formatIssues(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })))}`);
      settings = parsed.data;
    }
    return new NotificationService(opts, settings, await DeliveryLogFile.open(opts.stateDir, DEFAULT_MAX_LOG, opts.logger));
  }

  private applySettings(): void {
    this.notifier.configure(this.settings, [
      ...this.settings.webhooks.filter((hook) => hook.enabled).map(webhookTarget),
      ...this.opts.commands.map(({ command, runAs }) => commandTarget(command, runAs)),
    ]);
  }

  view(): NotificationSettingsView & { commands: Array<{ name: string; argv: string[]; user: string; kinds: string[] }> } {
    return {
      ...notificationSettingsView(this.settings),
      commands: this.opts.commands.map(({ command }) => ({ name: command.name, argv: command.argv, user: command.user, kinds: command.kinds })),
    };
  }

  async update(input: NotificationSettingsInput, caller: Caller): Promise<ReturnType<NotificationService['view']>> {
    const parsed = notificationSettingsSchema.safeParse(mergeNotificationSettings(this.settings, input));
    const what = describedText(input.enabled ? 'auditNotifyOn' : 'auditNotifyOff', {
      webhooks: input.webhooks.length,
      ...(input.webhooks.length ? { ids: input.webhooks.map((h) => h.id).join(', ') } : wordParam('ids', 'none')),
      groupWait: input.groupWaitMs,
      repeat: input.repeatIntervalMs,
    });
    if (!parsed.success) {
      const message = formatIssues(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      await this.opts.audit.reject({ who: caller.name, role: caller.role, what, error: message });
      throw new DomainError('INVALID_INPUT', message);
    }
    await writeFileAtomic(join(this.opts.stateDir, NOTIFICATIONS_FILE), `${JSON.stringify(parsed.data, null, 2)}\n`, { mode: 0o600 });
    this.settings = parsed.data;
    this.applySettings();
    await this.opts.audit.append({ who: caller.name, role: caller.role, what, result: 'ok' });
    return this.view();
  }

  async sendTest(caller: Caller, target?: string): Promise<DeliveryLogEntry[]> {
    if (target !== undefined && !this.notifier.targetList().some((t) => t.id === target))
      throw new DomainError('NOT_FOUND', `no notification target ${target}`);
    const results = await this.notifier.sendTest(caller.name, target);
    const ok = results.filter((r) => r.ok).length;
    await this.opts.audit.append({
      who: caller.name,
      role: caller.role,
      what:
        target === undefined
          ? describedText('auditTestNotificationAll', { ok, total: results.length })
          : describedText('auditTestNotification', { target, ok, total: results.length }),
      result: 'ok',
    });
    return results;
  }

  /** Stops sending and waits for the delivery log to reach the disk. */
  async stop(): Promise<void> {
    await this.notifier.stop();
    await this.logFile.flushed();
  }

  /** The agent's own events: drift re-checks at once; a failed apply is an alert of its own. */
  noteAgentEvent(event: AgentEvent): void {
    if (event.type === 'drift') this.notifier.check();
    if (event.type === 'apply' && !event.ok) this.notifier.publish([applyFailedEvent(event.time, event.who, event, event.error ?? 'failed')]);
  }
}
