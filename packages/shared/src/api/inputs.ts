// Input schemas of every API procedure. They live in the pure core so the
// console can validate forms with the very schemas the agent enforces.
// Every object is .strict(): an unknown field is an error, not silently dropped.
import { z } from 'zod';
import {
  desiredStateSchema,
  destinationSchema,
  directorNameSchema,
  haSchema,
  hostSettingSchema,
  interfaceNameSchema,
  vrrpInstanceNameSchema,
  ipAddressSchema,
  persistenceSchema,
  portSchema,
  protocolSchema,
  schedFlagSchema,
  schedulerSchema,
  serviceKeySchema,
  serviceHealthSchema,
  serviceSchema,
  syncDaemonSchema,
  thresholdSchema,
  timeoutsSchema,
  tunnelOptionsSchema,
  weightSchema,
  FORWARDING_METHODS,
} from '../model';

/**
 * Characters a shell would interpret. The agent never runs a shell (argv
 * arrays only), but refusing them everywhere keeps every stored string safe
 * to paste into a terminal and stops injection attempts at the edge.
 */
export const SHELL_METACHARACTER_PATTERN = /[;&|`$<>\\"'(){}*?!#~\r\n\t\0]/;

/**
 * Control characters and the invisible marks that reorder text on screen
 * (bidirectional overrides, "Trojan Source"): never wanted in any stored
 * string, so an audit line or a name always reads as it is.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_OR_BIDI_PATTERN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Fields whose content is parsed further and may legitimately hold these characters. */
const FREE_TEXT_FIELDS = new Set(['text']);

export const UNSAFE_STRING_MESSAGE =
  'contains characters that are not allowed (shell metacharacters such as ; | $ ` or quotes, control or bidirectional-text characters)';

/** Paths (like `service.key.address`) of string fields that hold shell metacharacters, control or bidi characters. */
export function findUnsafeStrings(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return SHELL_METACHARACTER_PATTERN.test(value) || CONTROL_OR_BIDI_PATTERN.test(value) ? [path || '(value)'] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => findUnsafeStrings(item, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => (FREE_TEXT_FIELDS.has(key) ? [] : findUnsafeStrings(item, path ? `${path}.${key}` : key)));
  }
  return [];
}

function rejectShellMetacharacters(value: unknown, ctx: z.RefinementCtx): void {
  for (const path of findUnsafeStrings(value)) {
    ctx.addIssue({ code: 'custom', message: `${path} ${UNSAFE_STRING_MESSAGE}` });
  }
}

/** Any input object: strict, and no shell metacharacters in any string. */
function input<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.object(shape).strict().superRefine(rejectShellMetacharacters);
}

export const revisionSchema = z.number({ error: 'revision must be a number' }).int('revision must be a whole number').min(0, 'revision must be 0 or more');

/**
 * Every mutation carries the revision of the desired state it was based on;
 * when the state has moved on since, the change is refused as a CONFLICT.
 */
const base = { baseRevision: revisionSchema };

export const destinationRefSchema = z.object({ address: ipAddressSchema, port: portSchema }).strict();
export type DestinationRef = z.infer<typeof destinationRefSchema>;

export const serviceSettingsPatchSchema = z
  .object({
    /** A new identity (address, port, protocol or fwmark): the kernel sees delete + add. */
    key: serviceKeySchema.optional(),
    scheduler: schedulerSchema.optional(),
    flags: z.array(schedFlagSchema).optional(),
    persistence: persistenceSchema.nullable().optional(),
    onePacket: z.boolean().optional(),
  })
  .strict();
export type ServiceSettingsPatch = z.infer<typeof serviceSettingsPatchSchema>;

export const destinationPatchSchema = z
  .object({
    forwarding: z.enum(FORWARDING_METHODS, { error: 'forwarding must be masq (NAT), route (DR) or tunnel (TUN)' }).optional(),
    weight: weightSchema.optional(),
    upperThreshold: thresholdSchema.optional(),
    lowerThreshold: thresholdSchema.optional(),
    tunnel: tunnelOptionsSchema.nullable().optional(),
  })
  .strict();
export type DestinationPatch = z.infer<typeof destinationPatchSchema>;

/**
 * One edit of the desired state. Every mutation procedure is one of these
 * plus baseRevision, and plan.preview accepts any of them.
 */
export const editSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add-service'), service: serviceSchema }).strict(),
  z.object({ op: z.literal('edit-service'), service: serviceKeySchema, patch: serviceSettingsPatchSchema }).strict(),
  z.object({ op: z.literal('remove-service'), service: serviceKeySchema }).strict(),
  z.object({ op: z.literal('set-scheduler'), service: serviceKeySchema, scheduler: schedulerSchema, flags: z.array(schedFlagSchema).default([]) }).strict(),
  z.object({ op: z.literal('set-persistence'), service: serviceKeySchema, persistence: persistenceSchema.nullable() }).strict(),
  z.object({ op: z.literal('set-health'), service: serviceKeySchema, health: serviceHealthSchema.nullable() }).strict(),
  z.object({ op: z.literal('add-destination'), service: serviceKeySchema, destination: destinationSchema }).strict(),
  z.object({ op: z.literal('edit-destination'), service: serviceKeySchema, destination: destinationRefSchema, patch: destinationPatchSchema }).strict(),
  z.object({ op: z.literal('remove-destination'), service: serviceKeySchema, destination: destinationRefSchema }).strict(),
  z.object({ op: z.literal('set-weight'), service: serviceKeySchema, destination: destinationRefSchema, weight: weightSchema }).strict(),
  z.object({ op: z.literal('drain'), service: serviceKeySchema, destination: destinationRefSchema }).strict(),
  z.object({ op: z.literal('set-timeouts'), timeouts: timeoutsSchema.nullable() }).strict(),
  z.object({ op: z.literal('set-sync-daemons'), daemons: z.array(syncDaemonSchema).max(2) }).strict(),
  z.object({ op: z.literal('set-host-settings'), settings: z.array(hostSettingSchema) }).strict(),
  z
    .object({
      op: z.literal('set-sysctl'),
      name: z.string().regex(/^net\.ipv[46]\.[A-Za-z0-9_.\-/]+$/, 'only net.ipv4.* and net.ipv6.* sysctls are managed'),
      /** null removes the row from the desired host settings. */
      value: z
        .string()
        .regex(/^[0-9 ]{1,64}$/, 'sysctl values are numbers (space-separated for vectors)')
        .nullable(),
      reason: z.string().max(300).default(''),
    })
    .strict(),
  z.object({ op: z.literal('replace-state'), state: desiredStateSchema }).strict(),
  /** One director: the interface its VIPs go on (null: the agent leaves the VIPs alone). */
  z.object({ op: z.literal('set-vip-interface'), interface: interfaceNameSchema.nullable() }).strict(),
  /** The pair: directors, VRRP instances and connection sync (null: a director on its own). */
  z.object({ op: z.literal('set-ha'), ha: haSchema.nullable() }).strict(),
]);
export type Edit = z.infer<typeof editSchema>;
export type EditInput = z.input<typeof editSchema>;
export type EditOp = Edit['op'];

// ---- mutations -------------------------------------------------------------

export const addServiceInput = input({ ...base, service: serviceSchema });
export const editServiceInput = input({ ...base, service: serviceKeySchema, patch: serviceSettingsPatchSchema });
export const removeServiceInput = input({ ...base, service: serviceKeySchema });
/**
 * `ipvsadm -Z [service]`: counters are observation, not desired state, so
 * zeroing carries no revision; without a service, every counter is zeroed.
 */
export const zeroCountersInput = input({ service: serviceKeySchema.optional() });
export const setSchedulerInput = input({ ...base, service: serviceKeySchema, scheduler: schedulerSchema, flags: z.array(schedFlagSchema).default([]) });
export const setPersistenceInput = input({ ...base, service: serviceKeySchema, persistence: persistenceSchema.nullable() });
/** Health checks, pool rules and drains of one service; null removes them (every server gets its configured weight). */
export const setHealthInput = input({ ...base, service: serviceKeySchema, health: serviceHealthSchema.nullable() });

export const addDestinationInput = input({ ...base, service: serviceKeySchema, destination: destinationSchema });
export const editDestinationInput = input({ ...base, service: serviceKeySchema, destination: destinationRefSchema, patch: destinationPatchSchema });
export const removeDestinationInput = input({ ...base, service: serviceKeySchema, destination: destinationRefSchema });
export const setWeightInput = input({ ...base, service: serviceKeySchema, destination: destinationRefSchema, weight: weightSchema });
export const drainInput = input({ ...base, service: serviceKeySchema, destination: destinationRefSchema });

export const setTimeoutsInput = input({ ...base, timeouts: timeoutsSchema.nullable() });
export const setSyncDaemonsInput = input({ ...base, daemons: z.array(syncDaemonSchema).max(2) });
export const setHostSettingsInput = input({ ...base, settings: z.array(hostSettingSchema) });
export const setSysctlInput = input({
  ...base,
  name: z.string().regex(/^net\.ipv[46]\.[A-Za-z0-9_.\-/]+$/, 'only net.ipv4.* and net.ipv6.* sysctls are managed'),
  value: z
    .string()
    .regex(/^[0-9 ]{1,64}$/, 'sysctl values are numbers (space-separated for vectors)')
    .nullable(),
  reason: z.string().max(300).default(''),
});
/** Apply the desired host settings (sysctls, VIP addresses, modules, SNAT) to this host now. */
export const applyHostSettingsInput = input({ ...base });
/** host.status: `problems` keeps only the rows that fail, and only the services that have one (the services list's advisories). */
export const hostStatusInput = input({ problems: z.boolean().optional() }).optional();
/** A dry run of that apply, with these rows added to the desired host settings first (what "Fix director settings" will save). */
export const planHostSettingsInput = input({ adding: z.array(hostSettingSchema).max(1000).default([]) });
export const setVipInterfaceInput = input({ ...base, interface: interfaceNameSchema.nullable() });
export const setHaInput = input({ ...base, ha: haSchema.nullable() });
export const failoverInput = input({ instance: vrrpInstanceNameSchema.optional() }).optional();
export const releaseHoldInput = input({ director: directorNameSchema });

export const replaceStateInput = input({ ...base, state: desiredStateSchema, dryRun: z.boolean().default(false) });
export const importInput = input({
  ...base,
  /** Pasted shell text (ipvsadm commands, -Sn output, a -L -n listing), a keepalived.conf (no include: the agent reads no files for it), or a desired-state JSON document. */
  text: z.string().max(1_000_000, 'import text is limited to 1 MB'),
  format: z.enum(['auto', 'ipvsadm', 'json', 'keepalived']).default('auto'),
  /**
   * replace: the text becomes the whole IPVS table; merge: its commands run on
   * the current desired state, as a shell would (a listing, keepalived.conf or
   * JSON document adds its services or replaces same-key ones).
   */
  mode: z.enum(['replace', 'merge']).default('replace'),
  dryRun: z.boolean().default(true),
  /** Required (true) to apply a replace, or a paste with `ipvsadm -C`, that deletes services. */
  confirmDeletes: z.boolean().default(false),
});
export const undoInput = input({ ...base, toRevision: revisionSchema });
export const driftActionInput = input({ ...base });

export const previewInput = input({ ...base, edit: editSchema });

export const simTrafficInput = input({
  ...base,
  /** serviceId ("tcp:192.0.2.1:80") to change one service's traffic; omitted = every service. */
  service: z.string().max(100).optional(),
  /** New connections per second arriving at each service. */
  connectionsPerSecond: z.number().min(0).max(1_000_000).optional(),
  /** Distinct client addresses. */
  clients: z.number().int().min(1).max(10_000_000).optional(),
  /** Mean connection lifetime in seconds. */
  meanDurationSeconds: z.number().min(0.01).max(86_400).optional(),
  packetsPerSecond: z.number().min(0).max(1_000_000).optional(),
  bytesPerPacketIn: z.number().int().min(0).max(65_535).optional(),
  bytesPerPacketOut: z.number().int().min(0).max(65_535).optional(),
});
export const simFailDestinationInput = input({ ...base, service: serviceKeySchema, destination: destinationRefSchema, failed: z.boolean() });

// ---- auth ------------------------------------------------------------------

export const loginInput = input({
  code: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'a login code is letters, digits, - and _'),
});
/** A person's name as sessions, login links and the audit log carry it. */
export const personNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'a name is 1-64 letters, digits, . _ @ or -, starting with a letter or digit');
export const LOGIN_LINK_ROLES = ['admin', 'operator', 'viewer'] as const;
export const createLoginLinkInput = input({
  /** The role the link logs in as (default: the caller's own, admin). */
  role: z.enum(LOGIN_LINK_ROLES, { error: 'role must be admin, operator or viewer' }).default('admin'),
  /** Who the link is for: the audit log names this person (default: "console"). */
  for: personNameSchema.optional(),
}).optional();
/** A password may hold any character (it is hashed, never stored or shown): not under the metacharacter rule. */
export const passwordLoginInput = z
  .object({
    name: personNameSchema,
    password: z.string().min(1, 'a password is required').max(1024, 'a password has at most 1024 characters'),
  })
  .strict();
export const logoutInput = input({
  /** End every session of this person, on every browser. */
  everywhere: z.boolean().default(false),
}).optional();

// ---- users (admins, the Users page) ----------------------------------------

const userRoleSchema = z.enum(LOGIN_LINK_ROLES, { error: 'role must be admin, operator or viewer' });
/** A new password: hashed, never stored or shown; any character, 12 to 1024 of them. */
export const newPasswordSchema = z.string().min(12, 'a password has at least 12 characters').max(1024, 'a password has at most 1024 characters');
export const addUserInput = z.object({ name: personNameSchema, role: userRoleSchema, password: newPasswordSchema }).strict();
export const setUserRoleInput = z.object({ name: personNameSchema, role: userRoleSchema }).strict();
export const setUserPasswordInput = z.object({ name: personNameSchema, password: newPasswordSchema }).strict();
export const userNameInput = z.object({ name: personNameSchema }).strict();

// ---- queries ---------------------------------------------------------------

export const STATS_WINDOWS_MINUTES = [1, 5, 15, 60, 1440] as const;
export const statsWindowInput = input({
  /** 60 and 1440 reach into the 10 s history the agent keeps on disk across restarts. */
  minutes: z.union([z.literal(1), z.literal(5), z.literal(15), z.literal(60), z.literal(1440)], { error: 'window must be 1, 5, 15, 60 or 1440 minutes' }),
  /** serviceId values (e.g. "tcp:192.0.2.1:80"); omitted = every service. */
  services: z.array(z.string().max(100)).max(2000).optional(),
  /** At most this many points per series; longer windows are averaged into buckets. */
  maxPoints: z.number().int().min(10).max(3600).default(300),
  /**
   * Average over buckets aligned to whole multiples of this many seconds
   * instead, each stamped with its start and its sample count, so a client can
   * keep adding live 1 s samples to the newest bucket. Overrides maxPoints.
   */
  stepSeconds: z.number().int().min(1).max(3600).optional(),
  includeDestinations: z.boolean().default(true),
});
export const sharesInput = input({ service: serviceKeySchema, seconds: z.number().int().min(5).max(3600).default(60) });
export const sampleSubscriptionInput = input({ services: z.array(z.string().max(100)).max(2000).optional() }).optional();

export const connectionsInput = input({
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).max(10_000_000).default(0),
  virtualAddress: ipAddressSchema.optional(),
  virtualPort: portSchema.optional(),
  destAddress: ipAddressSchema.optional(),
  destPort: portSchema.optional(),
  protocol: protocolSchema.optional(),
  state: z
    .string()
    .regex(/^[A-Z_]{1,20}$/, 'state is an upper-case kernel state name like ESTABLISHED')
    .optional(),
  /** Client address prefix ("198.51.100.") or CIDR ("198.51.100.0/24"). */
  clientPrefix: z
    .string()
    .regex(/^[0-9a-fA-F:.]{1,45}(\/\d{1,3})?$/, 'client prefix is an address prefix or CIDR')
    .optional(),
  includeTemplates: z.boolean().default(false),
});
export const auditListInput = input({
  limit: z.number().int().min(1).max(1000).default(100),
  /** Entries strictly older than this sequence number (for paging backwards). */
  beforeSeq: z.number().int().min(0).optional(),
}).optional();
export const revisionsListInput = input({ limit: z.number().int().min(1).max(100).default(100) }).optional();
export const revisionGetInput = input({ revision: revisionSchema });
/** What the caller already has: the revision of its desired state and the observationSeq of its kernel table. */
export const stateSinceInput = input({
  sinceRevision: z.number().int().min(0),
  sinceObservation: z.number().int().min(0),
});

// ---- real-server reports ---------------------------------------------------

/**
 * Status text from a real server: shown, never run, so parentheses and the
 * like are fine (settings' reasons hold them); control characters are not.
 */
const statusText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !CONTROL_OR_BIDI_PATTERN.test(text), 'control and bidirectional-text characters are not allowed');

/** One real-server setting as the real server's own agent read it. */
export const realServerRowSchema = z
  .object({
    setting: hostSettingSchema,
    /** What the real server has now, in words, or null when unreadable. */
    actual: statusText(200).nullable(),
    ok: z.boolean(),
    message: statusText(500),
  })
  .strict();

/**
 * What `serve --role realserver --report-to` sends the director every interval:
 * the real server's address (as the director's destinations name it), its
 * method and VIPs, and each required setting with whether it holds.
 */
export const realServerReportInput = z
  .object({
    address: ipAddressSchema,
    mode: z.enum(['dr', 'tun']),
    vips: z.array(ipAddressSchema).min(1).max(64),
    hostname: z
      .string()
      .max(253)
      .regex(/^[A-Za-z0-9._-]*$/, 'hostname may hold letters, digits, dots, dashes and underscores')
      .optional(),
    rows: z.array(realServerRowSchema).max(200),
    /** Seconds until this real server's next report (it is stale after three). */
    intervalSeconds: z.number().int().min(1).max(3600).optional(),
    /** The fix the director asked for last time was applied, with this outcome. */
    applied: z
      .object({ ok: z.boolean(), messages: z.array(statusText(500)).max(200) })
      .strict()
      .optional(),
  })
  .strict();
/** realServers.requestFix and realServers.forget: which real server. */
export const realServerFixInput = input({ address: ipAddressSchema });
