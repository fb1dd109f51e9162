import { describe, expect, it } from 'vitest';
import { emptyState, type DesiredState } from '../../src';
import { plan, renderPlan } from '../../src/plan';

describe('renderPlan', () => {
  it('shows a new NAT cluster and a timeout change as ipvsadm lines', () => {
    const desired: DesiredState = {
      ...emptyState(),
      timeouts: { tcp: 28800, tcpFin: 30, udp: 600 },
      services: [
        {
          key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 },
          scheduler: 'rr',
          flags: [],
          persistence: null,
          onePacket: false,
          destinations: [{ address: '198.51.100.2', port: 80, forwarding: 'masq', weight: 4, upperThreshold: 0, lowerThreshold: 0 }],
        },
      ],
    };
    expect(renderPlan(plan(desired, emptyState()))).toEqual([
      'ipvsadm --set 28800 30 600',
      'ipvsadm -A -t 192.0.2.1:80 -s rr',
      'ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 4',
    ]);
  });
});
