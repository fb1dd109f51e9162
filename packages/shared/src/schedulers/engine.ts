// One entry point for all 14 schedulers.
//
// Two faces over one implementation:
//  - SchedulerEngine: mutable, for hot loops (the sim kernel, benchmarks).
//    pick() updates the engine in place, like svc->sched_data in the kernel.
//  - schedule(state, service, conn): pure by contract. It clones the state it
//    is given and returns the successor; the argument is never modified.
//    Clones are cheap: counters and cursors are copied, lookup tables are
//    shared (they are rebuilt, never mutated), lblc/lblcr maps are copied on write.
import { bindList, type BoundList, type PickContext, type SchedulerCore } from './core';
import { DhCore, MhCore, ShCore } from './hashing';
import { pickFo, pickLc, pickNq, pickOvf, pickSed, pickTwos, pickWlc } from './least-connection';
import { LblcCore, LblcrCore, LOCALITY_DEFAULT_EXPIRATION_MS } from './locality';
import { Prng } from './prng';
import { RrCore, WrrCore } from './round-robin';
import type { SchedConnection, SchedDestination, SchedService, SchedulerName, ScheduleResult } from './types';

/** Schedulers with no state at all: the choice is a function of the counters. */
class StatelessCore implements SchedulerCore {
  constructor(private readonly choose: (dests: readonly SchedDestination[]) => number) {}
  clone(): StatelessCore {
    return this;
  }
  destinationsChanged(): void {}
  pick(list: BoundList): number {
    return this.choose(list.dests);
  }
}

const STATELESS: Partial<Record<SchedulerName, StatelessCore>> = {
  lc: new StatelessCore(pickLc),
  wlc: new StatelessCore(pickWlc),
  sed: new StatelessCore(pickSed),
  nq: new StatelessCore(pickNq),
  fo: new StatelessCore(pickFo),
  ovf: new StatelessCore(pickOvf),
};

class TwosCore implements SchedulerCore {
  constructor(private readonly random: Prng) {}
  clone(): TwosCore {
    return new TwosCore(this.random.clone());
  }
  destinationsChanged(): void {}
  pick(list: BoundList): number {
    return pickTwos(list.dests, this.random);
  }
}

/** ip_vs_bind_scheduler() -> init_service(): the state for the dests present now. */
function initCore(service: SchedService, createdAtMs: number): SchedulerCore {
  const dests = service.destinations;
  const kernel = service.kernel;
  switch (service.scheduler) {
    case 'rr':
      return new RrCore();
    case 'wrr':
      return WrrCore.init(dests);
    case 'sh':
      return ShCore.init(dests, kernel);
    case 'dh':
      return DhCore.init(dests, kernel);
    case 'mh':
      return MhCore.init(dests, kernel);
    case 'lblc':
      return LblcCore.init(createdAtMs, secondsToMs(kernel?.lblcExpirationSec));
    case 'lblcr':
      return LblcrCore.init(createdAtMs, secondsToMs(kernel?.lblcrExpirationSec));
    case 'twos':
      return new TwosCore(Prng.fromSeed(kernel?.twosSeed ?? 1));
    case 'lc':
    case 'wlc':
    case 'sed':
    case 'nq':
    case 'fo':
    case 'ovf':
      return STATELESS[service.scheduler] as StatelessCore;
  }
}

function secondsToMs(seconds: number | undefined): number {
  return seconds === undefined ? LOCALITY_DEFAULT_EXPIRATION_MS : seconds * 1000;
}

/** What a destination change is detected by: membership, order and weights. */
function sameShape(a: readonly SchedDestination[], b: readonly SchedDestination[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as SchedDestination;
    const y = b[i] as SchedDestination;
    if (x.id !== y.id || x.weight !== y.weight || (x.lastWeight ?? x.weight) !== (y.lastWeight ?? y.weight)) return false;
  }
  return true;
}

export interface EngineOptions {
  /** Time the service got its scheduler (lblc/lblcr garbage-collection timer phase). */
  readonly createdAtMs?: number;
}

/**
 * The mutable scheduler of one service. Keep one per service; call pick() for
 * each new connection. If the destination list, an order or a weight changes,
 * pass the new list: the change is detected (by array identity first, then by
 * ids and weights) and the kernel's add/del/upd hook runs. Edits the detection
 * cannot see (the kernel also runs upd_dest on threshold or forwarding edits,
 * which resets wrr's cursor) need an explicit destinationsChanged(service).
 */
export class SchedulerEngine {
  private core: SchedulerCore;
  private bound: BoundList;
  private readonly scheduler: SchedulerName;

  private constructor(core: SchedulerCore, bound: BoundList, scheduler: SchedulerName) {
    this.core = core;
    this.bound = bound;
    this.scheduler = scheduler;
  }

  /** The scheduler bound to a service that already has these destinations (init_service). */
  static create(service: SchedService, options: EngineOptions = {}): SchedulerEngine {
    return new SchedulerEngine(initCore(service, options.createdAtMs ?? 0), bindList(service.destinations), service.scheduler);
  }

  /**
   * A service created empty (ipvsadm -A) whose destinations were then added
   * one by one (ipvsadm -a), oldest first: the add_dest hook runs after each.
   * This is what a freshly configured service looks like; for wrr it differs
   * from create() (cw starts at the first destination's weight-derived value).
   */
  static createFresh(service: SchedService, options: EngineOptions = {}): SchedulerEngine {
    const finalList = service.destinations;
    const empty: SchedService = { ...service, destinations: [] };
    const engine = SchedulerEngine.create(empty, options);
    // The kernel list is newest first, so the oldest destination is last.
    for (let added = 1; added <= finalList.length; added++) {
      const list = finalList.slice(finalList.length - added);
      engine.destinationsChanged({ ...service, destinations: list });
    }
    return engine;
  }

  get schedulerName(): SchedulerName {
    return this.scheduler;
  }

  /** The scheduler-specific state, for inspection (WrrCore, MhCore, LblcCore, ...). */
  get internals(): SchedulerCore {
    return this.core;
  }

  clone(): SchedulerEngine {
    return new SchedulerEngine(this.core.clone(), this.bound, this.scheduler);
  }

  /** Run the add/del/upd_dest hook for the service's current destination list. */
  destinationsChanged(service: SchedService): void {
    if (service.scheduler !== this.scheduler) throw new Error('scheduler changed: create a new engine (the kernel re-inits it)');
    const next = bindList(service.destinations);
    this.core.destinationsChanged(this.bound, next, service);
    this.bound = next;
  }

  private sync(service: SchedService): void {
    const dests = service.destinations;
    if (dests === this.bound.dests) return;
    if (sameShape(dests, this.bound.dests)) {
      this.bound = { dests, indexById: this.bound.indexById };
    } else {
      this.destinationsChanged(service);
    }
  }

  /** Schedule one new connection; returns the index into service.destinations or -1. */
  pick(service: SchedService, conn: SchedConnection, nowMs = 0): number {
    this.sync(service);
    const context: PickContext = { service, conn, nowMs };
    return this.core.pick(this.bound, context);
  }
}

/** Opaque, immutable scheduler state for the pure API. */
export interface SchedulerState {
  readonly engine: SchedulerEngine;
}

/** State of a scheduler bound to a service that already has its destinations. */
export function initSchedulerState(service: SchedService, options?: EngineOptions): SchedulerState {
  return { engine: SchedulerEngine.create(service, options) };
}

/** State of a freshly created service whose destinations were added oldest first. */
export function freshSchedulerState(service: SchedService, options?: EngineOptions): SchedulerState {
  return { engine: SchedulerEngine.createFresh(service, options) };
}

/** The kernel's add/del/upd_dest hook, as a pure function. */
export function destinationsChanged(state: SchedulerState, service: SchedService): SchedulerState {
  const engine = state.engine.clone();
  engine.destinationsChanged(service);
  return { engine };
}

/**
 * ip_vs_schedule() -> svc->scheduler->schedule(): choose a destination for a
 * new connection. Pure: `state` is not modified; the successor is returned.
 * `nowMs` matters for lblc/lblcr only (entry ages and expiry).
 */
export function schedule(state: SchedulerState, service: SchedService, conn: SchedConnection, nowMs = 0): ScheduleResult<SchedulerState> {
  const engine = state.engine.clone();
  const index = engine.pick(service, conn, nowMs);
  return { destination: index >= 0 ? (service.destinations[index] ?? null) : null, index, state: { engine } };
}
