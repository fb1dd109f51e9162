// rr and wrr: the two schedulers whose state is a position in the list.
import type { BoundList, PickContext, SchedulerCore } from './core';
import { gcd } from './hash';
import type { SchedDestination } from './types';

/** The list head (&svc->destinations) as a cursor position. */
export const HEAD = -1;

/**
 * ip_vs_rr.c. sched_data points at the last chosen dest (or the head). The
 * scan starts after it, wraps once, and stops after re-checking it.
 */
export class RrCore implements SchedulerCore {
  constructor(public cursor: number = HEAD) {}

  clone(): RrCore {
    return new RrCore(this.cursor);
  }

  /**
   * rr has no add_dest hook (new dests enter at the head, so the cursor's dest
   * is unchanged) and ip_vs_rr_del_dest() moves the cursor to the entry before
   * a deleted one. Several changes at once: the nearest surviving predecessor.
   */
  destinationsChanged(previous: BoundList, next: BoundList): void {
    if (this.cursor === HEAD) return;
    for (let i = this.cursor; i >= 0; i--) {
      const id = previous.dests[i]?.id;
      const index = id === undefined ? undefined : next.indexById.get(id);
      if (index !== undefined) {
        this.cursor = index;
        return;
      }
    }
    this.cursor = HEAD;
  }

  pick(list: BoundList): number {
    const dests = list.dests;
    const n = dests.length;
    const last = this.cursor;
    for (let i = last + 1; i < n; i++) {
      const dest = dests[i] as SchedDestination;
      if (!dest.overloaded && dest.weight > 0) {
        this.cursor = i;
        return i;
      }
    }
    // Second pass from the head up to and including `last`; none when we started at the head.
    for (let i = 0; i <= last && i < n; i++) {
      const dest = dests[i] as SchedDestination;
      if (!dest.overloaded && dest.weight > 0) {
        this.cursor = i;
        return i;
      }
    }
    return -1;
  }
}

/** ip_vs_wrr_mark: cl (cursor), cw (current weight), mw (max weight - (di - 1)), di (gcd step). */
export interface WrrMark {
  readonly cursor: number;
  readonly currentWeight: number;
  readonly maxWeight: number;
  readonly step: number;
}

function gcdOfWeights(dests: readonly SchedDestination[]): number {
  let g = 0;
  for (const dest of dests) {
    if (dest.weight > 0) g = g > 0 ? gcd(dest.weight, g) : dest.weight;
  }
  return g > 0 ? g : 1;
}

function maxOfWeights(dests: readonly SchedDestination[]): number {
  let max = 0;
  for (const dest of dests) if (dest.weight > max) max = dest.weight;
  return max;
}

/**
 * ip_vs_wrr.c. Passes run with cw = mw, mw - di, ..., down to 1; each pass
 * picks, in list order, the dests with weight >= cw. mw is the max weight
 * reduced by (di - 1) so the last pass is cw = 1.
 */
export class WrrCore implements SchedulerCore {
  cursor: number;
  currentWeight: number;
  maxWeight: number;
  step: number;

  constructor(mark: WrrMark) {
    this.cursor = mark.cursor;
    this.currentWeight = mark.currentWeight;
    this.maxWeight = mark.maxWeight;
    this.step = mark.step;
  }

  /** ip_vs_wrr_init_svc() with the dests present when the scheduler is bound. */
  static init(dests: readonly SchedDestination[]): WrrCore {
    const step = gcdOfWeights(dests);
    const maxWeight = maxOfWeights(dests) - (step - 1);
    return new WrrCore({ cursor: HEAD, currentWeight: maxWeight, maxWeight, step });
  }

  mark(): WrrMark {
    return { cursor: this.cursor, currentWeight: this.currentWeight, maxWeight: this.maxWeight, step: this.step };
  }

  clone(): WrrCore {
    return new WrrCore(this);
  }

  /** ip_vs_wrr_dest_changed(): restart from the head, keep cw where it still fits. */
  destinationsChanged(_previous: BoundList, next: BoundList): void {
    this.cursor = HEAD;
    this.step = gcdOfWeights(next.dests);
    this.maxWeight = maxOfWeights(next.dests) - (this.step - 1);
    if (this.currentWeight > this.maxWeight || this.currentWeight === 0) {
      this.currentWeight = this.maxWeight;
    } else if (this.step > 1) {
      this.currentWeight = Math.trunc(this.currentWeight / this.step) * this.step + 1;
    }
  }

  pick(list: BoundList, _context?: PickContext): number {
    const dests = list.dests;
    const n = dests.length;
    if (this.maxWeight === 0) return -1;
    const last = this.cursor;
    let stop = -2;
    let lastPass = false;
    let restarted = false;
    let position = last;
    while (true) {
      for (position++; position < n; position++) {
        const dest = dests[position] as SchedDestination;
        if (!dest.overloaded && dest.weight >= this.currentWeight) {
          this.cursor = position;
          return position;
        }
        if (position === stop) {
          this.cursor = position;
          return -1;
        }
      }
      position = HEAD;
      this.currentWeight -= this.step;
      if (this.currentWeight <= 0) {
        this.currentWeight = this.maxWeight;
        // Stop when the last pass already covered everything (all overloaded).
        if (lastPass || last === HEAD) {
          this.cursor = HEAD;
          return -1;
        }
        restarted = true;
      }
      lastPass = this.currentWeight <= this.step;
      if (lastPass && restarted && last !== HEAD) stop = last;
    }
  }
}
