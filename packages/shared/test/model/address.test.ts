import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIp, formatEndpoint, inSubnet, ipv4MaskPrefix, ipv4PrefixMask, parseServiceId, serviceId, splitEndpoint } from '../../src/model';

describe('addresses', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:0', '2001:db8:0:1::'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:3:4:5:6:7:8', '1:0:3:4:5:6:7:8'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
  ])('canonical form of %s is %s (as inet_ntop prints it)', (input, canonical) => {
    expect(canonicalIp(input)).toBe(canonical);
  });

  it.each(['256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', 'a::b::c', '1:2:3:4:5:6:7:8:9', 'gggg::1', '', 'web1', '1.2.3.4 '])('refuses %j', (input) =>
    expect(canonicalIp(input)).toBeNull(),
  );

  it('round-trips any IPv6 address through its canonical text', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }), (words) => {
        const text = words.map((w) => w.toString(16)).join(':');
        const canonical = canonicalIp(text);
        expect(canonical).not.toBeNull();
        expect(canonicalIp(canonical!)).toBe(canonical);
      }),
    );
  });

  it('converts masks and prefixes', () => {
    expect(ipv4MaskPrefix('255.255.255.0')).toBe(24);
    expect(ipv4MaskPrefix('255.0.255.0')).toBeNull();
    expect(ipv4MaskPrefix('0.0.0.0')).toBe(0);
    expect(ipv4PrefixMask(32)).toBe('255.255.255.255');
    expect(ipv4PrefixMask(0)).toBe('0.0.0.0');
  });

  it('splits and formats endpoints like ipvsadm', () => {
    expect(splitEndpoint('[2001:db8::1]:80')).toEqual({ address: '2001:db8::1', port: '80' });
    expect(splitEndpoint('192.0.2.1:80')).toEqual({ address: '192.0.2.1', port: '80' });
    expect(splitEndpoint('192.0.2.1')).toEqual({ address: '192.0.2.1', port: undefined });
    expect(formatEndpoint('2001:db8::1', 443)).toBe('[2001:db8::1]:443');
  });

  it('service ids round-trip', () => {
    for (const key of [
      { kind: 'addr', protocol: 'udp', address: '2001:db8::53', port: 53 } as const,
      { kind: 'fwmark', fwmark: 12, family: 'inet6' } as const,
      { kind: 'addr', protocol: 'sctp', address: '192.0.2.5', port: 3868 } as const,
    ])
      expect(parseServiceId(serviceId(key))).toEqual(key);
  });
  it('tells whether an address lies in a subnet', () => {
    expect(inSubnet('198.51.100.21', '198.51.100.1', 24)).toBe(true);
    expect(inSubnet('198.51.101.21', '198.51.100.1', 24)).toBe(false);
    expect(inSubnet('10.1.2.3', '10.0.0.0', 15)).toBe(true);
    expect(inSubnet('10.2.2.3', '10.0.0.0', 15)).toBe(false);
    expect(inSubnet('2001:db8::5', '2001:db8::1', 64)).toBe(true);
    expect(inSubnet('2001:db8::5', '192.0.2.1', 0)).toBe(false);
    expect(inSubnet('203.0.113.7', '0.0.0.0', 0)).toBe(true);
  });
});
