// What `ipvsadm -L -n` (plain, --stats, --rate, --thresholds,
// --persistent-conn) and `ipvsadm -L --timeout` print for an observed table:
// the console's ipvsadm panel and `lvs-console ipvsadm -L` both print it.
// Column widths follow ipvsadm.c (print_title, print_service_entry,
// print_largenum); the recorded kernel fixtures check it byte for byte.
import type { KernelInfo, ObservedDestination, ObservedService, ObservedTable } from '../model/observed';
import type { Timeouts } from '../model/ipvs';
import { formatEndpoint, ipv4PrefixMask, parseIp } from '../model/address';

export type ListingMode = 'plain' | 'stats' | 'rate' | 'thresholds' | 'persistent-conn';

export interface ListingOptions {
  mode: ListingMode;
  /** --exact: no K/M/G rounding of large numbers. */
  exact?: boolean;
  info?: KernelInfo | null;
}

const FORWARD_NAMES = { masq: 'Masq', route: 'Route', tunnel: 'Tunnel' } as const;

function padEnd(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** print_largenum(): 9 columns, rounded to K/M/G/T unless --exact. */
export function largeNumber(value: number, exact = false): string {
  const n = Math.max(0, Math.floor(value));
  if (exact) {
    const text = String(n);
    return padStart(text, text.length <= 8 ? 9 : text.length + 1);
  }
  if (n < 100_000_000) return padStart(String(n), 9);
  if (n < 1_000_000_000) return `${padStart(String(Math.floor(n / 1e3)), 8)}K`;
  if (n < 100_000_000_000) return `${padStart(String(Math.floor(n / 1e6)), 8)}M`;
  if (n < 100_000_000_000_000) return `${padStart(String(Math.floor(n / 1e9)), 8)}G`;
  return `${padStart(String(Math.floor(n / 1e12)), 8)}T`;
}

function isIpv6Service(svc: ObservedService): boolean {
  return svc.key.kind === 'fwmark' ? svc.key.family === 'inet6' : svc.key.address.includes(':');
}

/** "TCP  192.0.2.1:80" / "FWM  7 IPv6", truncated at 33 characters for IPv4 as ipvsadm does. */
export function serviceColumn(svc: ObservedService): string {
  if (svc.key.kind === 'fwmark') return `FWM  ${svc.key.fwmark}${svc.key.family === 'inet6' ? ' IPv6' : ''}`;
  // "%-4s %s": TCP and UDP get two spaces, SCTP one.
  const text = `${padEnd(svc.key.protocol.toUpperCase(), 4)} ${formatEndpoint(svc.key.address, svc.key.port)}`;
  return isIpv6Service(svc) ? text : text.slice(0, 33);
}

function destinationColumn(svc: ObservedService, dest: ObservedDestination): string {
  const text = formatEndpoint(dest.address, dest.port);
  return isIpv6Service(svc) ? text : text.slice(0, 28);
}

function schedulerSuffix(svc: ObservedService): string {
  let text = ` ${svc.scheduler}`;
  if (svc.flags.length > 0) text += ` (${svc.flags.join(',')})`;
  if (svc.persistence) {
    text += ` persistent ${svc.persistence.timeout}`;
    const prefix = svc.persistence.netmaskPrefix;
    if (prefix !== undefined) {
      if (!isIpv6Service(svc) && prefix !== 32) text += ` mask ${ipv4PrefixMask(prefix)}`;
      if (isIpv6Service(svc) && prefix !== 128) text += ` mask ${prefix}`;
    }
    if (svc.persistence.engine) text += ` pe ${svc.persistence.engine}`;
  }
  if (svc.onePacket) text += ' ops';
  return text;
}

function compareBytes(a: string, b: string): number {
  const pa = parseIp(a);
  const pb = parseIp(b);
  if (!pa || !pb) return a.localeCompare(b);
  if (pa.bytes.length !== pb.bytes.length) return pa.bytes.length - pb.bytes.length;
  for (let i = 0; i < pa.bytes.length; i++) {
    const diff = (pa.bytes[i] ?? 0) - (pb.bytes[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP: ipvsadm compares the numbers. */
const PROTOCOL_NUMBER = { tcp: 6, udp: 17, sctp: 132 } as const;

/** ipvs_cmp_services: fwmark services after address ones, then protocol, address, port. */
export function compareServices(a: ObservedService, b: ObservedService): number {
  const ka = a.key;
  const kb = b.key;
  if (ka.kind !== kb.kind) return ka.kind === 'addr' ? -1 : 1;
  if (ka.kind === 'fwmark' && kb.kind === 'fwmark') return ka.fwmark - kb.fwmark;
  if (ka.kind === 'addr' && kb.kind === 'addr') {
    if (ka.protocol !== kb.protocol) return PROTOCOL_NUMBER[ka.protocol] - PROTOCOL_NUMBER[kb.protocol];
    return compareBytes(ka.address, kb.address) || ka.port - kb.port;
  }
  return 0;
}

function compareDestinations(a: ObservedDestination, b: ObservedDestination): number {
  return compareBytes(a.address, b.address) || a.port - b.port;
}

function titleLines(mode: ListingMode): string[] {
  const head = padEnd('Prot LocalAddress:Port', 33);
  switch (mode) {
    case 'stats':
      return [`${head} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((c) => padStart(c, 8)).join(' ')}`, '  -> RemoteAddress:Port'];
    case 'rate':
      return [`${head} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((c) => padStart(c, 8)).join(' ')}`, '  -> RemoteAddress:Port'];
    case 'thresholds':
      return [`${head} Uthreshold Lthreshold ActiveConn InActConn `, '  -> RemoteAddress:Port'];
    case 'persistent-conn':
      return [`${head} Weight    PersistConn ActiveConn InActConn `, '  -> RemoteAddress:Port'];
    case 'plain':
      return ['Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'];
  }
}

/** `ipvsadm -L --timeout`. */
export function formatTimeoutListing(timeouts: Timeouts): string {
  return `Timeout (tcp tcpfin udp): ${timeouts.tcp} ${timeouts.tcpFin} ${timeouts.udp}\n`;
}

/** The full listing text, ending with a newline, as the terminal would show it. */
export function formatIpvsadmListing(table: Pick<ObservedTable, 'services'>, options: ListingOptions): string {
  const { mode, exact = false } = options;
  const info = options.info ?? { ipvsVersion: '1.2.1', connTableSize: 4096 };
  const lines = [`IP Virtual Server version ${info.ipvsVersion} (size=${info.connTableSize})`, ...titleLines(mode)];
  const services = [...table.services].sort(compareServices);
  for (const svc of services) {
    const name = serviceColumn(svc);
    const dests = [...svc.destinations].sort(compareDestinations);
    if (mode === 'plain' || mode === 'thresholds' || mode === 'persistent-conn') {
      lines.push(`${name}${schedulerSuffix(svc)}`);
      for (const dest of dests) {
        const column = `  -> ${padEnd(destinationColumn(svc, dest), 28)}`;
        const conns = `${padEnd(String(dest.activeConns), 10)} ${padEnd(String(dest.inactiveConns), 10)}`;
        if (mode === 'thresholds') {
          lines.push(`${column} ${padEnd(String(dest.upperThreshold), 10)} ${padEnd(String(dest.lowerThreshold), 10)} ${conns}`);
        } else if (mode === 'persistent-conn') {
          lines.push(`${column} ${padEnd(String(dest.weight), 9)} ${padEnd(String(dest.persistentConns), 11)} ${conns}`);
        } else {
          const forward = dest.local ? 'Local' : FORWARD_NAMES[dest.forwarding];
          lines.push(`${column} ${padEnd(forward, 7)} ${padEnd(String(dest.weight), 6)} ${conns}`);
        }
      }
    } else if (mode === 'stats') {
      const s = svc.stats;
      lines.push(padEnd(name, 33) + [s.conns, s.inPkts, s.outPkts, s.inBytes, s.outBytes].map((v) => largeNumber(v, exact)).join(''));
      for (const dest of dests) {
        const d = dest.stats;
        lines.push(
          `  -> ${padEnd(destinationColumn(svc, dest), 28)}${[d.conns, d.inPkts, d.outPkts, d.inBytes, d.outBytes].map((v) => largeNumber(v, exact)).join('')}`,
        );
      }
    } else {
      const r = svc.rates;
      lines.push(padEnd(name, 33) + [r.cps, r.inPps, r.outPps, r.inBps, r.outBps].map((v) => largeNumber(v, exact)).join(''));
      for (const dest of dests) {
        const d = dest.rates;
        const small = [d.cps, d.inPps, d.outPps].map((v) => padStart(String(Math.floor(v)), 8)).join(' ');
        lines.push(`  -> ${padEnd(destinationColumn(svc, dest), 28)} ${small}${largeNumber(d.inBps, exact)}${largeNumber(d.outBps, exact)}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
