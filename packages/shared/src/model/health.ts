// Health checks, pool rules and drains of one virtual service, as zod schemas.
// They are part of the desired state (Service.health), so they are exported,
// imported, revisioned and audited with the rest. The destination's `weight`
// stays the operator's configured weight; the weight the kernel gets is
// computed from it (see packages/shared/src/health/weight.ts).
import { z } from 'zod';
import { formatEndpoint } from './address';
import { destinationSchema as eagerDestinationSchema, ipAddressSchema as eagerIpAddressSchema, portSchema as eagerPortSchema } from './ipvs';

// ipvs.ts imports this module for Service.health; lazy references keep the
// import cycle safe whichever module loads first.
const ipAddressSchema = z.lazy(() => eagerIpAddressSchema);
const portSchema = z.lazy(() => eagerPortSchema);
const destinationSchema = z.lazy(() => eagerDestinationSchema);

export const CHECK_KINDS = ['tcp', 'http', 'https', 'udp', 'dns', 'command'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const MIN_CHECK_INTERVAL_MS = 100;
export const MAX_CHECK_INTERVAL_MS = 3_600_000;
export const MAX_HISTORY = 500;

/** Programs that would turn an argv array back into a shell string. */
const SHELL_PROGRAMS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'ash', 'busybox', 'env']);

const msSchema = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} must be a number of milliseconds` })
    .int(`${what} must be a whole number of milliseconds`)
    .min(min, `${what} must be at least ${min} ms`)
    .max(max, `${what} must be at most ${max} ms`);

const countSchema = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(1, `${what} must be at least 1`)
    .max(100, `${what} must be at most 100`);

/** Where a probe goes; each field defaults to the destination's own (e.g. override the port for a health port). */
export const checkTargetSchema = z
  .object({
    address: ipAddressSchema.optional(),
    port: portSchema.optional(),
  })
  .strict();
export type CheckTarget = z.infer<typeof checkTargetSchema>;

/**
 * Bytes or text a probe sends or expects. The field is named `text` on purpose:
 * it is data parsed further (a regex, a payload), so the API's shell-metacharacter
 * screen leaves it alone; it is never passed to a shell.
 */
export const payloadSchema = z
  .object({
    encoding: z.enum(['utf8', 'hex'], { error: 'encoding must be utf8 or hex' }).default('utf8'),
    text: z.string().max(4096, 'payloads are limited to 4096 characters'),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.encoding === 'hex' && !/^([0-9a-fA-F]{2})*$/.test(value.text)) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'hex payloads are pairs of hex digits, e.g. "0a1b"' });
    }
  });
export type Payload = z.infer<typeof payloadSchema>;

export const bodyMatchSchema = z
  .object({
    kind: z.enum(['substring', 'regex'], { error: 'body match kind must be substring or regex' }),
    text: z.string().min(1, 'a body match needs text').max(1024, 'a body match is limited to 1024 characters'),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.kind !== 'regex') return;
    try {
      new RegExp(value.text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: `not a valid regular expression: ${(error as Error).message}` });
    }
  });
export type BodyMatch = z.infer<typeof bodyMatchSchema>;

export const statusRangeSchema = z
  .object({
    min: z.number().int().min(100, 'HTTP status codes are 100-599').max(599, 'HTTP status codes are 100-599'),
    max: z.number().int().min(100, 'HTTP status codes are 100-599').max(599, 'HTTP status codes are 100-599'),
  })
  .strict()
  .refine((range) => range.min <= range.max, { message: 'status range min must not exceed max' });
export type StatusRange = z.infer<typeof statusRangeSchema>;

const hostnameSchema = z
  .string()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(:\d{1,5})?$/, 'a host name is letters, digits, dots and dashes (optionally :port)');

const timing = {
  /** Time between the starts of two probes. */
  intervalMs: msSchema('interval', MIN_CHECK_INTERVAL_MS, MAX_CHECK_INTERVAL_MS).default(5000),
  /** A probe that has not answered by then fails. Must be shorter than the interval. */
  timeoutMs: msSchema('timeout', 10, MAX_CHECK_INTERVAL_MS).default(2000),
  /** Consecutive successes that bring a down check up. */
  rise: countSchema('rise').default(2),
  /** Consecutive failures that bring an up check down. */
  fall: countSchema('fall').default(3),
  /** The first probe starts at a random moment within this window, so 1000 checks do not fire at once (keepalived's warmup). Default: one interval. */
  warmupMs: msSchema('warmup', 0, MAX_CHECK_INTERVAL_MS).optional(),
  target: checkTargetSchema.default({}),
};

export const tcpCheckSchema = z.object({ kind: z.literal('tcp'), ...timing }).strict();

const httpFields = {
  /** Request path; must start with "/". */
  path: z
    .string()
    .regex(/^\/[^\s]*$/, 'path must start with "/" and contain no spaces')
    .max(2048)
    .default('/'),
  /** Host header (and TLS SNI for https); default: the target address. */
  host: hostnameSchema.optional(),
  /** Accepted status codes; default 200-399. */
  expectStatus: z
    .array(statusRangeSchema)
    .min(1, 'give at least one status range')
    .max(16)
    .default([{ min: 200, max: 399 }]),
  bodyMatch: bodyMatchSchema.optional(),
};
export const httpCheckSchema = z.object({ kind: z.literal('http'), ...timing, ...httpFields }).strict();
export const httpsCheckSchema = z
  .object({
    kind: z.literal('https'),
    ...timing,
    ...httpFields,
    /** Verify the server's certificate chain and name; off by default like keepalived's SSL_GET. */
    verifyTls: z.boolean().default(false),
  })
  .strict();

export const udpCheckSchema = z
  .object({
    kind: z.literal('udp'),
    ...timing,
    payload: payloadSchema.default({ encoding: 'utf8', text: '' }),
    /** Without a reply, success means no ICMP "port unreachable" came back before the timeout. */
    requireReply: z.boolean().default(true),
    /** The reply must contain these bytes. */
    expect: payloadSchema.optional(),
  })
  .strict();

export const dnsCheckSchema = z
  .object({
    kind: z.literal('dns'),
    ...timing,
    /** The name to resolve; the server must answer NOERROR with at least one record of the type. */
    name: z
      .string()
      .regex(
        /^([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$/,
        'name must be a DNS name like www.example.com',
      )
      .max(253, 'DNS names are at most 253 characters'),
    recordType: z.enum(['A', 'AAAA'], { error: 'record type must be A or AAAA' }).default('A'),
    /** When given, one of the answers must be one of these addresses. */
    expectAddresses: z.array(ipAddressSchema).max(16).optional(),
  })
  .strict();

export const commandCheckSchema = z
  .object({
    kind: z.literal('command'),
    ...timing,
    /** Absolute path of the program; run directly, never through a shell. */
    program: z
      .string()
      .max(4096)
      .superRefine((program, ctx) => {
        if (!program.startsWith('/')) {
          ctx.addIssue({ code: 'custom', message: `program must be an absolute path (e.g. /usr/local/bin/check-app), not "${program}"` });
          return;
        }
        if (/[\0\n]/.test(program) || program.split('/').includes('..')) {
          ctx.addIssue({ code: 'custom', message: 'program path must not contain "..", newlines or NUL' });
          return;
        }
        const base = program.slice(program.lastIndexOf('/') + 1);
        if (SHELL_PROGRAMS.has(base)) {
          ctx.addIssue({ code: 'custom', message: `"${program}" is a shell or launcher; give the check program itself and its arguments as an argv array` });
        }
      }),
    /** Arguments, one element each; the strings are passed as they are (no expansion, no quoting). */
    args: z
      .array(
        z
          .string()
          .max(4096)
          .refine((arg) => !arg.includes('\0'), 'arguments must not contain NUL'),
      )
      .max(64)
      .default([]),
    /** The exit code that means healthy (ignored with dynamicWeight). */
    expectExitCode: z.number().int().min(0).max(255).default(0),
    /** keepalived's misc_dynamic: exit 0 = up with the configured weight, 1 = down, 2-255 = up with weight (code - 2). */
    dynamicWeight: z.boolean().default(false),
  })
  .strict();

export const healthCheckSchema = z
  .discriminatedUnion('kind', [tcpCheckSchema, httpCheckSchema, httpsCheckSchema, udpCheckSchema, dnsCheckSchema, commandCheckSchema], {
    error: (issue) => (issue.code === 'invalid_union' ? `check kind must be one of ${CHECK_KINDS.join(', ')}` : undefined),
  })
  .superRefine((check, ctx) => {
    if (check.timeoutMs >= check.intervalMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeoutMs'],
        message: `timeout (${check.timeoutMs} ms) must be shorter than the interval (${check.intervalMs} ms)`,
      });
    }
  });
export type HealthCheck = z.infer<typeof healthCheckSchema>;
export type HealthCheckInput = z.input<typeof healthCheckSchema>;

/** Destination ids as keys: "10.0.0.1:80" or "[2001:db8::1]:80" (formatEndpoint). */
export const destinationIdKeySchema = z.string().superRefine((id, ctx) => {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(id);
  const address = match?.[1] ?? match?.[2];
  const parsedAddress = address === undefined ? null : ipAddressSchema.safeParse(address);
  const port = Number(match?.[3]);
  if (!parsedAddress?.success || port > 65535 || formatEndpoint(parsedAddress.data, port) !== id) {
    ctx.addIssue({ code: 'custom', message: `"${id}" is not a destination id; write "address:port" like 10.0.0.1:80 or [2001:db8::1]:80 (canonical form)` });
  }
});

/** Record keys' own messages, instead of zod's generic "Invalid key in record". */
function keyError(issue: { code?: string; issues?: ReadonlyArray<{ message: string }> }): string | undefined {
  return issue.code === 'invalid_key' ? issue.issues?.[0]?.message : undefined;
}

export const destinationHealthSchema = z
  .object({
    /** Replace the service's checks for this destination. */
    checks: z.array(healthCheckSchema).max(8, 'at most 8 checks per destination').optional(),
    /** No checks for this destination: it is always considered up. */
    disabled: z.boolean().default(false),
  })
  .strict();
export type DestinationHealth = z.infer<typeof destinationHealthSchema>;

/** An operator's drain of one destination; kept in the desired state so a restart keeps draining. */
export const drainSchema = z
  .object({
    /** When the drain started (epoch ms). */
    startedAt: z.number().int().min(0),
    /** Remove the destination from the desired state once it is safe (no active or inactive connections). */
    removeWhenDrained: z.boolean().default(false),
    /** Remove it at this time (epoch ms) even if connections remain. */
    deadline: z.number().int().min(0).optional(),
    /**
     * Also ask the host to set net.ipv4.vs.expire_quiescent_template=1, so
     * persistent clients stop being sent here by their templates. Host-wide.
     */
    expireQuiescentTemplate: z.boolean().default(false),
    /** Who started it, for the console. */
    by: z.string().max(100).default(''),
  })
  .strict();
export type Drain = z.infer<typeof drainSchema>;

export const slowStartSchema = z
  .object({
    /** Ramp from a small weight to the configured one over this long after a recovery. */
    durationMs: msSchema('slow start duration', 1000, 86_400_000),
    /** The ramp moves in this many equal steps (each at least weight 1). */
    steps: z.number().int().min(1, 'slow start needs at least 1 step').max(100, 'slow start has at most 100 steps').default(10),
  })
  .strict();
export type SlowStart = z.infer<typeof slowStartSchema>;

export const serviceHealthSchema = z
  .object({
    /** Off: no probes, every destination gets its configured weight (drains still apply). */
    enabled: z.boolean().default(true),
    /** Checks every destination gets; empty = a TCP connect to the destination's address and port. */
    checks: z.array(healthCheckSchema).max(8, 'at most 8 checks per service').default([]),
    /** Per-destination overrides, keyed by destination id "address:port". */
    destinations: z.record(destinationIdKeySchema, destinationHealthSchema, { error: keyError }).default({}),
    /** A failed destination gets weight 0 (quiesce, keepalived's inhibit_on_failure) or is removed from the kernel. */
    onFailure: z.enum(['quiesce', 'remove'], { error: 'onFailure must be quiesce or remove' }).default('quiesce'),
    slowStart: slowStartSchema.optional(),
    /** Minimum total weight of healthy destinations (keepalived's quorum). */
    quorum: z
      .number()
      .int()
      .min(1, 'quorum must be at least 1')
      .max(65535 * 1000)
      .default(1),
    /** Lost below quorum - hysteresis, regained at quorum + hysteresis. */
    hysteresis: z
      .number()
      .int()
      .min(0)
      .max(65535 * 1000)
      .default(0),
    /** Takes the traffic while quorum is lost. */
    sorryServer: destinationSchema.optional(),
    /** With a sorry server active, real servers are quiesced/removed (keepalived) or keep serving beside it. */
    sorryServerReplaces: z.boolean().default(true),
    /** Start every destination down until its first successful probe (keepalived's alpha). */
    alpha: z.boolean().default(false),
    /** Probe results kept per destination for the history strip. */
    historySize: z.number().int().min(1).max(MAX_HISTORY).default(30),
    /** Operator drains, keyed by destination id. */
    drains: z.record(destinationIdKeySchema, drainSchema, { error: keyError }).default({}),
  })
  .strict()
  .superRefine((health, ctx) => {
    if (health.hysteresis >= health.quorum && health.sorryServer) {
      ctx.addIssue({ code: 'custom', path: ['hysteresis'], message: 'hysteresis must be smaller than quorum' });
    }
  });
export type ServiceHealth = z.infer<typeof serviceHealthSchema>;
export type ServiceHealthInput = z.input<typeof serviceHealthSchema>;
