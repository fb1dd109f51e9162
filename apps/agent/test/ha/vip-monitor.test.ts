// "Why no traffic" asks the VIP monitor once per service (health.status): the
// answer names a missing VIP for the services on it, nothing for the others,
// and follows a new desired state.
import { describe, expect, it } from 'vitest';
import type { DesiredState } from '@lvs-console/shared';
import { SimHostBackend } from '../../src/host';
import { DEMO_DIRECTOR_ADDRESSES, DEMO_STATE } from '../../src/kernel/demo';
import { hostPortOf } from '../../src/reconcile/ports';
import { VipMonitor } from '../../src/ha/vip-monitor';

describe('VipMonitor.blockerFor', () => {
  it('names a VIP missing from the interface for its services only, and follows the desired state', async () => {
    const web = 'tcp:192.0.2.10:80';
    let desired: DesiredState = { ...DEMO_STATE, vipInterface: 'eth0' };
    const monitor = new VipMonitor({
      desired: () => desired,
      host: hostPortOf(new SimHostBackend({ interfaceAddresses: DEMO_DIRECTOR_ADDRESSES })),
      cluster: () => null,
    });
    // Nothing checked yet: nothing blocks.
    expect(monitor.blockerFor(web)).toBeNull();

    await monitor.refresh();
    expect(monitor.blockerFor(web)).toMatchObject({ code: 'vip-missing', severity: 'blocks' });
    expect(monitor.blockerFor(web)?.message).toMatch(/^the VIP 192\.0\.2\.10 is not on eth0/);
    expect(monitor.blockerFor('tcp:203.0.113.99:80')).toBeNull();

    // A new desired state without the service: it is no longer found.
    desired = { ...desired, services: desired.services.filter((s) => !(s.key.kind === 'addr' && s.key.address === '192.0.2.10')) };
    expect(monitor.blockerFor(web)).toBeNull();
  });
});
