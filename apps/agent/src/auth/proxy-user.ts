// --trust-proxy-user HEADER: a site's single-sign-on proxy in front of the
// agent names the person in a header. The header is believed only from
// loopback or the addresses given with --trusted-proxy (anyone else could
// send it), and only for a person of users.json: the role comes from there,
// and an unknown name is refused, never created.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { DomainError } from '@lvs-console/shared';
import { personNameSchema } from '@lvs-console/shared/api';

export interface ProxyUserOptions {
  /** The request header holding the person's name, e.g. X-Forwarded-User. */
  header: string;
  /** Addresses or CIDR blocks of the proxies (loopback is always trusted). */
  proxies: readonly string[];
}

/** Headers that carry other credentials or are set by every client: never a proxy's user header. */
const RESERVED_HEADERS = new Set(['authorization', 'cookie', 'host', 'content-type', 'content-length', 'x-lvs-console']);

/** What a request's proxy header says: nothing, or the name it carries. */
export type ProxyIdentity = { kind: 'none' } | { kind: 'name'; name: string } | { kind: 'invalid'; reason: string };

export class ProxyUserTrust {
  readonly header: string;
  private readonly trusted = new BlockList();

  constructor(options: ProxyUserOptions) {
    const header = options.header.toLowerCase();
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(header) || RESERVED_HEADERS.has(header)) {
      throw new DomainError(
        'INVALID_INPUT',
        `--trust-proxy-user: "${options.header}" is not a header the agent can take a user from (letters, digits and -, not ${[...RESERVED_HEADERS].join(', ')})`,
      );
    }
    this.header = header;
    this.trusted.addSubnet('127.0.0.0', 8, 'ipv4');
    this.trusted.addAddress('::1', 'ipv6');
    for (const proxy of options.proxies) this.addProxy(proxy);
  }

  private addProxy(proxy: string): void {
    const [address = '', bits, extra] = proxy.split('/');
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    const prefix = bits === undefined ? null : Number(bits);
    const maxPrefix = family === 'ipv4' ? 32 : 128;
    if (family === null || extra !== undefined || (prefix !== null && (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix))) {
      throw new DomainError('INVALID_INPUT', `--trusted-proxy: "${proxy}" is not an IP address or CIDR block`);
    }
    if (prefix === null) this.trusted.addAddress(address, family);
    else this.trusted.addSubnet(address, prefix, family);
  }

  /** Whether a connection from this address may name a user (IPv4-mapped IPv6 counts as IPv4). */
  trusts(remoteAddress: string | undefined): boolean {
    if (!remoteAddress) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress)?.[1];
    if (mapped) return this.trusted.check(mapped, 'ipv4');
    return isIPv4(remoteAddress) ? this.trusted.check(remoteAddress, 'ipv4') : isIPv6(remoteAddress) && this.trusted.check(remoteAddress, 'ipv6');
  }

  /** The name a trusted proxy sent; from anyone else the header is ignored. */
  identify(remoteAddress: string | undefined, headers: IncomingHttpHeaders): ProxyIdentity {
    const value = headers[this.header];
    if (value === undefined || !this.trusts(remoteAddress)) return { kind: 'none' };
    const name = Array.isArray(value) ? null : personNameSchema.safeParse(value.trim());
    if (!name?.success) return { kind: 'invalid', reason: `the ${this.header} header does not hold one person's name` };
    return { kind: 'name', name: name.data };
  }
}
