// Login attempts per client address: a few per minute are plenty for a
// person; a guesser gets "too many attempts" without its code being checked.
import type { Clock } from '../config/clock';

export const LOGIN_ATTEMPTS_PER_WINDOW = 20;
export const LOGIN_WINDOW_MS = 60_000;
/** Clients remembered at once; past it, new clients share one bucket. */
const MAX_CLIENTS = 10_000;
const SHARED_BUCKET = '(many clients)';

interface Bucket {
  start: number;
  attempts: number;
}

export class LoginThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly limit = LOGIN_ATTEMPTS_PER_WINDOW,
    private readonly windowMs = LOGIN_WINDOW_MS,
  ) {}

  /** Count an attempt; false when this client is over its limit. */
  allow(client: string): boolean {
    const now = this.clock.now();
    const own = clientKey(client);
    if (!this.buckets.has(own) && this.buckets.size >= MAX_CLIENTS) {
      for (const [key, bucket] of this.buckets) if (now - bucket.start >= this.windowMs) this.buckets.delete(key);
    }
    const key = this.buckets.has(own) || this.buckets.size < MAX_CLIENTS ? own : SHARED_BUCKET;
    let bucket = this.buckets.get(key);
    if (!bucket || now - bucket.start >= this.windowMs) {
      bucket = { start: now, attempts: 0 };
      this.buckets.set(key, bucket);
    }
    bucket.attempts++;
    return bucket.attempts <= this.limit;
  }

  /** This client used up its attempts in the current window (counts nothing). */
  over(client: string): boolean {
    const bucket = this.buckets.get(clientKey(client));
    return bucket !== undefined && this.clock.now() - bucket.start < this.windowMs && bucket.attempts >= this.limit;
  }

  /** Seconds until this client may try again. */
  retryAfterSeconds(client: string): number {
    const bucket = this.buckets.get(clientKey(client));
    if (!bucket) return 0;
    return Math.max(1, Math.ceil((bucket.start + this.windowMs - this.clock.now()) / 1000));
  }
}

/** IPv6 clients are counted per /64: one host usually has a whole one. */
function clientKey(address: string): string {
  if (!address.includes(':') || address.startsWith('::ffff:')) return address;
  return address.split(':').slice(0, 4).join(':');
}
