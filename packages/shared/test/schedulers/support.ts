// Builders for scheduler tests: destinations with kernel-style defaults.
import type { SchedConnection, SchedDestination, SchedService, SchedulerName } from '../../src/schedulers';

export function dest(id: string, weight: number, extra: Partial<SchedDestination> = {}): SchedDestination {
  const [address = id, port = '80'] = id.split(':');
  return {
    id,
    address,
    port: Number(port),
    weight,
    activeConns: 0,
    inactConns: 0,
    persistConns: 0,
    overloaded: false,
    upperThreshold: 0,
    lowerThreshold: 0,
    ...extra,
  };
}

export function service(scheduler: SchedulerName, destinations: SchedDestination[], extra: Partial<SchedService> = {}): SchedService {
  return {
    scheduler,
    flags: [],
    destinations,
    virtualService: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
    ...extra,
  };
}

export function conn(clientAddress: string, clientPort = 40000, extra: Partial<SchedConnection> = {}): SchedConnection {
  return { clientAddress, clientPort, virtualAddress: '192.0.2.10', virtualPort: 80, protocol: 'tcp', ...extra };
}

export function ids(picks: ReadonlyArray<SchedDestination | null>): Array<string | null> {
  return picks.map((p) => (p ? p.id : null));
}
