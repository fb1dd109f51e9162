// The contract every scheduler model implements. Cores keep the state of
// svc->sched_data and are mutated in place by the engine; the public API in
// engine.ts clones before mutating, so callers see pure functions.
import type { SchedConnection, SchedDestination, SchedService } from './types';

/** A destination list the scheduler state was built for (ip_vs_service.destinations). */
export interface BoundList {
  readonly dests: readonly SchedDestination[];
  readonly indexById: ReadonlyMap<string, number>;
}

export function bindList(dests: readonly SchedDestination[]): BoundList {
  const indexById = new Map<string, number>();
  dests.forEach((dest, index) => {
    if (indexById.has(dest.id)) throw new Error(`duplicate destination id ${dest.id}`);
    indexById.set(dest.id, index);
  });
  return { dests, indexById };
}

export interface PickContext {
  readonly service: SchedService;
  readonly conn: SchedConnection;
  readonly nowMs: number;
}

export interface SchedulerCore {
  /** An independent copy (tables that are never mutated may be shared). */
  clone(): SchedulerCore;
  /**
   * The add_dest / del_dest / upd_dest hooks: called after the list, a weight,
   * or any destination setting changed (the kernel calls them on every edit).
   */
  destinationsChanged(previous: BoundList, next: BoundList, service: SchedService): void;
  /** ip_vs_*_schedule(): index into list.dests or -1. */
  pick(list: BoundList, context: PickContext): number;
}

/** Whether a service flag (ipvsadm name) is set. */
export function hasFlag(service: SchedService, name: string): boolean {
  return service.flags.includes(name);
}

/** Protocols whose first 4 header bytes are the ports (ip_vs_sh_get_port). */
export function portOfConnection(conn: SchedConnection): number {
  return conn.protocol === 'tcp' || conn.protocol === 'udp' || conn.protocol === 'sctp' ? conn.clientPort : 0;
}
