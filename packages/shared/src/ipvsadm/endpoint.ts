// Numeric addresses and ports as ipvsadm writes them, parsed fast (the
// -Sn and -Ln hot paths see one or two per line) with operator-facing
// messages. Hostnames and service names are refused, never resolved.
import { canonicalIp } from '../model/address';
import type { AddressFamily } from '../model/address';
import { describedText, type DescribedText, type MessageId, type MessageParams } from '../model/messages';

export interface ParsedEndpoint {
  address: string;
  family: AddressFamily;
  /** undefined when the text had no port. */
  port: number | undefined;
}

/** Why a text was refused, said by message id (the English text beside it). */
export type Refusal = { ok: false } & DescribedText;

function refused(id: MessageId, params: MessageParams = {}): Refusal {
  return { ok: false, ...describedText(id, params) };
}

export type EndpointResult = { ok: true; value: ParsedEndpoint } | Refusal;

/**
 * Canonical dotted quad, or null. Accepts exactly what inet_ntop prints
 * (no leading zeros), which is also the canonical form, so the input string
 * is returned as is and nothing is allocated.
 */
export function fastIpv4(text: string, start = 0, end = text.length): boolean {
  let dots = 0;
  let value = 0;
  let digits = 0;
  let first = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return false;
      dots++;
      value = 0;
      digits = 0;
      continue;
    }
    if (c < 48 || c > 57) return false;
    if (digits === 0) first = c;
    else if (first === 48) return false; // leading zero: not canonical
    value = value * 10 + (c - 48);
    digits++;
    if (value > 255) return false;
  }
  return dots === 3 && digits > 0;
}

/** A decimal number of digits only, or -1. */
export function decimal(text: string, start = 0, end = text.length): number {
  if (end <= start || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

const HOSTNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Why a text is not a numeric address, worded for an operator. */
export function addressProblem(text: string): Refusal {
  if (text.includes('$')) return refused('ipvsAddressVariable', { value: text });
  if (HOSTNAME.test(text)) return refused('addressHostname', { value: text });
  return refused('addressInvalid', { value: text });
}

/** Canonical address text or a message. */
export function parseAddress(text: string): { ok: true; address: string; family: AddressFamily } | Refusal {
  if (fastIpv4(text)) return { ok: true, address: text, family: 'inet' };
  const canonical = canonicalIp(text);
  if (canonical === null) return addressProblem(text);
  return { ok: true, address: canonical, family: canonical.includes(':') ? 'inet6' : 'inet' };
}

function parsePort(text: string, whole: string): { ok: true; port: number } | Refusal {
  const port = decimal(text);
  if (port >= 0) {
    return port <= 65535 ? { ok: true, port } : refused('ipvsPortRange', { port, value: whole });
  }
  if (text === '') return refused('ipvsPortEmpty', { value: whole });
  if (/^[A-Za-z][A-Za-z0-9_-]*$/.test(text)) {
    return refused('ipvsPortNamed', { value: whole, port: text });
  }
  return refused('ipvsPortInvalid', { value: whole, port: text });
}

/**
 * `addr[:port]` as parse_service() reads it: `[v6]:port` in brackets (the
 * brackets need a port), a bare IPv6 address without a port, or
 * `v4[:port]`. A string of digits alone is not an address.
 */
export function parseEndpoint(text: string): EndpointResult {
  const n = text.length;
  // Hot path: dotted quad with a port, as -Sn and -Ln print it.
  const colon = text.lastIndexOf(':');
  if (colon > 0 && text.charCodeAt(0) !== 91 && text.indexOf(':') === colon) {
    if (fastIpv4(text, 0, colon)) {
      const port = decimal(text, colon + 1, n);
      if (port >= 0 && port <= 65535) return { ok: true, value: { address: text.slice(0, colon), family: 'inet', port } };
    }
  }
  if (text === '') return refused('ipvsAddressMissing');
  if (/^\d+$/.test(text)) return refused('ipvsDigitsOnly', { value: text });
  if (text.charCodeAt(0) === 91) {
    const close = text.indexOf(']');
    if (close < 0) return refused('ipvsBracketOpen', { value: text });
    const inner = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (!rest.startsWith(':')) {
      return refused('ipvsBracketPort', { value: text, inner });
    }
    const address = canonicalIp(inner);
    if (address === null || !address.includes(':')) return addressProblem(inner);
    const port = parsePort(rest.slice(1), text);
    if (!port.ok) return port;
    return { ok: true, value: { address, family: 'inet6', port: port.port } };
  }
  if (text.indexOf(':') !== colon) {
    // Several colons: a bare IPv6 address, which cannot carry a port.
    const address = canonicalIp(text);
    if (address === null) return addressProblem(text);
    return { ok: true, value: { address, family: 'inet6', port: undefined } };
  }
  const host = colon >= 0 ? text.slice(0, colon) : text;
  const parsed = parseAddress(host);
  if (!parsed.ok) return parsed;
  if (colon < 0) return { ok: true, value: { address: parsed.address, family: parsed.family, port: undefined } };
  const port = parsePort(text.slice(colon + 1), text);
  if (!port.ok) return port;
  return { ok: true, value: { address: parsed.address, family: parsed.family, port: port.port } };
}

/** A canonical dotted quad as one u32, without allocating. */
export function ipv4Value(address: string): number {
  let value = 0;
  let part = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      value = value * 256 + part;
      part = 0;
    } else {
      part = part * 10 + (c - 48);
    }
  }
  return value * 256 + part;
}

/** Four 32-bit words of an address, network order, as libipvs compares them. */
export function addressWords(address: string): [number, number, number, number] {
  if (!address.includes(':')) return [ipv4Value(address), 0, 0, 0];
  const words: [number, number, number, number] = [0, 0, 0, 0];
  const groups = expandIpv6(address);
  for (let i = 0; i < 4; i++) words[i] = (groups[i * 2] ?? 0) * 65536 + (groups[i * 2 + 1] ?? 0);
  return words;
}

function expandIpv6(address: string): number[] {
  const halves = address.split('::');
  const parse = (part: string | undefined): number[] => {
    if (!part) return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
        out.push(a * 256 + b, c * 256 + d);
      } else {
        out.push(parseInt(group, 16));
      }
    }
    return out;
  };
  const head = parse(halves[0]);
  if (halves.length === 1) return head;
  const tail = parse(halves[1]);
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/**
 * parseEndpoint() without allocating a result per call: read() fills the
 * fields and returns null, or returns why not. For the -Sn hot path.
 */
export class EndpointReader {
  address = '';
  family: AddressFamily = 'inet';
  port: number | undefined = undefined;

  read(text: string): Refusal | null {
    const colon = text.lastIndexOf(':');
    if (colon > 0 && text.charCodeAt(0) !== 91 && text.indexOf(':') === colon && fastIpv4(text, 0, colon)) {
      const port = decimal(text, colon + 1, text.length);
      if (port >= 0 && port <= 65535) {
        this.address = text.slice(0, colon);
        this.family = 'inet';
        this.port = port;
        return null;
      }
    }
    const parsed = parseEndpoint(text);
    if (!parsed.ok) return parsed;
    this.address = parsed.value.address;
    this.family = parsed.value.family;
    this.port = parsed.value.port;
    return null;
  }
}
