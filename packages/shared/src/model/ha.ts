// Who answers for the virtual IPs. One director: the VIPs sit on a named
// interface (`ip addr add VIP dev eth0`, the first step of every write-up).
// A pair (or more): VRRP moves them, and VRRP is keepalived's job — this
// model holds only what the agent renders into keepalived's `vrrp_instance`
// blocks and what the kernel's sync daemon needs to follow the VRRP role.
// Per-director values are keyed by the director's name, so every member of a
// cluster shares one desired state.
import { z } from 'zod';
import { familyOf } from './address';
import { interfaceNameSchema as eagerInterfaceNameSchema, ipAddressSchema as eagerIpAddressSchema } from './ipvs';

// ipvs.ts imports this module for DesiredState.ha; lazy references keep the
// import cycle safe whichever module loads first (as in health.ts).
const ipAddressSchema = z.lazy(() => eagerIpAddressSchema);
const interfaceNameSchema = z.lazy(() => eagerInterfaceNameSchema);

export const directorNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'director names are 1-63 letters, digits or . _ - (starting with a letter or digit)');

export const vrrpInstanceNameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,31}$/, 'VRRP instance names are 1-32 letters, digits or . _ - starting with a letter');

/** keepalived's VRRP states, as its notify_fifo and notify scripts report them. */
export const VRRP_STATES = ['MASTER', 'BACKUP', 'FAULT', 'STOP', 'UNKNOWN'] as const;
export type VrrpState = (typeof VRRP_STATES)[number];

export const directorSchema = z
  .object({
    name: directorNameSchema,
    /**
     * The director's own address on the VRRP segment: its source for unicast
     * adverts and what its peers list as `unicast_peer`.
     */
    address: ipAddressSchema,
  })
  .strict();
export type Director = z.infer<typeof directorSchema>;

const priorityMessage = 'VRRP priority must be 1..254 (255 is reserved for the address owner)';

export const vrrpInstanceSchema = z
  .object({
    name: vrrpInstanceNameSchema,
    /** The interface VRRP adverts go out on and the VIPs are added to. */
    interface: interfaceNameSchema,
    /** virtual_router_id: unique per segment; both directors of a pair use the same one. */
    virtualRouterId: z
      .number({ error: 'virtualRouterId must be a number' })
      .int('virtualRouterId must be a whole number')
      .min(1, 'virtualRouterId must be 1..255')
      .max(255, 'virtualRouterId must be 1..255'),
    /** Priority per director name: the highest live one is MASTER. */
    priorities: z.record(directorNameSchema, z.number({ error: priorityMessage }).int(priorityMessage).min(1, priorityMessage).max(254, priorityMessage)),
    /** Seconds between adverts (keepalived's advert_int; VRRPv2 needs whole seconds). */
    advertInterval: z
      .number()
      .int('advertInterval is a whole number of seconds')
      .min(1, 'advertInterval must be 1..255 seconds')
      .max(255, 'advertInterval must be 1..255 seconds')
      .default(1),
    /** A recovered higher-priority director takes the VIPs back (keepalived's default); false = nopreempt. */
    preempt: z.boolean().default(true),
    /** Seconds a recovered director waits before taking the VIPs back (preempt_delay). */
    preemptDelay: z.number().int().min(0, 'preemptDelay must be 0..1000 seconds').max(1000, 'preemptDelay must be 0..1000 seconds').default(0),
    /** Adverts to each peer's address instead of multicast 224.0.0.18 (clouds, switches that drop multicast). */
    unicast: z.boolean().default(false),
    /** VRRPv2 simple password (auth_type PASS): at most 8 printable characters, no spaces. */
    password: z
      .string()
      .regex(/^[\x21-\x7e]{1,8}$/, 'the VRRP password is 1-8 printable characters without spaces')
      .optional(),
    /**
     * The service VIPs this instance moves. Empty: every service VIP that no
     * other instance names (the usual single-instance pair).
     */
    addresses: z.array(ipAddressSchema).max(256, 'at most 256 addresses per VRRP instance').default([]),
  })
  .strict();
export type VrrpInstance = z.infer<typeof vrrpInstanceSchema>;
export type VrrpInstanceInput = z.input<typeof vrrpInstanceSchema>;

export const connectionSyncSchema = z
  .object({
    /** Interface the sync daemon sends and listens on (usually the one VRRP uses). */
    interface: interfaceNameSchema,
    /** --syncid: one per pair, so two pairs on one segment never mix their connections. */
    syncId: z.number().int().min(0, 'syncId must be 0..255').max(255, 'syncId must be 0..255').default(1),
    /** The VRRP instance whose role the daemon follows (default: the first). */
    instance: vrrpInstanceNameSchema.optional(),
  })
  .strict();
export type ConnectionSync = z.infer<typeof connectionSyncSchema>;

export const haSchema = z
  .object({
    directors: z.array(directorSchema).min(2, 'a pair needs at least 2 directors').max(8, 'at most 8 directors'),
    instances: z.array(vrrpInstanceSchema).min(1, 'a pair needs at least one VRRP instance').max(16, 'at most 16 VRRP instances'),
    /** The kernel's connection sync daemon, following the VRRP role; absent = connections are not synced. */
    sync: connectionSyncSchema.optional(),
  })
  .strict();
export type HaConfig = z.infer<typeof haSchema>;
export type HaConfigInput = z.input<typeof haSchema>;

export interface HaIssue {
  path: string;
  message: string;
}

/**
 * Cross-field rules of a pair: names and router ids unique, every director
 * prioritised in every instance, a VIP in one instance only, and no VIP left
 * without an instance.
 */
export function checkHa(ha: HaConfig, serviceVips: readonly string[], path = 'ha'): HaIssue[] {
  const issues: HaIssue[] = [];
  const names = new Set<string>();
  ha.directors.forEach((director, i) => {
    if (names.has(director.name)) issues.push({ path: `${path}.directors[${i}].name`, message: `director "${director.name}" is listed twice` });
    names.add(director.name);
  });
  const addresses = new Map<string, string>();
  ha.directors.forEach((director, i) => {
    const other = addresses.get(director.address);
    if (other !== undefined)
      issues.push({ path: `${path}.directors[${i}].address`, message: `${director.address} is already the address of director "${other}"` });
    else addresses.set(director.address, director.name);
  });
  const instanceNames = new Set<string>();
  const routerIds = new Map<string, string>();
  const claimed = new Map<string, string>();
  ha.instances.forEach((instance, i) => {
    const at = `${path}.instances[${i}]`;
    if (instanceNames.has(instance.name)) issues.push({ path: `${at}.name`, message: `VRRP instance "${instance.name}" is defined twice` });
    instanceNames.add(instance.name);
    // VRRP tells routers apart by (interface segment, router id): a duplicate makes both instances fight over one virtual MAC.
    const routerKey = `${instance.interface}/${instance.virtualRouterId}`;
    const sameId = routerIds.get(routerKey);
    if (sameId !== undefined) {
      issues.push({
        path: `${at}.virtualRouterId`,
        message: `virtual_router_id ${instance.virtualRouterId} on ${instance.interface} is already used by instance "${sameId}"; each instance on a segment needs its own id`,
      });
    } else {
      routerIds.set(routerKey, instance.name);
    }
    for (const name of Object.keys(instance.priorities)) {
      if (!names.has(name)) issues.push({ path: `${at}.priorities.${name}`, message: `"${name}" is not one of the directors (${[...names].join(', ')})` });
    }
    const seenPriority = new Map<number, string>();
    for (const director of ha.directors) {
      const priority = instance.priorities[director.name];
      if (priority === undefined) {
        issues.push({ path: `${at}.priorities`, message: `give director "${director.name}" a priority in instance "${instance.name}"` });
        continue;
      }
      const tie = seenPriority.get(priority);
      if (tie !== undefined) {
        issues.push({
          path: `${at}.priorities.${director.name}`,
          message: `directors "${tie}" and "${director.name}" both have priority ${priority} in "${instance.name}"; VRRP would pick the MASTER by address — give them different priorities`,
        });
      }
      seenPriority.set(priority, director.name);
    }
    instance.addresses.forEach((address, j) => {
      const owner = claimed.get(address);
      if (owner !== undefined) issues.push({ path: `${at}.addresses[${j}]`, message: `${address} is already moved by instance "${owner}"` });
      else claimed.set(address, instance.name);
      if (!serviceVips.includes(address)) issues.push({ path: `${at}.addresses[${j}]`, message: `${address} is not the address of any service` });
    });
    if (instance.unicast && ha.directors.some((d) => familyOf(d.address) !== familyOf(ha.directors[0]?.address ?? d.address))) {
      issues.push({ path: `${at}.unicast`, message: 'unicast VRRP needs every director address in one address family' });
    }
  });
  if (ha.sync?.instance !== undefined && !instanceNames.has(ha.sync.instance)) {
    issues.push({
      path: `${path}.sync.instance`,
      message: `the sync daemon follows "${ha.sync.instance}", which is not a VRRP instance (${[...instanceNames].join(', ')})`,
    });
  }
  return issues;
}

/**
 * Which VRRP instance moves each service VIP: the one naming it, otherwise
 * the first instance with an empty address list. Addresses of no instance map
 * to null (checkState reports them).
 */
export function vipInstances(ha: HaConfig, serviceVips: readonly string[]): Map<string, VrrpInstance | null> {
  const catchAll = ha.instances.find((instance) => instance.addresses.length === 0) ?? null;
  const result = new Map<string, VrrpInstance | null>();
  for (const vip of serviceVips) {
    result.set(vip, ha.instances.find((instance) => instance.addresses.includes(vip)) ?? catchAll);
  }
  return result;
}

/** The instance whose role the sync daemon follows. */
export function syncInstance(ha: HaConfig): VrrpInstance | undefined {
  return ha.sync?.instance !== undefined ? ha.instances.find((i) => i.name === ha.sync?.instance) : ha.instances[0];
}

/** The director VRRP makes MASTER when all are up: the highest priority. */
export function preferredMaster(instance: VrrpInstance): string | null {
  let best: [string, number] | null = null;
  for (const [name, priority] of Object.entries(instance.priorities)) {
    if (!best || priority > best[1]) best = [name, priority];
  }
  return best?.[0] ?? null;
}
