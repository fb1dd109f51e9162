// A service as its scheduler model sees it, from config (desired) or from
// an observation (which adds live counters and the kernel's list order).
import { destinationId, type Destination, type ObservedDestination, type ObservedService, type Service } from '../model';
import { kernelListOrder } from '../schedulers/kernel-rules';
import type { SchedDestination, SchedService } from '../schedulers/types';

function isObserved(service: Service | ObservedService): service is ObservedService {
  return service.destinations.every((d) => 'activeConns' in d);
}

function liveOf(dest: Destination | ObservedDestination): ObservedDestination | null {
  return 'activeConns' in dest ? dest : null;
}

export function schedServiceOf(service: Service | ObservedService): SchedService {
  const observed = isObserved(service) && service.destinations.length > 0;
  // Observations are already in the kernel's list order; config is in the order servers were added.
  const list: ReadonlyArray<Destination | ObservedDestination> = observed ? service.destinations : kernelListOrder<Destination>(service.destinations);
  const destinations: SchedDestination[] = list.map((dest) => {
    const live = liveOf(dest);
    return {
      id: destinationId(dest),
      address: dest.address,
      port: dest.port,
      weight: dest.weight,
      activeConns: live ? live.activeConns : 0,
      inactConns: live ? live.inactiveConns : 0,
      persistConns: live ? live.persistentConns : 0,
      overloaded: live?.overloaded ?? false,
      upperThreshold: dest.upperThreshold,
      lowerThreshold: dest.lowerThreshold,
    };
  });
  const key = service.key;
  return {
    scheduler: service.scheduler,
    flags: service.flags,
    destinations,
    virtualService:
      key.kind === 'addr' ? { kind: 'addr', protocol: key.protocol, address: key.address, port: key.port } : { kind: 'fwmark', fwmark: key.fwmark },
    persistence: service.persistence
      ? {
          timeoutSec: service.persistence.timeout,
          ...(service.persistence.netmaskPrefix !== undefined ? { netmaskPrefix: service.persistence.netmaskPrefix } : {}),
        }
      : null,
  };
}
