// Guard rails: everything the kernel or ipvsadm would reject, and the
// mistakes they accept silently (ipvsadm quietly rewrites a DR real server's
// port, for example). Each issue names where it is and what to do instead.
import type { z } from 'zod';
import {
  DomainError,
  describedIssue,
  desiredStateSchema,
  isMessageId,
  messageIdOfText,
  destinationSchema,
  familyOf,
  formatIssues,
  serviceFamily,
  serviceId,
  destinationId,
  serviceLabel,
  serviceSchema,
  type DesiredState,
  type Destination,
  type Issue,
  type SchedFlag,
  type SchedulerName,
  type Service,
  checkHa,
  vipInstances,
} from '../model';
import { checkServiceHealth } from '../health/config';

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/** Which flags each scheduler understands (ip_vs_sh.c, ip_vs_mh.c read SCHED1/SCHED2). */
const FLAGS_BY_SCHEDULER: Partial<Record<SchedulerName, readonly SchedFlag[]>> = {
  sh: ['sh-fallback', 'sh-port'],
  mh: ['mh-fallback', 'mh-port'],
};

/** Turn a zod error into issues with JSON-ish paths (services[0].destinations[1].weight). */
export function zodIssues(error: z.ZodError, prefix = ''): Issue[] {
  return error.issues.map((issue) => {
    let path = prefix;
    for (const part of issue.path) {
      if (typeof part === 'number') path += `[${part}]`;
      else path += path ? `.${String(part)}` : String(part);
    }
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    // A schema's own text gets its message id (fixed texts by their words, others through params).
    const params = issue.code === 'custom' ? (issue.params as { messageId?: unknown; value?: unknown } | undefined) : undefined;
    if (params && isMessageId(params.messageId))
      return { path, message, messageId: params.messageId, params: { value: typeof params.value === 'string' ? params.value : '' } };
    const messageId = messageIdOfText(message);
    return messageId ? { path, message, messageId } : { path, message };
  });
}

export function checkService(service: Service, path = ''): Issue[] {
  const issues: Issue[] = [];
  const at = (suffix: string) => (path ? `${path}.${suffix}` : suffix);
  const key = service.key;
  const family = serviceFamily(key);

  if (key.kind === 'addr' && key.port === 0 && !service.persistence) {
    issues.push(describedIssue(at('key.port'), 'portZeroNeedsPersistence'));
  }
  if (service.onePacket && key.kind === 'addr' && key.protocol !== 'udp') {
    issues.push({ path: at('onePacket'), message: 'one-packet scheduling (-o) applies only to UDP and fwmark services' });
  }

  const allowedFlags = FLAGS_BY_SCHEDULER[service.scheduler] ?? [];
  for (const flag of service.flags) {
    if (!allowedFlags.includes(flag)) {
      issues.push({
        path: at('flags'),
        message: allowedFlags.length
          ? `flag ${flag} does not apply to scheduler ${service.scheduler}; it takes ${allowedFlags.join(', ')}`
          : `scheduler ${service.scheduler} takes no flags (only sh and mh do); remove ${flag}`,
      });
    }
  }
  if (new Set(service.flags).size !== service.flags.length) {
    issues.push({ path: at('flags'), message: 'a scheduler flag is listed twice' });
  }

  const persistence = service.persistence;
  if (persistence?.netmaskPrefix !== undefined) {
    const max = family === 'inet' ? 32 : 128;
    const min = family === 'inet' ? 0 : 1;
    if (persistence.netmaskPrefix < min || persistence.netmaskPrefix > max) {
      issues.push({
        path: at('persistence.netmaskPrefix'),
        message: `persistence netmask prefix must be ${min}..${max} for an ${family === 'inet' ? 'IPv4' : 'IPv6'} service`,
      });
    }
  }
  if (persistence?.engine === 'sip' && key.kind === 'addr' && key.protocol !== 'udp') {
    issues.push({ path: at('persistence.engine'), message: 'the sip persistence engine reads SIP over UDP; use it on a UDP or fwmark service' });
  }

  if (service.health) issues.push(...checkServiceHealth(service, path));

  const seen = new Map<string, number>();
  service.destinations.forEach((dest, index) => {
    const destPath = at(`destinations[${index}]`);
    issues.push(...checkDestination(service, dest, destPath));
    const id = destinationId(dest);
    const first = seen.get(id);
    if (first !== undefined) {
      issues.push(describedIssue(destPath, 'destinationTwice', { id, service: serviceLabel(key), first }));
    } else {
      seen.set(id, index);
    }
  });
  return issues;
}

export function checkDestination(service: Service, dest: Destination, path: string): Issue[] {
  const issues: Issue[] = [];
  const key = service.key;
  const servicePort = key.kind === 'addr' ? key.port : 0;
  const destFamily = familyOf(dest.address);
  if (destFamily && destFamily !== serviceFamily(key) && dest.forwarding !== 'tunnel') {
    issues.push({
      path: `${path}.address`,
      message: `real server ${dest.address} is ${destFamily === 'inet' ? 'IPv4' : 'IPv6'} but the service is ${serviceFamily(key) === 'inet' ? 'IPv4' : 'IPv6'}; mixing address families works only with tunnelling`,
    });
  }
  if (dest.forwarding !== 'masq' && dest.port !== servicePort) {
    const method = dest.forwarding === 'route' ? 'DR' : 'TUN';
    issues.push(
      key.kind === 'fwmark'
        ? describedIssue(`${path}.port`, 'directFwmarkPortZero', { method, port: dest.port })
        : describedIssue(`${path}.port`, 'directPortFixed', { method, servicePort, port: dest.port }),
    );
  }
  if (dest.forwarding === 'masq' && dest.port === 0 && servicePort !== 0) {
    issues.push(describedIssue(`${path}.port`, 'natNeedsPort'));
  }
  if (dest.lowerThreshold > dest.upperThreshold) {
    issues.push({
      path: `${path}.lowerThreshold`,
      message:
        dest.upperThreshold === 0
          ? 'a lower threshold (-y) needs an upper threshold (-x) above it'
          : `lower threshold ${dest.lowerThreshold} is above upper threshold ${dest.upperThreshold}`,
    });
  }
  const tunnel = dest.tunnel;
  if (tunnel && dest.forwarding !== 'tunnel') {
    issues.push({ path: `${path}.tunnel`, message: 'tunnel options apply only to tunnel (TUN) forwarding' });
  }
  if (tunnel && dest.forwarding === 'tunnel') {
    if (tunnel.type === 'gue' && !tunnel.port) {
      issues.push({ path: `${path}.tunnel.port`, message: "a GUE tunnel needs the real server's GUE port (--tun-port)" });
    }
    if (tunnel.type !== 'gue' && tunnel.port) {
      issues.push({ path: `${path}.tunnel.port`, message: 'a tunnel port applies only to GUE tunnels' });
    }
    if (tunnel.type === 'ipip' && tunnel.checksum && tunnel.checksum !== 'nocsum') {
      issues.push({ path: `${path}.tunnel.checksum`, message: 'IPIP tunnels carry no checksum option; csum and remcsum need GUE or GRE' });
    }
    if (tunnel.type === 'gre' && tunnel.checksum === 'remcsum') {
      issues.push({ path: `${path}.tunnel.checksum`, message: 'remote checksum offload (remcsum) exists only for GUE tunnels' });
    }
  }
  return issues;
}

/** The distinct addresses of address-based services: the VIPs a director must answer for. */
export function serviceVips(state: Pick<DesiredState, 'services'>): string[] {
  const vips = new Set<string>();
  for (const service of state.services) if (service.key.kind === 'addr') vips.add(service.key.address);
  return [...vips];
}

export function checkState(state: DesiredState): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  state.services.forEach((service, index) => {
    issues.push(...checkService(service, `services[${index}]`));
    const id = serviceId(service.key);
    const first = seen.get(id);
    if (first !== undefined)
      issues.push({ path: `services[${index}].key`, message: `service ${serviceLabel(service.key)} is defined twice (services[${first}])` });
    else seen.set(id, index);
  });
  const states = state.syncDaemons.map((d) => d.state);
  if (new Set(states).size !== states.length) {
    issues.push({ path: 'syncDaemons', message: 'at most one master and one backup sync daemon can run' });
  }
  if (state.ha) {
    const vips = serviceVips(state);
    issues.push(...checkHa(state.ha, vips));
    if (state.vipInterface !== undefined) {
      issues.push({
        path: 'vipInterface',
        message: 'with a pair of directors VRRP moves the VIPs; remove vipInterface (each VRRP instance names its interface)',
      });
    }
    const instances = vipInstances(state.ha, vips);
    for (const [vip, instance] of instances) {
      if (!instance)
        issues.push({
          path: 'ha.instances',
          message: `no VRRP instance moves the VIP ${vip}; add it to an instance's addresses or leave one instance's addresses empty`,
        });
    }
  }
  state.hostSettings.forEach((setting, index) => {
    if (setting.kind === 'address') {
      const max = familyOf(setting.address) === 'inet' ? 32 : 128;
      if (setting.prefixLength > max)
        issues.push({ path: `hostSettings[${index}].prefixLength`, message: `prefix length must be at most ${max} for ${setting.address}` });
    }
    if (setting.kind === 'snat' && !seen.has(serviceId(setting.service))) {
      issues.push({ path: `hostSettings[${index}].service`, message: `source NAT refers to ${serviceLabel(setting.service)}, which is not defined` });
    }
  });
  return issues;
}

/** Parse and check a whole desired state from untrusted input. */
export function validateState(input: unknown): Validated<DesiredState> {
  const parsed = desiredStateSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  const issues = checkState(parsed.data);
  return issues.length ? { ok: false, issues } : { ok: true, value: parsed.data };
}

export function validateService(input: unknown): Validated<Service> {
  const parsed = serviceSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  const issues = checkService(parsed.data);
  return issues.length ? { ok: false, issues } : { ok: true, value: parsed.data };
}

export function validateDestination(service: Service, input: unknown, path = 'destination'): Validated<Destination> {
  const parsed = destinationSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, path) };
  const issues = checkDestination(service, parsed.data, path);
  return issues.length ? { ok: false, issues } : { ok: true, value: parsed.data };
}

/** Like validateState, but throws a DomainError (INVALID_INPUT) listing every issue. */
export function assertValidState(input: unknown): DesiredState {
  const result = validateState(input);
  if (!result.ok) throw new DomainError('INVALID_INPUT', formatIssues(result.issues), result.issues);
  return result.value;
}
