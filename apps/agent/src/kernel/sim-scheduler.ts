// The one place where the simulated kernel gets its scheduling decisions: the
// kernel's own algorithms from packages/shared/src/schedulers, one engine per
// service, fed the destination list in kernel order with live counters.
import { SchedulerEngine } from '@lvs-console/shared/schedulers';
import type { SchedConnection, SchedDestination, SchedService, SchedVirtualService } from '@lvs-console/shared/schedulers';
import type { Protocol, SchedFlag, SchedulerName } from '@lvs-console/shared';

export type SchedulableDestination = SchedDestination;

export interface ScheduleRequest {
  clientAddress: string;
  clientPort: number;
  virtualAddress: string;
  virtualPort: number;
  protocol: Protocol;
}

/** A service's scheduler instance; it keeps state between picks, as the kernel's do. */
export interface SimScheduler {
  /** Index into `dests` of the chosen destination, or -1 (no destination available). */
  pick(dests: readonly SchedulableDestination[], request: ScheduleRequest, nowMs: number): number;
  /** The kernel's add/del/upd_dest hook: the list, a weight or a threshold changed. */
  destinationsChanged(dests: readonly SchedulableDestination[]): void;
}

export interface SchedulerSetup {
  scheduler: SchedulerName;
  flags: readonly SchedFlag[];
  virtualService: SchedVirtualService;
  /** Seed for twos' random draws, so the sim stays reproducible. */
  seed: number;
  createdAtMs: number;
}

export type SchedulerFactory = (setup: SchedulerSetup) => SimScheduler;

export const createSimScheduler: SchedulerFactory = (setup) => {
  const serviceWith = (destinations: readonly SchedDestination[]): SchedService => ({
    scheduler: setup.scheduler,
    flags: setup.flags,
    destinations,
    virtualService: setup.virtualService,
    persistence: null,
    kernel: { twosSeed: setup.seed },
  });
  // A service starts empty (ipvsadm -A); destinations arrive through the hook.
  const engine = SchedulerEngine.create(serviceWith([]), { createdAtMs: setup.createdAtMs });
  return {
    destinationsChanged(dests) {
      engine.destinationsChanged(serviceWith(dests));
    },
    pick(dests, request, nowMs) {
      const conn: SchedConnection = {
        clientAddress: request.clientAddress,
        clientPort: request.clientPort,
        virtualAddress: request.virtualAddress,
        virtualPort: request.virtualPort,
        protocol: request.protocol,
      };
      return engine.pick(serviceWith(dests), conn, nowMs);
    },
  };
};
