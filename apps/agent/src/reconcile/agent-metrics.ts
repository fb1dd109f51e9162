// The agent's own figures for /metrics: apply durations, commits, rejects,
// drift. Plain counters; rendering is pure (shared/metrics).
export const APPLY_DURATION_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export class AgentMetrics {
  readonly applyBuckets = new Array<number>(APPLY_DURATION_BUCKETS_SECONDS.length).fill(0);
  applyCount = 0;
  applySumSeconds = 0;
  commitsOk = 0;
  commitsFailed = 0;
  rejected = 0;
  driftCount = 0;
  driftChecks = 0;
  /** Of driftChecks, those the 1 Hz sample answered without a read of their own. */
  driftChecksFromSample = 0;
  samplerLastDurationSeconds = 0;
  /** Destination lists the 1 Hz sampler read from the kernel (the others it kept: kernel/sampling.ts). */
  sampleDestinationReads = 0;
  /** Sampler ticks skipped because a commit was waiting for the kernel. */
  samplesSkipped = 0;
  /** The last change applied to the kernel (any author), or null before the first. */
  lastApply: { ok: boolean; at: number } | null = null;

  observeApply(seconds: number): void {
    this.applyCount++;
    this.applySumSeconds += seconds;
    APPLY_DURATION_BUCKETS_SECONDS.forEach((bound, i) => {
      if (seconds <= bound) this.applyBuckets[i] = (this.applyBuckets[i] ?? 0) + 1;
    });
  }
}
