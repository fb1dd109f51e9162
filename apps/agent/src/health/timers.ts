// Time and timers as a dependency of the HealthManager: the agent uses the
// real ones; tests use ManualTimers (or vitest's fake timers, which the
// system timers pick up because they look the globals up on every call).
import type { Clock } from '../config/clock';

/** A ManualTimers timer. */
export class ManualTimerHandle {
  constructor(readonly id: number) {}
}

export type TimerHandle = ManualTimerHandle | ReturnType<typeof setTimeout>;

/** The agent's clock, plus timers. */
export interface HealthTimers extends Clock {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemTimers: HealthTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // Probes never keep the process alive on their own.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => {
    if (!(handle instanceof ManualTimerHandle)) clearTimeout(handle);
  },
};

interface ManualTimer {
  id: number;
  at: number;
  callback: () => void;
}

/** Timers that fire only when the test moves time with advance(). */
export class ManualTimers implements HealthTimers {
  private time: number;
  private nextId = 1;
  private timers: ManualTimer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), callback };
    this.timers.push(timer);
    return new ManualTimerHandle(timer.id);
  }

  clearTimeout(handle: TimerHandle): void {
    if (handle instanceof ManualTimerHandle) this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Move time forward by ms, firing due timers in time order. `settle` runs
   * after each fired timer (e.g. `() => manager.idle()`), so real I/O a timer
   * started can finish before time moves on.
   */
  async advance(ms: number, settle?: () => Promise<void>): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.timers) if (timer.at <= end && (!next || timer.at < next.at || (timer.at === next.at && timer.id < next.id))) next = timer;
      if (!next) break;
      const due = next;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.callback();
      if (settle) await settle();
    }
    this.time = end;
    if (settle) await settle();
  }
}
