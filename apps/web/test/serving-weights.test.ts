import { describe, expect, it } from 'vitest';
import type { ServiceKey } from '@lvs-console/shared';
import { ServingWeights } from '../src/features/weights/serving-weights';

const http: ServiceKey = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 };
const https: ServiceKey = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 443 };
const server = { address: '10.0.0.7', port: 8080 };

describe('ServingWeights', () => {
  it('restores each service its own weight for a real server that is in two services', () => {
    const memory = new ServingWeights();
    memory.remember(http, [{ ...server, weight: 5 }]);
    memory.remember(https, [{ ...server, weight: 2 }]);
    // Both drained: the weights seen last were 0, which are not remembered.
    memory.remember(http, [{ ...server, weight: 0 }]);
    memory.remember(https, [{ ...server, weight: 0 }]);
    expect(memory.weightToRestore(http, server)).toBe(5);
    expect(memory.weightToRestore(https, server)).toBe(2);
  });

  it('falls back to weight 1 for a destination it never saw serving', () => {
    expect(new ServingWeights().weightToRestore(http, server)).toBe(1);
  });
});
