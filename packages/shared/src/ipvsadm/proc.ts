// /proc/net/ip_vs: the kernel's own text listing of the virtual service table
// (net/netfilter/ipvs/ip_vs_ctl.c ip_vs_info_seq_show()). Reading it is one
// seq_file pass in the kernel, far cheaper than an ipvsadm listing, which
// asks for every service's destinations in a netlink dump of its own.
//
//   IP Virtual Server version 1.2.1 (size=4096)
//   Prot LocalAddress:Port Scheduler Flags
//     -> RemoteAddress:Port Forward Weight ActiveConn InActConn
//   TCP  C000020C:0050 wrr
//     -> CB00710E:0050      Masq    1      0          0
//   TCP  [2001:0db8:0000:0000:0000:0000:0000:0010]:0050 rr persistent 75000 FFFFFF00
//     -> [2001:0db8:0001:0000:0000:0000:0000:0011]:1F90      Masq    1      0          0
//   FWM  00000006 rr
//
// Addresses are hex (IPv4: 8 digits, host order; IPv6: %pI6 uncompressed in
// brackets), ports 4 hex digits, numbers decimal. The Forward column is
// Masq, Route, Tunnel or Local (IP_VS_CONN_F_LOCALNODE). A firewall-mark
// service does NOT say its family, and services come in hash order (ipvsadm
// -L/-S sort): the agent takes configuration from `ipvsadm -Sn` and only the
// connection numbers and Local from here, matching by key.
import type { ForwardingMethod, Protocol } from '../model/ipvs';
import type { Issue } from '../model/errors';
import { parseVersionHeader, type ParseResult } from './listing';
import { hexValue, procAddress } from './connections';
import type { KernelInfo } from '../model/observed';

export type ProcServiceKey =
  | { kind: 'addr'; protocol: Protocol; address: string; port: number }
  /** The family of a firewall-mark service is not in the text. */
  | { kind: 'fwmark'; fwmark: number };

export interface ProcDestination {
  address: string;
  port: number;
  forwarding: ForwardingMethod;
  /** Forward "Local": IP_VS_CONN_F_LOCALNODE (a route destination on this host). */
  local: boolean;
  weight: number;
  activeConns: number;
  inactiveConns: number;
}

export interface ProcService {
  key: ProcServiceKey;
  scheduler: string;
  destinations: ProcDestination[];
}

export interface ProcIpVs {
  info: KernelInfo | null;
  services: ProcService[];
}

const PROTOCOLS: Readonly<Record<string, Protocol>> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };
const FORWARD: Readonly<Record<string, { forwarding: ForwardingMethod; local: boolean }>> = {
  Masq: { forwarding: 'masq', local: false },
  Route: { forwarding: 'route', local: false },
  Tunnel: { forwarding: 'tunnel', local: false },
  Local: { forwarding: 'route', local: true },
};

/** "C000020C:0050" or "[2001:0db8:...]:0050" -> address and port, or null. */
function procEndpoint(text: string): { address: string; port: number } | null {
  let addressText: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text.charCodeAt(close + 1) !== 58 /* : */) return null;
    addressText = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.indexOf(':');
    if (colon < 0) return null;
    addressText = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  const address = procAddress(addressText);
  const port = portText.length === 4 ? hexValue(portText) : -1;
  if (address === null || port < 0) return null;
  return { address, port };
}

/** A non-negative decimal number, or -1. */
function count(text: string | undefined): number {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return -1;
  return Number(text);
}

/** Split on runs of spaces without a regular expression per line (110,000 lines at 10k services). */
function fields(line: string, start: number): string[] {
  const out: string[] = [];
  let i = start;
  const n = line.length;
  while (i < n) {
    while (i < n && line.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    const begin = i;
    while (i < n && line.charCodeAt(i) !== 32) i++;
    out.push(line.slice(begin, i));
  }
  return out;
}

/** Parse the whole of /proc/net/ip_vs. Unknown protocols (AH, ESP) are skipped: the model has none. */
export function parseProcIpVs(text: string): ParseResult<ProcIpVs> {
  const errors: Issue[] = [];
  const services: ProcService[] = [];
  let info: KernelInfo | null = null;
  let current: ProcService | null = null;
  let skipping = false;
  let lineNo = 0;
  let pos = 0;
  const end = text.length;
  while (pos < end) {
    let next = text.indexOf('\n', pos);
    if (next < 0) next = end;
    const line = text.slice(pos, next);
    pos = next + 1;
    lineNo++;
    if (line.trim() === '') continue;
    const bad = (message: string) => {
      if (errors.length < 20) errors.push({ path: `line ${lineNo}`, message: `${message}: "${line.trim()}"` });
    };
    if (line.startsWith('  -> ')) {
      if (line.startsWith('  -> RemoteAddress')) continue;
      const f = fields(line, 5);
      const endpoint = procEndpoint(f[0] ?? '');
      const forward = FORWARD[f[1] ?? ''];
      const weight = count(f[2]);
      const active = count(f[3]);
      const inactive = count(f[4]);
      if (!endpoint || !forward || weight < 0 || active < 0 || inactive < 0) {
        bad('not a destination line');
        continue;
      }
      if (skipping) continue;
      if (!current) {
        bad('destination before any service');
        continue;
      }
      current.destinations.push({
        address: endpoint.address,
        port: endpoint.port,
        forwarding: forward.forwarding,
        local: forward.local,
        weight,
        activeConns: active,
        inactiveConns: inactive,
      });
      continue;
    }
    if (line.startsWith('IP Virtual Server version')) {
      info = parseVersionHeader(line);
      continue;
    }
    if (line.startsWith('Prot LocalAddress')) continue;
    const f = fields(line, 0);
    const protocolName = f[0] ?? '';
    if (protocolName === 'FWM') {
      const mark = (f[1] ?? '').length === 8 ? hexValue(f[1] ?? '') : -1;
      if (mark < 0 || f[2] === undefined) {
        bad('not a firewall-mark service line');
        current = null;
        continue;
      }
      current = { key: { kind: 'fwmark', fwmark: mark }, scheduler: f[2], destinations: [] };
      services.push(current);
      skipping = false;
      continue;
    }
    const protocol = PROTOCOLS[protocolName];
    const endpoint = procEndpoint(f[1] ?? '');
    if (!endpoint || f[2] === undefined) {
      bad('not a service line');
      current = null;
      continue;
    }
    if (!protocol) {
      // ip_vs_proto_name(): AH, ESP, IP_<n>. Not services this model can hold.
      current = null;
      skipping = true;
      continue;
    }
    current = { key: { kind: 'addr', protocol, address: endpoint.address, port: endpoint.port }, scheduler: f[2], destinations: [] };
    services.push(current);
    skipping = false;
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { info, services } };
}
