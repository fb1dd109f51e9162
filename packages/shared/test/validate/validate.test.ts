import { describe, expect, it } from 'vitest';
import { formatIssues, validateState } from '../../src';

const svc = (over: Record<string, unknown> = {}, dests: Record<string, unknown>[] = []) => ({
  key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
  scheduler: 'wlc',
  destinations: dests,
  ...over,
});
const dest = (over: Record<string, unknown> = {}) => ({ address: '198.51.100.11', port: 80, forwarding: 'route', weight: 1, ...over });
const messageOf = (input: unknown): string => {
  const result = validateState(input);
  return result.ok ? 'OK' : formatIssues(result.issues);
};

// Each bad input and the exact message an operator sees.
const invalid: Array<[string, unknown, string]> = [
  [
    'hostname',
    { services: [svc({ key: { kind: 'addr', protocol: 'tcp', address: 'web1.example', port: 80 } })] },
    'services[0].key.address: "web1.example" is a hostname; give a numeric IPv4 or IPv6 address',
  ],
  [
    'bad IPv4',
    { services: [svc({ key: { kind: 'addr', protocol: 'tcp', address: '300.1.1.1', port: 80 } })] },
    'services[0].key.address: "300.1.1.1" is not a valid IPv4 or IPv6 address',
  ],
  [
    'IPv4 written as IPv6',
    { services: [svc({}, [dest({ address: '::ffff:198.51.100.1' })])] },
    'services[0].destinations[0].address: "::ffff:198.51.100.1" is an IPv4 address written as IPv6; write it as plain IPv4',
  ],
  [
    'shell metacharacters',
    { services: [svc({}, [dest({ address: '1.2.3.4;rm -rf /' })])] },
    'services[0].destinations[0].address: "1.2.3.4;rm -rf /" is not an IP address (it contains characters no address has)',
  ],
  [
    'port 70000',
    { services: [svc({ key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 70000 } })] },
    'services[0].key.port: port must be between 0 and 65535',
  ],
  ['weight -1', { services: [svc({}, [dest({ weight: -1 })])] }, 'services[0].destinations[0].weight: weight must be between 0 and 65535'],
  ['weight 65536', { services: [svc({}, [dest({ weight: 65536 })])] }, 'services[0].destinations[0].weight: weight must be between 0 and 65535'],
  ['weight 1.5', { services: [svc({}, [dest({ weight: 1.5 })])] }, 'services[0].destinations[0].weight: weight must be a whole number between 0 and 65535'],
  [
    'unknown scheduler',
    { services: [svc({ scheduler: 'fastest' })] },
    'services[0].scheduler: unknown scheduler "fastest"; use one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos',
  ],
  [
    'flags on the wrong scheduler',
    { services: [svc({ scheduler: 'rr', flags: ['sh-port'] })] },
    'services[0].flags: scheduler rr takes no flags (only sh and mh do); remove sh-port',
  ],
  [
    'sh flag on mh',
    { services: [svc({ scheduler: 'mh', flags: ['sh-port'] })] },
    'services[0].flags: flag sh-port does not apply to scheduler mh; it takes mh-fallback, mh-port',
  ],
  [
    'port 0 without persistence',
    { services: [svc({ key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 0 } })] },
    'services[0].key.port: port 0 (all ports) is only allowed on a persistent service; set persistence (-p) or give a port',
  ],
  ['-o on TCP', { services: [svc({ onePacket: true })] }, 'services[0].onePacket: one-packet scheduling (-o) applies only to UDP and fwmark services'],
  [
    'DR port mapping',
    { services: [svc({}, [dest({ port: 8080 })])] },
    'services[0].destinations[0].port: DR cannot change the port: real server port must be 80 (the service port), not 8080; use NAT (masq) to map ports',
  ],
  [
    'mixed family without tunnel',
    { services: [svc({}, [dest({ address: '2001:db8::7' })])] },
    'services[0].destinations[0].address: real server 2001:db8::7 is IPv6 but the service is IPv4; mixing address families works only with tunnelling',
  ],
  [
    'duplicate destination',
    { services: [svc({}, [dest(), dest({ weight: 5 })])] },
    'services[0].destinations[1]: real server 198.51.100.11:80 is already in TCP 192.0.2.10:80 (destinations[0])',
  ],
  ['duplicate service', { services: [svc(), svc()] }, 'services[1].key: service TCP 192.0.2.10:80 is defined twice (services[0])'],
  ['unknown field', { services: [svc({ colour: 'blue' })] }, 'services[0]: unknown field "colour"'],
  [
    'thresholds reversed',
    { services: [svc({}, [dest({ upperThreshold: 10, lowerThreshold: 20 })])] },
    'services[0].destinations[0].lowerThreshold: lower threshold 20 is above upper threshold 10',
  ],
  [
    'GUE without port',
    { services: [svc({}, [dest({ forwarding: 'tunnel', tunnel: { type: 'gue' } })])] },
    "services[0].destinations[0].tunnel.port: a GUE tunnel needs the real server's GUE port (--tun-port)",
  ],
  [
    'tunnel options on NAT',
    { services: [svc({}, [dest({ forwarding: 'masq', tunnel: { type: 'gre' } })])] },
    'services[0].destinations[0].tunnel: tunnel options apply only to tunnel (TUN) forwarding',
  ],
  [
    'IPv6 netmask on IPv4',
    { services: [svc({ persistence: { timeout: 300, netmaskPrefix: 64 } })] },
    'services[0].persistence.netmaskPrefix: persistence netmask prefix must be 0..32 for an IPv4 service',
  ],
];

describe('validateState', () => {
  it.each(invalid)('refuses %s with a message an operator can act on', (_name, input, message) => {
    expect(messageOf(input)).toBe(message);
  });

  it('accepts a DR service with IPv6 and a tunnelled IPv4 real server', () => {
    const input = {
      services: [
        svc({ key: { kind: 'addr', protocol: 'tcp', address: '2001:DB8::80', port: 443 } }, [
          dest({ address: '198.51.100.7', port: 443, forwarding: 'tunnel' }),
        ]),
      ],
    };
    const result = validateState(input);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.services[0]?.key).toMatchObject({ address: '2001:db8::80' });
  });

  it('fills in defaults: wlc, no flags, weight thresholds 0', () => {
    const result = validateState({ services: [{ key: { kind: 'fwmark', fwmark: 7, family: 'inet' }, destinations: [dest({ port: 0 })] }] });
    expect(result.ok && result.value.services[0]).toMatchObject({ scheduler: 'wlc', flags: [], persistence: null, onePacket: false });
  });
});
