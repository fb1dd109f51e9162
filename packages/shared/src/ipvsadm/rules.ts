// parseRules(): run ipvsadm rule lines (the `ipvsadm -R` / `-S` language and
// the command lines operators type) against an empty table, the way ipvsadm
// and the kernel would, and return the resulting table. Semantics follow
// ipvsadm.c process_options() (defaults, implied ports, option checks) and
// the kernel's ip_vs_ctl.c (already exists / not defined / threshold order).
import {
  DEFAULT_PERSISTENCE_TIMEOUT,
  SCHEDULERS,
  type DesiredState,
  type Destination,
  type ForwardingMethod,
  type Persistence,
  type SchedFlag,
  type SchedulerName,
  type Service,
  type ServiceKey,
  type SyncDaemon,
  type Timeouts,
  type TunnelOptions,
} from '../model/ipvs';
import { ipv4MaskPrefix, type AddressFamily } from '../model/address';
import { serviceLabel } from '../model/keys';
import type { Issue } from '../model/errors';
import { describedText, isMessageId, nestedParams, wordParam, type MessageId, type MessageParams } from '../model/messages';
import { EndpointReader, decimal, fastIpv4, parseAddress, parseEndpoint } from './endpoint';
import { checkCommandOptions, optionIndex, scanTokens, type GivenOption, type ScannedLine } from './options';
import { isProgramName, tokenizeLine } from './tokens';

/** ipvsadm.c MAX_TIMEOUT: 31 days. */
export const MAX_TIMEOUT = 86400 * 31;
/** `-p` without a value (see the model's DEFAULT_PERSISTENCE_TIMEOUT). */
export const IPVSADM_DEFAULT_PERSISTENCE = DEFAULT_PERSISTENCE_TIMEOUT;
/** ipvsadm.c DEF_MCAST_IFN. */
export const DEFAULT_MCAST_INTERFACE = 'eth0';

export type RuleEventKind = 'list' | 'save' | 'zero' | 'set-timeouts' | 'start-daemon' | 'stop-daemon' | 'restore' | 'help' | 'version';

/** A recognised line that is not a table rule, or a setting it changed. */
export interface RuleEvent {
  /** 1-based line number. */
  line: number;
  kind: RuleEventKind;
  /** The line as written, without its comment. */
  text: string;
  /** What the line does, for a person. */
  detail: string;
  /** The service a list or zero line names, if any. */
  service?: ServiceKey;
}

export interface ParseRulesOptions {
  /**
   * 'operator' (default): a hand-written command file; refuses mistakes ipvsadm
   * would silently rewrite (an explicit DR/TUN port that differs from the
   * service port). 'kernel': text printed by `ipvsadm -Sn`, which describes
   * what the kernel holds and must always be accepted as such.
   */
  origin?: 'operator' | 'kernel';
  /**
   * Schedulers the target kernel has (default: all 14 of the model). The
   * kernel refuses others ("Scheduler or persistence engine not found"),
   * e.g. Linux 6.1 has no twos.
   */
  schedulers?: readonly string[];
  /**
   * The table the lines run against (default: empty). A paste in merge mode
   * runs on the live desired state, as a shell would on the live kernel.
   */
  base?: DesiredState;
  /**
   * A pasted write-up rather than a script: a service defined again by a
   * later line starts over (the author rebuilt it), and an `-a` repeated
   * word for word is skipped; both leave a warning. Lines against `base`
   * stay strict.
   */
  transcript?: boolean;
}

export interface ParseRulesResult {
  ok: boolean;
  /** The table after the lines ran; lines with errors changed nothing (as in ipvsadm -R). */
  state: DesiredState;
  events: RuleEvent[];
  /** `line N` + message; empty when ok. */
  errors: Issue[];
  /** Accepted but worth knowing (e.g. -M without -p has no effect). */
  warnings: Issue[];
}

const PROTOCOL_OF_VARIANT = { tcp: 'tcp', udp: 'udp', sctp: 'sctp' } as const;
const SCHEDULER_SET = new Set<string>(SCHEDULERS);
const FORWARDING_OF_VARIANT: Record<string, ForwardingMethod> = { masq: 'masq', route: 'route', tunnel: 'tunnel' };

const OPT = {
  service: optionIndex('service'),
  scheduler: optionIndex('scheduler'),
  persistent: optionIndex('persistent'),
  netmask: optionIndex('netmask'),
  realServer: optionIndex('real-server'),
  forwarding: optionIndex('forwarding'),
  weight: optionIndex('weight'),
  upper: optionIndex('u-threshold'),
  lower: optionIndex('l-threshold'),
  numeric: optionIndex('numeric'),
  connection: optionIndex('connection'),
  mcastInterface: optionIndex('mcast-interface'),
  syncid: optionIndex('syncid'),
  timeout: optionIndex('timeout'),
  daemon: optionIndex('daemon'),
  stats: optionIndex('stats'),
  rate: optionIndex('rate'),
  thresholds: optionIndex('thresholds'),
  persistentConn: optionIndex('persistent-conn'),
  exact: optionIndex('exact'),
  ipv6: optionIndex('ipv6'),
  ops: optionIndex('ops'),
  pe: optionIndex('pe'),
  schedFlags: optionIndex('sched-flags'),
  mcastGroup: optionIndex('mcast-group'),
  mcastPort: optionIndex('mcast-port'),
  mcastTtl: optionIndex('mcast-ttl'),
  syncMaxlen: optionIndex('sync-maxlen'),
  tunInfo: optionIndex('tun-info'),
  tunType: optionIndex('tun-type'),
  tunPort: optionIndex('tun-port'),
  tunNocsum: optionIndex('tun-nocsum'),
  tunCsum: optionIndex('tun-csum'),
  tunRemcsum: optionIndex('tun-remcsum'),
} as const;

/** Words said by message id, or only in English (a text from elsewhere without an id). */
type Said = { message: string; messageId?: MessageId; params?: MessageParams };

/** A refused line, said by message id (the console translates it; the CLI and the API show the English text). */
class LineError extends Error {
  constructor(readonly said: Said) {
    super(said.message);
  }
}

function fail(id: MessageId, params: MessageParams = {}): never {
  throw new LineError(describedText(id, params));
}

/** Refuse a line for a reason said elsewhere (an address, the option scanner). */
function failWith(said: Said): never {
  throw new LineError(said);
}

/** A whole number in min..max, or a message naming what it is: a message id, or an option as spelled (syncid). */
function numberIn(text: string | undefined, what: string, min: number, max: number): number {
  const value = decimal(text ?? '');
  const whatSaid = isMessageId(what) ? describedText(what) : { message: what };
  if (value < 0) fail('ipvsNotNumber', nestedParams('what', whatSaid, { value: text ?? '' }));
  if (value < min || value > max) fail('ipvsOutOfRange', nestedParams('what', whatSaid, { value, min, max }));
  return value;
}

interface ServiceSlot {
  service: Service;
  family: AddressFamily;
  /** Built once a service has many destinations; keys are `address port`. */
  index: Map<string, Destination> | null;
}

const INDEX_THRESHOLD = 16;

function destKey(address: string, port: number): string {
  return `${address} ${port}`;
}

function findDest(slot: ServiceSlot, address: string, port: number): Destination | undefined {
  if (slot.index) return slot.index.get(destKey(address, port));
  const list = slot.service.destinations;
  for (let i = 0; i < list.length; i++) {
    const dest = list[i] as Destination;
    if (dest.port === port && dest.address === address) return dest;
  }
  return undefined;
}

function slotKey(key: ServiceKey): string {
  return key.kind === 'fwmark' ? `f ${key.fwmark} ${key.family}` : `${key.protocol} ${key.address} ${key.port}`;
}

/** Flag bits (IP_VS_SVC_F_SCHED1..3) and their names, per scheduler (print_sched_flags()). */
const FLAG_BITS: Record<SchedFlag, number> = {
  'flag-1': 1,
  'flag-2': 2,
  'flag-3': 4,
  'sh-fallback': 1,
  'sh-port': 2,
  'mh-fallback': 1,
  'mh-port': 2,
};

export function flagNamesFor(scheduler: string, bits: number): SchedFlag[] {
  const names: SchedFlag[] = [];
  if (scheduler === 'sh') {
    if (bits & 1) names.push('sh-fallback');
    if (bits & 2) names.push('sh-port');
  } else if (scheduler === 'mh') {
    if (bits & 1) names.push('mh-fallback');
    if (bits & 2) names.push('mh-port');
  } else {
    if (bits & 1) names.push('flag-1');
    if (bits & 2) names.push('flag-2');
    if (bits & 4) names.push('flag-3');
  }
  return names;
}

/** parse_sched_flags(): names are checked against the scheduler (default wlc). */
function parseSchedFlags(text: string, scheduler: string): SchedFlag[] {
  let bits = 0;
  for (const name of text.split(',')) {
    if (name === '') continue;
    if (!(name in FLAG_BITS)) {
      fail('ipvsUnknownFlag', { name });
    }
    const flag = name as SchedFlag;
    const owner = flag.startsWith('sh-') ? 'sh' : flag.startsWith('mh-') ? 'mh' : null;
    if (owner && owner !== scheduler) fail('ipvsFlagOwner', { flag, owner, scheduler });
    if (flag === 'flag-3' && (scheduler === 'sh' || scheduler === 'mh')) {
      // ipvsadm accepts it but print_sched_flags() cannot name it: -S would write a bare "-b".
      fail('ipvsFlag3', { scheduler });
    }
    bits |= FLAG_BITS[flag];
  }
  if (bits === 0) fail('ipvsNoFlag');
  return flagNamesFor(scheduler, bits);
}

function parseNetmask(text: string, family: AddressFamily): number | undefined {
  if (family === 'inet6') {
    const prefix = decimal(text);
    if (prefix < 1 || prefix > 128) fail('ipvsV6Netmask', { value: text });
    return prefix === 128 ? undefined : prefix;
  }
  const parsed = parseAddress(text);
  if (!parsed.ok || parsed.family !== 'inet') fail('ipvsV4Netmask', { value: text });
  const prefix = ipv4MaskPrefix(parsed.address);
  if (prefix === null) fail('ipvsNetmaskGaps', { value: text });
  return prefix === 32 ? undefined : prefix;
}

function isMulticast(address: string, family: AddressFamily): boolean {
  if (family === 'inet6') return address.toLowerCase().startsWith('ff');
  const first = Number(address.slice(0, address.indexOf('.')));
  return first >= 224 && first <= 239;
}

const INTERFACE_NAME = /^[A-Za-z0-9_.:@-]{1,15}$/;

export class RuleInterpreter {
  private readonly slots = new Map<string, ServiceSlot>();
  private timeouts: Timeouts | null = null;
  private daemons: SyncDaemon[] = [];
  readonly events: RuleEvent[] = [];
  readonly errors: Issue[] = [];
  readonly warnings: Issue[] = [];
  private lineNumber = 0;
  /** Tokens of the current line, joined only when an event needs the text. */
  private lineTokens: string[] = [];
  // -Sn repeats one service token on every -a line: remember the last parse.
  private lastServiceText = '';
  private lastServiceVariant = '';
  private lastServiceIpv6 = false;
  private lastServiceKey: ServiceKey | null = null;
  private lastServiceId = '';
  /** The slot of lastServiceKey, while it is known to exist. */
  private lastSlot: ServiceSlot | null = null;
  private readonly endpoint = new EndpointReader();

  private readonly schedulers: ReadonlySet<string>;
  /** transcript mode: service id -> line that added it; destination lines added by this text. */
  private readonly addedOnLine = new Map<string, number>();
  private readonly addedServerLines = new Map<string, number>();

  constructor(
    private readonly origin: 'operator' | 'kernel' = 'operator',
    schedulers: readonly string[] = SCHEDULERS,
    private readonly transcript = false,
  ) {
    this.schedulers = new Set(schedulers);
  }

  /** Start from an existing table (copied: the caller's state is never changed). */
  load(state: DesiredState): void {
    for (const service of state.services) {
      const copy: Service = { ...service, flags: [...service.flags], destinations: service.destinations.map((d) => ({ ...d })) };
      if (service.persistence) copy.persistence = { ...service.persistence };
      const family: AddressFamily = service.key.kind === 'fwmark' ? service.key.family : service.key.address.includes(':') ? 'inet6' : 'inet';
      const slot: ServiceSlot = { service: copy, family, index: null };
      if (copy.destinations.length > INDEX_THRESHOLD) slot.index = new Map(copy.destinations.map((d) => [destKey(d.address, d.port), d]));
      this.slots.set(slotKey(service.key), slot);
    }
    this.timeouts = state.timeouts ? { ...state.timeouts } : null;
    this.daemons = state.syncDaemons.map((d) => ({ ...d }));
  }

  run(text: string): void {
    let start = 0;
    let number = 0;
    const n = text.length;
    while (start <= n) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = n;
      number++;
      if (end > start && !this.fastServerText(text, start, end, number)) this.runLine(text.slice(start, end), number);
      start = end + 1;
    }
  }

  /**
   * The hot path of -Sn text: an `-a <svc> -r <v4:port> -g|-m|-i -w <n>
   * [--tun-type ipip]` line read in place, without slicing the line or
   * tokenizing it. Anything else (other shapes, IPv6, odd values) returns
   * false before changing anything, and the general path reads the line.
   */
  private fastServerText(text: string, start: number, end: number, number: number): boolean {
    if (end - start < 24 || text.charCodeAt(start) !== 45 || text.charCodeAt(start + 1) !== 97 || text.charCodeAt(start + 2) !== 32) return false;
    let p = start + 3;
    if (text.charCodeAt(p) !== 45) return false;
    const letter = text.charCodeAt(p + 1);
    const variant = letter === 116 ? 'tcp' : letter === 117 ? 'udp' : letter === 102 ? 'fwmark' : '';
    if (variant === '' || text.charCodeAt(p + 2) !== 32) return false;
    p += 3;
    const serviceEnd = text.indexOf(' ', p);
    if (serviceEnd < 0 || serviceEnd >= end || serviceEnd === p || text.charCodeAt(p) === 45) return false;
    const serviceStart = p;
    p = serviceEnd + 1;
    let ipv6Spelled: string | undefined;
    if (variant === 'fwmark' && text.charCodeAt(p) === 45 && text.charCodeAt(p + 1) === 54 && text.charCodeAt(p + 2) === 32) {
      ipv6Spelled = '-6';
      p += 3;
    }
    if (text.charCodeAt(p) !== 45 || text.charCodeAt(p + 1) !== 114 || text.charCodeAt(p + 2) !== 32) return false;
    const destStart = p + 3;
    const destEnd = text.indexOf(' ', destStart);
    if (destEnd < 0 || destEnd + 6 > end) return false;
    // Only IPv4 real servers with a port take this path.
    const colon = text.indexOf(':', destStart);
    if (colon < 0 || colon >= destEnd || !fastIpv4(text, destStart, colon)) return false;
    const destPort = decimal(text, colon + 1, destEnd);
    if (destPort < 0 || destPort > 65535) return false;
    p = destEnd + 1;
    const switchLetter = text.charCodeAt(p + 1);
    const forwarding: ForwardingMethod | null = switchLetter === 109 ? 'masq' : switchLetter === 103 ? 'route' : switchLetter === 105 ? 'tunnel' : null;
    if (forwarding === null || text.charCodeAt(p) !== 45 || text.charCodeAt(p + 2) !== 32) return false;
    p += 3;
    if (text.charCodeAt(p) !== 45 || text.charCodeAt(p + 1) !== 119 || text.charCodeAt(p + 2) !== 32) return false;
    p += 3;
    let weightEnd = text.indexOf(' ', p);
    if (weightEnd < 0 || weightEnd > end) weightEnd = end;
    const weight = decimal(text, p, weightEnd);
    if (weight < 0 || weight > 65535) return false;
    let tunnel: TunnelOptions | undefined;
    if (forwarding === 'tunnel') {
      if (weightEnd !== end && !(end - weightEnd === 16 && text.startsWith(' --tun-type ipip', weightEnd))) return false;
      tunnel = { type: 'ipip' };
    } else if (weightEnd !== end) {
      return false;
    }

    this.lineNumber = number;
    try {
      const serviceText =
        this.lastServiceKey !== null && serviceEnd - serviceStart === this.lastServiceText.length && text.startsWith(this.lastServiceText, serviceStart)
          ? this.lastServiceText
          : text.slice(serviceStart, serviceEnd);
      const key = this.keyFromText(serviceText, variant, ipv6Spelled);
      const slot = this.slotOfLastKey(key);
      const dest: Destination = {
        address: text.slice(destStart, colon),
        port: destPort,
        forwarding,
        weight,
        upperThreshold: 0,
        lowerThreshold: 0,
      };
      this.putServer(true, key, slot, dest, 'inet', tunnel);
    } catch (error) {
      if (error instanceof LineError) this.errors.push({ path: `line ${number}`, ...error.said });
      else throw error;
    }
    return true;
  }

  runLine(line: string, number: number): void {
    const tokens = tokenizeLine(line);
    if (tokens.length === 0) return;
    this.lineNumber = number;
    this.lineTokens = tokens;
    const start = isProgramName(tokens[0] as string) ? 1 : 0;
    try {
      if (tokens.length === start) {
        this.event('list', 'list the whole table');
        return;
      }
      const first = tokens[start] as string;
      if (first.charCodeAt(0) !== 45) fail('ipvsNotIpvsadmLine', { token: first });
      if (this.fastServerLine(tokens, start)) return;
      const scanned = scanTokens(start === 0 ? tokens : tokens.slice(start));
      if (!scanned.ok) failWith(scanned);
      this.apply(scanned.line);
    } catch (error) {
      if (error instanceof LineError) this.errors.push({ path: `line ${number}`, ...error.said });
      else throw error;
    }
  }

  state(): DesiredState {
    const services: Service[] = [];
    for (const slot of this.slots.values()) services.push(slot.service);
    return { services, timeouts: this.timeouts, syncDaemons: this.daemons, hostSettings: [] };
  }

  private event(kind: RuleEventKind, detail: string, service?: ServiceKey): void {
    const event: RuleEvent = { line: this.lineNumber, kind, text: this.lineTokens.join(' '), detail };
    if (service) event.service = service;
    this.events.push(event);
  }

  private warn(id: MessageId, params: MessageParams = {}): void {
    this.warnings.push({ path: `line ${this.lineNumber}`, ...describedText(id, params) });
  }

  private apply(line: ScannedLine): void {
    const { command } = line;
    if (command === 'help' || command === 'version') {
      this.event(command, command === 'help' ? 'print ipvsadm usage' : 'print the ipvsadm version');
      return;
    }
    const problem = checkCommandOptions(line);
    if (problem) failWith(problem);
    if (command !== 'set' && line.positionals.length > 0) fail('ipvsUnexpectedArgument', { value: line.positionals[0] ?? '' });
    switch (command) {
      case 'add-service':
      case 'edit-service':
        this.addOrEditService(line, command === 'add-service');
        return;
      case 'delete-service': {
        const key = this.serviceKey(line);
        const id = slotKey(key);
        if (!this.slots.delete(id)) fail('ipvsServiceUndefined', { service: serviceLabel(key) });
        if (id === this.lastServiceId) this.lastSlot = null;
        return;
      }
      case 'clear':
        this.slots.clear();
        this.addedOnLine.clear();
        this.lastSlot = null;
        return;
      case 'add-server':
      case 'edit-server':
      case 'delete-server':
        this.changeServer(line, command);
        return;
      case 'list':
        this.list(line);
        return;
      case 'zero': {
        if (line.options[OPT.service]) {
          const key = this.serviceKey(line);
          if (!this.slots.has(slotKey(key))) fail('ipvsServiceUndefined', { service: serviceLabel(key) });
          this.event('zero', `zero the counters of ${serviceLabel(key)}`, key);
        } else {
          this.event('zero', 'zero the counters of every service');
        }
        return;
      }
      case 'save':
        this.event('save', 'print the table as rules (ipvsadm -S)');
        return;
      case 'restore':
        this.event('restore', 'read rules from standard input (ipvsadm -R); nothing to run here');
        return;
      case 'set':
        this.setTimeouts(line);
        return;
      case 'start-daemon':
        this.startDaemon(line);
        return;
      case 'stop-daemon':
        this.stopDaemon(line);
        return;
    }
  }

  private serviceKey(line: ScannedLine): ServiceKey {
    const given = line.options[OPT.service] as GivenOption;
    return this.keyFromText(given.value ?? '', given.variant ?? '', line.options[OPT.ipv6]?.spelled);
  }

  private keyFromText(text: string, variant: string, ipv6Spelled: string | undefined): ServiceKey {
    const ipv6 = ipv6Spelled !== undefined;
    if (this.lastServiceKey && text === this.lastServiceText && variant === this.lastServiceVariant && ipv6 === this.lastServiceIpv6) {
      return this.lastServiceKey;
    }
    let key: ServiceKey;
    if (variant === 'fwmark') {
      const mark = decimal(text);
      if (mark < 0) fail('ipvsFwmarkNumber', { value: text });
      if (mark < 1 || mark > 0xffffffff) fail('ipvsFwmarkRange', { value: mark });
      key = { kind: 'fwmark', fwmark: mark, family: ipv6 ? 'inet6' : 'inet' };
    } else {
      if (ipv6) fail('ipvsIpv6OnlyFwmark', { option: ipv6Spelled ?? '-6' });
      const endpoint = parseEndpoint(text);
      if (!endpoint.ok) failWith(endpoint);
      key = {
        kind: 'addr',
        protocol: PROTOCOL_OF_VARIANT[variant as keyof typeof PROTOCOL_OF_VARIANT],
        address: endpoint.value.address,
        port: endpoint.value.port ?? 0,
      };
    }
    this.lastServiceText = text;
    this.lastServiceVariant = variant;
    this.lastServiceIpv6 = ipv6;
    this.lastServiceKey = key;
    this.lastServiceId = slotKey(key);
    this.lastSlot = null;
    return key;
  }

  /** The slot of the service key just parsed, or a "not defined" error. */
  private slotOfLastKey(key: ServiceKey): ServiceSlot {
    if (this.lastSlot) return this.lastSlot;
    const slot = this.slots.get(this.lastServiceId);
    if (!slot) fail('ipvsServiceUndefined', { service: serviceLabel(key) });
    this.lastSlot = slot;
    return slot;
  }

  private addOrEditService(line: ScannedLine, isAdd: boolean): void {
    const key = this.serviceKey(line);
    const family: AddressFamily = key.kind === 'fwmark' ? key.family : key.address.includes(':') ? 'inet6' : 'inet';
    const o = line.options;

    const schedulerText = o[OPT.scheduler]?.value ?? 'wlc';
    if (!SCHEDULER_SET.has(schedulerText)) fail('ipvsUnknownScheduler', { scheduler: schedulerText, schedulers: SCHEDULERS.join(', ') });
    if (!this.schedulers.has(schedulerText)) fail('ipvsKernelNoScheduler', { scheduler: schedulerText });
    const scheduler = schedulerText as SchedulerName;

    let persistence: Persistence | null = null;
    const persistent = o[OPT.persistent];
    if (persistent) {
      const timeout = persistent.value === undefined ? IPVSADM_DEFAULT_PERSISTENCE : numberIn(persistent.value, 'ipvsWhatPersistence', 1, MAX_TIMEOUT);
      persistence = { timeout };
    }
    const netmask = o[OPT.netmask];
    if (netmask) {
      const prefix = parseNetmask(netmask.value ?? '', family);
      if (persistence) {
        if (prefix !== undefined) persistence.netmaskPrefix = prefix;
      } else {
        this.warn('ipvsNetmaskNoPersistence', { option: netmask.spelled });
      }
    }
    const pe = o[OPT.pe];
    if (pe) {
      if (pe.value !== 'sip') fail('ipvsUnknownPe', { value: pe.value ?? '' });
      if (persistence) {
        persistence.engine = 'sip';
      } else if (this.origin === 'operator') {
        fail('ipvsPeNeedsPersistence', { option: pe.spelled });
      } else {
        // The kernel keeps an engine on a non-persistent service, where it does nothing.
        this.warn('ipvsPeNoPersistence', { option: pe.spelled });
      }
    }
    const onePacket = o[OPT.ops] !== undefined;
    if (onePacket && key.kind === 'addr' && key.protocol !== 'udp') {
      fail('ipvsOpsUdp');
    }
    const flagsText = o[OPT.schedFlags]?.value;
    const flags = flagsText === undefined ? [] : parseSchedFlags(flagsText, scheduler);
    if (key.kind === 'addr' && key.port === 0 && !persistence) {
      fail('ipvsPortZero');
    }

    const id = slotKey(key);
    const existing = this.slots.get(id);
    if (isAdd) {
      const firstLine = this.addedOnLine.get(id);
      if (existing && firstLine !== undefined && this.transcript) {
        this.warn('ipvsDefinedAgain', { service: serviceLabel(key), line: firstLine });
      } else if (existing) {
        fail('ipvsServiceExists', { service: serviceLabel(key) });
      }
      if (this.transcript) this.addedOnLine.set(id, this.lineNumber);
      if (id === this.lastServiceId) this.lastSlot = null;
      this.slots.set(id, {
        service: { key, scheduler, flags, persistence, onePacket, destinations: [] },
        family,
        index: null,
      });
      return;
    }
    if (!existing) fail('ipvsServiceUndefined', { service: serviceLabel(key) });
    // -E replaces every service setting: what the line omits returns to ipvsadm's default.
    const service = existing.service;
    service.scheduler = scheduler;
    service.flags = flags;
    service.persistence = persistence;
    service.onePacket = onePacket;
  }

  private changeServer(line: ScannedLine, command: 'add-server' | 'edit-server' | 'delete-server'): void {
    const key = this.serviceKey(line);
    const slot = this.slotOfLastKey(key);
    const o = line.options;
    const real = o[OPT.realServer] as GivenOption;
    const problem = this.endpoint.read(real.value ?? '');
    if (problem !== null) failWith(problem);
    const { address, family } = this.endpoint;
    const port = this.endpoint.port ?? (key.kind === 'addr' ? key.port : 0);

    if (command === 'delete-server') {
      this.removeDest(slot, key, address, port);
      return;
    }
    const forwarding = FORWARDING_OF_VARIANT[o[OPT.forwarding]?.variant ?? 'route'] ?? 'route';
    const weight = o[OPT.weight] ? numberIn(o[OPT.weight]?.value, 'ipvsWhatWeight', 0, 65535) : 1;
    const upperThreshold = o[OPT.upper] ? numberIn(o[OPT.upper]?.value, 'ipvsWhatUpper', 0, 65535) : 0;
    const lowerThreshold = o[OPT.lower] ? numberIn(o[OPT.lower]?.value, 'ipvsWhatLower', 0, 65535) : 0;
    const dest: Destination = { address, port, forwarding, weight, upperThreshold, lowerThreshold };
    this.putServer(command === 'add-server', key, slot, dest, family, this.tunnelOptions(line, forwarding));
  }

  /**
   * The `-a <svc> -r <addr:port> -g|-m|-i -w <n> [--tun-type ipip]` lines that
   * make up almost all of a -Sn text, read without the general scanner. Any
   * other shape returns false and takes the general path; both apply the same
   * checks through putServer().
   */
  private fastServerLine(tokens: string[], start: number): boolean {
    const n = tokens.length;
    if (n - start < 8 || tokens[start] !== '-a') return false;
    let i = start + 1;
    const option = tokens[i];
    const variant = option === '-t' ? 'tcp' : option === '-u' ? 'udp' : option === '-f' ? 'fwmark' : option === '--sctp-service' ? 'sctp' : '';
    if (variant === '') return false;
    const serviceText = tokens[i + 1] as string;
    i += 2;
    let ipv6Spelled: string | undefined;
    if (variant === 'fwmark' && tokens[i] === '-6') {
      ipv6Spelled = '-6';
      i++;
    }
    if (tokens[i] !== '-r' || i + 4 >= n) return false;
    const destText = tokens[i + 1] as string;
    const switchText = tokens[i + 2];
    const forwarding: ForwardingMethod | null = switchText === '-m' ? 'masq' : switchText === '-g' ? 'route' : switchText === '-i' ? 'tunnel' : null;
    if (forwarding === null || tokens[i + 3] !== '-w') return false;
    const weightText = tokens[i + 4] as string;
    i += 5;
    let tunnel: TunnelOptions | undefined;
    if (forwarding === 'tunnel') {
      if (i + 2 === n && tokens[i] === '--tun-type' && tokens[i + 1] === 'ipip') i += 2;
      if (i !== n) return false;
      tunnel = { type: 'ipip' };
    }
    if (i !== n || destText.charCodeAt(0) === 45 || serviceText.charCodeAt(0) === 45) return false;

    const key = this.keyFromText(serviceText, variant, ipv6Spelled);
    const slot = this.slotOfLastKey(key);
    const problem = this.endpoint.read(destText);
    if (problem !== null) failWith(problem);
    const { address, family } = this.endpoint;
    const port = this.endpoint.port ?? (key.kind === 'addr' ? key.port : 0);
    const weight = numberIn(weightText, 'ipvsWhatWeight', 0, 65535);
    const dest: Destination = { address, port, forwarding, weight, upperThreshold: 0, lowerThreshold: 0 };
    this.putServer(true, key, slot, dest, family, tunnel);
    return true;
  }

  /** -a / -e after parsing: the checks of process_options() and ip_vs_add_dest()/ip_vs_edit_dest(). */
  private putServer(isAdd: boolean, key: ServiceKey, slot: ServiceSlot, dest: Destination, family: AddressFamily, tunnel: TunnelOptions | undefined): void {
    const { address, port, forwarding } = dest;
    if (forwarding !== 'masq' && key.kind === 'addr' && port !== key.port && this.origin === 'operator') {
      // ipvsadm silently rewrites the port (process_options); a kernel table made by
      // other tools can still hold such a destination, so -Sn text is taken as it is.
      fail('ipvsDirectPort', { servicePort: key.port, port });
    }
    if (family !== slot.family && forwarding !== 'tunnel') {
      fail('ipvsFamilyMismatch', { address, family: family === 'inet' ? 'IPv4' : 'IPv6', serviceFamily: slot.family === 'inet' ? 'IPv4' : 'IPv6' });
    }
    if (dest.lowerThreshold > dest.upperThreshold) {
      fail('ipvsThresholds', { lower: dest.lowerThreshold, upper: dest.upperThreshold });
    }
    if (tunnel) dest.tunnel = tunnel;

    const existing = findDest(slot, address, port);
    if (isAdd) {
      if (existing && this.transcript && this.repeatsAddedServer(key, dest, existing)) return;
      if (existing) fail('ipvsDestExists', { destination: endpointText(address, port), service: serviceLabel(key) });
      if (this.transcript) this.addedServerLines.set(`${slotKey(key)} ${destKey(address, port)}`, this.lineNumber);
      const list = slot.service.destinations;
      list.push(dest);
      if (slot.index) slot.index.set(destKey(address, port), dest);
      else if (list.length > INDEX_THRESHOLD) slot.index = new Map(list.map((d) => [destKey(d.address, d.port), d]));
      return;
    }
    if (!existing) fail('ipvsDestMissing', { destination: endpointText(address, port), service: serviceLabel(key) });
    // -e, like -E, replaces every setting of the destination.
    const list = slot.service.destinations;
    list[list.indexOf(existing)] = dest;
    if (slot.index) slot.index.set(destKey(address, port), dest);
  }

  /** A transcript's `-a` repeated word for word (a copy-paste slip ipvsadm would refuse): skipped with a warning. */
  private repeatsAddedServer(key: ServiceKey, dest: Destination, existing: Destination): boolean {
    const firstLine = this.addedServerLines.get(`${slotKey(key)} ${destKey(dest.address, dest.port)}`);
    if (firstLine === undefined) return false;
    const same =
      existing.forwarding === dest.forwarding &&
      existing.weight === dest.weight &&
      existing.upperThreshold === dest.upperThreshold &&
      existing.lowerThreshold === dest.lowerThreshold &&
      JSON.stringify(existing.tunnel) === JSON.stringify(dest.tunnel);
    if (!same) return false;
    this.warn('ipvsAddsAgain', { destination: endpointText(dest.address, dest.port), service: serviceLabel(key), line: firstLine });
    return true;
  }

  private removeDest(slot: ServiceSlot, key: ServiceKey, address: string, port: number): void {
    const existing = findDest(slot, address, port);
    if (!existing) fail('ipvsDestMissing', { destination: endpointText(address, port), service: serviceLabel(key) });
    const list = slot.service.destinations;
    list.splice(list.indexOf(existing), 1);
    if (slot.index) slot.index.delete(destKey(address, port));
  }

  /** Tunnel options, checked as process_options() and tunnel_opt_check() do. */
  private tunnelOptions(line: ScannedLine, forwarding: ForwardingMethod): TunnelOptions | undefined {
    const o = line.options;
    const given = [o[OPT.tunType], o[OPT.tunPort], o[OPT.tunNocsum], o[OPT.tunCsum], o[OPT.tunRemcsum]].filter(
      (option): option is GivenOption => option !== undefined,
    );
    if (forwarding !== 'tunnel') {
      if (given[0]) fail('ipvsNeedsTunnel', { option: given[0].spelled });
      return undefined;
    }
    const typeText = o[OPT.tunType]?.value ?? 'ipip';
    if (typeText !== 'ipip' && typeText !== 'gue' && typeText !== 'gre') fail('ipvsTunnelType', { value: typeText });
    const checksums = [o[OPT.tunNocsum], o[OPT.tunCsum], o[OPT.tunRemcsum]].filter((c): c is GivenOption => c !== undefined);
    const portOption = o[OPT.tunPort];
    if (typeText === 'ipip') {
      const stray = portOption ?? checksums[0];
      if (stray) fail('ipvsNotWithTunnel', { option: stray.spelled, type: 'ipip' });
      return { type: 'ipip' };
    }
    if (checksums.length > 1) fail('ipvsConflicts', { option: checksums[1]?.spelled ?? '', other: checksums[0]?.spelled ?? '' });
    const checksum = o[OPT.tunCsum] ? 'csum' : o[OPT.tunRemcsum] ? 'remcsum' : 'nocsum';
    if (typeText === 'gre') {
      if (portOption) fail('ipvsNotWithTunnel', { option: portOption.spelled, type: 'gre' });
      if (checksum === 'remcsum') fail('ipvsNotWithTunnel', { option: o[OPT.tunRemcsum]?.spelled ?? '--tun-remcsum', type: 'gre' });
      return { type: 'gre', checksum };
    }
    if (!portOption) fail('ipvsGueNeedsPort');
    const port = numberIn(portOption.value, 'ipvsWhatTunnelPort', 1, 65535);
    return { type: 'gue', port, checksum };
  }

  private list(line: ScannedLine): void {
    const o = line.options;
    if ((o[OPT.connection] || o[OPT.timeout] || o[OPT.daemon]) && (o[OPT.stats] || o[OPT.rate] || o[OPT.thresholds])) {
      fail('ipvsListConflict');
    }
    if ((o[OPT.timeout] || o[OPT.daemon]) && o[OPT.persistentConn]) {
      fail('ipvsPersistentConn');
    }
    if (o[OPT.connection]) {
      this.event('list', 'list the connection table (/proc/net/ip_vs_conn)');
    } else if (o[OPT.service]) {
      const key = this.serviceKey(line);
      this.event('list', `list ${serviceLabel(key)}`, key);
    } else if (o[OPT.timeout]) {
      this.event('list', 'list the tcp, tcpfin and udp timeouts');
    } else if (o[OPT.daemon]) {
      this.event('list', 'list the sync daemons');
    } else {
      const extras = ['stats', 'rate', 'thresholds', 'persistent-conn', 'tun-info', 'exact'].filter((name) => o[optionIndex(name as 'stats')] !== undefined);
      this.event('list', `list the whole table${extras.length ? ` (${extras.map((e) => `--${e}`).join(' ')})` : ''}`);
    }
  }

  private setTimeouts(line: ScannedLine): void {
    if (line.positionals.length !== 3) fail('ipvsSetNeeds3');
    const [tcpText, finText, udpText] = line.positionals;
    const tcp = numberIn(tcpText, 'ipvsWhatTcpTimeout', 0, MAX_TIMEOUT);
    const tcpFin = numberIn(finText, 'ipvsWhatTcpFinTimeout', 0, MAX_TIMEOUT);
    const udp = numberIn(udpText, 'ipvsWhatUdpTimeout', 0, MAX_TIMEOUT);
    // 0 keeps the current value (ip_vs_set_timeout only sets non-zero ones).
    const previous = this.timeouts;
    this.timeouts = {
      tcp: tcp || (previous?.tcp ?? 0),
      tcpFin: tcpFin || (previous?.tcpFin ?? 0),
      udp: udp || (previous?.udp ?? 0),
    };
    this.event('set-timeouts', `set timeouts tcp ${tcp}, tcpfin ${tcpFin}, udp ${udp} (0 keeps the current value)`);
  }

  private startDaemon(line: ScannedLine): void {
    const state = line.commandValue;
    if (state !== 'master' && state !== 'backup') fail('ipvsDaemonState', { option: '--start-daemon', value: state ?? '' });
    const o = line.options;
    const iface = o[OPT.mcastInterface]?.value ?? DEFAULT_MCAST_INTERFACE;
    if (!INTERFACE_NAME.test(iface)) fail('ipvsInterfaceName', { value: iface });
    const daemon: SyncDaemon = {
      state,
      interface: iface,
      syncId: o[OPT.syncid] ? numberIn(o[OPT.syncid]?.value, 'syncid', 0, 255) : 0,
    };
    if (o[OPT.syncMaxlen]) daemon.maxLength = numberIn(o[OPT.syncMaxlen]?.value, 'sync-maxlen', 1, 65535 - 20 - 8);
    const group = o[OPT.mcastGroup];
    if (group) {
      const parsed = parseAddress(group.value ?? '');
      if (!parsed.ok) failWith(parsed);
      if (!isMulticast(parsed.address, parsed.family)) fail('ipvsNotMulticast', { address: parsed.address });
      daemon.group = parsed.address;
    }
    if (o[OPT.mcastPort]) daemon.port = numberIn(o[OPT.mcastPort]?.value, 'mcast-port', 1, 65535);
    if (o[OPT.mcastTtl]) daemon.ttl = numberIn(o[OPT.mcastTtl]?.value, 'mcast-ttl', 1, 255);
    if (this.daemons.some((d) => d.state === state)) fail('ipvsDaemonRunning', wordParam('state', state));
    this.daemons = [...this.daemons, daemon];
    this.event('start-daemon', `start the ${state} sync daemon on ${iface}, syncid ${daemon.syncId}`);
  }

  private stopDaemon(line: ScannedLine): void {
    const state = line.commandValue;
    if (state !== 'master' && state !== 'backup') fail('ipvsDaemonState', { option: '--stop-daemon', value: state ?? '' });
    if (!this.daemons.some((d) => d.state === state)) fail('ipvsDaemonNotRunning', wordParam('state', state));
    this.daemons = this.daemons.filter((d) => d.state !== state);
    this.event('stop-daemon', `stop the ${state} sync daemon`);
  }
}

function endpointText(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Run rule lines in order on an empty table. Accepts the restore format
 * (`-A -t ...`, as `ipvsadm -S` writes it) and operator command lines
 * (`ipvsadm -A -t ...`), `#` comments and blank lines. Lines that list,
 * save or zero are reported as events; --set and --start-daemon /
 * --stop-daemon change the state's timeouts and sync daemons.
 */
export function parseRules(text: string, options: ParseRulesOptions = {}): ParseRulesResult {
  const interpreter = new RuleInterpreter(options.origin ?? 'operator', options.schedulers, options.transcript);
  if (options.base) interpreter.load(options.base);
  interpreter.run(text);
  return {
    ok: interpreter.errors.length === 0,
    state: interpreter.state(),
    events: interpreter.events,
    errors: interpreter.errors,
    warnings: interpreter.warnings,
  };
}
