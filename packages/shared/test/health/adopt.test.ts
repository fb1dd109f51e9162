import { describe, expect, it } from 'vitest';
import { emptyState, type DesiredState, type Service } from '../../src';
import { keepHealthWhenAdopting } from '../../src/health';

const dest = (address: string, weight: number) => ({ address, port: 80, forwarding: 'route' as const, weight, upperThreshold: 0, lowerThreshold: 0 });
const service = (destinations: Service['destinations'], health?: Service['health']): Service => ({
  key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 },
  scheduler: 'wrr',
  flags: [],
  persistence: null,
  onePacket: false,
  destinations,
  ...(health ? { health } : {}),
});
const state = (...services: Service[]): DesiredState => ({ ...emptyState(), services });

describe('keepHealthWhenAdopting', () => {
  it('keeps configured weights where health set them, takes hand-made changes, drops the sorry server', () => {
    const health = { enabled: true } as unknown as NonNullable<Service['health']>;
    const current = state(service([dest('198.51.100.1', 5), dest('198.51.100.2', 3)], health));
    const target = state(service([dest('198.51.100.1', 0), dest('198.51.100.2', 3), dest('198.51.100.9', 1)]));
    // Kernel: .1 at 0 because its check fails, .2 changed by hand to 7, sorry server present.
    const adopted = state(service([dest('198.51.100.1', 0), dest('198.51.100.2', 7), dest('198.51.100.9', 1)]));
    const result = keepHealthWhenAdopting(adopted, current, target);
    expect(result.services[0]?.destinations.map((d) => [d.address, d.weight])).toEqual([
      ['198.51.100.1', 5],
      ['198.51.100.2', 7],
    ]);
    expect(result.services[0]?.health).toBe(health);
  });

  it('leaves services without health settings exactly as the kernel has them', () => {
    const adopted = state(service([dest('198.51.100.1', 2)]));
    expect(keepHealthWhenAdopting(adopted, state(service([dest('198.51.100.1', 9)])), adopted)).toEqual(adopted);
  });
});
