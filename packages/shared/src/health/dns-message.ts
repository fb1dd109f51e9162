// A minimal DNS message codec (RFC 1035) for health probes: one question,
// A or AAAA, recursion desired; the reply is parsed far enough to read the
// rcode and the answers' addresses. Pure bytes in, bytes out.
import { formatIpv4, formatIpv6 } from '../model/address';

export type DnsRecordType = 'A' | 'AAAA';
const TYPE_CODES: Record<DnsRecordType, number> = { A: 1, AAAA: 28 };
const CLASS_IN = 1;

export const DNS_RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;

export function encodeDnsQuery(id: number, name: string, type: DnsRecordType): Uint8Array {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((label) => label.length > 0);
  const nameLength = labels.reduce((sum, label) => sum + 1 + label.length, 1);
  const bytes = new Uint8Array(12 + nameLength + 4);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, id & 0xffff);
  view.setUint16(2, 0x0100); // standard query, recursion desired
  view.setUint16(4, 1); // one question
  let offset = 12;
  for (const label of labels) {
    if (label.length > 63) throw new Error(`DNS label "${label}" is longer than 63 characters`);
    bytes[offset++] = label.length;
    for (let i = 0; i < label.length; i++) bytes[offset++] = label.charCodeAt(i) & 0x7f;
  }
  bytes[offset++] = 0;
  view.setUint16(offset, TYPE_CODES[type]);
  view.setUint16(offset + 2, CLASS_IN);
  return bytes;
}

export interface DnsAnswer {
  type: number;
  /** The address for A/AAAA records; null for other types. */
  address: string | null;
}

export interface DnsReply {
  id: number;
  isResponse: boolean;
  rcode: number;
  rcodeName: string;
  truncated: boolean;
  answers: DnsAnswer[];
}

/** Skip a possibly compressed name; returns the offset after it. */
function skipName(bytes: Uint8Array, start: number): number {
  let offset = start;
  for (let guard = 0; guard < 128; guard++) {
    const length = bytes[offset];
    if (length === undefined) throw new Error('DNS reply ends inside a name');
    if (length === 0) return offset + 1;
    if ((length & 0xc0) === 0xc0) return offset + 2;
    offset += 1 + length;
  }
  throw new Error('DNS name too long');
}

/** Parse a reply; throws on messages too short or malformed to read. */
export function decodeDnsReply(bytes: Uint8Array): DnsReply {
  if (bytes.length < 12) throw new Error(`DNS reply of ${bytes.length} bytes is shorter than a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getUint16(2);
  const questions = view.getUint16(4);
  const answerCount = view.getUint16(6);
  let offset = 12;
  for (let i = 0; i < questions; i++) offset = skipName(bytes, offset) + 4;
  const answers: DnsAnswer[] = [];
  for (let i = 0; i < answerCount; i++) {
    offset = skipName(bytes, offset);
    if (offset + 10 > bytes.length) throw new Error('DNS reply ends inside an answer');
    const type = view.getUint16(offset);
    const length = view.getUint16(offset + 8);
    offset += 10;
    if (offset + length > bytes.length) throw new Error('DNS reply ends inside an answer');
    const data = bytes.subarray(offset, offset + length);
    let address: string | null = null;
    if (type === TYPE_CODES.A && length === 4) address = formatIpv4(data);
    if (type === TYPE_CODES.AAAA && length === 16) address = formatIpv6(data);
    answers.push({ type, address });
    offset += length;
  }
  const rcode = flags & 0x0f;
  return {
    id: view.getUint16(0),
    isResponse: (flags & 0x8000) !== 0,
    rcode,
    rcodeName: DNS_RCODES[rcode] ?? `RCODE ${rcode}`,
    truncated: (flags & 0x0200) !== 0,
    answers,
  };
}

export function dnsTypeCode(type: DnsRecordType): number {
  return TYPE_CODES[type];
}

/** A reply to `query` with the given addresses (for tests and the demo's tiny responder). */
export function encodeDnsReply(query: Uint8Array, type: DnsRecordType, addresses: readonly Uint8Array[], rcode = 0): Uint8Array {
  const questionEnd = skipName(query, 12) + 4;
  const answerLength = addresses.reduce((sum, a) => sum + 12 + a.length, 0);
  const bytes = new Uint8Array(questionEnd + answerLength);
  bytes.set(query.subarray(0, questionEnd));
  const view = new DataView(bytes.buffer);
  view.setUint16(2, 0x8180 | (rcode & 0x0f));
  view.setUint16(6, addresses.length);
  view.setUint16(8, 0);
  view.setUint16(10, 0);
  let offset = questionEnd;
  for (const address of addresses) {
    view.setUint16(offset, 0xc00c); // pointer to the question's name
    view.setUint16(offset + 2, TYPE_CODES[type]);
    view.setUint16(offset + 4, CLASS_IN);
    view.setUint32(offset + 6, 60);
    view.setUint16(offset + 10, address.length);
    bytes.set(address, offset + 12);
    offset += 12 + address.length;
  }
  return bytes;
}
