// The IPVS connection table, read bounded. /proc/net/ip_vs_conn can hold
// millions of lines; we stream it, keep at most offset+limit matches and only
// count the rest, so a console page never costs more memory than it shows.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { canonicalIp, parseIp } from '@lvs-console/shared';
import type { ConnectionEntry } from '@lvs-console/shared';
import type { ConnectionPage, ConnectionQuery } from './backend';

export const PROC_IP_VS_CONN = '/proc/net/ip_vs_conn';
export const MAX_CONNECTION_LIMIT = 10_000;

function hexIpv4(text: string): string | null {
  if (!/^[0-9A-Fa-f]{8}$/.test(text)) return null;
  const value = Number.parseInt(text, 16);
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

function addressField(text: string): string | null {
  return hexIpv4(text) ?? canonicalIp(text);
}

function hexPort(text: string): number | null {
  return /^[0-9A-Fa-f]{1,4}$/.test(text) ? Number.parseInt(text, 16) : null;
}

/**
 * One line of /proc/net/ip_vs_conn: IPv4 addresses are 8 hex digits, IPv6
 * ones are printed as text; ports are 4 hex digits. Null for the header or a
 * line we do not understand.
 */
export function parseProcConnLine(line: string): ConnectionEntry | null {
  const fields = line.trim().split(/\s+/);
  if (fields.length < 9 || fields[0] === 'Pro') return null;
  const [protocol, from, fromPort, to, toPort, dest, destPort, state, expires] = fields as [
    string, string, string, string, string, string, string, string, string,
  ];
  const clientAddress = addressField(from);
  const virtualAddress = addressField(to);
  const destAddress = addressField(dest);
  const clientPort = hexPort(fromPort);
  const virtualPort = hexPort(toPort);
  const destinationPort = hexPort(destPort);
  const expiresIn = Number(expires);
  if (clientAddress === null || virtualAddress === null || destAddress === null
    || clientPort === null || virtualPort === null || destinationPort === null || !Number.isFinite(expiresIn)) {
    return null;
  }
  return {
    protocol,
    clientAddress,
    clientPort,
    virtualAddress,
    virtualPort,
    destAddress,
    destPort: destinationPort,
    state,
    expiresIn,
    // Persistence templates have protocol 0, which the kernel prints as "IP".
    template: protocol === 'IP',
  };
}

function prefixMatcher(prefix: string): (address: string) => boolean {
  const slash = prefix.indexOf('/');
  if (slash < 0) return (address) => address.startsWith(prefix);
  const network = parseIp(prefix.slice(0, slash));
  const bits = Number(prefix.slice(slash + 1));
  if (!network || !Number.isInteger(bits) || bits < 0 || bits > network.bytes.length * 8) {
    return () => false;
  }
  return (address) => {
    const ip = parseIp(address);
    if (!ip || ip.family !== network.family) return false;
    for (let bit = 0; bit < bits; bit += 8) {
      const take = Math.min(8, bits - bit);
      const mask = (0xff << (8 - take)) & 0xff;
      const index = bit / 8;
      if (((ip.bytes[index] ?? 0) & mask) !== ((network.bytes[index] ?? 0) & mask)) return false;
    }
    return true;
  };
}

/** A predicate for the query's filters (the kernel has no server-side filter). */
export function connectionMatcher(query: ConnectionQuery): (entry: ConnectionEntry) => boolean {
  const virtualAddress = query.virtualAddress !== undefined ? canonicalIp(query.virtualAddress) ?? query.virtualAddress : undefined;
  const destAddress = query.destAddress !== undefined ? canonicalIp(query.destAddress) ?? query.destAddress : undefined;
  const client = query.clientPrefix !== undefined ? prefixMatcher(query.clientPrefix) : undefined;
  const state = query.state?.toUpperCase();
  return (entry) => {
    if (entry.template && !query.includeTemplates) return false;
    if (virtualAddress !== undefined && entry.virtualAddress !== virtualAddress) return false;
    if (query.virtualPort !== undefined && entry.virtualPort !== query.virtualPort) return false;
    if (destAddress !== undefined && entry.destAddress !== destAddress) return false;
    if (query.destPort !== undefined && entry.destPort !== query.destPort) return false;
    if (state !== undefined && entry.state !== state) return false;
    if (client && !client(entry.clientAddress)) return false;
    return true;
  };
}

/** Collects one page of matches while counting everything it is shown. */
export class ConnectionPager {
  private readonly matches: (entry: ConnectionEntry) => boolean;
  private readonly offset: number;
  private readonly limit: number;
  readonly entries: ConnectionEntry[] = [];
  matched = 0;
  total = 0;

  constructor(query: ConnectionQuery) {
    this.matches = connectionMatcher(query);
    this.offset = Math.max(0, Math.floor(query.offset ?? 0));
    this.limit = Math.min(MAX_CONNECTION_LIMIT, Math.max(0, Math.floor(query.limit)));
  }

  /** Count an entry, and keep it when it falls inside the requested page. */
  offer(entry: ConnectionEntry): void {
    this.total++;
    if (!this.matches(entry)) return;
    const index = this.matched++;
    if (index >= this.offset && index < this.offset + this.limit) this.entries.push(entry);
  }

  page(): ConnectionPage {
    return { entries: this.entries, matched: this.matched, total: this.total };
  }
}

/** Stream a /proc/net/ip_vs_conn-format file through a pager. */
export async function readConnectionFile(path: string, query: ConnectionQuery): Promise<ConnectionPage> {
  const pager = new ConnectionPager(query);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const entry = parseProcConnLine(line);
      if (entry) pager.offer(entry);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  return pager.page();
}
