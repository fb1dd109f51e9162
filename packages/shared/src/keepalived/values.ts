// Value syntax of keepalived.conf words: timers, hex strings, address ranges,
// argv splitting, as keepalived 2.2 reads them (lib/parser.c, check_parser.c).
import { formatIp, parseIp, type ParsedIp } from '../model/address';

/**
 * A keepalived timer: decimal seconds with up to 6 fractional digits
 * (read_timer, TIMER_HZ_DIGITS), returned in milliseconds (rounded).
 */
export function parseTimerMs(word: string | undefined): number | null {
  if (word === undefined || !/^\d+(\.\d{1,6})?$/.test(word)) return null;
  return Math.round(Number(word) * 1000);
}

/** A whole number within bounds (read_unsigned). */
export function parseUnsigned(word: string | undefined, min: number, max: number): number | null {
  if (word === undefined || !/^\d+$/.test(word)) return null;
  const value = Number(word);
  return value >= min && value <= max ? value : null;
}

/** keepalived's check_true_false; a bare keyword (no value) is true. */
export function parseBool(word: string | undefined): boolean | null {
  if (word === undefined) return true;
  if (word === 'true' || word === 'on' || word === 'yes') return true;
  if (word === 'false' || word === 'off' || word === 'no') return false;
  return null;
}

/** Seconds as keepalived writes a timer: whole seconds when exact, else up to 3 decimals. */
export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(3).replace(/0+$/, '');
}

/**
 * keepalived's free-form hex string (read_hex_str): groups separated by
 * spaces, each read two digits at a time, a lone last digit is its own byte
 * ("Ab12f 3" = AB 12 0F 03). Returns lower-case pairs, or null when a
 * character is not hex; `wildcard` reports X/x nibbles (reply masks).
 */
export function parseHexString(words: readonly string[]): { hex: string; wildcard: boolean } | null {
  let hex = '';
  let wildcard = false;
  for (const group of words) {
    if (!/^[0-9a-fA-FxX]+$/.test(group)) return null;
    if (/[xX]/.test(group)) wildcard = true;
    for (let i = 0; i < group.length; i += 2) {
      const pair = group.slice(i, i + 2);
      hex += (pair.length === 1 ? `0${pair}` : pair).toLowerCase();
    }
  }
  return { hex, wildcard };
}

/**
 * Split a command line as keepalived's alloc_strvec_quoted_escaped does:
 * whitespace separates words, '…' and "…" group, backslash escapes.
 */
export function splitCommandLine(text: string): string[] | null {
  const words: string[] = [];
  let index = 0;
  while (index < text.length) {
    while (index < text.length && /\s/.test(text[index] ?? '')) index++;
    if (index >= text.length) break;
    let word = '';
    let quote = '';
    while (index < text.length) {
      const c = text[index] ?? '';
      if (c === '\\') {
        if (index + 1 >= text.length) return null;
        const next = text[index + 1] ?? '';
        word += ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[next] ?? next;
        index += 2;
        continue;
      }
      if (quote) {
        if (c === quote) quote = '';
        else word += c;
        index++;
        continue;
      }
      if (/\s/.test(c)) break;
      if (c === '"' || c === "'") quote = c;
      else word += c;
      index++;
    }
    if (quote) return null;
    words.push(word);
  }
  return words;
}

/** Quote a word for keepalived when it needs it (spaces, quotes, comment or brace characters). */
export function quoteWord(word: string): string {
  if (word !== '' && !/[\s"'\\#!{}]/.test(word)) return word;
  return `"${word.replace(/["\\]/g, '\\$&')}"`;
}

function ipToBigInt(ip: ParsedIp): bigint {
  let value = 0n;
  for (const byte of ip.bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function bigIntToIp(value: bigint, family: ParsedIp['family']): string {
  const length = family === 'inet' ? 4 : 16;
  const bytes = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return formatIp({ family, bytes });
}

/**
 * A virtual_server_group address entry: an address, `a.b.c.d-e` (last part
 * ends the range), `a.b.c.d-e.f.g.h`, or `a.b.c.d/nn` (every address of the
 * prefix), IPv6 alike (the last group is hex). Returns the addresses, or a reason.
 */
export function expandAddressRange(text: string, maxAddresses: number): { addresses: string[]; family: ParsedIp['family'] } | { error: string } {
  const slash = text.indexOf('/');
  const dash = text.indexOf('-');
  const firstText = slash >= 0 ? text.slice(0, slash) : dash >= 0 ? text.slice(0, dash) : text;
  const first = parseIp(firstText);
  if (!first) return { error: `"${firstText}" is not an IP address` };
  const bits = first.bytes.length * 8;
  let start = ipToBigInt(first);
  let end = start;
  if (slash >= 0) {
    const prefix = Number(text.slice(slash + 1));
    if (!/^\d+$/.test(text.slice(slash + 1)) || prefix > bits) return { error: `"${text}" has an invalid prefix length` };
    const hostBits = BigInt(bits - prefix);
    start = (start >> hostBits) << hostBits;
    end = start + (1n << hostBits) - 1n;
  } else if (dash >= 0) {
    const lastText = text.slice(dash + 1);
    const full = parseIp(lastText);
    if (full) {
      if (full.family !== first.family) return { error: `"${text}" mixes IPv4 and IPv6` };
      end = ipToBigInt(full);
    } else {
      const isV4 = first.family === 'inet';
      const valid = isV4 ? /^\d{1,3}$/.test(lastText) : /^[0-9a-fA-F]{1,4}$/.test(lastText);
      const last = valid ? (isV4 ? Number(lastText) : parseInt(lastText, 16)) : NaN;
      if (!Number.isFinite(last) || last > (isV4 ? 255 : 0xffff)) return { error: `"${text}" has an invalid range end "${lastText}"` };
      const partBits = isV4 ? 8n : 16n;
      end = ((start >> partBits) << partBits) | BigInt(last);
    }
    if (end < start) return { error: `"${text}": the range ends before it starts` };
  }
  const count = end - start + 1n;
  if (count > BigInt(maxAddresses)) return { error: `"${text}" covers ${count} addresses; at most ${maxAddresses} per entry can be imported` };
  const addresses: string[] = [];
  for (let value = start; value <= end; value++) addresses.push(bigIntToIp(value, first.family));
  return { addresses, family: first.family };
}

/** HTTP status codes -> sorted ranges, adjacent codes merged (keepalived keeps a bitmap). */
export function statusRanges(codes: Iterable<number>): Array<{ min: number; max: number }> {
  const sorted = [...codes].sort((a, b) => a - b);
  const ranges: Array<{ min: number; max: number }> = [];
  for (const code of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last.max + 1 === code) last.max = code;
    else ranges.push({ min: code, max: code });
  }
  return ranges;
}
