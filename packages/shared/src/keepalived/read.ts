// keepalived.conf -> desired state, with a note for everything that is not
// carried over as it is. Defaults are keepalived 2.2's own (check_data.c
// alloc_vs/alloc_rs/validate_check_config, check_api.c queue_checker, the
// checkers' handlers), applied in the same order, so the imported state means
// what keepalived would have programmed. An error (unbalanced brace, unknown
// block, missing address, a state the model refuses) imports nothing.
import { familyOf, ipv4MaskPrefix, formatEndpoint } from '../model/address';
import { destinationId, serviceLabel } from '../model/keys';
import {
  DEFAULT_PERSISTENCE_TIMEOUT,
  MAX_THRESHOLD,
  SCHEDULERS,
  emptyState,
  type DesiredState,
  type Destination,
  type ForwardingMethod,
  type Persistence,
  type Protocol,
  type SchedFlag,
  type SchedulerName,
  type Service,
  type ServiceKey,
  type SyncDaemon,
  type Timeouts,
  type TunnelOptions,
} from '../model/ipvs';
import { MAX_CHECK_INTERVAL_MS, MIN_CHECK_INTERVAL_MS, type HealthCheck, type ServiceHealth } from '../model/health';
import type { HaConfig } from '../model/ha';
import { serviceVips, validateState } from '../validate';
import { readPair } from './vrrp';
import { describedText, nestedParams, type MessageId, type MessageParams } from '../model/messages';
import { errorNote, parseSyntax, type IncludeResolver, type KeepalivedNote, type SourceRef, type Statement, type SyntaxLimits } from './syntax';
import { expandAddressRange, parseBool, parseHexString, parseTimerMs, parseUnsigned, splitCommandLine, statusRanges } from './values';

export interface ReadOptions {
  /** Reads `include` files; without it an include is an error. */
  resolveInclude?: IncludeResolver;
  limits?: Partial<SyntaxLimits>;
}

export interface ReadResult {
  /** True when there is no error note; the state is then valid (validateState). */
  ok: boolean;
  /** Empty when not ok: nothing is imported. */
  state: DesiredState;
  notes: KeepalivedNote[];
}

/** keepalived's defaults (check_data.h, check_api.c, libipvs.h, ipvswrapper.h). */
export const KEEPALIVED_DEFAULTS = {
  delayLoopMs: 60_000,
  connectTimeoutMs: 5_000,
  retry: 1,
  delayBeforeRetryMs: 1_000,
  httpDelayBeforeRetryMs: 3_000,
  miscRetry: 0,
  dnsRetry: 3,
  persistenceTimeout: DEFAULT_PERSISTENCE_TIMEOUT,
  scheduler: 'wlc' as SchedulerName,
  httpStatus: { min: 200, max: 299 },
  quorum: 1,
  weight: 1,
} as const;

/** At most this many addresses per virtual_server_group range entry, and services in all (groups expand into one each). */
const MAX_RANGE_ADDRESSES = 4096;
const MAX_SERVICES = 100_000;
const MAX_CHECKS = 8;
const LVS_MAX_TIMEOUT = 86400 * 31;

type Method = { forwarding: ForwardingMethod; tunnel?: TunnelOptions };

interface Timing {
  connectTimeoutMs?: number;
  delayLoopMs?: number;
  retry?: number;
  delayBeforeRetryMs?: number;
  warmupMs?: number;
  alpha?: boolean;
}

interface CheckerConf {
  ref: SourceRef;
  type: string;
  timing: Timing;
  connectIp?: string;
  connectPort?: number;
  /** Kind-specific fields, already in the model's terms; null = cannot be represented (warned). */
  build: ((common: CommonCheck) => HealthCheck[]) | null;
  defaultRetry: number;
  defaultDelayBeforeRetryMs: number | 'delay_loop';
}

type CommonCheck = Pick<HealthCheck, 'intervalMs' | 'timeoutMs' | 'rise' | 'fall' | 'warmupMs' | 'target'>;

interface RealServerConf {
  ref: SourceRef;
  address: string;
  port: number | undefined;
  weight?: number;
  method?: Method;
  /** The virtual server's method when the real_server line was read (alloc_rs copies it). */
  methodAtDeclaration?: Method;
  upperThreshold: number;
  lowerThreshold: number;
  inhibit?: boolean;
  timing: Timing;
  virtualhost?: string;
  checkers: CheckerConf[];
}

interface VirtualServerConf {
  ref: SourceRef;
  form: { kind: 'addr'; address: string; port: number } | { kind: 'fwmark'; fwmark: number } | { kind: 'group'; name: string; ref: SourceRef };
  protocol?: Protocol;
  scheduler?: SchedulerName;
  flagWords: Array<{ word: string; ref: SourceRef }>;
  onePacket: boolean;
  method?: Method;
  persistenceTimeout?: number;
  granularity?: { text: string; ref: SourceRef };
  engine?: 'sip';
  quorum: number;
  hysteresis: number;
  sorry?: { address: string; port: number | undefined; method?: Method; ref: SourceRef };
  inhibit: boolean;
  alpha: boolean;
  weight: number;
  family?: 'inet' | 'inet6';
  timing: Timing;
  virtualhost?: string;
  realServers: RealServerConf[];
}

interface GroupEntry {
  ref: SourceRef;
  kind: 'addr' | 'fwmark';
  addresses?: string[];
  port?: number;
  fwmark?: number;
  family?: 'inet' | 'inet6';
}

const IGNORED_ROOTS: Record<string, MessageId> = {
  vrrp_instance: 'kaRootVrrpInstance',
  vrrp_sync_group: 'kaRootVrrpSyncGroup',
  vrrp_script: 'kaRootVrrpScript',
  vrrp_track_process: 'kaRootVrrpTrackProcess',
  vrrp_track_file: 'kaRootVrrpTrackFile',
  track_file: 'kaRootTrackFile',
  track_group: 'kaRootTrackGroup',
  garp_group: 'kaRootGarpGroup',
  static_ipaddress: 'kaRootStaticAddress',
  static_routes: 'kaRootStaticRoutes',
  static_rules: 'kaRootStaticRules',
  SSL: 'kaRootSsl',
  bfd_instance: 'kaRootBfd',
  linkbeat_interfaces: 'kaRootLinkbeat',
  linkbeat_use_polling: 'kaRootLinkbeat',
  net_namespace: 'kaRootNamespace',
  net_namespace_ipvs: 'kaRootNamespace',
  namespace_with_ipsets: 'kaRootNamespace',
  instance: 'kaRootInstance',
  use_pid_dir: 'kaRootProcess',
  child_wait_time: 'kaRootProcess',
  interface_up_down_delays: 'kaRootInterfaceDelays',
};

class Reader {
  readonly notes: KeepalivedNote[] = [];
  private readonly groups = new Map<string, GroupEntry[]>();
  private readonly virtualServers: VirtualServerConf[] = [];
  private timeouts: Timeouts | null = null;
  private syncDaemon: { ref: SourceRef; words: string[] } | null = null;
  private readonly vrrpIds = new Map<string, number>();
  /**
   * Reading one director of a pair (the file parsed with its config-id):
   * vrrp_instance blocks are kept for readPair instead of warned about.
   */
  pairMode = false;
  readonly vrrpInstances: Statement[] = [];
  /** The lvs_sync_daemon line's interface, instance and id, when it names an instance. */
  syncFollows: { interface: string; instance: string; syncId: number } | null = null;
  /** Addresses listed in groups, and services made so far: each bounded by MAX_SERVICES. */
  private groupAddresses = 0;
  private serviceCount = 0;
  /** Where each service came from, for validation errors. */
  readonly serviceRefs: SourceRef[] = [];

  private readonly noted = new Set<string>();

  /** A warning once per place and text (a group's services share their real servers' notes). */
  warn(ref: SourceRef, id: MessageId, params: MessageParams = {}): void {
    const said = describedText(id, params);
    const key = `${ref.file ?? ''}:${ref.line}:${said.message}`;
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.notes.push({ ...place(ref), level: 'warning', ...said });
  }

  error(ref: SourceRef, id: MessageId, params: MessageParams = {}): void {
    this.notes.push(errorNote(place(ref), id, params));
  }

  root(statements: readonly Statement[]): void {
    for (const statement of statements) {
      const keyword = statement.words[0] ?? '';
      if (keyword === 'global_defs') this.globalDefs(statement);
      else if (keyword === 'virtual_server_group') this.group(statement);
      else if (keyword === 'virtual_server') this.virtualServer(statement);
      else if (keyword === 'vrrp_instance' && this.pairMode) {
        this.rememberVrrpId(statement);
        this.vrrpInstances.push(statement);
      } else if (Object.hasOwn(IGNORED_ROOTS, keyword)) {
        if (keyword === 'vrrp_instance') this.rememberVrrpId(statement);
        const reason = IGNORED_ROOTS[keyword] as MessageId;
        const block = `${keyword}${statement.words[1] ? ` ${statement.words[1]}` : ''}`;
        this.warn(statement, 'kaRootIgnored', nestedParams('reason', describedText(reason), { block }));
      } else if (keyword === '') {
        // An orphan `{` was reported by the syntax pass.
      } else {
        this.error(statement, statement.block ? 'importUnknownTopBlock' : 'importUnknownTopKeyword', { keyword });
      }
    }
  }

  private rememberVrrpId(statement: Statement): void {
    const id = statement.block?.find((s) => s.words[0] === 'virtual_router_id');
    const value = parseUnsigned(id?.words[1], 1, 255);
    if (statement.words[1] && value !== null) this.vrrpIds.set(statement.words[1], value);
  }

  private globalDefs(statement: Statement): void {
    const unused: string[] = [];
    for (const s of statement.block ?? []) {
      const keyword = s.words[0] ?? '';
      if (keyword === 'lvs_timeouts') this.lvsTimeouts(s);
      else if (keyword === 'lvs_sync_daemon') {
        if (this.syncDaemon) this.warn(s, 'kaSyncDaemonTwice');
        else this.syncDaemon = { ref: s, words: s.words };
      } else if (keyword === 'lvs_flush' || keyword === 'lvs_flush_onstop') {
        this.warn(s, 'kaFlush', { keyword });
      } else if (keyword === 'router_id' && this.pairMode) {
        // The director's name is its config-id (@NAME); router_id is keepalived's label for it.
      } else if (!unused.includes(keyword)) {
        unused.push(keyword);
      }
    }
    // One note for the block: mail, router ids and VRRP defaults are keepalived's own business.
    if (unused.length) this.warn(statement, 'kaGlobalUnused', { keywords: unused.join(', ') });
  }

  private lvsTimeouts(s: Statement): void {
    if (s.words.length < 3) {
      this.warn(s, 'kaTimeoutsEmpty');
      return;
    }
    // 0 = leave the kernel's value as it is (ipvsadm --set), as keepalived leaves unset values.
    const timeouts: Timeouts = this.timeouts ?? { tcp: 0, tcpFin: 0, udp: 0 };
    const fields = { tcp: 'tcp', tcpfin: 'tcpFin', udp: 'udp' } as const;
    for (let i = 1; i < s.words.length; i++) {
      const word = s.words[i] ?? '';
      const field = fields[word as keyof typeof fields];
      if (!field) {
        this.warn(s, 'kaTimeoutsUnknown', { word });
        continue;
      }
      const value = parseUnsigned(s.words[i + 1], 0, LVS_MAX_TIMEOUT);
      if (value === null) this.warn(s, 'kaTimeoutsValue', { word, value: s.words[i + 1] ?? '', max: LVS_MAX_TIMEOUT });
      else timeouts[field] = value;
      i++;
    }
    this.timeouts = timeouts;
  }

  private group(statement: Statement): void {
    const name = statement.words[1];
    if (!name) {
      this.error(statement, 'importGroupNoName');
      return;
    }
    if (!statement.block) {
      this.error(statement, 'importGroupNoBlock', { name });
      return;
    }
    const entries: GroupEntry[] = [];
    for (const s of statement.block) {
      if (s.block) {
        this.error(s, 'importUnknownBlockIn', { keyword: s.words[0] ?? '', where: `virtual_server_group ${name}` });
        continue;
      }
      if (s.words[0] === 'fwmark') {
        const fwmark = parseUnsigned(s.words[1], 1, 0xffffffff);
        if (fwmark === null) {
          this.error(s, 'importGroupFwmark', { name, value: s.words[1] ?? '' });
          continue;
        }
        const family = s.words[2] === 'inet' || s.words[2] === 'inet6' ? s.words[2] : undefined;
        entries.push({ ref: s, kind: 'fwmark', fwmark, ...(family ? { family } : {}) });
        continue;
      }
      const range = expandAddressRange(s.words[0] ?? '', MAX_RANGE_ADDRESSES);
      if ('error' in range) {
        this.error(s, 'importGroupRange', { name, error: range.error });
        continue;
      }
      const port = s.words[1] === undefined ? 0 : parseUnsigned(s.words[1], 0, 65535);
      if (port === null) {
        this.error(s, 'importGroupPort', { name, value: s.words[1] ?? '' });
        continue;
      }
      this.groupAddresses += range.addresses.length;
      if (this.groupAddresses > MAX_SERVICES) {
        this.error(s, 'importGroupTooMany', { name, max: MAX_SERVICES });
        return;
      }
      entries.push({ ref: s, kind: 'addr', addresses: range.addresses, port, family: range.family });
    }
    if (entries.length === 0 && statement.block.length === 0) this.warn(statement, 'kaGroupEmpty', { name });
    else this.groups.set(name, entries);
  }

  private virtualServer(statement: Statement): void {
    const [, first, second] = statement.words;
    let form: VirtualServerConf['form'];
    if (first === undefined) {
      this.error(statement, 'importVsNoAddress');
      return;
    }
    if (first === 'group') {
      if (!second) {
        this.error(statement, 'importVsGroupNoName');
        return;
      }
      form = { kind: 'group', name: second, ref: statement };
    } else if (first === 'fwmark') {
      const fwmark = parseUnsigned(second, 1, 0xffffffff);
      if (fwmark === null) {
        this.error(statement, 'importVsFwmark', { value: second ?? '' });
        return;
      }
      form = { kind: 'fwmark', fwmark };
    } else {
      const family = familyOf(first);
      const port = second === undefined ? 0 : parseUnsigned(second, 0, 65535);
      if (!family) {
        this.error(statement, 'importVsNotIp', { value: first });
        return;
      }
      if (port === null) {
        this.error(statement, 'importVsPort', { address: first, value: second ?? '' });
        return;
      }
      form = { kind: 'addr', address: first, port };
    }
    if (!statement.block) {
      this.error(statement, 'importVsNoBlock');
      return;
    }
    const vs: VirtualServerConf = {
      ref: statement,
      form,
      flagWords: [],
      onePacket: false,
      quorum: KEEPALIVED_DEFAULTS.quorum,
      hysteresis: 0,
      inhibit: false,
      alpha: false,
      weight: KEEPALIVED_DEFAULTS.weight,
      timing: {},
      realServers: [],
      ...(form.kind === 'addr' ? { family: familyOf(form.address) ?? 'inet' } : {}),
    };
    for (const s of statement.block) this.vsKeyword(vs, s);
    this.virtualServers.push(vs);
  }

  private vsKeyword(vs: VirtualServerConf, s: Statement): void {
    const keyword = s.words[0] ?? '';
    const value = s.words[1];
    if (this.timingKeyword(vs.timing, s, 'virtual_server')) return;
    switch (keyword) {
      case 'lb_algo':
      case 'lvs_sched': {
        if (value && (SCHEDULERS as readonly string[]).includes(value)) vs.scheduler = value as SchedulerName;
        else this.warn(s, 'kaBadSched', { value: value ?? '' });
        return;
      }
      case 'ops':
        vs.onePacket = true;
        return;
      case 'hashed':
      case 'flag-1':
      case 'flag-2':
      case 'flag-3':
      case 'sh-port':
      case 'sh-fallback':
      case 'mh-port':
      case 'mh-fallback':
        this.schedulerFlag(vs, keyword, s);
        return;
      case 'lb_kind':
      case 'lvs_method': {
        const method = this.method(s, 'virtual_server');
        if (method) vs.method = method;
        return;
      }
      case 'persistence_timeout': {
        if (value === undefined) {
          vs.persistenceTimeout = KEEPALIVED_DEFAULTS.persistenceTimeout;
          return;
        }
        const timeout = parseUnsigned(value, 1, LVS_MAX_TIMEOUT);
        if (timeout === null) this.warn(s, 'kaPersistenceTimeout', { value: value ?? '', max: LVS_MAX_TIMEOUT });
        else vs.persistenceTimeout = timeout;
        return;
      }
      case 'persistence_granularity':
        if (value === undefined) this.warn(s, 'kaGranularityMissing');
        else {
          vs.granularity = { text: value, ref: s };
          vs.persistenceTimeout ??= KEEPALIVED_DEFAULTS.persistenceTimeout;
        }
        return;
      case 'persistence_engine':
        if (value === 'sip') vs.engine = 'sip';
        else this.warn(s, 'kaPersistenceEngine', { value: value ?? '' });
        return;
      case 'protocol': {
        const protocol = value?.toLowerCase();
        if (protocol === 'tcp' || protocol === 'udp' || protocol === 'sctp') vs.protocol = protocol;
        else this.warn(s, 'kaProtocol', { value: value ?? '' });
        return;
      }
      case 'ip_family':
        if (value === 'inet' || value === 'inet6') vs.family = value;
        else this.warn(s, 'kaIpFamily', { value: value ?? '' });
        return;
      case 'quorum': {
        const quorum = parseUnsigned(value, 1, 0xffffffff);
        if (quorum === null) this.warn(s, 'kaQuorum', { value: value ?? '' });
        vs.quorum = quorum ?? 1;
        return;
      }
      case 'hysteresis': {
        const hysteresis = parseUnsigned(value, 0, 0xffffffff);
        if (hysteresis === null) this.warn(s, 'kaHysteresis', { value: value ?? '' });
        else vs.hysteresis = hysteresis;
        return;
      }
      case 'weight': {
        const weight = parseUnsigned(value, 1, 65535);
        if (weight === null) this.warn(s, 'kaVsWeight', { value: value ?? '' });
        else vs.weight = weight;
        return;
      }
      case 'inhibit_on_failure':
        vs.inhibit = true;
        return;
      case 'alpha':
        vs.alpha = true;
        return;
      case 'sorry_server': {
        if (value === undefined || !familyOf(value)) {
          this.warn(s, 'kaSorryNoIp', { value: value ?? '' });
          return;
        }
        const port = s.words[2] === undefined ? undefined : parseUnsigned(s.words[2], 0, 65535);
        if (port === null) {
          this.warn(s, 'kaSorryPort', { value: s.words[2] ?? '' });
          return;
        }
        vs.sorry = { address: value, port: port === 0 ? undefined : port, ref: s, ...(vs.method ? { method: vs.method } : {}) };
        return;
      }
      case 'sorry_server_lvs_method': {
        if (!vs.sorry) {
          this.warn(s, 'kaSorryMethodFirst');
          return;
        }
        const method = this.method(s, 'sorry_server');
        if (method) vs.sorry.method = method;
        return;
      }
      case 'sorry_server_inhibit':
        this.warn(s, 'kaSorryInhibit');
        return;
      case 'virtualhost':
        if (value !== undefined) vs.virtualhost = value;
        return;
      case 'real_server':
        this.realServer(vs, s);
        return;
      case 'omega':
      case 'quorum_up':
      case 'quorum_down':
      case 'ha_suspend':
      case 'smtp_alert':
      case 'snmp_name':
        this.warn(s, 'kaNotRepresented', { keyword });
        return;
      default:
        if (s.block) this.error(s, 'importUnknownBlockIn', { keyword, where: 'virtual_server' });
        else this.warn(s, 'kaVsUnknown', { keyword });
    }
  }

  /** Flags resolve against the scheduler set when the flag line is read (keepalived's lbflags_handler). */
  private schedulerFlag(vs: VirtualServerConf, word: string, s: Statement): void {
    if (word.startsWith('flag-')) {
      vs.flagWords.push({ word, ref: s });
      return;
    }
    const scheduler = word.slice(0, 2);
    if (word !== 'hashed' && vs.scheduler === scheduler) vs.flagWords.push({ word, ref: s });
    else this.warn(s, 'kaFlagScheduler', { flag: word, scheduler: word === 'hashed' ? 'sh' : scheduler });
  }

  /** `lvs_method NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]` (svr_forwarding_handler). */
  private method(s: Statement, block: 'virtual_server' | 'sorry_server' | 'real_server'): Method | null {
    const kind = s.words[1];
    const forwarding = kind === 'NAT' ? 'masq' : kind === 'DR' ? 'route' : kind === 'TUN' ? 'tunnel' : null;
    if (!forwarding) {
      this.warn(s, 'kaMethodUnknown', { value: kind ?? '', block });
      return null;
    }
    let type: TunnelOptions['type'] = 'ipip';
    let port = 0;
    let checksum: TunnelOptions['checksum'] = 'nocsum';
    let explicitChecksum = false;
    for (let i = 2; i < s.words.length; i++) {
      const word = s.words[i];
      if (word === 'type') {
        const t = s.words[++i];
        if (t !== 'ipip' && t !== 'gue' && t !== 'gre') {
          this.warn(s, 'kaTunnelType', { value: t ?? '', block });
          return null;
        }
        type = t;
      } else if (word === 'port') {
        const p = parseUnsigned(s.words[++i], 1, 65535);
        if (p === null) {
          this.warn(s, 'kaGuePort', { block });
          return null;
        }
        port = p;
      } else if (word === 'nocsum' || word === 'csum' || word === 'remcsum') {
        checksum = word;
        explicitChecksum = true;
      } else {
        this.warn(s, 'kaTunnelOption', { value: word ?? '', block });
        return null;
      }
    }
    if (forwarding !== 'tunnel') return { forwarding };
    if ((type === 'gue') !== (port !== 0)) {
      this.warn(s, 'kaGueNeedsPort');
      return null;
    }
    if ((type === 'ipip' && checksum !== 'nocsum') || (type === 'gre' && checksum === 'remcsum')) {
      this.warn(s, 'kaTunnelChecksum', { type, checksum });
      return null;
    }
    // Plain `TUN` is ipip without options, as ipvsadm -i writes it: no tunnel block.
    if (type === 'ipip' && !explicitChecksum && s.words.length === 2) return { forwarding };
    const tunnel: TunnelOptions = { type };
    if (port) tunnel.port = port;
    if (explicitChecksum || type !== 'ipip') tunnel.checksum = checksum;
    return { forwarding, tunnel };
  }

  /** connect_timeout, delay_loop, retry, delay_before_retry, warmup, alpha at any level. */
  private timingKeyword(timing: Timing, s: Statement, what: string): boolean {
    const keyword = s.words[0] ?? '';
    const value = s.words[1];
    switch (keyword) {
      case 'connect_timeout':
      case 'delay_loop':
      case 'delay_before_retry':
      case 'warmup': {
        const ms = parseTimerMs(value);
        const min = keyword === 'connect_timeout' || keyword === 'delay_loop' ? 1 : 0;
        if (ms === null || ms < min) {
          this.warn(s, 'kaTimeValue', { what, keyword, value: value ?? '' });
          return true;
        }
        const field = (
          { connect_timeout: 'connectTimeoutMs', delay_loop: 'delayLoopMs', delay_before_retry: 'delayBeforeRetryMs', warmup: 'warmupMs' } as const
        )[keyword];
        timing[field] = ms;
        return true;
      }
      case 'retry':
      case 'nb_get_retry': {
        const retry = parseUnsigned(value, 0, 0xffffffff);
        if (retry === null) this.warn(s, 'kaRetryValue', { what, keyword, value: value ?? '' });
        else timing.retry = retry;
        return true;
      }
      case 'alpha': {
        const alpha = parseBool(value);
        if (alpha === null) this.warn(s, 'kaAlphaValue', { what, value: value ?? '' });
        else timing.alpha = alpha;
        return true;
      }
      default:
        return false;
    }
  }

  private realServer(vs: VirtualServerConf, s: Statement): void {
    const address = s.words[1];
    if (address === undefined || !familyOf(address)) {
      this.error(s, address === undefined ? 'importRsNoIp' : 'importRsNotIp', address === undefined ? {} : { value: address });
      return;
    }
    const port = s.words[2] === undefined ? 0 : parseUnsigned(s.words[2], 0, 65535);
    if (port === null) {
      this.error(s, 'importRsPort', { address, value: s.words[2] ?? '' });
      return;
    }
    const rs: RealServerConf = {
      ref: s,
      address,
      port: port === 0 ? undefined : port,
      upperThreshold: 0,
      lowerThreshold: 0,
      timing: {},
      checkers: [],
      ...(vs.method ? { methodAtDeclaration: vs.method } : {}),
    };
    for (const child of s.block ?? []) this.rsKeyword(vs, rs, child);
    vs.realServers.push(rs);
  }

  private rsKeyword(vs: VirtualServerConf, rs: RealServerConf, s: Statement): void {
    const keyword = s.words[0] ?? '';
    const value = s.words[1];
    if (this.timingKeyword(rs.timing, s, 'real_server')) return;
    switch (keyword) {
      case 'weight': {
        const weight = parseUnsigned(value, 0, 65535);
        if (weight === null) this.warn(s, 'kaRsWeight', { value: value ?? '' });
        else rs.weight = weight;
        return;
      }
      case 'lvs_method':
      case 'lb_kind': {
        const method = this.method(s, 'real_server');
        if (method) rs.method = method;
        return;
      }
      case 'uthreshold':
      case 'lthreshold': {
        const threshold = parseUnsigned(value, 0, 0xffffffff);
        if (threshold === null) {
          this.warn(s, 'kaRsNumber', { keyword, value: value ?? '' });
          return;
        }
        const clamped = Math.min(threshold, MAX_THRESHOLD);
        if (clamped !== threshold) this.warn(s, 'kaThresholdClamped', { keyword, threshold, max: MAX_THRESHOLD });
        if (keyword === 'uthreshold') rs.upperThreshold = clamped;
        else rs.lowerThreshold = clamped;
        return;
      }
      case 'inhibit_on_failure': {
        const inhibit = parseBool(value);
        if (inhibit === null) this.warn(s, 'kaInhibitValue', { value: value ?? '' });
        else rs.inhibit = inhibit;
        return;
      }
      case 'virtualhost':
        if (value !== undefined) rs.virtualhost = value;
        return;
      case 'notify_up':
      case 'notify_down':
        this.warn(s, 'kaScriptNotRun', { keyword });
        return;
      case 'smtp_alert':
      case 'snmp_name':
        this.warn(s, 'kaNotRepresented', { keyword });
        return;
      case 'TCP_CHECK':
      case 'HTTP_GET':
      case 'SSL_GET':
      case 'MISC_CHECK':
      case 'DNS_CHECK':
      case 'UDP_CHECK':
        this.checker(vs, rs, s);
        return;
      case 'SMTP_CHECK':
      case 'BFD_CHECK':
      case 'PING_CHECK':
      case 'FILE_CHECK':
        this.warn(s, 'kaCheckUnsupported', { keyword });
        return;
      default:
        if (s.block) this.error(s, 'importUnknownBlockIn', { keyword, where: 'real_server' });
        else this.warn(s, 'kaRsUnknown', { keyword });
    }
  }

  private checker(vs: VirtualServerConf, rs: RealServerConf, s: Statement): void {
    const type = s.words[0] ?? '';
    const checker: CheckerConf = {
      ref: s,
      type,
      timing: {},
      build: null,
      defaultRetry: KEEPALIVED_DEFAULTS.retry,
      defaultDelayBeforeRetryMs: KEEPALIVED_DEFAULTS.delayBeforeRetryMs,
    };
    const rest: Statement[] = [];
    const connectionKeywords = type !== 'MISC_CHECK';
    for (const child of s.block ?? []) {
      const keyword = child.words[0] ?? '';
      if (this.timingKeyword(checker.timing, child, type)) {
        if (keyword === 'connect_timeout' && !connectionKeywords) this.warn(child, 'kaMiscConnectTimeout');
        if (keyword === 'nb_get_retry' && type !== 'HTTP_GET' && type !== 'SSL_GET') this.warn(child, 'kaNbGetRetry');
        continue;
      }
      if (connectionKeywords && keyword === 'connect_ip') {
        if (child.words[1] && familyOf(child.words[1])) checker.connectIp = child.words[1];
        else this.warn(child, 'kaConnectIp', { value: child.words[1] ?? '' });
        continue;
      }
      if (connectionKeywords && keyword === 'connect_port') {
        const port = parseUnsigned(child.words[1], 1, 65535);
        if (port === null) this.warn(child, 'kaConnectPort', { value: child.words[1] ?? '' });
        else checker.connectPort = port;
        continue;
      }
      if (['bindto', 'bind_port', 'bind_if', 'fwmark', 'log_all_failures'].includes(keyword) && connectionKeywords) {
        this.warn(child, 'kaCheckSource', { type, keyword });
        continue;
      }
      rest.push(child);
    }
    if (type === 'TCP_CHECK') {
      for (const child of rest) this.unknownCheckerKeyword(type, child);
      checker.build = (common) => [{ kind: 'tcp', ...common }];
    } else if (type === 'HTTP_GET' || type === 'SSL_GET') {
      checker.defaultDelayBeforeRetryMs = KEEPALIVED_DEFAULTS.httpDelayBeforeRetryMs;
      checker.build = this.httpChecker(vs, rs, type, s, rest);
    } else if (type === 'MISC_CHECK') {
      checker.defaultRetry = KEEPALIVED_DEFAULTS.miscRetry;
      checker.build = this.miscChecker(s, rest);
    } else if (type === 'DNS_CHECK') {
      checker.defaultRetry = KEEPALIVED_DEFAULTS.dnsRetry;
      checker.defaultDelayBeforeRetryMs = 'delay_loop';
      checker.build = this.dnsChecker(s, rest);
    } else if (type === 'UDP_CHECK') {
      checker.build = this.udpChecker(s, rest);
    }
    if (checker.build) rs.checkers.push(checker);
  }

  private unknownCheckerKeyword(type: string, s: Statement): void {
    if (s.block) this.error(s, 'importUnknownBlockIn', { keyword: s.words[0] ?? '', where: type });
    else this.warn(s, 'kaCheckNotRepresented', { type, keyword: s.words[0] ?? '' });
  }

  private httpChecker(vs: VirtualServerConf, rs: RealServerConf, type: string, s: Statement, rest: Statement[]): CheckerConf['build'] {
    const kind = type === 'SSL_GET' ? 'https' : 'http';
    let checkerHost: string | undefined;
    const urls: Array<{ path: string; expectStatus: Array<{ min: number; max: number }>; host?: string; bodyMatch?: { kind: 'regex'; text: string } }> = [];
    for (const child of rest) {
      const keyword = child.words[0] ?? '';
      if (keyword === 'virtualhost') {
        checkerHost = child.words[1];
      } else if (keyword === 'url') {
        const url = this.url(child, type);
        if (url) urls.push(url);
      } else if (keyword === 'http_protocol' || keyword === 'fast_recovery' || keyword === 'enable_sni') {
        if (keyword === 'enable_sni' && kind === 'https') continue; // the console sends SNI whenever there is a host name
        this.warn(child, 'kaCheckNotRepresented', { type, keyword });
      } else this.unknownCheckerKeyword(type, child);
    }
    if (urls.length === 0) {
      this.warn(s, 'kaNoUrl', { type });
      return null;
    }
    const host = checkerHost ?? rs.virtualhost ?? vs.virtualhost;
    const hostOk = host === undefined || /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(:\d{1,5})?$/.test(host);
    if (!hostOk) this.warn(s, 'kaVirtualhost', { value: host ?? '' });
    // Each url is checked in turn and all must pass: one check per url.
    return (common) =>
      urls.map((url) => {
        const urlHost = url.host ?? (hostOk ? host : undefined);
        const check = {
          kind,
          ...common,
          path: url.path,
          expectStatus: url.expectStatus,
          ...(urlHost ? { host: urlHost } : {}),
          ...(url.bodyMatch ? { bodyMatch: url.bodyMatch } : {}),
        };
        return kind === 'https' ? { ...check, kind: 'https' as const, verifyTls: false } : { ...check, kind: 'http' as const };
      });
  }

  private url(
    s: Statement,
    type: string,
  ): { path: string; expectStatus: Array<{ min: number; max: number }>; host?: string; bodyMatch?: { kind: 'regex'; text: string } } | null {
    let path: string | undefined;
    const codes = new Set<number>();
    let host: string | undefined;
    let regex: string | undefined;
    for (const child of s.block ?? []) {
      const keyword = child.words[0] ?? '';
      if (keyword === 'path') path = child.words[1];
      else if (keyword === 'status_code') {
        for (const word of child.words.slice(1)) {
          const match = /^(\d+)(?:-(\d+))?$/.exec(word);
          const min = Number(match?.[1]);
          const max = match?.[2] === undefined ? min : Number(match[2]);
          if (!match || min < 100 || max > 599 || min > max) {
            this.warn(child, 'kaHttpStatus', { value: word });
            continue;
          }
          for (let code = min; code <= max; code++) codes.add(code);
        }
      } else if (keyword === 'digest') {
        this.warn(child, 'kaDigest', { type });
      } else if (keyword === 'virtualhost') host = child.words[1];
      else if (keyword === 'regex') regex = child.words[1];
      else if (keyword.startsWith('regex_')) this.warn(child, 'kaRegexOption', { keyword });
      else this.unknownCheckerKeyword('url', child);
    }
    if (path === undefined) {
      this.warn(s, 'kaUrlNoPath', { type });
      return null;
    }
    if (!/^\/[^\s]*$/.test(path) || path.length > 2048) {
      this.warn(s, 'kaUrlPath', { type, path });
      return null;
    }
    if (codes.size === 0) for (let code = KEEPALIVED_DEFAULTS.httpStatus.min; code <= KEEPALIVED_DEFAULTS.httpStatus.max; code++) codes.add(code);
    const expectStatus = statusRanges(codes);
    if (expectStatus.length > 16) {
      this.warn(s, 'kaUrlStatusRanges', { type, ranges: expectStatus.length });
      return null;
    }
    let bodyMatch: { kind: 'regex'; text: string } | undefined;
    if (regex !== undefined) {
      try {
        new RegExp(regex);
        bodyMatch = { kind: 'regex', text: regex };
      } catch {
        this.warn(s, 'kaRegexPcre', { regex });
      }
    }
    return { path, expectStatus, ...(host ? { host } : {}), ...(bodyMatch ? { bodyMatch } : {}) };
  }

  private miscChecker(s: Statement, rest: Statement[]): CheckerConf['build'] {
    let argv: string[] | null = null;
    let timeoutMs: number | undefined;
    let dynamicWeight = false;
    for (const child of rest) {
      const keyword = child.words[0] ?? '';
      if (keyword === 'misc_path') {
        // keepalived takes the first word (quotes removed) and splits it again into argv.
        argv = splitCommandLine(child.words[1] ?? '');
        if (child.words.length > 2) this.warn(child, 'kaMiscPathWords');
        if (!argv || argv.length === 0) this.warn(child, 'kaMiscPathEmpty');
      } else if (keyword === 'misc_timeout') {
        const seconds = parseUnsigned(child.words[1], 0, 4294);
        if (seconds === null) this.warn(child, 'kaMiscTimeout', { value: child.words[1] ?? '' });
        else if (seconds > 0) timeoutMs = seconds * 1000;
      } else if (keyword === 'misc_dynamic') dynamicWeight = true;
      else if (keyword === 'user') this.warn(child, 'kaMiscUser');
      else this.unknownCheckerKeyword('MISC_CHECK', child);
    }
    if (!argv || argv.length === 0) {
      this.warn(s, 'kaMiscNoPath');
      return null;
    }
    const [program = '', ...args] = argv;
    const base = program.slice(program.lastIndexOf('/') + 1);
    if (
      !program.startsWith('/') ||
      program.split('/').includes('..') ||
      ['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'ash', 'busybox', 'env'].includes(base)
    ) {
      this.warn(s, 'kaMiscProgram', { program });
      return null;
    }
    this.warn(s, 'kaMiscCommand', { program });
    return (common) => {
      // misc_timeout unset: keepalived lets the script run for the whole delay_loop.
      const timeout = Math.min(timeoutMs ?? common.intervalMs - 1, common.intervalMs - 1);
      return [{ kind: 'command', ...common, timeoutMs: timeout, program, args, expectExitCode: 0, dynamicWeight }];
    };
  }

  private dnsChecker(s: Statement, rest: Statement[]): CheckerConf['build'] {
    let type = 'SOA';
    let name = '.';
    for (const child of rest) {
      const keyword = child.words[0] ?? '';
      if (keyword === 'type') type = (child.words[1] ?? '').toUpperCase();
      else if (keyword === 'name') {
        const given = child.words[1] ?? '';
        if (hasEmptyLabel(given)) this.warn(child, 'kaDnsEmptyLabel', { value: given });
        else name = given;
      } else this.unknownCheckerKeyword('DNS_CHECK', child);
    }
    if (type !== 'A' && type !== 'AAAA') {
      this.warn(s, 'kaDnsType', { type });
      return null;
    }
    if (name === '.' || !/^([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$/.test(name)) {
      this.warn(s, 'kaDnsName', { value: name });
      return null;
    }
    return (common) => [{ kind: 'dns', ...common, name, recordType: type }];
  }

  private udpChecker(s: Statement, rest: Statement[]): CheckerConf['build'] {
    let payload = '';
    let requireReply = false;
    let expect: string | undefined;
    for (const child of rest) {
      const keyword = child.words[0] ?? '';
      if (keyword === 'payload') {
        const hex = parseHexString(child.words.slice(1));
        if (!hex || hex.wildcard) this.warn(child, 'kaUdpPayload');
        else payload = hex.hex;
      } else if (keyword === 'require_reply') {
        requireReply = true;
        if (child.words.length > 1) {
          const hex = parseHexString(child.words.slice(1));
          if (!hex) this.warn(child, 'kaRequireReplyHex');
          else if (hex.wildcard) this.warn(child, 'kaRequireReplyWildcard');
          else expect = hex.hex;
        }
      } else if (keyword === 'min_reply_length' || keyword === 'max_reply_length') {
        this.warn(child, 'kaCheckNotRepresented', { type: 'UDP_CHECK', keyword });
      } else this.unknownCheckerKeyword('UDP_CHECK', child);
    }
    if (payload === '') this.warn(s, 'kaUdpNoPayload');
    if (payload.length > 4096 || (expect?.length ?? 0) > 4096) {
      this.warn(s, 'kaUdpPayloadLong');
      return null;
    }
    return (common) => [
      {
        kind: 'udp',
        ...common,
        payload: { encoding: 'hex', text: payload },
        requireReply,
        ...(expect !== undefined ? { expect: { encoding: 'hex' as const, text: expect } } : {}),
      },
    ];
  }

  // -------------------------------------------------------------------------
  // Resolution into services, as validate_check_config does.

  build(): DesiredState {
    const state = emptyState();
    state.timeouts = this.timeouts;
    state.syncDaemons = this.syncDaemons();
    for (const vs of this.virtualServers) {
      for (const service of this.services(vs)) {
        state.services.push(service);
        this.serviceRefs.push(vs.ref);
      }
    }
    return state;
  }

  private syncDaemons(): SyncDaemon[] {
    if (!this.syncDaemon) return [];
    const { ref, words } = this.syncDaemon;
    const iface = words[1];
    if (!iface || !/^[A-Za-z0-9_.:@-]{1,15}$/.test(iface)) {
      this.warn(ref, 'kaSyncInterface', { value: iface ?? '' });
      return [];
    }
    const extra: Partial<SyncDaemon> = {};
    let instance: string | undefined;
    let syncId: number | undefined;
    for (let i = 2; i < words.length; i++) {
      const word = words[i];
      const value = words[i + 1];
      if (word === 'inst') instance = value;
      else if (word === 'id') syncId = parseUnsigned(value, 0, 255) ?? undefined;
      else if (word === 'maxlen') extra.maxLength = parseUnsigned(value, 1, 65535 - 28) ?? undefined;
      else if (word === 'port') extra.port = parseUnsigned(value, 1, 65535) ?? undefined;
      else if (word === 'ttl') extra.ttl = parseUnsigned(value, 1, 255) ?? undefined;
      else if (word === 'group') extra.group = value && familyOf(value) ? value : undefined;
      else if (i === 2) {
        instance = word; // old form: IFACE VRRP_INSTANCE [SYNC_ID]
        continue;
      } else if (i === 3) {
        syncId = parseUnsigned(word, 0, 255) ?? undefined;
        continue;
      } else {
        this.warn(ref, 'kaSyncUnknown', { word: word ?? '' });
        continue;
      }
      i++;
    }
    for (const key of Object.keys(extra) as Array<keyof SyncDaemon>) if (extra[key] === undefined) delete extra[key];
    if (instance !== undefined) {
      syncId ??= this.vrrpIds.get(instance) ?? 0;
      if (this.pairMode && Object.keys(extra).length === 0) {
        // With the pair imported, the daemon follows the instance's role (ha.sync).
        this.syncFollows = { interface: iface, instance, syncId };
        return [];
      }
      this.warn(ref, 'kaSyncFollows', { instance });
    }
    return (['master', 'backup'] as const).map((state) => ({ state, interface: iface, syncId: syncId ?? 0, ...extra }));
  }

  private keysOf(vs: VirtualServerConf): Array<{ key: ServiceKey; ref: SourceRef }> | null {
    const form = vs.form;
    if (form.kind === 'fwmark') {
      return [{ key: { kind: 'fwmark', fwmark: form.fwmark, family: this.fwmarkFamily(vs) }, ref: vs.ref }];
    }
    if (form.kind === 'addr') {
      return [{ key: { kind: 'addr', protocol: vs.protocol ?? 'udp', address: form.address, port: form.port }, ref: vs.ref }];
    }
    const entries = this.groups.get(form.name);
    if (!entries) {
      this.error(form.ref, 'importNoSuchGroup', { name: form.name });
      return null;
    }
    const keys: Array<{ key: ServiceKey; ref: SourceRef }> = [];
    for (const entry of entries) {
      if (entry.kind === 'fwmark')
        keys.push({ key: { kind: 'fwmark', fwmark: entry.fwmark ?? 0, family: entry.family ?? this.fwmarkFamily(vs) }, ref: entry.ref });
      else
        for (const address of entry.addresses ?? [])
          keys.push({ key: { kind: 'addr', protocol: vs.protocol ?? 'udp', address, port: entry.port ?? 0 }, ref: entry.ref });
    }
    return keys;
  }

  /** A fwmark service's family: ip_family, else its non-tunnelled servers' (vs_end_handler), else IPv4. */
  private fwmarkFamily(vs: VirtualServerConf): 'inet' | 'inet6' {
    if (vs.family) return vs.family;
    const servers = [...(vs.sorry ? [vs.sorry] : []), ...vs.realServers];
    for (const server of servers) {
      const family = familyOf(server.address);
      if (family) return family;
    }
    return 'inet';
  }

  private services(vs: VirtualServerConf): Service[] {
    const keys = this.keysOf(vs);
    if (!keys) return [];
    this.serviceCount += keys.length;
    if (this.serviceCount > MAX_SERVICES) {
      this.error(vs.ref, 'importTooManyServices', { max: MAX_SERVICES });
      return [];
    }
    const label =
      vs.form.kind === 'group'
        ? `group ${vs.form.name}`
        : vs.form.kind === 'fwmark'
          ? `fwmark ${vs.form.fwmark}`
          : formatEndpoint(vs.form.address, vs.form.port);
    if (vs.realServers.length === 0) {
      this.warn(vs.ref, 'kaVsNoServers', { label });
      return [];
    }
    const hasAddr = keys.some((k) => k.key.kind === 'addr');
    const hasFwmark = keys.some((k) => k.key.kind === 'fwmark');
    if (hasAddr && !vs.protocol) this.warn(vs.ref, 'kaVsNoProtocol', { label });
    if (!hasAddr && hasFwmark && vs.protocol) this.warn(vs.ref, 'kaFwmarkProtocol', { label });
    let onePacket = vs.onePacket;
    if (onePacket && hasAddr && (vs.protocol ?? 'udp') !== 'udp') {
      this.warn(vs.ref, 'kaOpsUdp', { label });
      onePacket = false;
    }
    let persistenceTimeout = vs.persistenceTimeout;
    if (!persistenceTimeout && keys.some((k) => k.key.kind === 'addr' && k.key.port === 0)) {
      this.warn(vs.ref, 'kaPortZero', { label, timeout: KEEPALIVED_DEFAULTS.persistenceTimeout });
      persistenceTimeout = KEEPALIVED_DEFAULTS.persistenceTimeout;
    }
    if (!vs.scheduler) this.warn(vs.ref, 'kaNoSched', { label, scheduler: KEEPALIVED_DEFAULTS.scheduler });
    const scheduler = vs.scheduler ?? KEEPALIVED_DEFAULTS.scheduler;
    const flags = this.flags(scheduler, vs.flagWords);
    const persistence = persistenceTimeout ? this.persistence(vs, persistenceTimeout) : null;

    const servers = this.resolveServers(vs, label);
    if (servers.length === 0) return [];
    const weightSum = servers.reduce((sum, s) => sum + s.weight, 0);
    let quorum = vs.quorum;
    if (quorum > weightSum) {
      this.warn(vs.ref, 'kaQuorumHigh', { label, quorum, total: weightSum });
      quorum = Math.max(1, weightSum);
    }
    let hysteresis = vs.hysteresis;
    if (hysteresis >= quorum) {
      this.warn(vs.ref, 'kaHysteresisHigh', { label, hysteresis, quorum, value: quorum - 1 });
      hysteresis = quorum - 1;
    }

    return keys.map(({ key }) => {
      const servicePort = key.kind === 'addr' ? key.port : 0;
      const destinations = servers.map((server) => this.destination(server.rs, server.method, server.weight, key, servicePort, label));
      const service: Service = { key, scheduler, flags, persistence, onePacket, destinations: dedupe(destinations, (d) => destinationId(d)) };
      const health = this.health(vs, servers, service, quorum, hysteresis, label);
      if (health) service.health = health;
      return service;
    });
  }

  private flags(scheduler: SchedulerName, words: VirtualServerConf['flagWords']): SchedFlag[] {
    const flags: SchedFlag[] = [];
    for (const { word, ref } of words) {
      let flag: SchedFlag | null = null;
      // The kernel reads SCHED1/SCHED2 as sh/mh's fallback/port; keepalived's flag-N sets the same bits.
      if (scheduler === 'sh' || scheduler === 'mh') {
        if (word === 'flag-1' || word === `${scheduler}-fallback`) flag = `${scheduler}-fallback`;
        else if (word === 'flag-2' || word === `${scheduler}-port`) flag = `${scheduler}-port`;
      }
      if (!flag) {
        this.warn(ref, 'kaFlagNoEffect', { flag: word, scheduler });
        continue;
      }
      if (!flags.includes(flag)) flags.push(flag);
    }
    return flags;
  }

  private persistence(vs: VirtualServerConf, timeout: number): Persistence {
    const persistence: Persistence = { timeout };
    if (vs.granularity) {
      const text = vs.granularity.text;
      const prefix = text.includes('.') ? ipv4MaskPrefix(text) : parseUnsigned(text, 1, 128);
      if (prefix === null) this.warn(vs.granularity.ref, 'kaGranularity', { value: text });
      else persistence.netmaskPrefix = prefix;
    }
    if (vs.engine) persistence.engine = vs.engine;
    return persistence;
  }

  private resolveServers(vs: VirtualServerConf, label: string): Array<{ rs: RealServerConf; method: Method; weight: number }> {
    const out: Array<{ rs: RealServerConf; method: Method; weight: number }> = [];
    const seen = new Set<string>();
    let warnedNoMethod = false;
    const vsFamily = vs.form.kind === 'fwmark' ? this.fwmarkFamily(vs) : vs.form.kind === 'addr' ? familyOf(vs.form.address) : null;
    for (const rs of vs.realServers) {
      let method = rs.method ?? rs.methodAtDeclaration ?? vs.method;
      if (!method) {
        if (!warnedNoMethod) this.warn(vs.ref, 'kaNoMethod', { label });
        warnedNoMethod = true;
        method = { forwarding: 'masq' };
      }
      const id = `${rs.address}|${rs.port ?? 0}`;
      if (seen.has(id)) {
        this.warn(rs.ref, 'kaRsTwice', { address: rs.address, label });
        continue;
      }
      seen.add(id);
      if (method.forwarding !== 'tunnel' && vsFamily && familyOf(rs.address) !== vsFamily) {
        this.warn(rs.ref, 'kaRsFamily', { address: rs.address, label });
        continue;
      }
      out.push({ rs, method, weight: rs.weight ?? vs.weight });
    }
    return out;
  }

  private destination(rs: RealServerConf, method: Method, weight: number, key: ServiceKey, servicePort: number, label: string): Destination {
    let port = rs.port ?? 0;
    if (method.forwarding === 'masq') {
      if (key.kind === 'addr' && port === 0) port = servicePort;
    } else if (key.kind === 'fwmark') {
      if (port !== 0) this.warn(rs.ref, 'kaFwmarkRsPort', { label, address: rs.address });
      port = 0;
    } else if (port === 0) {
      port = servicePort;
    } else if (port !== servicePort) {
      this.warn(rs.ref, 'kaDirectPort', { label: serviceLabel(key), address: rs.address, port: servicePort });
      port = servicePort;
    }
    return {
      address: rs.address,
      port,
      forwarding: method.forwarding,
      weight,
      upperThreshold: rs.upperThreshold,
      lowerThreshold: rs.lowerThreshold,
      ...(method.tunnel ? { tunnel: { ...method.tunnel } } : {}),
    };
  }

  private health(
    vs: VirtualServerConf,
    servers: Array<{ rs: RealServerConf; method: Method; weight: number }>,
    service: Service,
    quorum: number,
    hysteresis: number,
    label: string,
  ): ServiceHealth | undefined {
    const perServer = servers.map(({ rs }) => this.checksOf(vs, rs));
    const checked = perServer.filter((checks) => checks.length > 0);
    const inhibits = servers.map(({ rs }) => rs.inhibit ?? vs.inhibit);
    if (checked.length === 0) {
      if (vs.sorry) this.warn(vs.sorry.ref, 'kaSorryNoChecks', { label });
      return undefined;
    }
    const common = checked[0] ?? [];
    const destinations: ServiceHealth['destinations'] = {};
    servers.forEach(({ rs }, index) => {
      const checks = perServer[index] ?? [];
      const id = destinationId(service.destinations[index] ?? { address: rs.address, port: rs.port ?? 0 });
      if (checks.length === 0) destinations[id] = { disabled: true };
      else if (JSON.stringify(checks) !== JSON.stringify(common)) destinations[id] = { checks, disabled: false };
    });
    const quiesceCount = inhibits.filter(Boolean).length;
    if (quiesceCount > 0 && quiesceCount < inhibits.length) {
      this.warn(vs.ref, 'kaInhibitDiffers', { label, rule: quiesceCount * 2 >= inhibits.length ? 'quiesce' : 'remove' });
    }
    const alphas = servers.flatMap(({ rs }) => rs.checkers.map((c) => c.timing.alpha ?? rs.timing.alpha ?? vs.timing.alpha ?? vs.alpha));
    const alpha = alphas.length > 0 && alphas.filter(Boolean).length * 2 >= alphas.length;
    if (alphas.some((a) => a !== alpha)) this.warn(vs.ref, 'kaAlphaDiffers', { label, alpha: alpha ? 'on' : 'off' });
    const health: ServiceHealth = {
      enabled: true,
      checks: common,
      destinations,
      onFailure: quiesceCount * 2 >= inhibits.length ? 'quiesce' : 'remove',
      quorum,
      hysteresis,
      sorryServerReplaces: true,
      alpha,
      historySize: 30,
      drains: {},
    };
    if (vs.sorry) {
      const sorry = this.sorryServer(vs, service.key, label);
      if (sorry && service.destinations.some((d) => destinationId(d) === destinationId(sorry))) {
        this.warn(vs.sorry.ref, 'kaSorryIsReal', { server: destinationId(sorry), label });
      } else if (sorry) health.sorryServer = sorry;
    }
    return health;
  }

  private sorryServer(vs: VirtualServerConf, key: ServiceKey, label: string): Destination | null {
    const sorry = vs.sorry;
    if (!sorry) return null;
    const method = sorry.method ?? vs.method ?? { forwarding: 'masq' as const };
    const servicePort = key.kind === 'addr' ? key.port : 0;
    const family = familyOf(sorry.address);
    if (method.forwarding !== 'tunnel' && family !== (key.kind === 'fwmark' ? key.family : familyOf(key.address))) {
      this.warn(sorry.ref, 'kaSorryFamily', { label });
      return null;
    }
    let port = sorry.port ?? 0;
    if (method.forwarding === 'masq') {
      if (port === 0 && key.kind === 'addr') port = servicePort;
    } else if (key.kind === 'fwmark') port = 0;
    else port = servicePort;
    return {
      address: sorry.address,
      port,
      forwarding: method.forwarding,
      weight: 1,
      upperThreshold: 0,
      lowerThreshold: 0,
      ...(method.tunnel ? { tunnel: { ...method.tunnel } } : {}),
    };
  }

  /** A real server's checkers in the model's terms, with keepalived's inheritance (checker <- real server <- virtual server <- default). */
  private checksOf(vs: VirtualServerConf, rs: RealServerConf): HealthCheck[] {
    const checks: HealthCheck[] = [];
    for (const checker of rs.checkers) {
      const t = checker.timing;
      const delayLoopMs = t.delayLoopMs ?? rs.timing.delayLoopMs ?? vs.timing.delayLoopMs ?? KEEPALIVED_DEFAULTS.delayLoopMs;
      const connectTimeoutMs = t.connectTimeoutMs ?? rs.timing.connectTimeoutMs ?? vs.timing.connectTimeoutMs ?? KEEPALIVED_DEFAULTS.connectTimeoutMs;
      const retry = t.retry ?? rs.timing.retry ?? vs.timing.retry ?? checker.defaultRetry;
      const warmupMs = t.warmupMs ?? rs.timing.warmupMs ?? vs.timing.warmupMs;
      const delayBeforeRetryMs =
        t.delayBeforeRetryMs ??
        rs.timing.delayBeforeRetryMs ??
        vs.timing.delayBeforeRetryMs ??
        (checker.defaultDelayBeforeRetryMs === 'delay_loop' ? delayLoopMs : checker.defaultDelayBeforeRetryMs);
      let intervalMs = delayLoopMs;
      if (intervalMs < MIN_CHECK_INTERVAL_MS || intervalMs > MAX_CHECK_INTERVAL_MS) {
        intervalMs = Math.min(MAX_CHECK_INTERVAL_MS, Math.max(MIN_CHECK_INTERVAL_MS, intervalMs));
        this.warn(checker.ref, 'kaDelayLoop', { type: checker.type, given: delayLoopMs / 1000, seconds: intervalMs / 1000 });
      }
      let timeoutMs = Math.max(10, connectTimeoutMs);
      if (timeoutMs >= intervalMs && checker.type === 'MISC_CHECK') timeoutMs = intervalMs - 1;
      // MISC_CHECK has no connect_timeout: its build() sets the script's timeout.
      if (timeoutMs >= intervalMs && checker.type !== 'MISC_CHECK') {
        timeoutMs = intervalMs - 1;
        this.warn(checker.ref, 'kaConnectTimeoutLong', {
          type: checker.type,
          given: connectTimeoutMs / 1000,
          interval: intervalMs / 1000,
          seconds: timeoutMs / 1000,
        });
      }
      const fall = Math.min(100, retry + 1);
      if (fall !== retry + 1) this.warn(checker.ref, 'kaRetryMax', { type: checker.type, retry });
      if (retry > 0 && delayBeforeRetryMs !== intervalMs) {
        // Once per virtual server and timing: the same note on every checker is noise.
        this.warn(vs.ref, 'kaRetryDelay', { delay: delayBeforeRetryMs / 1000, interval: intervalMs / 1000 });
      }
      const common: CommonCheck = {
        intervalMs,
        timeoutMs,
        rise: 1,
        fall,
        ...(warmupMs !== undefined ? { warmupMs: Math.min(warmupMs, MAX_CHECK_INTERVAL_MS) } : {}),
        target: { ...(checker.connectIp ? { address: checker.connectIp } : {}), ...(checker.connectPort ? { port: checker.connectPort } : {}) },
      };
      checks.push(...(checker.build?.(common) ?? []));
    }
    if (checks.length > MAX_CHECKS) {
      this.warn(rs.ref, 'kaTooManyChecks', { address: rs.address, checks: checks.length, max: MAX_CHECKS });
      return checks.slice(0, MAX_CHECKS);
    }
    return checks;
  }
}

function place(ref: SourceRef): SourceRef {
  return ref.file === undefined ? { line: ref.line } : { line: ref.line, file: ref.file };
}

function dedupe<T>(items: T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = keyOf(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * keepalived's dns_name_handler test, exactly (a leading dot, or a dot
 * straight after the first character or after any dot: it refuses "a.b").
 */
function hasEmptyLabel(name: string): boolean {
  if (name.startsWith('.') && name.length > 1) return true;
  for (let p = 0; p >= 0 && p < name.length; p = name.indexOf('.', p + 1)) {
    if (name[p + 1] === '.') return true;
  }
  return false;
}

/** Read keepalived.conf text into a desired state plus notes (line, level, message). */
export function readKeepalivedConf(text: string, options: ReadOptions = {}): ReadResult {
  const syntaxOptions = {
    ...(options.resolveInclude ? { resolveInclude: options.resolveInclude } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  };
  const syntax = parseSyntax(text, syntaxOptions);
  const syntaxOk = !syntax.notes.some((n) => n.level === 'error');
  const hasVrrp = syntax.statements.some((s) => s.words[0] === 'vrrp_instance');
  // A file with vrrp_instance blocks and @NAME lines for two or more names is a pair: read it as each director does.
  const pairIds = syntaxOk && hasVrrp && syntax.conditionalIds.length >= 2 ? syntax.conditionalIds : [];
  let reader: Reader;
  let state: DesiredState;
  if (pairIds.length > 0) {
    const readings = pairIds.map((id) => {
      const parsed = parseSyntax(text, { ...syntaxOptions, configId: id });
      const each = new Reader();
      each.pairMode = true;
      each.notes.push(...parsed.notes);
      if (!parsed.notes.some((n) => n.level === 'error')) each.root(parsed.statements);
      return { id, reader: each, state: each.build() };
    });
    const first = readings[0] as (typeof readings)[number];
    reader = first.reader;
    state = first.state;
    const seen = new Set(reader.notes.map((n) => `${n.file ?? ''}:${n.line}:${n.message}`));
    for (const other of readings.slice(1)) {
      // Another director's own lines can hold errors the first one never reads.
      for (const note of other.reader.notes)
        if (note.level === 'error' && !seen.has(`${note.file ?? ''}:${note.line}:${note.message}`)) reader.notes.push(note);
      const { ha: _ha, ...mine } = state;
      const { ha: _otherHa, ...theirs } = other.state;
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
        reader.warn({ line: 1 }, 'kaDirectorsDiffer', { other: other.id, first: first.id });
      }
    }
    if (!reader.notes.some((n) => n.level === 'error')) {
      const ha = readPair(
        readings.map((r) => ({ name: r.id, instances: r.reader.vrrpInstances })),
        serviceVips(state),
        reader,
      );
      attachPair(state, ha, reader);
    }
  } else {
    reader = new Reader();
    reader.notes.push(...syntax.notes);
    if (syntaxOk) reader.root(syntax.statements);
    state = reader.build();
  }
  const notes = reader.notes;
  if (notes.some((n) => n.level === 'error')) return { ok: false, state: emptyState(), notes: sortNotes(notes) };
  const validated = validateState(state);
  if (!validated.ok) {
    for (const issue of validated.issues) {
      const index = Number(/^services\[(\d+)\]/.exec(issue.path)?.[1] ?? NaN);
      const ref = reader.serviceRefs[index] ?? reader.vrrpInstances[0] ?? { line: 1 };
      const service = state.services[index];
      const params = nestedParams('issue', issue, service ? { label: serviceLabel(service.key), path: issue.path } : { path: issue.path });
      notes.push(errorNote(place(ref), service ? 'importServiceIssue' : 'importIssue', params));
    }
    return { ok: false, state: emptyState(), notes: sortNotes(notes) };
  }
  return { ok: true, state: validated.value, notes: sortNotes(notes) };
}

/**
 * The pair into the state, when it holds together (checkHa, every VIP moved);
 * otherwise a warning per reason and no pair. The sync daemon follows the
 * instance lvs_sync_daemon names (ha.sync; the first instance is the default).
 */
function attachPair(state: DesiredState, ha: HaConfig | null, reader: Reader): void {
  const follows = reader.syncFollows;
  const at = reader.vrrpInstances[0] ?? { line: 1 };
  let pair = ha;
  if (pair) {
    const checked = validateState({ ...state, ha: pair });
    const issues = checked.ok
      ? []
      : checked.issues.filter((i) => i.path.startsWith('ha')).map((i) => describedText('importIssue', nestedParams('issue', i, { path: i.path })));
    if (follows && !pair.instances.some((i) => i.name === follows.instance))
      issues.push(describedText('kaVrrpSyncNotInstance', { instance: follows.instance }));
    for (const issue of issues) reader.warn(at, 'kaVrrpNotImported', nestedParams('why', issue));
    if (issues.length) pair = null;
  }
  if (pair) {
    if (follows) {
      pair = {
        ...pair,
        sync: { interface: follows.interface, syncId: follows.syncId, ...(follows.instance !== pair.instances[0]?.name ? { instance: follows.instance } : {}) },
      };
    }
    state.ha = pair;
  } else if (follows) {
    reader.warn(at, 'kaSyncFollows', { instance: follows.instance });
    state.syncDaemons = (['master', 'backup'] as const).map((role) => ({ state: role, interface: follows.interface, syncId: follows.syncId }));
  }
}

function sortNotes(notes: KeepalivedNote[]): KeepalivedNote[] {
  // Main file first, then includes in order of first appearance; by line within each.
  const order = new Map<string | undefined, number>();
  for (const note of notes) if (!order.has(note.file)) order.set(note.file, note.file === undefined ? -1 : order.size);
  return notes
    .map((note, index) => ({ note, index }))
    .sort((a, b) => (order.get(a.note.file) ?? 0) - (order.get(b.note.file) ?? 0) || a.note.line - b.note.line || a.index - b.index)
    .map(({ note }) => note);
}
