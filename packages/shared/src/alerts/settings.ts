// Notification settings: webhooks, grouping, repeat interval. Stored by the
// agent in its state directory (notifications.json), changed by admins
// through the API. Tokens are write-only: the API shows them masked.
// Commands (keepalived's notify scripts) are NOT here: they come only from
// the agent's own file <state-dir>/notify-commands.json, which only someone
// with the director's root can write (see docs/alerts.md).
import { z } from 'zod';
import { CONTROL_OR_BIDI_PATTERN, findUnsafeStrings, UNSAFE_STRING_MESSAGE } from '../api/inputs';
import { ALERT_KINDS } from './events';

export const WEBHOOK_MODES = ['json', 'alertmanager'] as const;
export type WebhookMode = (typeof WEBHOOK_MODES)[number];

const idSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'id: lowercase letters, digits and dashes, at most 40');
const nameSchema = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(80, 'name: at most 80 characters')
  .refine((value) => findUnsafeStrings(value).length === 0, `name ${UNSAFE_STRING_MESSAGE}`);

/** scheme, user:password@, host[:port], path, query, fragment (shared code has no URL class: it runs in no particular runtime). */
const URL_PATTERN = /^(https?):\/\/([^/?#@\s]*@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\/[^?#\s]*)?(\?[^#\s]*)?(#\S*)?$/i;

export const webhookUrlSchema = z
  .string()
  .max(2000, 'url: at most 2000 characters')
  .superRefine((value, ctx) => {
    if (CONTROL_OR_BIDI_PATTERN.test(value) || /\s/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'url: no spaces or control characters' });
      return;
    }
    const match = URL_PATTERN.exec(value);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `url: "${value.slice(0, 80)}" is not an http:// or https:// URL (http://host:port/path)` });
      return;
    }
    if (match[2]) ctx.addIssue({ code: 'custom', message: 'url: no user:password in the URL; put a bearer token in the token field' });
  });

/** Sent as "Authorization: Bearer <token>": printable, no spaces. */
export const webhookTokenSchema = z.string().regex(/^[\x21-\x7e]{8,500}$/, 'token: 8 to 500 printable characters without spaces');

const kindsSchema = z.array(z.enum(ALERT_KINDS)).max(ALERT_KINDS.length).default([]);

export const storedWebhookSchema = z
  .object({
    id: idSchema,
    name: nameSchema,
    url: webhookUrlSchema,
    mode: z.enum(WEBHOOK_MODES).default('json'),
    token: webhookTokenSchema.nullable().default(null),
    /** Kinds sent to this webhook; empty = all. */
    kinds: kindsSchema,
    enabled: z.boolean().default(true),
  })
  .strict();
export type StoredWebhook = z.infer<typeof storedWebhookSchema>;

const groupingFields = {
  enabled: z.boolean().default(true),
  /** How long the first event of a quiet group waits for others (a rack failing at once is one message). */
  groupWaitMs: z.number().int().min(0).max(60_000, 'groupWaitMs: at most 60000').default(200),
  /** At most one message per group in this time; changes in between are collapsed. */
  repeatIntervalMs: z.number().int().min(1000, 'repeatIntervalMs: at least 1000').max(86_400_000, 'repeatIntervalMs: at most a day').default(60_000),
};

export const MAX_WEBHOOKS = 20;

export const notificationSettingsSchema = z
  .object({
    ...groupingFields,
    webhooks: z.array(storedWebhookSchema).max(MAX_WEBHOOKS, `at most ${MAX_WEBHOOKS} webhooks`).default([]),
  })
  .strict()
  .superRefine((settings, ctx) => {
    const ids = new Set<string>();
    for (const hook of settings.webhooks) {
      if (ids.has(hook.id)) ctx.addIssue({ code: 'custom', message: `webhook id ${hook.id} is used twice` });
      ids.add(hook.id);
    }
  });
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

export function defaultNotificationSettings(): NotificationSettings {
  return notificationSettingsSchema.parse({});
}

/**
 * What an admin sends: the whole settings, where a webhook's token is
 * `undefined` to keep the stored one (matched by id), `null` to remove it,
 * or a new token.
 */
export const notificationSettingsInputSchema = z
  .object({
    ...groupingFields,
    webhooks: z.array(storedWebhookSchema.extend({ token: webhookTokenSchema.nullable().optional() })).max(MAX_WEBHOOKS, `at most ${MAX_WEBHOOKS} webhooks`),
  })
  .strict();
export type NotificationSettingsInput = z.infer<typeof notificationSettingsInputSchema>;

/**
 * The settings to store, still to be validated as a whole (duplicate ids):
 * tokens the input leaves out are kept from the current ones.
 */
export function mergeNotificationSettings(current: NotificationSettings, input: NotificationSettingsInput): z.input<typeof notificationSettingsSchema> {
  const tokenOf = new Map(current.webhooks.map((hook) => [hook.id, hook.token]));
  return {
    ...input,
    webhooks: input.webhooks.map((hook) => ({ ...hook, token: hook.token === undefined ? (tokenOf.get(hook.id) ?? null) : hook.token })),
  };
}

/** "••••wxyz": enough to tell two tokens apart, never enough to use one. */
export function maskSecret(secret: string): string {
  return secret.length <= 12 ? '••••' : `••••${secret.slice(-4)}`;
}

/** A URL's query string can carry a key (some services put it there): shown masked. */
export function maskUrl(value: string): string {
  const query = value.indexOf('?');
  return query === -1 ? value : `${value.slice(0, query)}?••••`;
}

export interface WebhookView extends Omit<StoredWebhook, 'token'> {
  /** Masked; null when none is set. */
  token: string | null;
}

export interface NotificationSettingsView extends Omit<NotificationSettings, 'webhooks'> {
  webhooks: WebhookView[];
}

export function notificationSettingsView(settings: NotificationSettings): NotificationSettingsView {
  return {
    ...settings,
    webhooks: settings.webhooks.map((hook) => ({ ...hook, url: maskUrl(hook.url), token: hook.token === null ? null : maskSecret(hook.token) })),
  };
}

/** A command from <state-dir>/notify-commands.json: run with the event's JSON on stdin. */
export const notifyCommandSchema = z
  .object({
    name: nameSchema,
    /** argv[0] is an absolute path to an executable; never a shell string. */
    argv: z
      .array(z.string().min(1).max(4096))
      .min(1)
      .max(64)
      .refine((argv) => (argv[0] ?? '').startsWith('/'), 'argv[0] must be an absolute path to a program'),
    /** The user it runs as when the agent is root. */
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/)
      .default('nobody'),
    kinds: kindsSchema,
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  })
  .strict();
export type NotifyCommand = z.infer<typeof notifyCommandSchema>;
export const notifyCommandsFileSchema = z.array(notifyCommandSchema).max(20);
