// Time as a dependency, so stats, drift timers, the simulated kernel and
// tests agree on "now" without sleeping. The agent's one clock (the health
// module's timers extend it with setTimeout).
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  /** Move forward by ms; returns the new time. */
  advance(ms: number): number {
    this.time += ms;
    return this.time;
  }
  set(time: number): void {
    this.time = time;
  }
}
