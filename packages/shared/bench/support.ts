// Helpers shared by benchmark files: a large synthetic table and a timer
// that reports the median of several runs (robust against a noisy neighbour).
import type { DesiredState, Service } from '../src/model';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
}

/** services × destsPerService NAT services on 10.x addresses (documentation-free: never contacted). */
export function bigTable(services: number, destsPerService: number): DesiredState {
  const list: Service[] = [];
  for (let i = 0; i < services; i++) {
    const vip = `192.0.${Math.floor(i / 250) % 256}.${(i % 250) + 1}`;
    const port = 1000 + Math.floor(i / 64000);
    list.push({
      key: { kind: 'addr', protocol: 'tcp', address: vip, port },
      scheduler: 'wlc',
      flags: [],
      persistence: null,
      onePacket: false,
      destinations: Array.from({ length: destsPerService }, (_, d) => ({
        address: `198.51.${Math.floor(i / 250) % 256}.${d + 1}`,
        port: 8000 + (i % 250),
        forwarding: 'masq' as const,
        weight: 1 + d,
        upperThreshold: 0,
        lowerThreshold: 0,
      })),
    });
  }
  return { services: list, timeouts: null, syncDaemons: [], hostSettings: [] };
}

export function medianMs(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Number((times[Math.floor(times.length / 2)] ?? 0).toFixed(2));
}
