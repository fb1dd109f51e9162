// Fan-out of values to any number of async-iterator subscribers (tRPC SSE
// subscriptions). A slow subscriber drops its oldest values rather than
// holding memory without bound.
export class Broadcast<T> {
  private readonly subscribers = new Set<(value: T) => void>();

  constructor(private readonly maxQueued = 100) {}

  get size(): number {
    return this.subscribers.size;
  }

  publish(value: T): void {
    for (const deliver of this.subscribers) deliver(value);
  }

  /** Call `listener` with every value published from now on; returns the unsubscribe. */
  subscribe(listener: (value: T) => void): () => void {
    this.subscribers.add(listener);
    return () => {
      this.subscribers.delete(listener);
    };
  }

  /** Values published from now on, until the signal aborts. */
  async *stream(signal?: AbortSignal): AsyncGenerator<T, void, undefined> {
    const queue: T[] = [];
    let wake: (() => void) | null = null;
    const deliver = (value: T) => {
      queue.push(value);
      if (queue.length > this.maxQueued) queue.shift();
      wake?.();
    };
    const onAbort = () => wake?.();
    this.subscribers.add(deliver);
    signal?.addEventListener('abort', onAbort);
    try {
      while (!signal?.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    } finally {
      this.subscribers.delete(deliver);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
