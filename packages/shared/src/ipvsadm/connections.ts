// The connection table, as /proc/net/ip_vs_conn holds it and as
// `ipvsadm -Lcn` prints it. The table can be huge: both parsers stop after
// `limit` entries and say whether they did.
//
// /proc/net/ip_vs_conn (ip_vs_conn.c ip_vs_conn_seq_show()):
//   Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
//   TCP C0A80001 D431 C0000201 0050 0A000007 0050 ESTABLISHED     899
// IPv4 addresses are 8 hex digits, ports 4 hex digits, Expires decimal
// seconds. An IPv6 connection prints its addresses with %pI6: eight groups
// of four hex digits, uncompressed. The destination may be of the other
// family (tunnels). "sip <call-id>" follows when a persistence engine ran.
//
// ipvsadm -Lcn (ipvsadm.c print_conn()):
//   IPVS connection entries
//   pro expire state       source             virtual            destination
//   TCP 14:59  ESTABLISHED 192.168.0.1:54321  192.0.2.1:80       10.0.0.7:80
import type { ConnectionEntry } from '../model/observed';
import type { Issue } from '../model/errors';
import { formatIpv6 } from '../model/address';
import { decimal, parseEndpoint } from './endpoint';

export interface ConnectionTable {
  entries: ConnectionEntry[];
  /** True when the text held more entries than the limit. */
  truncated: boolean;
}

export interface ConnectionParseOptions {
  /** Read at most this many entries (default: all). */
  limit?: number;
}

export type ConnectionResult = { ok: true; value: ConnectionTable } | { ok: false; errors: Issue[] };

export function hexValue(text: string): number {
  if (text.length === 0 || text.length > 8) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let digit: number;
    if (c >= 48 && c <= 57) digit = c - 48;
    else if (c >= 65 && c <= 70) digit = c - 55;
    else if (c >= 97 && c <= 102) digit = c - 87;
    else return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** An address as ip_vs_conn and ip_vs print it: 8 hex digits, or %pI6. */
export function procAddress(text: string): string | null {
  if (text.includes(':')) {
    const groups = text.split(':');
    if (groups.length !== 8) return null;
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 8; i++) {
      const word = hexValue(groups[i] ?? '');
      if (word < 0 || word > 0xffff) return null;
      bytes[i * 2] = word >> 8;
      bytes[i * 2 + 1] = word & 0xff;
    }
    return formatIpv6(bytes);
  }
  if (text.length !== 8) return null;
  const value = hexValue(text);
  if (value < 0) return null;
  return `${Math.floor(value / 16777216)}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

function words(line: string): string[] {
  return line.trim().split(/\s+/);
}

/**
 * Persistence templates: the kernel names their state from its template
 * table (NONE, or ASSURED once confirmed; the recorded traffic fixture shows
 * ASSURED with client port 0), and fwmark templates carry protocol IP.
 */
function isTemplate(protocol: string, state: string): boolean {
  return state === 'NONE' || state === 'ASSURED' || protocol === 'IP';
}

/**
 * One row of /proc/net/ip_vs_conn (ip_vs_conn_seq_show): IPv4 addresses as 8
 * hex digits, IPv6 ones as %pI6 text, ports as hex. Null for the header, a
 * blank line, or anything else.
 */
export function parseProcConnectionLine(line: string): ConnectionEntry | null {
  if (line.trim() === '' || line.startsWith('Pro ')) return null;
  const w = words(line);
  const [protocol = '', from = '', fromPort = '', to = '', toPort = '', dest = '', destPort = '', state = '', expires = ''] = w;
  const clientAddress = procAddress(from);
  const virtualAddress = procAddress(to);
  const destAddress = procAddress(dest);
  const clientPort = hexValue(fromPort);
  const virtualPort = hexValue(toPort);
  const destPort_ = hexValue(destPort);
  const expiresIn = decimal(expires);
  if (w.length < 9 || !clientAddress || !virtualAddress || !destAddress || clientPort < 0 || virtualPort < 0 || destPort_ < 0 || expiresIn < 0) {
    return null;
  }
  return {
    protocol,
    clientAddress,
    clientPort,
    virtualAddress,
    virtualPort,
    destAddress,
    destPort: destPort_,
    state,
    expiresIn,
    template: isTemplate(protocol, state),
  };
}

/**
 * The row loop both connection formats share: skip blank and header lines,
 * stop at the limit (saying so), and report up to 20 rows that do not parse.
 */
function collectConnections(
  text: string,
  options: ConnectionParseOptions,
  isHeader: (line: string) => boolean,
  parseLine: (line: string) => ConnectionEntry | null,
  notARow: string,
): ConnectionResult {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const entries: ConnectionEntry[] = [];
  const errors: Issue[] = [];
  const lines = text.split('\n');
  let truncated = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line.trim() === '' || isHeader(line)) continue;
    if (entries.length >= limit) {
      truncated = true;
      break;
    }
    const entry = parseLine(line);
    if (!entry) {
      errors.push({ path: `line ${index + 1}`, message: notARow });
      if (errors.length >= 20) break;
      continue;
    }
    entries.push(entry);
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: { entries, truncated } };
}

/** /proc/net/ip_vs_conn. */
export function parseProcConnections(text: string, options: ConnectionParseOptions = {}): ConnectionResult {
  return collectConnections(
    text,
    options,
    (line) => line.startsWith('Pro '),
    parseProcConnectionLine,
    'not a /proc/net/ip_vs_conn row (Pro FromIP FPrt ToIP TPrt DestIP DPrt State Expires)',
  );
}

/** "mm:ss" as print_conn() writes expiry (minutes may exceed 59). */
function minutesSeconds(text: string): number {
  const colon = text.indexOf(':');
  if (colon < 0) return -1;
  const minutes = decimal(text, 0, colon);
  const seconds = decimal(text, colon + 1);
  return minutes < 0 || seconds < 0 ? -1 : minutes * 60 + seconds;
}

/** One row of `ipvsadm -Lcn`: pro expire(mm:ss) state source virtual destination. */
function parseListingConnectionLine(line: string): ConnectionEntry | null {
  const w = words(line);
  const [protocol = '', expire = '', state = '', source = '', virtual = '', destination = ''] = w;
  const expiresIn = minutesSeconds(expire);
  const client = parseEndpoint(source);
  const vip = parseEndpoint(virtual);
  const real = parseEndpoint(destination);
  if (
    w.length < 6 ||
    expiresIn < 0 ||
    !client.ok ||
    !vip.ok ||
    !real.ok ||
    client.value.port === undefined ||
    vip.value.port === undefined ||
    real.value.port === undefined
  ) {
    return null;
  }
  return {
    protocol,
    clientAddress: client.value.address,
    clientPort: client.value.port,
    virtualAddress: vip.value.address,
    virtualPort: vip.value.port,
    destAddress: real.value.address,
    destPort: real.value.port,
    state,
    expiresIn,
    template: isTemplate(protocol, state),
  };
}

/** `ipvsadm -Lcn` (with or without --persistent-conn). */
export function parseConnectionListing(text: string, options: ConnectionParseOptions = {}): ConnectionResult {
  return collectConnections(
    text,
    options,
    (line) => line.startsWith('IPVS connection entries') || line.startsWith('pro expire'),
    parseListingConnectionLine,
    'not an ipvsadm -Lcn row (pro expire state source virtual destination); list with -n',
  );
}

/** An endpoint as ipvsadm prints it with -n: "192.0.2.1:80", "[2001:db8::1]:80". */
function endpointText(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * `ipvsadm -L -n -c` of these entries, byte for byte as print_conn() writes
 * it: "%-3s %-6s %-11s %-18s %-18s %s" with the expiry as mm:ss (minutes may
 * exceed 59). Entries in the kernel's order, templates included, as ipvsadm
 * reads them from /proc/net/ip_vs_conn.
 */
export function formatConnectionListing(entries: readonly ConnectionEntry[]): string {
  const lines = ['IPVS connection entries', `pro expire ${'state'.padEnd(11)} ${'source'.padEnd(18)} ${'virtual'.padEnd(18)} destination`];
  for (const e of entries) {
    const expire = `${String(Math.floor(e.expiresIn / 60)).padStart(2, '0')}:${String(e.expiresIn % 60).padStart(2, '0')}`;
    lines.push(
      `${e.protocol.padEnd(3)} ${expire.padEnd(6)} ${e.state.padEnd(11)} ${endpointText(e.clientAddress, e.clientPort).padEnd(18)} ` +
        `${endpointText(e.virtualAddress, e.virtualPort).padEnd(18)} ${endpointText(e.destAddress, e.destPort)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
