// Time for the simulated kernel. The serving agent uses the system clock; tests
// use a ManualClock and move it forward explicitly, so no test ever sleeps.

export interface Clock {
  /** Milliseconds, monotonic within one run. */
  now(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
};

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  constructor(private current = 0) {}

  now(): number {
    return this.current;
  }

  /** Move forward by ms (never backwards). */
  advance(ms: number): number {
    if (ms > 0) this.current += ms;
    return this.current;
  }

  /** Jump to an absolute time, ignored when it lies in the past. */
  set(ms: number): number {
    if (ms > this.current) this.current = ms;
    return this.current;
  }
}
