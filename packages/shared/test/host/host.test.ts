import { describe, expect, it } from 'vitest';
import { desiredStateSchema, serviceId } from '../../src/model';
import { describeHostSetting, directorRequirements, directorRequirementsForState, realServerRequirements, renderShellSnippet } from '../../src/host';

const state = desiredStateSchema.parse({
  services: [
    {
      key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
      destinations: [{ address: '198.51.100.11', port: 8080, forwarding: 'masq', weight: 1 }],
    },
    {
      key: { kind: 'addr', protocol: 'tcp', address: '203.0.113.10', port: 443 },
      destinations: [{ address: '198.51.100.21', port: 443, forwarding: 'route', weight: 1 }],
    },
    {
      key: { kind: 'addr', protocol: 'tcp', address: '203.0.113.20', port: 80 },
      destinations: [{ address: '198.51.100.31', port: 80, forwarding: 'tunnel', weight: 1 }],
    },
  ],
});

describe('what each forwarding method needs', () => {
  it('NAT needs ip_forward; TUN the ipip module; every VIP an address', () => {
    const rows = directorRequirementsForState(state, { vipInterface: 'eth0' });
    const lines = rows.map(describeHostSetting);
    expect(lines).toEqual([
      'kernel module ip_vs',
      'sysctl net.ipv4.ip_forward = 1',
      'address 192.0.2.10/32 on eth0',
      'address 203.0.113.10/32 on eth0',
      'kernel module ipip',
      'address 203.0.113.20/32 on eth0',
    ]);
    expect(rows.every((r) => r.reason.length > 0)).toBe(true);
  });

  it('FULLNAT adds conntrack and an SNAT row to the director address', () => {
    const svc = state.services[0];
    if (!svc) throw new Error('fixture');
    const rows = directorRequirements(svc, { fullnatSource: { [serviceId(svc.key)]: '198.51.100.1' } });
    expect(rows.map(describeHostSetting)).toContain('sysctl net.ipv4.vs.conntrack = 1');
    expect(rows.map(describeHostSetting)).toContain('source NAT of TCP 192.0.2.10:80 to 198.51.100.1');
  });

  it('DR real servers: VIP/32 on lo, arp_ignore=1 and arp_announce=2 on all and the egress interface', () => {
    const rows = realServerRequirements({ mode: 'dr', vips: ['192.0.2.10'], interface: 'eth0' }).map(describeHostSetting);
    expect(rows).toEqual(
      expect.arrayContaining([
        'sysctl net.ipv4.conf.all.arp_ignore = 1',
        'sysctl net.ipv4.conf.all.arp_announce = 2',
        'sysctl net.ipv4.conf.eth0.arp_ignore = 1',
        'sysctl net.ipv4.conf.eth0.arp_announce = 2',
        'address 192.0.2.10/32 on lo',
      ]),
    );
  });

  it('TUN real servers: ipip, rp_filter=0 on all and tunl0, VIP on tunl0, no ARP answers for the VIP', () => {
    const rows = realServerRequirements({ mode: 'tun', vips: ['192.0.2.10'], interface: 'eth0' }).map(describeHostSetting);
    expect(rows).toEqual(
      expect.arrayContaining([
        'kernel module ipip',
        // ARP requests arrive on the real interface: without these a real server takes the VIP (seen on Linux 6.1).
        'sysctl net.ipv4.conf.all.arp_ignore = 1',
        'sysctl net.ipv4.conf.all.arp_announce = 2',
        'sysctl net.ipv4.conf.eth0.arp_ignore = 1',
        'sysctl net.ipv4.conf.all.rp_filter = 0',
        'sysctl net.ipv4.conf.tunl0.rp_filter = 0',
        'address 192.0.2.10/32 on tunl0',
      ]),
    );
  });

  it('renders a copyable shell snippet with each reason as a comment', () => {
    const snippet = renderShellSnippet(realServerRequirements({ mode: 'dr', vips: ['192.0.2.10'] }));
    expect(snippet.startsWith('#!/bin/sh\nset -e\n')).toBe(true);
    expect(snippet).toContain('sysctl -w net.ipv4.conf.all.arp_ignore=1');
    expect(snippet).toContain('ip addr replace 192.0.2.10/32 dev lo');
    expect(snippet).toMatch(/# DR: /);
  });
});
