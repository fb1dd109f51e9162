// The IPVS connection table, read bounded. /proc/net/ip_vs_conn can hold
// millions of lines; we stream it, keep at most offset+limit matches and only
// count the rest, so a console page never costs more memory than it shows.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { canonicalIp, parseIp } from '@lvs-console/shared';
import { parseProcConnectionLine } from '@lvs-console/shared/ipvsadm';
import type { ConnectionEntry } from '@lvs-console/shared';
import type { ConnectionPage, ConnectionQuery } from './backend';

export const PROC_IP_VS_CONN = '/proc/net/ip_vs_conn';
export const MAX_CONNECTION_LIMIT = 10_000;

/** One row of /proc/net/ip_vs_conn, or null (the parser lives with the other ipvsadm formats). */
export const parseProcConnLine = parseProcConnectionLine;

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
  const virtualAddress = query.virtualAddress !== undefined ? (canonicalIp(query.virtualAddress) ?? query.virtualAddress) : undefined;
  const destAddress = query.destAddress !== undefined ? (canonicalIp(query.destAddress) ?? query.destAddress) : undefined;
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
