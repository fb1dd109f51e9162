// IP address parsing and canonical formatting, pure and dependency-free.
// The kernel and ipvsadm speak numeric addresses only; hostnames are refused
// at the edge so a console never depends on DNS to change a load balancer.

export type AddressFamily = 'inet' | 'inet6';

export interface ParsedIp {
  readonly family: AddressFamily;
  /** 4 or 16 bytes, network order. */
  readonly bytes: Uint8Array;
}

const IPV4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (!IPV4_PART.test(part)) return null;
    bytes[i] = Number(part);
  }
  return bytes;
}

export function parseIpv6(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] ?? '').split(':')) : [];
  const words: number[] = [];
  const pushGroups = (groups: string[], out: number[], allowV4Last: boolean): boolean => {
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i] ?? '';
      if (allowV4Last && i === groups.length - 1 && group.includes('.')) {
        const v4 = parseIpv4(group);
        if (!v4) return false;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return false;
      out.push(parseInt(group, 16));
    }
    return true;
  };
  const tailWords: number[] = [];
  if (!pushGroups(head, words, halves.length === 1)) return null;
  if (!pushGroups(tail, tailWords, true)) return null;
  if (halves.length === 1) {
    if (words.length !== 8) return null;
  } else {
    const missing = 8 - words.length - tailWords.length;
    if (missing < 1) return null;
    for (let i = 0; i < missing; i++) words.push(0);
  }
  words.push(...tailWords);
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  });
  return bytes;
}

/**
 * An IPv4 address dressed as IPv6: IPv4-mapped (::ffff:a.b.c.d) or the
 * deprecated IPv4-compatible form (::a.b.c.d, canonically ::c000:201).
 * :: and ::1 are IPv6's own and stay allowed.
 */
export function isIpv4AsIpv6(text: string): boolean {
  const parsed = parseIp(text);
  if (!parsed || parsed.family !== 'inet6') return false;
  const b = parsed.bytes;
  if (b.subarray(0, 10).some((byte) => byte !== 0)) return false;
  const mapped = b[10] === 0xff && b[11] === 0xff;
  const compatible = b[10] === 0 && b[11] === 0 && (b[12] ?? 0) !== 0;
  return mapped || compatible;
}

export function parseIp(text: string): ParsedIp | null {
  if (text.includes(':')) {
    const bytes = parseIpv6(text);
    return bytes ? { family: 'inet6', bytes } : null;
  }
  const bytes = parseIpv4(text);
  return bytes ? { family: 'inet', bytes } : null;
}

export function formatIpv4(bytes: Uint8Array): string {
  return `${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.${bytes[3] ?? 0}`;
}

/** RFC 5952 text, as inet_ntop(3) prints it (the form ipvsadm shows). */
export function formatIpv6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((bytes[i * 2] ?? 0) << 8) | (bytes[i * 2 + 1] ?? 0));
  // IPv4-mapped addresses keep their dotted tail, as glibc prints them.
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${formatIpv4(bytes.subarray(12, 16))}`;
  }
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

export function formatIp(ip: ParsedIp): string {
  return ip.family === 'inet' ? formatIpv4(ip.bytes) : formatIpv6(ip.bytes);
}

/** Canonical text of a numeric address, or null when it is not one. */
export function canonicalIp(text: string): string | null {
  const ip = parseIp(text);
  return ip ? formatIp(ip) : null;
}

export function familyOf(text: string): AddressFamily | null {
  return parseIp(text)?.family ?? null;
}

/** Number of leading one bits of a contiguous IPv4 netmask, or null if not contiguous. */
export function ipv4MaskPrefix(mask: string): number | null {
  const bytes = parseIpv4(mask);
  if (!bytes) return null;
  const value = (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0;
  const prefix = Math.clz32(~value >>> 0);
  const rebuilt = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return rebuilt === value ? prefix : null;
}

export function ipv4PrefixMask(prefix: number): string {
  const value = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** `addr:port`, with IPv6 in brackets, as ipvsadm writes an endpoint. */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Split `addr[:port]` / `[v6][:port]` as ipvsadm reads it. Returns the raw
 * address text and the port text (undefined when absent). Does not validate.
 */
export function splitEndpoint(text: string): { address: string; port: string | undefined } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return { address: text, port: undefined };
    const address = text.slice(1, close);
    const rest = text.slice(close + 1);
    return { address, port: rest.startsWith(':') ? rest.slice(1) : rest === '' ? undefined : rest };
  }
  const firstColon = text.indexOf(':');
  if (firstColon >= 0 && firstColon === text.lastIndexOf(':')) {
    return { address: text.slice(0, firstColon), port: text.slice(firstColon + 1) };
  }
  return { address: text, port: undefined };
}

/** Whether `address` lies in `network/prefixLength` (same family only). */
export function inSubnet(address: string, network: string, prefixLength: number): boolean {
  const a = parseIp(address);
  const n = parseIp(network);
  if (!a || !n || a.family !== n.family) return false;
  const bits = Math.max(0, Math.min(prefixLength, a.bytes.length * 8));
  for (let i = 0; i < a.bytes.length; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    const mask = take === 0 ? 0 : (0xff << (8 - take)) & 0xff;
    if (((a.bytes[i] ?? 0) & mask) !== ((n.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}
