// The agent's drift answer: desired and observed compared after the kernel's
// own normalisation, so a service that went in as configured is never drift.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyState, validateState, type DesiredState, type Service } from '../../src';
import { KernelTable } from '../../src/kernel';
import { plan } from '../../src/plan';
import { driftByService } from '../../src/drift';
import { stateArb } from '../support/arbitraries';

const at = (port: number): Service['key'] => ({ kind: 'addr', protocol: 'tcp', address: '192.0.2.20', port });
const tun: Service = {
  key: at(80),
  scheduler: 'wlc',
  flags: [],
  persistence: { timeout: 300 },
  onePacket: false,
  // As the new-service form saves it: tunnel options unset.
  destinations: [{ address: '198.51.100.21', port: 80, forwarding: 'tunnel', weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
};
const state = (...services: Service[]): DesiredState => ({ ...emptyState(), services });

/** What the kernel reports back after loading `desired` (ipvsadm -Sn, --timeout, --daemon). */
const kernelHolding = (desired: DesiredState) => KernelTable.of(desired).config();

describe("drift after the kernel's normalisation", () => {
  it('a TUN service with tunnel options unset is no drift once the kernel reports ipip', () => {
    const observed = kernelHolding(state(tun));
    expect(observed.services[0]?.destinations[0]?.tunnel).toEqual({ type: 'ipip' });
    expect(plan(state(tun), observed)).toEqual([]);
  });

  it('kernel defaults are no drift: full persistence netmask, flag names by bit, GUE checksum, daemon options', () => {
    const gue: Service = { ...tun, destinations: [{ ...tun.destinations[0]!, tunnel: { type: 'gue', port: 5555 } }] };
    const sh: Service = { ...tun, key: at(81), scheduler: 'sh', flags: ['sh-port', 'sh-fallback'], destinations: [] };
    const desired: DesiredState = { ...state(gue, sh), syncDaemons: [{ state: 'master', interface: 'eth0', syncId: 0 }] };
    expect(plan(desired, kernelHolding(desired))).toEqual([]);
  });

  it('a real difference is still drift', () => {
    const observed = kernelHolding(state(tun));
    const gre: Service = { ...tun, destinations: [{ ...tun.destinations[0]!, tunnel: { type: 'gre' } }] };
    expect(plan(state(gre), observed).map((c) => c.kind)).toEqual(['edit-destination']);
  });

  it('any valid desired state the kernel accepts whole is no drift against what the kernel reports', () => {
    fc.assert(
      fc.property(stateArb, (desired) => {
        fc.pre(validateState(desired).ok);
        const table = new KernelTable();
        fc.pre(table.load(desired).length === 0);
        expect(plan({ ...desired, timeouts: desired.timeouts ?? null }, table.config())).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('driftByService', () => {
  it("reads the agent's changes per service: missing, extra or differing", () => {
    const extra: Service = { ...tun, key: at(82) };
    const changed: Service = { ...tun, destinations: [{ ...tun.destinations[0]!, weight: 5 }] };
    const missing: Service = { ...tun, key: at(83) };
    const drift = driftByService(plan(state(changed, missing), kernelHolding(state(tun, extra))));
    expect(Object.fromEntries(drift)).toEqual({
      'tcp:192.0.2.20:80': 'differs',
      'tcp:192.0.2.20:83': 'missing-in-kernel',
      'tcp:192.0.2.20:82': 'only-in-kernel',
    });
  });

  it('is empty when the kernel matches', () => {
    expect(driftByService(plan(state(tun), kernelHolding(state(tun)))).size).toBe(0);
  });
});
