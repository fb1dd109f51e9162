// Rendering a table as the text `ipvsadm -Sn` (ipvsadm 1.31) prints, and
// single rule lines for plans. Format from ipvsadm.c print_service_entry()
// with FMT_RULE|FMT_NUMERIC:
//
//   -A <svc> -s <sched>[ -p <timeout>[ -M <mask>]][ --pe <engine>][ -o][ -b <flags>]
//   -a <svc> -r <addr:port> <-g|-i|-m> -w <weight>[ <tunnel options>]
//
//   <svc>      -t|-u|--sctp-service <addr:port> (IPv6 in brackets), or
//              -f <mark> and, for IPv6 fwmark services, -f <mark> -6
//   -s         always written, even for the default wlc
//   -p         written with its value whenever the service is persistent
//   -M         only when not the whole address: dotted for IPv4 services
//              (inet_ntoa), a prefix length for IPv6 ones
//   --pe       whenever an engine is set
//   -b         flags named per scheduler: sh-fallback,sh-port for sh,
//              mh-fallback,mh-port for mh, flag-1..flag-3 otherwise
//   -w         always written, even for the default 1
//   -x / -y    NEVER written: ipvsadm -S does not save thresholds
//   tunnel     print_tunnel_rule(): "--tun-type ipip" for every -i
//              destination; gue adds "--tun-port N" and the checksum
//              option; gre adds the checksum option (--tun-nocsum is
//              written too, being ipvsadm's default value)
//   local      destinations the kernel marks Local are written -g
//
// Services and destinations are ordered as order.ts explains. Timeouts and
// sync daemons are not part of -S output.
import type { DesiredState, Destination, Persistence, Service, ServiceKey, SyncDaemon, Timeouts, TunnelOptions } from '../model/ipvs';
import { canonicalIp, ipv4PrefixMask } from '../model/address';
import { destinationsInSaveOrder, servicesInSaveOrder } from './order';
import { flagNamesFor } from './rules';

export type ServiceSettings = Omit<Service, 'destinations'>;

const FLAG_BIT: Record<string, number> = {
  'flag-1': 1,
  'flag-2': 2,
  'flag-3': 4,
  'sh-fallback': 1,
  'sh-port': 2,
  'mh-fallback': 1,
  'mh-port': 2,
};

/** IPv6 as inet_ntop prints it, whatever spelling the table holds. */
function canonicalAddress(address: string): string {
  return address.includes(':') ? (canonicalIp(address) ?? address) : address;
}

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${canonicalAddress(address)}]:${port}` : `${address}:${port}`;
}

/** `-t 192.0.2.1:80`, `-u [2001:db8::1]:53`, `--sctp-service ...`, `-f 7`, `-f 7 -6`. */
export function serviceSpec(key: ServiceKey): string {
  if (key.kind === 'fwmark') return key.family === 'inet6' ? `-f ${key.fwmark} -6` : `-f ${key.fwmark}`;
  const option = key.protocol === 'tcp' ? '-t' : key.protocol === 'udp' ? '-u' : '--sctp-service';
  return `${option} ${endpoint(key.address, key.port)}`;
}

function isInet6(key: ServiceKey): boolean {
  return key.kind === 'fwmark' ? key.family === 'inet6' : key.address.includes(':');
}

/** Everything after the service on an -A/-E line, in print_service_entry() order. */
export function serviceOptions(service: ServiceSettings): string {
  let text = ` -s ${service.scheduler}`;
  const persistence = service.persistence;
  if (persistence) {
    text += ` -p ${persistence.timeout}`;
    const prefix = persistence.netmaskPrefix;
    if (isInet6(service.key)) {
      if (prefix !== undefined && prefix !== 128) text += ` -M ${prefix}`;
    } else if (prefix !== undefined && prefix !== 32) {
      text += ` -M ${ipv4PrefixMask(prefix)}`;
    }
    if (persistence.engine) text += ` --pe ${persistence.engine}`;
  }
  if (service.onePacket) text += ' -o';
  if (service.flags.length > 0) {
    let bits = 0;
    for (const flag of service.flags) bits |= FLAG_BIT[flag] ?? 0;
    const names = flagNamesFor(service.scheduler, bits);
    if (names.length > 0) text += ` -b ${names.join(',')}`;
  }
  return text;
}

/** print_tunnel_rule(): what follows "-w N" for a tunnel destination. */
export function tunnelOptions(tunnel: TunnelOptions | undefined): string {
  const type = tunnel?.type ?? 'ipip';
  const checksum = tunnel?.checksum ?? 'nocsum';
  if (type === 'gue') return ` --tun-type gue --tun-port ${tunnel?.port ?? 0} --tun-${checksum}`;
  if (type === 'gre') return ` --tun-type gre --tun-${checksum}`;
  return ' --tun-type ipip';
}

function destinationOptions(dest: Destination, thresholds: boolean, tunType = true): string {
  let text = dest.forwarding === 'masq' ? ' -m -w ' : dest.forwarding === 'tunnel' ? ' -i -w ' : ' -g -w ';
  text += dest.weight;
  if (dest.forwarding === 'tunnel' && tunType) text += tunnelOptions(dest.tunnel);
  if (thresholds) {
    if (dest.upperThreshold) text += ` -x ${dest.upperThreshold}`;
    if (dest.lowerThreshold) text += ` -y ${dest.lowerThreshold}`;
  }
  return text;
}

export interface RenderOptions {
  /**
   * Also write -x/-y (when non-zero). ipvsadm -S does not, so the default
   * (false) is byte-for-byte `ipvsadm -Sn`; true keeps every setting, for
   * feeding `ipvsadm -R` or storing a table losslessly.
   */
  thresholds?: boolean;
  /** Also write `--set` and `--start-daemon` lines for the timeouts and sync daemons (not part of -S). */
  settings?: boolean;
}

/**
 * The ipvsadm that will restore the text: '1.31' (default, byte-exact with
 * `ipvsadm -Sn` 1.31) or 'pre-1.31' (CentOS 7's 1.27, Debian 10's 1.29),
 * which know no --tun-type (so no GUE/GRE tunnels) and, before 1.28, no -b.
 */
export type IpvsadmTarget = '1.31' | 'pre-1.31';

export interface TargetedRules {
  text: string;
  /** What the target cannot restore and the text therefore leaves out, one line each. */
  omitted: string[];
}

/**
 * renderRules() for a given ipvsadm. For 'pre-1.31': plain ipip tunnels
 * without --tun-type (-i means ipip there); GUE/GRE real servers and -b
 * scheduler flags, which it cannot restore, are left out and named in
 * `omitted`, never written in a form it would refuse.
 */
export function renderRulesFor(table: RenderableTable, target: IpvsadmTarget, options: RenderOptions = {}): TargetedRules {
  if (target === '1.31') return { text: renderRules(table, options), omitted: [] };
  const omitted: string[] = [];
  const services = table.services.map((service) => {
    const spec = serviceSpec(service.key);
    if (service.flags.length > 0) omitted.push(`-A ${spec}: -b ${service.flags.join(',')} (scheduler flags need a newer ipvsadm)`);
    const destinations = service.destinations.filter((dest) => {
      const type = dest.tunnel?.type ?? 'ipip';
      if (dest.forwarding !== 'tunnel' || type === 'ipip') return true;
      omitted.push(`-a ${spec} -r ${endpoint(dest.address, dest.port)}: a ${type.toUpperCase()} tunnel (--tun-type ${type} needs ipvsadm 1.31)`);
      return false;
    });
    return { ...service, flags: [], destinations };
  });
  return { text: renderTable({ ...table, services }, options, false), omitted };
}

export interface RenderableTable {
  services: readonly Service[];
  timeouts?: Timeouts | null;
  syncDaemons?: readonly SyncDaemon[];
}

/** The table as `ipvsadm -Sn` prints it: one line per rule, each ending in a newline. */
export function renderRules(table: RenderableTable, options: RenderOptions = {}): string {
  return renderTable(table, options, true);
}

function renderTable(table: RenderableTable, options: RenderOptions, tunType: boolean): string {
  const thresholds = options.thresholds === true;
  let text = '';
  for (const service of servicesInSaveOrder(table.services)) {
    const spec = serviceSpec(service.key);
    text += `-A ${spec}${serviceOptions(service)}\n`;
    const prefix = `-a ${spec} -r `;
    const dests = service.destinations.length > 1 ? destinationsInSaveOrder(service.destinations) : service.destinations;
    for (let i = 0; i < dests.length; i++) {
      const dest = dests[i] as Destination;
      const address = dest.address.includes(':') ? `[${canonicalAddress(dest.address)}]` : dest.address;
      text += `${prefix}${address}:${dest.port}${destinationOptions(dest, thresholds, tunType)}\n`;
    }
  }
  if (options.settings) {
    if (table.timeouts) text += `${setTimeoutsArgv(table.timeouts).join(' ')}\n`;
    for (const daemon of table.syncDaemons ?? []) text += `${startDaemonArgv(daemon).join(' ')}\n`;
  }
  return text;
}

/**
 * One restore-format line for a service: `-A <svc> <settings>`, `-E <svc>
 * <settings>` (ipvsadm -E resets what it omits, so every setting is
 * written) or `-D <svc>`. Stable signature: the plan module shows plans with it.
 */
export function renderServiceCommand(command: '-D', service: { key: ServiceKey }): string;
export function renderServiceCommand(command: '-A' | '-E', service: ServiceSettings): string;
export function renderServiceCommand(command: '-A' | '-E' | '-D', service: ServiceSettings | { key: ServiceKey }): string {
  if (command === '-D') return `-D ${serviceSpec(service.key)}`;
  return `${command} ${serviceSpec(service.key)}${serviceOptions(service as ServiceSettings)}`;
}

/**
 * One restore-format line for a destination: `-a`/`-e` with every setting
 * (forwarding, weight, thresholds when set, tunnel options; -e resets what
 * it omits) or `-d <svc> -r <addr:port>`. Stable signature.
 */
export function renderDestinationCommand(command: '-d', key: ServiceKey, dest: Pick<Destination, 'address' | 'port'>): string;
export function renderDestinationCommand(command: '-a' | '-e', key: ServiceKey, dest: Destination): string;
export function renderDestinationCommand(command: '-a' | '-e' | '-d', key: ServiceKey, dest: Destination | Pick<Destination, 'address' | 'port'>): string {
  const head = `${command} ${serviceSpec(key)} -r ${endpoint(dest.address, dest.port)}`;
  if (command === '-d') return head;
  return head + destinationOptions(dest as Destination, true);
}

// --- argv builders for the agent (arrays for execFile, never a shell string) ---

/** `ipvsadm --set tcp tcpfin udp` (0 keeps a value). */
export function setTimeoutsArgv(timeouts: Timeouts): string[] {
  return ['--set', String(timeouts.tcp), String(timeouts.tcpFin), String(timeouts.udp)];
}

/** `ipvsadm --start-daemon master|backup --mcast-interface IF --syncid N [...]`. */
export function startDaemonArgv(daemon: SyncDaemon): string[] {
  const argv = ['--start-daemon', daemon.state, '--mcast-interface', daemon.interface, '--syncid', String(daemon.syncId)];
  if (daemon.maxLength !== undefined) argv.push('--sync-maxlen', String(daemon.maxLength));
  if (daemon.group !== undefined) argv.push('--mcast-group', daemon.group);
  if (daemon.port !== undefined) argv.push('--mcast-port', String(daemon.port));
  if (daemon.ttl !== undefined) argv.push('--mcast-ttl', String(daemon.ttl));
  return argv;
}

/** `ipvsadm --stop-daemon master|backup`. */
export function stopDaemonArgv(state: SyncDaemon['state']): string[] {
  return ['--stop-daemon', state];
}

/** argv of a service command (the tokens of renderServiceCommand). */
export function serviceCommandArgv(command: '-D', service: { key: ServiceKey }): string[];
export function serviceCommandArgv(command: '-A' | '-E', service: ServiceSettings): string[];
export function serviceCommandArgv(command: '-A' | '-E' | '-D', service: ServiceSettings | { key: ServiceKey }): string[] {
  const line = command === '-D' ? renderServiceCommand('-D', service) : renderServiceCommand(command, service as ServiceSettings);
  return line.split(' ');
}

/** argv of a destination command (the tokens of renderDestinationCommand). */
export function destinationCommandArgv(command: '-d', key: ServiceKey, dest: Pick<Destination, 'address' | 'port'>): string[];
export function destinationCommandArgv(command: '-a' | '-e', key: ServiceKey, dest: Destination): string[];
export function destinationCommandArgv(command: '-a' | '-e' | '-d', key: ServiceKey, dest: Destination | Pick<Destination, 'address' | 'port'>): string[] {
  const line = command === '-d' ? renderDestinationCommand('-d', key, dest) : renderDestinationCommand(command, key, dest as Destination);
  return line.split(' ');
}

/** Read-only invocations the agent's ipvsadm backend runs. */
export const LIST_ARGV = {
  save: ['-S', '-n'],
  restore: ['-R'],
  clear: ['-C'],
  list: ['-L', '-n', '--exact'],
  stats: ['-L', '-n', '--exact', '--stats'],
  rate: ['-L', '-n', '--exact', '--rate'],
  thresholds: ['-L', '-n', '--exact', '--thresholds'],
  persistentConn: ['-L', '-n', '--exact', '--persistent-conn'],
  tunInfo: ['-L', '-n', '--exact', '--tun-info'],
  timeout: ['-L', '--timeout'],
  daemon: ['-L', '--daemon'],
  connections: ['-L', '-c', '-n'],
} as const satisfies Record<string, readonly string[]>;

/** `ipvsadm -Z [service]`. */
export function zeroArgv(key?: ServiceKey): string[] {
  return key ? ['-Z', ...serviceSpec(key).split(' ')] : ['-Z'];
}

/**
 * The table as it reads back from renderRules(table, options): services and
 * destinations in save order, flags named per scheduler, a whole-address
 * netmask left out, tunnel options with ipvsadm's defaults written, and,
 * unless the options keep them, thresholds zeroed and settings dropped.
 */
export function canonicalState(state: DesiredState, options: RenderOptions = {}): DesiredState {
  const services = servicesInSaveOrder(state.services).map((service): Service => {
    let bits = 0;
    for (const flag of service.flags) bits |= FLAG_BIT[flag] ?? 0;
    let persistence: Persistence | null = null;
    if (service.persistence) {
      const full = isInet6(service.key) ? 128 : 32;
      persistence = { timeout: service.persistence.timeout };
      const prefix = service.persistence.netmaskPrefix;
      if (prefix !== undefined && prefix !== full) persistence.netmaskPrefix = prefix;
      if (service.persistence.engine) persistence.engine = service.persistence.engine;
    }
    const key: ServiceKey = service.key.kind === 'addr' ? { ...service.key, address: canonicalAddress(service.key.address) } : service.key;
    return {
      key,
      scheduler: service.scheduler,
      flags: flagNamesFor(service.scheduler, bits),
      persistence,
      onePacket: service.onePacket,
      destinations: destinationsInSaveOrder(service.destinations).map((dest): Destination => {
        const copy: Destination = {
          address: canonicalAddress(dest.address),
          port: dest.port,
          forwarding: dest.forwarding,
          weight: dest.weight,
          upperThreshold: options.thresholds ? dest.upperThreshold : 0,
          lowerThreshold: options.thresholds ? dest.lowerThreshold : 0,
        };
        if (dest.forwarding === 'tunnel') copy.tunnel = canonicalTunnel(dest.tunnel);
        return copy;
      }),
    };
  });
  return {
    services,
    timeouts: options.settings ? state.timeouts : null,
    syncDaemons: options.settings ? state.syncDaemons : [],
    hostSettings: [],
  };
}

/** Tunnel options as parseRules() returns them for an -i destination. */
export function canonicalTunnel(tunnel: TunnelOptions | undefined): TunnelOptions {
  const type = tunnel?.type ?? 'ipip';
  const checksum = tunnel?.checksum ?? 'nocsum';
  if (type === 'gue') return { type, port: tunnel?.port ?? 0, checksum };
  if (type === 'gre') return { type, checksum };
  return { type };
}
