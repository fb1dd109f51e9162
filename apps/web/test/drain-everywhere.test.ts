// Draining one real server in every service it serves, as one desired state.
import { describe, expect, it } from 'vitest';
import { desiredStateSchema, type DesiredState } from '@lvs-console/shared';
import { drainEverywhere, realServersAcrossServices } from '../src/features/services/drain-everywhere';

const dest = (address: string, port: number, weight: number) => ({ address, port, forwarding: 'masq' as const, weight, upperThreshold: 0, lowerThreshold: 0 });
const svc = (address: string, port: number, destinations: ReturnType<typeof dest>[]) => ({
  key: { kind: 'addr' as const, protocol: 'tcp' as const, address, port },
  scheduler: 'wlc' as const,
  flags: [],
  persistence: null,
  onePacket: false,
  destinations,
});
const state: DesiredState = desiredStateSchema.parse({
  services: [
    svc('192.0.2.10', 80, [dest('10.0.0.1', 80, 3), dest('10.0.0.2', 80, 1)]),
    svc('192.0.2.10', 443, [dest('10.0.0.1', 443, 2), dest('10.0.0.3', 443, 1)]),
    svc('192.0.2.20', 53, [dest('10.0.0.1', 8053, 0), dest('10.0.0.2', 8053, 5)]),
  ],
});

describe('drain a real server everywhere', () => {
  it('lists each address with the services it serves, the most shared first', () => {
    const servers = realServersAcrossServices(state);
    expect(servers[0]?.address).toBe('10.0.0.1');
    expect(servers[0]?.services.map((s) => `${s.id}>${s.port}`)).toEqual(['tcp:192.0.2.10:80>80', 'tcp:192.0.2.10:443>443', 'tcp:192.0.2.20:53>8053']);
  });

  it('sets weight 0 at that address in every service and leaves everything else alone', () => {
    const drained = drainEverywhere(state, '10.0.0.1');
    expect(drained).not.toBeNull();
    const weights = drained?.services.map((s) => s.destinations.map((d) => `${d.address}:${d.port}=${d.weight}`));
    expect(weights).toEqual([
      ['10.0.0.1:80=0', '10.0.0.2:80=1'],
      ['10.0.0.1:443=0', '10.0.0.3:443=1'],
      ['10.0.0.1:8053=0', '10.0.0.2:8053=5'],
    ]);
    expect(desiredStateSchema.safeParse(drained).success).toBe(true);
    // The input state is not changed in place.
    expect(state.services[0]?.destinations[0]?.weight).toBe(3);
  });

  it('answers null when nothing is left to drain', () => {
    const once = drainEverywhere(state, '10.0.0.1');
    expect(once && drainEverywhere(once, '10.0.0.1')).toBeNull();
    expect(drainEverywhere(state, '10.9.9.9')).toBeNull();
  });
});
