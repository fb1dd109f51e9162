// The demo cluster a newcomer sees on `npm start`: a NAT web service with
// three weighted real servers, a DR HTTPS service and a UDP DNS service, with
// traffic already flowing.
import { desiredStateSchema } from '@lvs-console/shared';
import type { DesiredState } from '@lvs-console/shared';
import { plan } from '@lvs-console/shared/plan';
import { systemClock } from '../config/clock';
import { SimBackend } from './sim';
import type { SimBackendOptions, TrafficSettings } from './sim';

export const DEMO_STATE: DesiredState = desiredStateSchema.parse({
  services: [
    {
      key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
      scheduler: 'wrr',
      destinations: [
        { address: '198.51.100.11', port: 8080, forwarding: 'masq', weight: 3 },
        { address: '198.51.100.12', port: 8080, forwarding: 'masq', weight: 2 },
        { address: '198.51.100.13', port: 8080, forwarding: 'masq', weight: 1 },
      ],
    },
    {
      key: { kind: 'addr', protocol: 'tcp', address: '203.0.113.10', port: 443 },
      scheduler: 'wlc',
      persistence: { timeout: 300 },
      destinations: [
        { address: '198.51.100.21', port: 443, forwarding: 'route', weight: 1 },
        { address: '198.51.100.22', port: 443, forwarding: 'route', weight: 1 },
      ],
    },
    {
      key: { kind: 'addr', protocol: 'udp', address: '192.0.2.53', port: 53 },
      scheduler: 'rr',
      destinations: [
        { address: '198.51.100.31', port: 53, forwarding: 'masq', weight: 1 },
        { address: '198.51.100.32', port: 53, forwarding: 'masq', weight: 1 },
      ],
    },
  ],
});

/**
 * The demo director's own addresses: clients reach it on 192.0.2.0/24 (the
 * VIPs), the real servers sit on 198.51.100.0/24, so its DIP is 198.51.100.1.
 */
export const DEMO_DIRECTOR_ADDRESSES = [
  { interface: 'eth0', address: '192.0.2.1', prefixLength: 24 },
  // A second subnet on the client side, for the HTTPS VIP (a pair's VRRP must reach it on eth0).
  { interface: 'eth0', address: '203.0.113.1', prefixLength: 24 },
  { interface: 'eth1', address: '198.51.100.1', prefixLength: 24 },
] as const;

export const DEMO_TRAFFIC: TrafficSettings = {
  connectionsPerSecond: 12,
  clients: 500,
  meanDurationSeconds: 6,
  packetsPerSecond: 10,
  bytesPerPacketIn: 150,
  bytesPerPacketOut: 1100,
};

/** DNS answers are short-lived and frequent. */
const DEMO_DNS_TRAFFIC: Partial<TrafficSettings> = {
  connectionsPerSecond: 40,
  meanDurationSeconds: 0.2,
  packetsPerSecond: 5,
  bytesPerPacketIn: 70,
  bytesPerPacketOut: 180,
};

/** Load the demo cluster into a sim and turn its traffic on. */
export async function loadDemo(sim: SimBackend): Promise<void> {
  const observed = await sim.observe();
  // Add what is missing, keep whatever else the sim already holds.
  const changes = plan({ services: DEMO_STATE.services }, observed).filter((c) => c.kind !== 'delete-service');
  const { results } = await sim.apply(changes);
  const failed = results.find((r) => !r.ok);
  if (failed) throw new Error(`demo cluster did not load: ${failed.error ?? 'unknown error'}`);
  sim.setTraffic(DEMO_TRAFFIC);
  sim.setTraffic(DEMO_DNS_TRAFFIC, 'udp:192.0.2.53:53');
}

/** A fresh sim with the demo cluster, warmed up so the first look already shows traffic. */
export async function createDemoSim(options: SimBackendOptions = {}, warmUpMs = 30_000): Promise<SimBackend> {
  const clock = options.clock ?? systemClock;
  // Start in the past and run up to now, so counters and rates are non-zero at once.
  const sim = new SimBackend({ ...options, clock, startAt: clock.now() - warmUpMs });
  await loadDemo(sim);
  sim.advanceTo(clock.now());
  return sim;
}
