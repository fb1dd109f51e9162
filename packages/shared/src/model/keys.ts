// Identity keys. A service is identified by (protocol, address, port) or by
// (fwmark, family); a destination by (address, port) within its service.
// These strings are stable ids for maps, URLs and the console's React keys.
import { formatEndpoint } from './address';
import type { Destination, ServiceKey } from './ipvs';

export function serviceId(key: ServiceKey): string {
  return key.kind === 'fwmark' ? `fwmark:${key.fwmark}${key.family === 'inet6' ? ':inet6' : ''}` : `${key.protocol}:${formatEndpoint(key.address, key.port)}`;
}

export function destinationId(dest: Pick<Destination, 'address' | 'port'>): string {
  return formatEndpoint(dest.address, dest.port);
}

/** Human label: "TCP 192.0.2.1:80" or "FWM 7 (IPv6)". */
export function serviceLabel(key: ServiceKey): string {
  return key.kind === 'fwmark'
    ? `FWM ${key.fwmark}${key.family === 'inet6' ? ' (IPv6)' : ''}`
    : `${key.protocol.toUpperCase()} ${formatEndpoint(key.address, key.port)}`;
}

export function sameServiceKey(a: ServiceKey, b: ServiceKey): boolean {
  return serviceId(a) === serviceId(b);
}

/** Inverse of serviceId, for ids that arrive in URLs or CLI flags. */
export function parseServiceId(id: string): ServiceKey | null {
  const fw = /^fwmark:(\d+)(:inet6)?$/.exec(id);
  if (fw) return { kind: 'fwmark', fwmark: Number(fw[1]), family: fw[2] ? 'inet6' : 'inet' };
  const addr = /^(tcp|udp|sctp):(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d+)$/.exec(id);
  if (!addr) return null;
  return {
    kind: 'addr',
    protocol: addr[1] as 'tcp' | 'udp' | 'sctp',
    address: (addr[2] ?? addr[3]) as string,
    port: Number(addr[4]),
  };
}
