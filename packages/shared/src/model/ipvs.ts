// The IPVS configuration surface as zod schemas. These are the *desired* shapes:
// what an operator asks for. Observations (counters, connection numbers) live
// in observed.ts and never mix with config, so comparing desired and observed
// compares config fields only.
import { z } from 'zod';
import { canonicalIp, familyOf, isIpv4AsIpv6 } from './address';
import { haSchema } from './ha';
import { serviceHealthSchema } from './health';
import { messageText } from './messages';

export const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** The 14 schedulers of the Linux kernel (net/netfilter/ipvs/ip_vs_*.c). */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

/**
 * Scheduler flags as ipvsadm names them. The kernel has three generic bits
 * (IP_VS_SVC_F_SCHED1..3); sh and mh give bits 1 and 2 their own names.
 */
export const SCHED_FLAGS = ['sh-fallback', 'sh-port', 'mh-fallback', 'mh-port', 'flag-1', 'flag-2', 'flag-3'] as const;
export type SchedFlag = (typeof SCHED_FLAGS)[number];

export const FORWARDING_METHODS = ['masq', 'route', 'tunnel'] as const;
/** masq = NAT (-m), route = direct routing (-g, the default), tunnel = IP-in-IP / GUE / GRE (-i). */
export type ForwardingMethod = (typeof FORWARDING_METHODS)[number];

export const TUNNEL_TYPES = ['ipip', 'gue', 'gre'] as const;
export type TunnelType = (typeof TUNNEL_TYPES)[number];
export const TUNNEL_CHECKSUMS = ['nocsum', 'csum', 'remcsum'] as const;
export type TunnelChecksum = (typeof TUNNEL_CHECKSUMS)[number];

export const MAX_WEIGHT = 65535;
export const MAX_THRESHOLD = 65535;
/**
 * Persistence timeout of `-p` without a value: libipvs's
 * IPVS_SVC_PERSISTENT_TIMEOUT (6*60), as the kernel reads it back. The
 * ipvsadm(8) man page's "300" is wrong (recorded: fixtures/kernel/persistence).
 */
export const DEFAULT_PERSISTENCE_TIMEOUT = 360;

const SHELL_METACHARACTERS = /[;&|`$<>\\"'\s(){}*?!#~]/;

/**
 * A numeric IP address, IPv4 or IPv6, stored in canonical form. Hostnames are
 * refused: the agent never resolves names, so a rule means the same thing on
 * every director and in every revision.
 */
export const ipAddressSchema = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const canonical = canonicalIp(value);
    if (canonical !== null) {
      // An IPv4 address dressed as IPv6 (::ffff:a.b.c.d) would make a second
      // identity for the same endpoint and an IPv6 rule that never matches IPv4 traffic.
      if (isIpv4AsIpv6(canonical)) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is an IPv4 address written as IPv6; write it as plain IPv4` });
      }
      return;
    }
    if (SHELL_METACHARACTERS.test(value)) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not an IP address (it contains characters no address has)` });
    } else if (/^[a-zA-Z][a-zA-Z0-9.-]*$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: messageText('addressHostname', { value }), params: { messageId: 'addressHostname', value } });
    } else {
      ctx.addIssue({ code: 'custom', message: messageText('addressInvalid', { value }), params: { messageId: 'addressInvalid', value } });
    }
  })
  .transform((value) => canonicalIp(value) ?? value);

export const portSchema = z
  .number({ error: 'port must be a number' })
  .int('port must be a whole number')
  .min(0, 'port must be between 0 and 65535')
  .max(65535, 'port must be between 0 and 65535');

export const protocolSchema = z.enum(PROTOCOLS, { error: 'protocol must be tcp, udp or sctp' });
export const schedulerSchema = z.enum(SCHEDULERS, {
  error: (issue) => `unknown scheduler "${String(issue.input)}"; use one of ${SCHEDULERS.join(', ')}`,
});
export const schedFlagSchema = z.enum(SCHED_FLAGS, {
  error: (issue) => `unknown scheduler flag "${String(issue.input)}"; use one of ${SCHED_FLAGS.join(', ')}`,
});
export const addressFamilySchema = z.enum(['inet', 'inet6']);

export const serviceKeySchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('addr'),
      protocol: protocolSchema,
      address: ipAddressSchema,
      port: portSchema,
    })
    .strict(),
  z
    .object({
      kind: z.literal('fwmark'),
      fwmark: z
        .number()
        .int('fwmark must be a whole number')
        .min(1, 'fwmark must be between 1 and 4294967295')
        .max(0xffffffff, 'fwmark must be between 1 and 4294967295'),
      family: addressFamilySchema,
    })
    .strict(),
]);
export type ServiceKey = z.infer<typeof serviceKeySchema>;
export type AddrServiceKey = Extract<ServiceKey, { kind: 'addr' }>;

export const persistenceSchema = z
  .object({
    /** Seconds a client's template keeps it on the same real server. */
    timeout: z
      .number()
      .int('persistence timeout must be a whole number of seconds')
      .min(1, 'persistence timeout must be at least 1 second')
      .max(0x7fffffff, 'persistence timeout is too large'),
    /**
     * Client grouping as a prefix length: clients whose addresses agree on these
     * bits share one template. ipvsadm shows IPv4 masks dotted (`-M 255.255.255.0`).
     * Default: the whole address (32 or 128).
     */
    netmaskPrefix: z
      .number()
      .int()
      .min(0, 'persistence netmask prefix must be 0..32 (IPv4) or 1..128 (IPv6)')
      .max(128, 'persistence netmask prefix must be 0..32 (IPv4) or 1..128 (IPv6)')
      .optional(),
    /** Persistence engine: sip groups by SIP Call-ID instead of client address. */
    engine: z.enum(['sip'], { error: 'the only persistence engine is sip' }).optional(),
  })
  .strict();
export type Persistence = z.infer<typeof persistenceSchema>;

export const tunnelOptionsSchema = z
  .object({
    type: z.enum(TUNNEL_TYPES, { error: 'tunnel type must be ipip, gue or gre' }),
    /** UDP port of the GUE receiver on the real server (GUE only). */
    port: portSchema.optional(),
    checksum: z.enum(TUNNEL_CHECKSUMS, { error: 'tunnel checksum must be nocsum, csum or remcsum' }).optional(),
  })
  .strict();
export type TunnelOptions = z.infer<typeof tunnelOptionsSchema>;

export const weightSchema = z
  .number({ error: 'weight must be a number' })
  .int('weight must be a whole number between 0 and 65535')
  .min(0, 'weight must be between 0 and 65535')
  .max(MAX_WEIGHT, 'weight must be between 0 and 65535');

export const thresholdSchema = z
  .number({ error: 'threshold must be a number' })
  .int('connection thresholds must be whole numbers')
  .min(0, 'connection thresholds must be between 0 and 65535 (0 = no limit)')
  .max(MAX_THRESHOLD, 'connection thresholds must be between 0 and 65535 (0 = no limit)');

export const destinationSchema = z
  .object({
    address: ipAddressSchema,
    port: portSchema,
    forwarding: z.enum(FORWARDING_METHODS, { error: 'forwarding must be masq (NAT), route (DR) or tunnel (TUN)' }),
    weight: weightSchema,
    /** -x: stop sending new connections above this many (0 = unset). */
    upperThreshold: thresholdSchema.default(0),
    /** -y: resume below this many (0 = unset; the kernel then uses 3/4 of the upper one). */
    lowerThreshold: thresholdSchema.default(0),
    tunnel: tunnelOptionsSchema.optional(),
  })
  .strict();
export type Destination = z.infer<typeof destinationSchema>;
export type DestinationInput = z.input<typeof destinationSchema>;

export const serviceSchema = z
  .object({
    key: serviceKeySchema,
    scheduler: schedulerSchema.default('wlc'),
    flags: z.array(schedFlagSchema).default([]),
    persistence: persistenceSchema.nullable().default(null),
    /** -o: one-packet scheduling, each UDP datagram scheduled on its own. */
    onePacket: z.boolean().default(false),
    destinations: z.array(destinationSchema).default([]),
    /** Health checks, pool rules (quorum, sorry server) and drains; absent = no checks. Lazy: health.ts imports this module. */
    health: z.lazy(() => serviceHealthSchema).optional(),
  })
  .strict();
export type Service = z.infer<typeof serviceSchema>;
export type ServiceInput = z.input<typeof serviceSchema>;

export const timeoutsSchema = z
  .object({
    tcp: z.number().int().min(0).max(0x7fffffff),
    tcpFin: z.number().int().min(0).max(0x7fffffff),
    udp: z.number().int().min(0).max(0x7fffffff),
  })
  .strict();
export type Timeouts = z.infer<typeof timeoutsSchema>;
/** Linux defaults (ip_vs_proto_tcp.c / ip_vs_proto_udp.c). */
export const KERNEL_DEFAULT_TIMEOUTS: Timeouts = { tcp: 900, tcpFin: 120, udp: 300 };

export const interfaceNameSchema = z.string().regex(/^[A-Za-z0-9_.:@-]{1,15}$/, 'interface names are 1-15 letters, digits or . _ - : @');

export const syncDaemonSchema = z
  .object({
    state: z.enum(['master', 'backup']),
    interface: interfaceNameSchema,
    syncId: z.number().int().min(0).max(255).default(0),
    maxLength: z.number().int().min(1).max(65535).optional(),
    group: ipAddressSchema.optional(),
    port: z.number().int().min(1).max(65535).optional(),
    ttl: z.number().int().min(1).max(255).optional(),
  })
  .strict();
export type SyncDaemon = z.infer<typeof syncDaemonSchema>;

/**
 * A host setting the clusters need, as a declarative row with the reason it
 * exists. The agent's host layer applies and checks each row.
 */
export const hostSettingSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('sysctl'),
      /** Dotted sysctl name, e.g. net.ipv4.ip_forward or net.ipv4.conf.all.arp_ignore. */
      name: z.string().regex(/^net\.ipv[46]\.[A-Za-z0-9_.\-/]+$/, 'only net.ipv4.* and net.ipv6.* sysctls are managed'),
      value: z.string().regex(/^[0-9 ]{1,64}$/, 'sysctl values are numbers (space-separated for vectors)'),
      reason: z.string().max(300).default(''),
    })
    .strict(),
  z
    .object({
      kind: z.literal('address'),
      address: ipAddressSchema,
      prefixLength: z.number().int().min(0).max(128),
      interface: interfaceNameSchema,
      reason: z.string().max(300).default(''),
    })
    .strict(),
  z
    .object({
      kind: z.literal('module'),
      name: z.string().regex(/^[a-z0-9_]{1,64}$/, 'module names are lower-case letters, digits and _'),
      reason: z.string().max(300).default(''),
    })
    .strict(),
  z
    .object({
      /** Source NAT for FULLNAT: replies come back through the director without a special gateway. */
      kind: z.literal('snat'),
      /** The virtual service whose masqueraded traffic is source-NATed. */
      service: serviceKeySchema,
      /** The director address real servers see as the client (the DIP). */
      sourceAddress: ipAddressSchema,
      reason: z.string().max(300).default(''),
    })
    .strict(),
]);
export type HostSetting = z.infer<typeof hostSettingSchema>;

export const desiredStateSchema = z
  .object({
    services: z.array(serviceSchema).default([]),
    /** null: leave the kernel's timeouts alone. */
    timeouts: timeoutsSchema.nullable().default(null),
    syncDaemons: z.array(syncDaemonSchema).max(2).default([]),
    hostSettings: z.array(hostSettingSchema).default([]),
    /**
     * One director: the interface that carries every service VIP (the agent
     * adds and checks them). Absent: the VIPs are put there by something else.
     */
    vipInterface: interfaceNameSchema.optional(),
    /** Directors as a pair (or more): VRRP by keepalived moves the VIPs. Lazy: ha.ts imports this module. */
    ha: z.lazy(() => haSchema).optional(),
  })
  .strict();
export type DesiredState = z.infer<typeof desiredStateSchema>;
export type DesiredStateInput = z.input<typeof desiredStateSchema>;

export function emptyState(): DesiredState {
  return { services: [], timeouts: null, syncDaemons: [], hostSettings: [] };
}

/** Address family of a service (fwmark services carry it explicitly). */
export function serviceFamily(key: ServiceKey): 'inet' | 'inet6' {
  return key.kind === 'fwmark' ? key.family : (familyOf(key.address) ?? 'inet');
}
