// Parsers for what `ipvsadm -L` prints (ipvsadm.c list_all(),
// print_title(), print_service_entry(), list_timeout(), list_daemon()).
// The agent lists with -n --exact; rounded numbers (K/M/G/T, without
// --exact) are read too and flagged as inexact.
import type { KernelInfo, Counters, KernelRates } from '../model/observed';
import type { ForwardingMethod, Persistence, SchedFlag, ServiceKey, SyncDaemon, Timeouts, TunnelOptions } from '../model/ipvs';
import { ipv4MaskPrefix } from '../model/address';
import type { Issue } from '../model/errors';
import { EndpointReader, decimal, parseAddress } from './endpoint';

export type ListingKind = 'plain' | 'stats' | 'rate' | 'thresholds' | 'persistent-conn' | 'tun-info';

export interface ListedDestination {
  address: string;
  port: number;
  /** plain and --tun-info listings. "Local" (IP_VS_CONN_F_LOCALNODE) reads as route + local. */
  forwarding?: ForwardingMethod;
  local?: boolean;
  weight?: number;
  activeConns?: number;
  inactiveConns?: number;
  persistentConns?: number;
  upperThreshold?: number;
  lowerThreshold?: number;
  /** --tun-info: the tunnel, or null for "n/a". */
  tunnel?: TunnelOptions | null;
  stats?: Counters;
  rates?: KernelRates;
}

export interface ListedService {
  key: ServiceKey;
  /** Listings other than --stats/--rate print the service's settings. */
  scheduler?: string;
  flags?: SchedFlag[];
  persistence?: Persistence | null;
  onePacket?: boolean;
  stats?: Counters;
  rates?: KernelRates;
  destinations: ListedDestination[];
}

export interface Listing {
  kind: ListingKind;
  /** From the "IP Virtual Server version ..." header, when present. */
  info: KernelInfo | null;
  services: ListedService[];
  /** False when some number was rounded (K, M, G, T): list with --exact. */
  exact: boolean;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: Issue[] };

const HEADER = /^IP Virtual Server version (\d+)\.(\d+)\.(\d+) \(size=(\d+)\)\s*$/;

/** "IP Virtual Server version 1.2.1 (size=4096)". */
export function parseVersionHeader(line: string): KernelInfo | null {
  const match = HEADER.exec(line.trim());
  if (!match) return null;
  return { ipvsVersion: `${match[1]}.${match[2]}.${match[3]}`, connTableSize: Number(match[4]) };
}

function splitWords(line: string): string[] {
  const words: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && (c = line.charCodeAt(j)) !== 32 && c !== 9 && c !== 13) j++;
    words.push(line.slice(i, j));
    i = j;
  }
  return words;
}

const SUFFIX_SCALE: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

class ListingError extends Error {}

interface NumberReader {
  exact: boolean;
}

/** print_largenum(): digits, or digits and a K/M/G/T suffix when not --exact. */
function readNumber(word: string | undefined, reader: NumberReader): number {
  if (word === undefined) throw new ListingError('a number is missing');
  const value = decimal(word);
  if (value >= 0) return value;
  const scale = SUFFIX_SCALE[word.slice(-1)];
  const head = decimal(word, 0, word.length - 1);
  if (scale !== undefined && head >= 0) {
    reader.exact = false;
    return head * scale;
  }
  throw new ListingError(`"${word}" is not a number`);
}

const endpointReader = new EndpointReader();

/** Reads into endpointReader (no allocation but the address); throws when not numeric. */
function readEndpoint(word: string | undefined): EndpointReader {
  if (endpointReader.read(word ?? '') !== null || endpointReader.port === undefined) {
    throw new ListingError(`"${word ?? ''}" is not a numeric address:port; list with -n`);
  }
  return endpointReader;
}

const PROTOCOLS: Record<string, 'tcp' | 'udp' | 'sctp'> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

/** The service name words of a listing line and how many words they took. */
function readServiceKey(words: string[]): { key: ServiceKey; used: number } {
  const first = words[0] ?? '';
  if (first === 'FWM') {
    const mark = decimal(words[1] ?? '');
    if (mark < 1) throw new ListingError(`"${words[1] ?? ''}" is not a fwmark`);
    const inet6 = words[2] === 'IPv6';
    return { key: { kind: 'fwmark', fwmark: mark, family: inet6 ? 'inet6' : 'inet' }, used: inet6 ? 3 : 2 };
  }
  const protocol = PROTOCOLS[first];
  if (!protocol) throw new ListingError(`"${first}" is not a protocol (TCP, UDP, SCTP or FWM)`);
  const endpoint = readEndpoint(words[1]);
  return { key: { kind: 'addr', protocol, address: endpoint.address, port: endpoint.port ?? 0 }, used: 2 };
}

const FORWARD_NAMES: Record<string, { forwarding: ForwardingMethod; local: boolean }> = {
  Masq: { forwarding: 'masq', local: false },
  Route: { forwarding: 'route', local: false },
  Tunnel: { forwarding: 'tunnel', local: false },
  Local: { forwarding: 'route', local: true },
};

const TUNNEL_FLAGS: Record<string, 'nocsum' | 'csum' | 'remcsum'> = { '-c': 'nocsum', '+c': 'csum', 'r+c': 'remcsum' };

/** fwd_tun_info(): "ipip", "gue:PORT:FLAGS", "gre:FLAGS" or "n/a". */
function readTunnelInfo(word: string): TunnelOptions | null {
  if (word === 'n/a') return null;
  if (word === 'ipip') return { type: 'ipip' };
  const parts = word.split(':');
  if (parts[0] === 'gue' && parts.length === 3) {
    const checksum = TUNNEL_FLAGS[parts[2] ?? ''];
    const port = decimal(parts[1] ?? '');
    if (checksum && port >= 0) return { type: 'gue', port, checksum };
  }
  if (parts[0] === 'gre' && parts.length === 2) {
    const checksum = TUNNEL_FLAGS[parts[1] ?? ''];
    if (checksum) return { type: 'gre', checksum };
  }
  throw new ListingError(`"${word}" is not tunnel information`);
}

/** The settings print_service_entry() writes after the name: sched [(flags)] [persistent T [mask M] [pe E]] [ops]. */
function readServiceSettings(words: string[], from: number, service: ListedService): void {
  let i = from;
  const scheduler = words[i++];
  if (scheduler === undefined) throw new ListingError('the scheduler is missing');
  service.scheduler = scheduler;
  service.flags = [];
  service.persistence = null;
  service.onePacket = false;
  const flags = words[i];
  if (flags !== undefined && flags.startsWith('(') && flags.endsWith(')')) {
    service.flags = flags.slice(1, -1).split(',') as SchedFlag[];
    i++;
  }
  if (words[i] === 'persistent') {
    const persistence: Persistence = { timeout: readNumber(words[i + 1], { exact: true }) };
    i += 2;
    if (words[i] === 'mask') {
      const mask = words[i + 1] ?? '';
      const prefix = mask.includes('.') ? ipv4MaskPrefix(mask) : decimal(mask);
      if (prefix === null || prefix < 0) throw new ListingError(`"${mask}" is not a netmask`);
      if (prefix !== 32 && prefix !== 128) persistence.netmaskPrefix = prefix;
      i += 2;
    }
    if (words[i] === 'pe') {
      if (words[i + 1] !== 'sip') throw new ListingError(`unknown persistence engine "${words[i + 1] ?? ''}"`);
      persistence.engine = 'sip';
      i += 2;
    }
    service.persistence = persistence;
  }
  if (words[i] === 'ops') {
    service.onePacket = true;
    i++;
  }
  if (i < words.length) throw new ListingError(`unexpected "${words[i] ?? ''}" after the service settings`);
}

function readCounters(words: string[], from: number, reader: NumberReader): Counters {
  return {
    conns: readNumber(words[from], reader),
    inPkts: readNumber(words[from + 1], reader),
    outPkts: readNumber(words[from + 2], reader),
    inBytes: readNumber(words[from + 3], reader),
    outBytes: readNumber(words[from + 4], reader),
  };
}

function readRates(words: string[], from: number, reader: NumberReader): KernelRates {
  return {
    cps: readNumber(words[from], reader),
    inPps: readNumber(words[from + 1], reader),
    outPps: readNumber(words[from + 2], reader),
    inBps: readNumber(words[from + 3], reader),
    outBps: readNumber(words[from + 4], reader),
  };
}

/** print_title(): which listing this is. */
function kindOfTitle(first: string, second: string | undefined): ListingKind | null {
  if (!first.startsWith('Prot LocalAddress:Port')) return null;
  if (/\bConns\b/.test(first)) return 'stats';
  if (/\bCPS\b/.test(first)) return 'rate';
  if (/\bUthreshold\b/.test(first)) return 'thresholds';
  if (/\bPersistConn\b/.test(first)) return 'persistent-conn';
  if (second !== undefined && /\bTunnelInfo\b/.test(second)) return 'tun-info';
  return 'plain';
}

function readDestination(kind: ListingKind, words: string[], reader: NumberReader): ListedDestination {
  const endpoint = readEndpoint(words[1]);
  const dest: ListedDestination = { address: endpoint.address, port: endpoint.port ?? 0 };
  const count = (n: number) => {
    if (words.length !== n) throw new ListingError(`expected ${n - 2} columns after the address, found ${words.length - 2}`);
  };
  switch (kind) {
    case 'stats':
      count(7);
      dest.stats = readCounters(words, 2, reader);
      break;
    case 'rate':
      count(7);
      dest.rates = readRates(words, 2, reader);
      break;
    case 'thresholds':
      count(6);
      dest.upperThreshold = readNumber(words[2], reader);
      dest.lowerThreshold = readNumber(words[3], reader);
      dest.activeConns = readNumber(words[4], reader);
      dest.inactiveConns = readNumber(words[5], reader);
      break;
    case 'persistent-conn':
      count(6);
      dest.weight = readNumber(words[2], reader);
      dest.persistentConns = readNumber(words[3], reader);
      dest.activeConns = readNumber(words[4], reader);
      dest.inactiveConns = readNumber(words[5], reader);
      break;
    case 'plain':
    case 'tun-info': {
      count(kind === 'plain' ? 6 : 7);
      const forward = FORWARD_NAMES[words[2] ?? ''];
      if (!forward) throw new ListingError(`"${words[2] ?? ''}" is not a forwarding method (Masq, Route, Tunnel, Local)`);
      dest.forwarding = forward.forwarding;
      dest.local = forward.local;
      let i = 3;
      if (kind === 'tun-info') dest.tunnel = readTunnelInfo(words[i++] ?? '');
      dest.weight = readNumber(words[i], reader);
      dest.activeConns = readNumber(words[i + 1], reader);
      dest.inactiveConns = readNumber(words[i + 2], reader);
      break;
    }
  }
  return dest;
}

/**
 * Any `ipvsadm -L -n` table listing: plain, --stats, --rate, --thresholds,
 * --persistent-conn or --tun-info (the kind is read from the title lines).
 */
export function parseListing(text: string): ParseResult<Listing> {
  const lines = text.split('\n');
  let info: KernelInfo | null = null;
  let kind: ListingKind | null = null;
  const services: ListedService[] = [];
  const reader: NumberReader = { exact: true };
  let current: ListedService | null = null;
  const errors: Issue[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line.length === 0 || line.trim() === '') continue;
    try {
      if (kind === null) {
        if (line.startsWith('IP Virtual Server version')) {
          info = parseVersionHeader(line);
          if (!info) throw new ListingError('unreadable version header');
          continue;
        }
        kind = kindOfTitle(line, lines[index + 1]);
        if (!kind) throw new ListingError('expected the "Prot LocalAddress:Port" title of an ipvsadm listing');
        index++; // the "  -> RemoteAddress:Port" title line
        continue;
      }
      const c = line.charCodeAt(0);
      if (c === 32) {
        const words = splitWords(line);
        if (words[0] !== '->') throw new ListingError('expected a "  -> address:port" destination line');
        if (!current) throw new ListingError('a destination before any service');
        current.destinations.push(readDestination(kind, words, reader));
        continue;
      }
      const words = splitWords(line);
      const { key, used } = readServiceKey(words);
      const service: ListedService = { key, destinations: [] };
      if (kind === 'stats') {
        if (words.length !== used + 5) throw new ListingError(`expected 5 counters, found ${words.length - used}`);
        service.stats = readCounters(words, used, reader);
      } else if (kind === 'rate') {
        if (words.length !== used + 5) throw new ListingError(`expected 5 rates, found ${words.length - used}`);
        service.rates = readRates(words, used, reader);
      } else {
        readServiceSettings(words, used, service);
      }
      services.push(service);
      current = service;
    } catch (error) {
      if (!(error instanceof ListingError)) throw error;
      errors.push({ path: `line ${index + 1}`, message: error.message });
      if (errors.length >= 20) break;
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  if (kind === null) return { ok: false, errors: [{ path: 'line 1', message: 'not an ipvsadm listing: no "Prot LocalAddress:Port" title' }] };
  return { ok: true, value: { kind, info, services, exact: reader.exact } };
}

/** `ipvsadm -L --timeout`: "Timeout (tcp tcpfin udp): 900 120 300". */
export function parseTimeoutListing(text: string): ParseResult<Timeouts> {
  const match = /Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)/.exec(text);
  if (!match) return { ok: false, errors: [{ path: 'line 1', message: 'expected "Timeout (tcp tcpfin udp): TCP TCPFIN UDP"' }] };
  return { ok: true, value: { tcp: Number(match[1]), tcpFin: Number(match[2]), udp: Number(match[3]) } };
}

/**
 * `ipvsadm -L --daemon` of these daemons, as print_daemon() writes it: the
 * fields after syncid only when the kernel reported them. Empty when none runs.
 */
export function formatDaemonListing(daemons: readonly SyncDaemon[]): string {
  return daemons
    .map((d) => {
      const parts = [`mcast=${d.interface}`, `syncid=${d.syncId}`];
      if (d.maxLength !== undefined) parts.push(`maxlen=${d.maxLength}`);
      if (d.group !== undefined) parts.push(`group=${d.group}`);
      if (d.port !== undefined) parts.push(`port=${d.port}`);
      if (d.ttl !== undefined) parts.push(`ttl=${d.ttl}`);
      return `${d.state} sync daemon (${parts.join(', ')})\n`;
    })
    .join('');
}

const DAEMON_LINE = /^(master|backup) sync daemon \(mcast=([^,)]+), syncid=(\d+)(.*)\)\s*$/;

/**
 * `ipvsadm -L --daemon`: one line per running daemon, e.g.
 * "master sync daemon (mcast=eth0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)".
 * Empty text: no daemon runs.
 */
export function parseDaemonListing(text: string): ParseResult<SyncDaemon[]> {
  const daemons: SyncDaemon[] = [];
  const errors: Issue[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const match = DAEMON_LINE.exec(line);
    if (!match) {
      errors.push({ path: `line ${index + 1}`, message: 'expected "master|backup sync daemon (mcast=IF, syncid=N, ...)"' });
      return;
    }
    const daemon: SyncDaemon = { state: match[1] as 'master' | 'backup', interface: match[2] ?? '', syncId: Number(match[3]) };
    for (const part of (match[4] ?? '').split(',')) {
      const [name, value] = part.trim().split('=');
      if (!name || value === undefined) continue;
      if (name === 'maxlen') daemon.maxLength = Number(value);
      else if (name === 'group') {
        const parsed = parseAddress(value);
        if (parsed.ok) daemon.group = parsed.address;
      } else if (name === 'port') daemon.port = Number(value);
      else if (name === 'ttl') daemon.ttl = Number(value);
    }
    daemons.push(daemon);
  });
  return errors.length ? { ok: false, errors } : { ok: true, value: daemons };
}
