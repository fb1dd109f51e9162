// The IPVS generic-netlink family as bytes: netlink + genl headers,
// attributes, every request ipvsadm 1.31 sends and every reply we read.
// Pure (Buffers in, Buffers out, no I/O). Constants from the kernel's
// include/uapi/linux/ip_vs.h; attribute types from ip_vs_ctl.c's policies
// (ports in network order, a v4 persistence netmask as the mask's bytes,
// a v6 one as the prefix length, tunnel port network order, flags as
// struct ip_vs_flags {flags, mask}).
import { formatIp, parseIp, serviceFamily } from '@lvs-console/shared';
import type {
  Counters,
  Destination,
  ForwardingMethod,
  KernelInfo,
  KernelRates,
  ObservedDestination,
  ObservedService,
  Persistence,
  Protocol,
  ServiceKey,
  SyncDaemon,
  Timeouts,
  TunnelChecksum,
  TunnelOptions,
  TunnelType,
} from '@lvs-console/shared';
import {
  IPVSADM_MESSAGES,
  KERNEL_MESSAGES,
  incompatibleFlag,
  missingSchedulerMessage,
  schedFlagBits,
  schedFlagNames,
  storedPort,
} from '@lvs-console/shared/kernel';
import type { Change, ServiceSettings } from '@lvs-console/shared/plan';

// ---- netlink and genl framing (linux/netlink.h, linux/genetlink.h) ----------

export const NETLINK_GENERIC = 16;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP = 0x300;
export const NLA_F_NESTED = 0x8000;
const NLA_TYPE_MASK = 0x3fff;
const NLMSG_HDRLEN = 16;
const GENL_HDRLEN = 4;

export const GENL_ID_CTRL = 0x10;
export const CTRL_CMD_GETFAMILY = 3;
export const CTRL_CMD_GETPOLICY = 10;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;

// ---- the IPVS family (include/uapi/linux/ip_vs.h) ---------------------------

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

export const IPVS_CMD = {
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_CONFIG: 12,
  GET_CONFIG: 13,
  SET_INFO: 14,
  GET_INFO: 15,
  ZERO: 16,
  FLUSH: 17,
} as const;

const CMD_ATTR = { SERVICE: 1, DEST: 2, DAEMON: 3, TIMEOUT_TCP: 4, TIMEOUT_TCP_FIN: 5, TIMEOUT_UDP: 6 } as const;
const SVC_ATTR = {
  AF: 1,
  PROTOCOL: 2,
  ADDR: 3,
  PORT: 4,
  FWMARK: 5,
  SCHED_NAME: 6,
  FLAGS: 7,
  TIMEOUT: 8,
  NETMASK: 9,
  STATS: 10,
  PE_NAME: 11,
  STATS64: 12,
} as const;
const DEST_ATTR = {
  ADDR: 1,
  PORT: 2,
  FWD_METHOD: 3,
  WEIGHT: 4,
  U_THRESH: 5,
  L_THRESH: 6,
  ACTIVE_CONNS: 7,
  INACT_CONNS: 8,
  PERSIST_CONNS: 9,
  STATS: 10,
  ADDR_FAMILY: 11,
  STATS64: 12,
  TUN_TYPE: 13,
  TUN_PORT: 14,
  TUN_FLAGS: 15,
} as const;
const DAEMON_ATTR = {
  STATE: 1,
  MCAST_IFN: 2,
  SYNC_ID: 3,
  SYNC_MAXLEN: 4,
  MCAST_GROUP: 5,
  MCAST_GROUP6: 6,
  MCAST_PORT: 7,
  MCAST_TTL: 8,
} as const;
const STATS_ATTR = { CONNS: 1, INPKTS: 2, OUTPKTS: 3, INBYTES: 4, OUTBYTES: 5, CPS: 6, INPPS: 7, OUTPPS: 8, INBPS: 9, OUTBPS: 10 } as const;
/** An array indexed by attribute type: a lookup per attribute on the hot path of observe. */
function byAttrType<T>(entries: Record<number, T>): ReadonlyArray<T | undefined> {
  const table: Array<T | undefined> = [];
  for (const [type, value] of Object.entries(entries)) table[Number(type)] = value;
  return table;
}
/** The counter, or the rate estimate, each IPVS_STATS_ATTR_* type carries. */
const COUNTER_OF_ATTR = byAttrType<keyof Counters>({
  [STATS_ATTR.CONNS]: 'conns',
  [STATS_ATTR.INPKTS]: 'inPkts',
  [STATS_ATTR.OUTPKTS]: 'outPkts',
  [STATS_ATTR.INBYTES]: 'inBytes',
  [STATS_ATTR.OUTBYTES]: 'outBytes',
});
const RATE_OF_ATTR = byAttrType<keyof KernelRates>({
  [STATS_ATTR.CPS]: 'cps',
  [STATS_ATTR.INPPS]: 'inPps',
  [STATS_ATTR.OUTPPS]: 'outPps',
  [STATS_ATTR.INBPS]: 'inBps',
  [STATS_ATTR.OUTBPS]: 'outBps',
});
const INFO_ATTR = { VERSION: 1, CONN_TAB_SIZE: 2 } as const;

const AF_INET = 2;
const AF_INET6 = 10;
const PROTOCOL_NUMBERS: Record<Protocol, number> = { tcp: 6, udp: 17, sctp: 132 };
const SVC_F_PERSISTENT = 0x1;
const SVC_F_ONEPACKET = 0x4;
/** Scheduler flag bits start at IP_VS_SVC_F_SCHED1 (0x8). */
const SVC_F_SCHED_SHIFT = 3;
const FWD_METHODS: Record<ForwardingMethod, number> = { masq: 0, tunnel: 2, route: 3 };
const FWD_LOCALNODE = 1;
const TUNNEL_TYPES: readonly TunnelType[] = ['ipip', 'gue', 'gre'];
const TUNNEL_FLAGS: Record<TunnelChecksum, number> = { nocsum: 0, csum: 1, remcsum: 2 };
const DAEMON_STATES: Record<SyncDaemon['state'], number> = { master: 1, backup: 2 };
/** libipvs's default netmask for a service without -M: all ones (v4), 128 (v6). */
const FULL_V4_MASK = 0xffffffff;

// ---- attributes -------------------------------------------------------------

/** One attribute, header and payload, padded to 4 bytes. */
export function attr(type: number, payload: Buffer): Buffer {
  const length = 4 + payload.length;
  const out = Buffer.alloc((length + 3) & ~3);
  out.writeUInt16LE(length, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, 4);
  return out;
}

/** A nested attribute: NLA_F_NESTED set, as strict kernels require. */
export function nested(type: number, children: readonly Buffer[]): Buffer {
  return attr(type | NLA_F_NESTED, Buffer.concat(children));
}

export function u8(type: number, value: number): Buffer {
  return attr(type, Buffer.from([value & 0xff]));
}

export function u16(type: number, value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value, 0);
  return attr(type, b);
}

/** A __be16 (ports). */
export function be16(type: number, value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value, 0);
  return attr(type, b);
}

export function u32(type: number, value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0, 0);
  return attr(type, b);
}

/** A NUL-terminated string. */
export function str(type: number, value: string): Buffer {
  return attr(type, Buffer.from(`${value}\0`, 'latin1'));
}

/** Attributes of a payload by type (NLA_F_NESTED and byte-order bits masked off); the last one wins. */
export function parseAttrs(buf: Buffer, start = 0, end = buf.length): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let at = start;
  while (at + 4 <= end) {
    const length = buf.readUInt16LE(at);
    if (length < 4 || at + length > end) break;
    out.set(buf.readUInt16LE(at + 2) & NLA_TYPE_MASK, buf.subarray(at + 4, at + length));
    at += (length + 3) & ~3;
  }
  return out;
}

function getU8(attrs: Map<number, Buffer>, type: number): number | undefined {
  const b = attrs.get(type);
  return b && b.length >= 1 ? b.readUInt8(0) : undefined;
}

function getU16(attrs: Map<number, Buffer>, type: number): number | undefined {
  const b = attrs.get(type);
  return b && b.length >= 2 ? b.readUInt16LE(0) : undefined;
}

function getU32(attrs: Map<number, Buffer>, type: number): number | undefined {
  const b = attrs.get(type);
  return b && b.length >= 4 ? b.readUInt32LE(0) : undefined;
}

function getString(attrs: Map<number, Buffer>, type: number): string | undefined {
  const b = attrs.get(type);
  if (!b) return undefined;
  const nul = b.indexOf(0);
  return b.toString('latin1', 0, nul < 0 ? b.length : nul);
}

// ---- messages ---------------------------------------------------------------

/** One netlink message: nlmsghdr + genlmsghdr + attributes. */
export function genlMessage(familyId: number, cmd: number, flags: number, seq: number, attrs: readonly Buffer[], version = IPVS_GENL_VERSION): Buffer {
  const body = Buffer.concat(attrs);
  const out = Buffer.alloc(NLMSG_HDRLEN + GENL_HDRLEN + body.length);
  out.writeUInt32LE(out.length, 0);
  out.writeUInt16LE(familyId, 4);
  out.writeUInt16LE(flags, 6);
  out.writeUInt32LE(seq >>> 0, 8);
  out.writeUInt32LE(0, 12); // port id: the kernel fills it in
  out.writeUInt8(cmd, 16);
  out.writeUInt8(version, 17);
  body.copy(out, NLMSG_HDRLEN + GENL_HDRLEN);
  return out;
}

export type NetlinkReply =
  | { kind: 'data'; seq: number; flags: number; cmd: number; attrs: Map<number, Buffer> }
  /** NLMSG_ERROR: errno 0 is an ACK; otherwise the kernel's (positive) errno. */
  | { kind: 'ack'; seq: number; errno: number }
  | { kind: 'done'; seq: number };

/** Each whole netlink message of a datagram: its type, flags, sequence number, offset and length. */
export function walkMessages(buf: Buffer, visit: (type: number, flags: number, seq: number, at: number, length: number) => void): void {
  let at = 0;
  while (at + NLMSG_HDRLEN <= buf.length) {
    const length = buf.readUInt32LE(at);
    if (length < NLMSG_HDRLEN || at + length > buf.length) break;
    visit(buf.readUInt16LE(at + 4), buf.readUInt16LE(at + 6), buf.readUInt32LE(at + 8), at, length);
    at += (length + 3) & ~3;
  }
}

/** Where a genl message's attributes start (after nlmsghdr and genlmsghdr). */
export const GENL_ATTRS_OFFSET = NLMSG_HDRLEN + GENL_HDRLEN;

/**
 * The status an NLMSG_ERROR or NLMSG_DONE message carries as a positive
 * errno (0: an ACK, or a dump that ended well).
 */
export function statusOf(buf: Buffer, at: number, length: number): number {
  return length >= NLMSG_HDRLEN + 4 ? Math.abs(buf.readInt32LE(at + NLMSG_HDRLEN)) : 0;
}

/** Every message of one received datagram. */
export function parseReplies(buf: Buffer): NetlinkReply[] {
  const out: NetlinkReply[] = [];
  walkMessages(buf, (type, flags, seq, at, length) => {
    if (type === NLMSG_ERROR) out.push({ kind: 'ack', seq, errno: statusOf(buf, at, length) });
    else if (type === NLMSG_DONE) out.push({ kind: 'done', seq });
    else if (length >= GENL_ATTRS_OFFSET)
      out.push({ kind: 'data', seq, flags, cmd: buf.readUInt8(at + NLMSG_HDRLEN), attrs: parseAttrs(buf, at + GENL_ATTRS_OFFSET, at + length) });
  });
  return out;
}

/** CTRL_CMD_GETFAMILY for a family name (to the controller, family 0x10, version 1). */
export function getFamilyMessage(name: string, seq: number): Buffer {
  return genlMessage(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_REQUEST | NLM_F_ACK, seq, [str(CTRL_ATTR_FAMILY_NAME, name)], 1);
}

export function familyIdOf(reply: Map<number, Buffer>): number | undefined {
  return getU16(reply, CTRL_ATTR_FAMILY_ID);
}

// ---- addresses --------------------------------------------------------------

/**
 * Parsed addresses and encoded service names, remembered: a plan of 10,000
 * services x 10 names each service 11 times and parsing dominated encoding.
 * Bounded: cleared when full (a cache, not a store).
 */
const CACHE_LIMIT = 50_000;
const addressCache = new Map<string, { family: 'inet' | 'inet6'; bytes: Buffer }>();
const serviceCache = new Map<string, Buffer>();

function remember<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** The family and union nf_inet_addr (16 bytes, an IPv4 address in the first four) of an address. */
function address(text: string): { family: 'inet' | 'inet6'; bytes: Buffer } {
  return remember(addressCache, text, () => {
    const ip = parseIp(text);
    if (!ip) throw new Error(`not an IP address: ${text}`);
    const bytes = Buffer.alloc(16);
    Buffer.from(ip.bytes).copy(bytes, 0);
    return { family: ip.family, bytes };
  });
}

function familyOf(text: string): 'inet' | 'inet6' | null {
  try {
    return address(text).family;
  } catch {
    return null;
  }
}

/** Text of the address at buf[at..at+size) (union nf_inet_addr: a v4 address in its first four bytes). */
function readInetAddr(buf: Buffer, at: number, size: number, af: number): string {
  if (at < 0) return '';
  if (af === AF_INET6) return size >= 16 ? formatIp({ family: 'inet6', bytes: new Uint8Array(buf.buffer, buf.byteOffset + at, 16) }) : '';
  return size >= 4 ? `${buf[at] ?? 0}.${buf[at + 1] ?? 0}.${buf[at + 2] ?? 0}.${buf[at + 3] ?? 0}` : '';
}

function afOf(family: 'inet' | 'inet6'): number {
  return family === 'inet6' ? AF_INET6 : AF_INET;
}

// ---- services ---------------------------------------------------------------

/** The attributes that name a service (all a delete or a dump of its destinations needs). */
function serviceIdAttrs(key: ServiceKey): Buffer[] {
  if (key.kind === 'fwmark') return [u16(SVC_ATTR.AF, afOf(key.family)), u32(SVC_ATTR.FWMARK, key.fwmark)];
  const { family, bytes } = address(key.address);
  return [u16(SVC_ATTR.AF, afOf(family)), u16(SVC_ATTR.PROTOCOL, PROTOCOL_NUMBERS[key.protocol]), attr(SVC_ATTR.ADDR, bytes), be16(SVC_ATTR.PORT, key.port)];
}

/** IPVS_CMD_ATTR_SERVICE naming a service, encoded once per service. */
function serviceIdNest(key: ServiceKey): Buffer {
  const id = key.kind === 'fwmark' ? `f ${key.fwmark} ${key.family}` : `${key.protocol} ${key.address} ${key.port}`;
  return remember(serviceCache, id, () => nested(CMD_ATTR.SERVICE, serviceIdAttrs(key)));
}

function v4Mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** IPVS_SVC_ATTR_NETMASK's u32 as it goes on the wire (native order): v4 the mask's bytes, v6 the prefix. */
function netmaskValue(settings: ServiceSettings): number {
  const family = serviceFamily(settings.key);
  const prefix = settings.persistence?.netmaskPrefix;
  if (family === 'inet6') return prefix ?? 128;
  const mask = prefix === undefined ? FULL_V4_MASK : v4Mask(prefix);
  // The mask is a __be32: its bytes in network order, read as a little-endian u32.
  const b = Buffer.alloc(4);
  b.writeUInt32BE(mask, 0);
  return b.readUInt32LE(0);
}

function serviceFlags(settings: ServiceSettings): number {
  let flags = schedFlagBits(settings.flags) << SVC_F_SCHED_SHIFT;
  if (settings.persistence) flags |= SVC_F_PERSISTENT;
  if (settings.onePacket) flags |= SVC_F_ONEPACKET;
  return flags;
}

/** A full service (NEW_SERVICE / SET_SERVICE), as libipvs fills it. */
function serviceAttrs(settings: ServiceSettings): Buffer {
  const flags = Buffer.alloc(8);
  flags.writeUInt32LE(serviceFlags(settings), 0);
  flags.writeUInt32LE(0xffffffff, 4);
  const children = [
    ...serviceIdAttrs(settings.key),
    str(SVC_ATTR.SCHED_NAME, settings.scheduler),
    attr(SVC_ATTR.FLAGS, flags),
    u32(SVC_ATTR.TIMEOUT, settings.persistence?.timeout ?? 0),
    u32(SVC_ATTR.NETMASK, netmaskValue(settings)),
  ];
  if (settings.persistence?.engine) children.push(str(SVC_ATTR.PE_NAME, settings.persistence.engine));
  return nested(CMD_ATTR.SERVICE, children);
}

// Observation decodes 100,000 destinations a second: the decoders below walk
// each attribute region once (a switch per attribute; no Map, no copies, no
// BigInt), reading the few kernel types inline.

function u16At(buf: Buffer, at: number): number {
  return (buf[at] ?? 0) | ((buf[at + 1] ?? 0) << 8);
}

function be16At(buf: Buffer, at: number): number {
  return ((buf[at] ?? 0) << 8) | (buf[at + 1] ?? 0);
}

function u32At(buf: Buffer, at: number): number {
  return ((buf[at] ?? 0) | ((buf[at + 1] ?? 0) << 8) | ((buf[at + 2] ?? 0) << 16)) + (buf[at + 3] ?? 0) * 0x1000000;
}

/** A u64 (or a u32, by its size) as a JS number: exact to 2^53, far beyond what one director counts between resets. */
function counterAt(buf: Buffer, at: number, size: number): number {
  if (size >= 8) return u32At(buf, at) + u32At(buf, at + 4) * 0x100000000;
  return size >= 4 ? u32At(buf, at) : 0;
}

/** The attribute's length when a well-formed one starts at `at` inside [at, end), else 0. */
function attrLength(buf: Buffer, at: number, end: number): number {
  if (at + 4 > end) return 0;
  const length = u16At(buf, at);
  return length >= 4 && at + length <= end ? length : 0;
}

function attrType(buf: Buffer, at: number): number {
  return u16At(buf, at + 2) & NLA_TYPE_MASK;
}

function nextAttr(at: number, length: number): number {
  return at + ((length + 3) & ~3);
}

/** Where the last attribute of `type` in [start, end) starts, or -1. */
function findAttr(buf: Buffer, start: number, end: number, type: number): number {
  let found = -1;
  for (let at = start, length = attrLength(buf, at, end); length > 0; at = nextAttr(at, length), length = attrLength(buf, at, end)) {
    if (attrType(buf, at) === type) found = at;
  }
  return found;
}

/** A nested IPVS_*_ATTR_STATS / STATS64 attribute starting at `at` (-1: none, all zeros). */
function readCounters(buf: Buffer, at: number): { counters: Counters; rates: KernelRates } {
  const counters: Counters = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
  const rates: KernelRates = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };
  if (at < 0) return { counters, rates };
  const end = at + u16At(buf, at);
  for (let p = at + 4, length = attrLength(buf, p, end); length > 0; p = nextAttr(p, length), length = attrLength(buf, p, end)) {
    const value = counterAt(buf, p + 4, length - 4);
    const type = attrType(buf, p);
    const counter = COUNTER_OF_ATTR[type];
    if (counter) counters[counter] = value;
    else {
      const rate = RATE_OF_ATTR[type];
      if (rate) rates[rate] = value;
    }
  }
  return { counters, rates };
}

function prefixOfV4Mask(mask: number): number {
  let prefix = 0;
  for (let bit = 31; bit >= 0 && (mask >>> bit) & 1; bit--) prefix++;
  return prefix;
}

/** The protocol name of an IPPROTO_* number, or undefined. */
function protocolOf(number: number): Protocol | undefined {
  return number === PROTOCOL_NUMBERS.tcp ? 'tcp' : number === PROTOCOL_NUMBERS.udp ? 'udp' : number === PROTOCOL_NUMBERS.sctp ? 'sctp' : undefined;
}

/** A NUL-terminated string attribute's text. */
function stringAt(buf: Buffer, at: number, size: number): string {
  const nul = buf.indexOf(0, at);
  return buf.toString('latin1', at, nul < 0 || nul > at + size ? at + size : nul);
}

/**
 * One service of a GET_SERVICE dump (destinations are read separately): the
 * message's attributes in buf[start..end) (a genl message's payload).
 */
export function decodeService(buf: Buffer, start = 0, end = buf.length): ObservedService | null {
  const nest = findAttr(buf, start, end, CMD_ATTR.SERVICE);
  if (nest < 0) return null;
  const nestEnd = nest + u16At(buf, nest);
  let af = AF_INET;
  let protocolNumber = 0;
  let addrAt = -1;
  let addrSize = 0;
  let port = 0;
  let fwmark = 0;
  let scheduler = '';
  let flags = 0;
  let timeout = 0;
  let netmaskAt = -1;
  let engine: string | undefined;
  let statsAt = -1;
  let stats64At = -1;
  for (let at = nest + 4, length = attrLength(buf, at, nestEnd); length > 0; at = nextAttr(at, length), length = attrLength(buf, at, nestEnd)) {
    const v = at + 4;
    const size = length - 4;
    switch (attrType(buf, at)) {
      case SVC_ATTR.AF:
        if (size >= 2) af = u16At(buf, v);
        break;
      case SVC_ATTR.PROTOCOL:
        if (size >= 2) protocolNumber = u16At(buf, v);
        break;
      case SVC_ATTR.ADDR:
        addrAt = v;
        addrSize = size;
        break;
      case SVC_ATTR.PORT:
        if (size >= 2) port = be16At(buf, v);
        break;
      case SVC_ATTR.FWMARK:
        if (size >= 4) fwmark = u32At(buf, v);
        break;
      case SVC_ATTR.SCHED_NAME:
        scheduler = stringAt(buf, v, size);
        break;
      case SVC_ATTR.FLAGS:
        if (size >= 4) flags = u32At(buf, v);
        break;
      case SVC_ATTR.TIMEOUT:
        if (size >= 4) timeout = u32At(buf, v);
        break;
      case SVC_ATTR.NETMASK:
        if (size >= 4) netmaskAt = v;
        break;
      case SVC_ATTR.PE_NAME:
        engine = stringAt(buf, v, size);
        break;
      case SVC_ATTR.STATS:
        statsAt = at;
        break;
      case SVC_ATTR.STATS64:
        stats64At = at;
        break;
    }
  }
  const family = af === AF_INET6 ? 'inet6' : 'inet';
  let key: ServiceKey;
  if (fwmark !== 0) {
    key = { kind: 'fwmark', fwmark, family };
  } else {
    const protocol = protocolOf(protocolNumber);
    if (!protocol) return null;
    key = { kind: 'addr', protocol, address: readInetAddr(buf, addrAt, addrSize, af), port };
  }
  let persistence: Persistence | null = null;
  if (flags & SVC_F_PERSISTENT) {
    persistence = { timeout };
    if (netmaskAt >= 0) {
      // v6: the prefix length as a u32; v4: the mask's bytes (a __be32).
      const prefix = family === 'inet6' ? u32At(buf, netmaskAt) : prefixOfV4Mask(buf.readUInt32BE(netmaskAt));
      if (prefix !== (family === 'inet6' ? 128 : 32)) persistence.netmaskPrefix = prefix;
    }
    if (engine === 'sip') persistence.engine = engine;
  }
  const { counters, rates } = readCounters(buf, stats64At >= 0 ? stats64At : statsAt);
  return {
    key,
    scheduler: scheduler as ObservedService['scheduler'],
    flags: schedFlagNames(scheduler, (flags >>> SVC_F_SCHED_SHIFT) & 7),
    persistence,
    onePacket: (flags & SVC_F_ONEPACKET) !== 0,
    destinations: [],
    stats: counters,
    rates,
  };
}

// ---- destinations -----------------------------------------------------------

function tunnelAttrs(dest: Destination): Buffer[] {
  const tunnel = dest.forwarding === 'tunnel' ? dest.tunnel : undefined;
  return [
    u8(DEST_ATTR.TUN_TYPE, TUNNEL_TYPES.indexOf(tunnel?.type ?? 'ipip')),
    be16(DEST_ATTR.TUN_PORT, tunnel?.port ?? 0),
    u16(DEST_ATTR.TUN_FLAGS, TUNNEL_FLAGS[tunnel?.checksum ?? 'nocsum']),
  ];
}

function destIdAttrs(service: ServiceKey, dest: Destination): Buffer[] {
  const { family, bytes } = address(dest.address);
  return [u16(DEST_ATTR.ADDR_FAMILY, afOf(family)), attr(DEST_ATTR.ADDR, bytes), be16(DEST_ATTR.PORT, storedPort(service, dest))];
}

/** A full destination (NEW_DEST / SET_DEST); a DR/TUN port follows the service's, as ipvsadm makes it. */
function destAttrs(service: ServiceKey, dest: Destination): Buffer {
  return nested(CMD_ATTR.DEST, [
    ...destIdAttrs(service, dest),
    u32(DEST_ATTR.FWD_METHOD, FWD_METHODS[dest.forwarding]),
    u32(DEST_ATTR.WEIGHT, dest.weight),
    u32(DEST_ATTR.U_THRESH, dest.upperThreshold),
    u32(DEST_ATTR.L_THRESH, dest.lowerThreshold),
    ...tunnelAttrs(dest),
  ]);
}

const FORWARDING_BY_METHOD: readonly ForwardingMethod[] = ['masq', 'route', 'tunnel', 'route'];

function readTunnel(typeNumber: number, port: number, bits: number): TunnelOptions {
  const type = TUNNEL_TYPES[typeNumber] ?? 'ipip';
  if (type === 'ipip') return { type };
  const checksum: TunnelChecksum = bits & TUNNEL_FLAGS.remcsum ? 'remcsum' : bits & TUNNEL_FLAGS.csum ? 'csum' : 'nocsum';
  if (type === 'gre') return { type, checksum };
  return { type, port, checksum };
}

/**
 * One destination of a GET_DEST dump: the message's attributes in
 * buf[start..end) (a genl message's payload).
 */
export function decodeDestination(buf: Buffer, serviceAf: 'inet' | 'inet6', start = 0, end = buf.length): ObservedDestination | null {
  const nest = findAttr(buf, start, end, CMD_ATTR.DEST);
  if (nest < 0) return null;
  const nestEnd = nest + u16At(buf, nest);
  let af = afOf(serviceAf);
  let addrAt = -1;
  let addrSize = 0;
  let port = 0;
  let method = 0;
  let weight = 0;
  let upperThreshold = 0;
  let lowerThreshold = 0;
  let activeConns = 0;
  let inactiveConns = 0;
  let persistentConns = 0;
  let tunType = 0;
  let tunPort = 0;
  let tunFlags = 0;
  let statsAt = -1;
  let stats64At = -1;
  for (let at = nest + 4, length = attrLength(buf, at, nestEnd); length > 0; at = nextAttr(at, length), length = attrLength(buf, at, nestEnd)) {
    const v = at + 4;
    const size = length - 4;
    switch (attrType(buf, at)) {
      case DEST_ATTR.ADDR:
        addrAt = v;
        addrSize = size;
        break;
      case DEST_ATTR.PORT:
        if (size >= 2) port = be16At(buf, v);
        break;
      case DEST_ATTR.FWD_METHOD:
        if (size >= 4) method = u32At(buf, v) & 7;
        break;
      case DEST_ATTR.WEIGHT:
        if (size >= 4) weight = u32At(buf, v);
        break;
      case DEST_ATTR.U_THRESH:
        if (size >= 4) upperThreshold = u32At(buf, v);
        break;
      case DEST_ATTR.L_THRESH:
        if (size >= 4) lowerThreshold = u32At(buf, v);
        break;
      case DEST_ATTR.ACTIVE_CONNS:
        if (size >= 4) activeConns = u32At(buf, v);
        break;
      case DEST_ATTR.INACT_CONNS:
        if (size >= 4) inactiveConns = u32At(buf, v);
        break;
      case DEST_ATTR.PERSIST_CONNS:
        if (size >= 4) persistentConns = u32At(buf, v);
        break;
      case DEST_ATTR.ADDR_FAMILY:
        if (size >= 2) af = u16At(buf, v);
        break;
      case DEST_ATTR.TUN_TYPE:
        if (size >= 1) tunType = buf[v] ?? 0;
        break;
      case DEST_ATTR.TUN_PORT:
        if (size >= 2) tunPort = be16At(buf, v);
        break;
      case DEST_ATTR.TUN_FLAGS:
        if (size >= 2) tunFlags = u16At(buf, v);
        break;
      case DEST_ATTR.STATS:
        statsAt = at;
        break;
      case DEST_ATTR.STATS64:
        stats64At = at;
        break;
    }
  }
  const forwarding = FORWARDING_BY_METHOD[method] ?? 'route';
  const { counters, rates } = readCounters(buf, stats64At >= 0 ? stats64At : statsAt);
  const dest: ObservedDestination = {
    address: readInetAddr(buf, addrAt, addrSize, af),
    port,
    forwarding,
    weight,
    upperThreshold,
    lowerThreshold,
    activeConns,
    inactiveConns,
    persistentConns,
    stats: counters,
    rates,
  };
  if (method === FWD_LOCALNODE) dest.local = true;
  if (forwarding === 'tunnel') dest.tunnel = readTunnel(tunType, tunPort, tunFlags);
  return dest;
}

// ---- daemons, timeouts, info ------------------------------------------------

function daemonAttrs(daemon: SyncDaemon): Buffer {
  const children = [u32(DAEMON_ATTR.STATE, DAEMON_STATES[daemon.state]), str(DAEMON_ATTR.MCAST_IFN, daemon.interface), u32(DAEMON_ATTR.SYNC_ID, daemon.syncId)];
  if (daemon.maxLength !== undefined) children.push(u16(DAEMON_ATTR.SYNC_MAXLEN, daemon.maxLength));
  if (daemon.group !== undefined) {
    const ip = parseIp(daemon.group);
    if (ip?.family === 'inet6') children.push(attr(DAEMON_ATTR.MCAST_GROUP6, Buffer.from(ip.bytes)));
    else if (ip) children.push(attr(DAEMON_ATTR.MCAST_GROUP, Buffer.from(ip.bytes)));
  }
  if (daemon.port !== undefined) children.push(u16(DAEMON_ATTR.MCAST_PORT, daemon.port));
  if (daemon.ttl !== undefined) children.push(u8(DAEMON_ATTR.MCAST_TTL, daemon.ttl));
  return nested(CMD_ATTR.DAEMON, children);
}

export function decodeDaemon(reply: Map<number, Buffer>): SyncDaemon | null {
  const nest = reply.get(CMD_ATTR.DAEMON);
  if (!nest) return null;
  const a = parseAttrs(nest);
  const stateNumber = getU32(a, DAEMON_ATTR.STATE);
  const state = stateNumber === DAEMON_STATES.master ? 'master' : stateNumber === DAEMON_STATES.backup ? 'backup' : null;
  if (!state) return null;
  const daemon: SyncDaemon = { state, interface: getString(a, DAEMON_ATTR.MCAST_IFN) ?? '', syncId: getU32(a, DAEMON_ATTR.SYNC_ID) ?? 0 };
  const maxLength = getU16(a, DAEMON_ATTR.SYNC_MAXLEN);
  if (maxLength) daemon.maxLength = maxLength;
  const group6 = a.get(DAEMON_ATTR.MCAST_GROUP6);
  const group4 = a.get(DAEMON_ATTR.MCAST_GROUP);
  if (group6 && group6.length >= 16 && group6.some((b) => b !== 0)) daemon.group = formatIp({ family: 'inet6', bytes: new Uint8Array(group6.subarray(0, 16)) });
  else if (group4 && group4.length >= 4 && group4.some((b) => b !== 0))
    daemon.group = formatIp({ family: 'inet', bytes: new Uint8Array(group4.subarray(0, 4)) });
  const port = getU16(a, DAEMON_ATTR.MCAST_PORT);
  if (port) daemon.port = port;
  const ttl = getU8(a, DAEMON_ATTR.MCAST_TTL);
  if (ttl) daemon.ttl = ttl;
  return daemon;
}

/** SET_CONFIG: 0 keeps a value (the kernel's ip_vs_set_timeout skips zeros, as ipvsadm --set does). */
function timeoutAttrs(timeouts: Timeouts): Buffer[] {
  const out: Buffer[] = [];
  if (timeouts.tcp) out.push(u32(CMD_ATTR.TIMEOUT_TCP, timeouts.tcp));
  if (timeouts.tcpFin) out.push(u32(CMD_ATTR.TIMEOUT_TCP_FIN, timeouts.tcpFin));
  if (timeouts.udp) out.push(u32(CMD_ATTR.TIMEOUT_UDP, timeouts.udp));
  return out;
}

export function decodeTimeouts(reply: Map<number, Buffer>): Timeouts {
  return {
    tcp: getU32(reply, CMD_ATTR.TIMEOUT_TCP) ?? 0,
    tcpFin: getU32(reply, CMD_ATTR.TIMEOUT_TCP_FIN) ?? 0,
    udp: getU32(reply, CMD_ATTR.TIMEOUT_UDP) ?? 0,
  };
}

export function decodeInfo(reply: Map<number, Buffer>): KernelInfo {
  const version = getU32(reply, INFO_ATTR.VERSION) ?? 0;
  return {
    ipvsVersion: `${(version >> 16) & 0xff}.${(version >> 8) & 0xff}.${version & 0xff}`,
    connTableSize: getU32(reply, INFO_ATTR.CONN_TAB_SIZE) ?? 0,
  };
}

// ---- requests ---------------------------------------------------------------

/** One request before framing: the command and its attributes. */
export interface IpvsRequest {
  cmd: number;
  attrs: Buffer[];
  /** A dump (NLM_F_DUMP): many replies, then NLMSG_DONE. */
  dump?: boolean;
}

export const REQUESTS = {
  services: (): IpvsRequest => ({ cmd: IPVS_CMD.GET_SERVICE, attrs: [], dump: true }),
  destinations: (key: ServiceKey): IpvsRequest => ({ cmd: IPVS_CMD.GET_DEST, attrs: [serviceIdNest(key)], dump: true }),
  daemons: (): IpvsRequest => ({ cmd: IPVS_CMD.GET_DAEMON, attrs: [], dump: true }),
  config: (): IpvsRequest => ({ cmd: IPVS_CMD.GET_CONFIG, attrs: [] }),
  info: (): IpvsRequest => ({ cmd: IPVS_CMD.GET_INFO, attrs: [] }),
  setTimeouts: (timeouts: Timeouts): IpvsRequest => ({ cmd: IPVS_CMD.SET_CONFIG, attrs: timeoutAttrs(timeouts) }),
  startDaemon: (daemon: SyncDaemon): IpvsRequest => ({ cmd: IPVS_CMD.NEW_DAEMON, attrs: [daemonAttrs(daemon)] }),
  stopDaemon: (state: SyncDaemon['state']): IpvsRequest => ({
    cmd: IPVS_CMD.DEL_DAEMON,
    attrs: [nested(CMD_ATTR.DAEMON, [u32(DAEMON_ATTR.STATE, DAEMON_STATES[state])])],
  }),
  zero: (key?: ServiceKey): IpvsRequest => ({ cmd: IPVS_CMD.ZERO, attrs: key ? [serviceIdNest(key)] : [] }),
  flush: (): IpvsRequest => ({ cmd: IPVS_CMD.FLUSH, attrs: [] }),
};

/**
 * What ipvsadm itself refuses before asking the kernel (same words), or
 * null. The netlink backend says the same for the same change.
 */
export function ipvsadmRefusal(change: Change): string | null {
  const settings = change.kind === 'add-service' ? change.service : change.kind === 'edit-service' ? change.to : null;
  if (settings) {
    if (settings.key.kind === 'addr' && settings.key.port === 0 && !settings.persistence) return IPVSADM_MESSAGES.zeroPort;
    if (settings.onePacket && settings.key.kind === 'addr' && settings.key.protocol !== 'udp') return IPVSADM_MESSAGES.onePacketUdpOnly;
    const bad = incompatibleFlag(settings.scheduler, settings.flags);
    if (bad) return `incompatible scheduler flag \`${bad}'`;
    return null;
  }
  const dest = change.kind === 'add-destination' ? change.destination : change.kind === 'edit-destination' ? change.to : null;
  if (dest && (change.kind === 'add-destination' || change.kind === 'edit-destination')) {
    const serviceFam = change.service.kind === 'fwmark' ? change.service.family : familyOf(change.service.address);
    if (familyOf(dest.address) !== serviceFam && dest.forwarding !== 'tunnel') return IPVSADM_MESSAGES.familyMismatch;
    if (dest.forwarding === 'tunnel' && dest.tunnel?.type === 'gue' && !dest.tunnel.port) {
      return "You need to supply the 'tun-port' option for the 'gue' tunnel type";
    }
  }
  return null;
}

/** The request one change of a plan sends (the same kernel call ipvsadm's line would make). */
export function changeRequest(change: Change): IpvsRequest {
  switch (change.kind) {
    case 'add-service':
      return { cmd: IPVS_CMD.NEW_SERVICE, attrs: [serviceAttrs(change.service)] };
    case 'edit-service':
      return { cmd: IPVS_CMD.SET_SERVICE, attrs: [serviceAttrs(change.to)] };
    case 'delete-service':
      return { cmd: IPVS_CMD.DEL_SERVICE, attrs: [serviceIdNest(change.service.key)] };
    case 'add-destination':
      return { cmd: IPVS_CMD.NEW_DEST, attrs: [serviceIdNest(change.service), destAttrs(change.service, change.destination)] };
    case 'edit-destination':
      return { cmd: IPVS_CMD.SET_DEST, attrs: [serviceIdNest(change.service), destAttrs(change.service, change.to)] };
    case 'delete-destination':
      return {
        cmd: IPVS_CMD.DEL_DEST,
        attrs: [serviceIdNest(change.service), nested(CMD_ATTR.DEST, destIdAttrs(change.service, change.destination))],
      };
    case 'set-timeouts':
      return REQUESTS.setTimeouts(change.to);
    case 'start-daemon':
      return REQUESTS.startDaemon(change.daemon);
    case 'stop-daemon':
      return REQUESTS.stopDaemon(change.daemon.state);
  }
}

// ---- errors -----------------------------------------------------------------

const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  ENXIO: 6,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  EMSGSIZE: 90,
  ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENOBUFS: 105,
  ETIMEDOUT: 110,
  ENOTSUPP: 524,
} as const;

/** libipvs's ipvs_strerror() table: (command, errno) -> the words ipvsadm prints. */
const BY_COMMAND: Partial<Record<number, Partial<Record<number, string>>>> = {
  [IPVS_CMD.NEW_SERVICE]: { [ERRNO.EEXIST]: KERNEL_MESSAGES.serviceExists, [ERRNO.ENOENT]: KERNEL_MESSAGES.schedulerNotFound },
  [IPVS_CMD.SET_SERVICE]: { [ERRNO.ESRCH]: KERNEL_MESSAGES.noSuchService, [ERRNO.ENOENT]: KERNEL_MESSAGES.schedulerNotFound },
  [IPVS_CMD.DEL_SERVICE]: { [ERRNO.ESRCH]: KERNEL_MESSAGES.noSuchService },
  [IPVS_CMD.ZERO]: { [ERRNO.ESRCH]: KERNEL_MESSAGES.noSuchService },
  [IPVS_CMD.NEW_DEST]: { [ERRNO.ESRCH]: KERNEL_MESSAGES.serviceNotDefined, [ERRNO.EEXIST]: KERNEL_MESSAGES.destinationExists },
  [IPVS_CMD.SET_DEST]: { [ERRNO.ESRCH]: KERNEL_MESSAGES.serviceNotDefined, [ERRNO.ENOENT]: KERNEL_MESSAGES.noSuchDestination },
  [IPVS_CMD.DEL_DEST]: { [ERRNO.ESRCH]: KERNEL_MESSAGES.serviceNotDefined, [ERRNO.ENOENT]: KERNEL_MESSAGES.noSuchDestination },
  [IPVS_CMD.NEW_DAEMON]: { [ERRNO.EEXIST]: KERNEL_MESSAGES.daemonRunning },
  [IPVS_CMD.DEL_DAEMON]: { [ERRNO.ESRCH]: KERNEL_MESSAGES.noDaemon },
};

/** The rest of ipvs_strerror()'s table: these words whatever the command. */
const ANY_COMMAND: Partial<Record<number, string>> = {
  [ERRNO.EPERM]: KERNEL_MESSAGES.permission,
  [ERRNO.EINVAL]: KERNEL_MESSAGES.invalid,
  [ERRNO.ENOPROTOOPT]: 'Protocol not available',
  [ERRNO.ENOMEM]: KERNEL_MESSAGES.noMemory,
  [ERRNO.EOPNOTSUPP]: KERNEL_MESSAGES.notSupportedV6,
  [ERRNO.EAFNOSUPPORT]: KERNEL_MESSAGES.familyNotSupported,
  [ERRNO.EMSGSIZE]: 'Module is wrong version',
};

/**
 * ipvs_strerror() falls back to strerror(3): glibc's words for the other
 * errnos the IPVS commands return (the sync daemon's socket and interface
 * errors among them). ENOTSUPP is kernel-internal: glibc has no words.
 */
const STRERROR: Partial<Record<number, string>> = {
  [ERRNO.ENOENT]: 'No such file or directory',
  [ERRNO.ESRCH]: 'No such process',
  [ERRNO.ENXIO]: 'No such device or address',
  [ERRNO.EAGAIN]: 'Resource temporarily unavailable',
  [ERRNO.EACCES]: 'Permission denied',
  [ERRNO.EFAULT]: 'Bad address',
  [ERRNO.EBUSY]: 'Device or resource busy',
  [ERRNO.EEXIST]: 'File exists',
  [ERRNO.ENODEV]: 'No such device',
  [ERRNO.ENOSPC]: 'No space left on device',
  [ERRNO.ERANGE]: KERNEL_MESSAGES.outOfRange,
  [ERRNO.EPROTONOSUPPORT]: 'Protocol not supported',
  [ERRNO.EADDRINUSE]: 'Address already in use',
  [ERRNO.EADDRNOTAVAIL]: 'Cannot assign requested address',
  [ERRNO.ENOBUFS]: 'No buffer space available',
  [ERRNO.ETIMEDOUT]: 'Connection timed out',
};

/** What the refused request was about, for words an operator can act on. */
export interface ErrnoContext {
  /** The service's settings (a missing scheduler module is named). */
  settings?: ServiceSettings;
  /** The sync daemon a NEW_DAEMON was for (a missing interface is named). */
  daemon?: SyncDaemon;
}

/** What to do about an errno that ipvsadm only names, per command. */
function hint(cmd: number, errno: number, context: ErrnoContext): string | null {
  if (cmd === IPVS_CMD.NEW_DAEMON && context.daemon) {
    const { interface: iface, state } = context.daemon;
    if (errno === ERRNO.ENODEV) return `the ${state} sync daemon's interface ${iface} does not exist on this host`;
    if (errno === ERRNO.EADDRNOTAVAIL || errno === ERRNO.EADDRINUSE) return `the ${state} sync daemon cannot bind its multicast address on ${iface}`;
    if (errno === ERRNO.EINVAL) return `check the ${state} sync daemon's interface ${iface} (up, multicast, large enough MTU) and its sync id`;
  }
  return null;
}

/**
 * The kernel's refusal of a request in ipvsadm's words (ipvs_strerror, then
 * strerror), with what to do where the words alone do not say (a scheduler
 * refusal names the missing module, a sync daemon's the missing interface).
 */
export function errnoMessage(cmd: number, errno: number, context: ErrnoContext = {}): string {
  const words = BY_COMMAND[cmd]?.[errno] ?? ANY_COMMAND[errno] ?? STRERROR[errno] ?? `Unknown error ${errno}`;
  if (words === KERNEL_MESSAGES.schedulerNotFound && context.settings)
    return missingSchedulerMessage(context.settings.scheduler, context.settings.persistence?.engine);
  const extra = hint(cmd, errno, context);
  return extra ? `${words}: ${extra}` : words;
}
