// Refused calls from callers without a valid token reach the audit log as
// counted summaries, never one line per call and never with text the caller
// chose: at most two lines per window (the first refusal, then how many more
// and why), so a flood cannot push an admin's change out of the log.
import { describedText, type Said } from '@lvs-console/shared';
import { WHO_WITHOUT_TOKEN } from '@lvs-console/shared/api';
import type { Clock } from '../config/clock';
import type { AuditLog } from '../store/audit-log';

export type RefusalReason =
  | 'no token'
  | 'wrong or expired token'
  | 'wrong or used login code'
  | 'wrong name or password'
  | 'too many login attempts'
  | 'request body too large'
  | 'not a JSON request'
  | 'too many calls in one batch';

export const REFUSAL_WINDOW_MS = 60_000;
/** Counted kinds listed in a summary line; the rest are summed. */
const SUMMARY_KINDS = 8;
/** Paths that are not procedures are named by this, not by what the caller sent. */
export const UNKNOWN_PROCEDURE = '(unknown procedure)';

interface Window {
  start: number;
  total: number;
  counts: Map<string, number>;
}

export class RefusalCounter {
  private window: Window | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    /** Procedure names (the router's); any other path is UNKNOWN_PROCEDURE. */
    private readonly procedures: ReadonlySet<string>,
    private readonly windowMs = REFUSAL_WINDOW_MS,
  ) {}

  /** The procedure a request path names, bounded to the router's own names. */
  procedureOf(path: string): string {
    const names = path.split(',');
    const first = names[0] ?? '';
    const known = this.procedures.has(first) ? first : UNKNOWN_PROCEDURE;
    return names.length > 1 ? `${known} (batch of ${Math.min(names.length, 10_000)})` : known;
  }

  /** Count one refusal; the first of a window is written at once. */
  note(reason: RefusalReason, path: string): Promise<void> {
    const now = this.clock.now();
    const what = this.procedureOf(path);
    const pending = this.window && now - this.window.start >= this.windowMs ? this.closeWindow() : Promise.resolve();
    if (!this.window) {
      this.window = { start: now, total: 0, counts: new Map() };
      return pending.then(() => this.write(describedText('auditRefusedNoToken', { procedure: what }), reason));
    }
    const key = `${reason}: ${what}`;
    this.window.total++;
    this.window.counts.set(key, (this.window.counts.get(key) ?? 0) + 1);
    return pending;
  }

  /** Write the current window's count (if any) and start afresh. */
  closeWindow(): Promise<void> {
    const window = this.window;
    this.window = null;
    if (!window || window.total === 0) return Promise.resolve();
    const sorted = [...window.counts].sort((a, b) => b[1] - a[1]);
    const listed = sorted.slice(0, SUMMARY_KINDS).map(([key, count]) => `${key} ×${count}`);
    const others = sorted.slice(SUMMARY_KINDS).reduce((sum, [, count]) => sum + count, 0);
    if (others) listed.push(`other ×${others}`);
    const seconds = Math.max(1, Math.round((this.clock.now() - window.start) / 1000));
    return this.write(describedText('auditRefusedMore', { total: window.total, seconds }), listed.join('; '));
  }

  /** Close windows on time even when no further refusal comes. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.window && this.clock.now() - this.window.start >= this.windowMs) void this.closeWindow();
    }, this.windowMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.closeWindow();
  }

  private async write(what: Said, error: string): Promise<void> {
    await this.audit.append({ who: WHO_WITHOUT_TOKEN, role: 'system', what, result: 'rejected', error });
  }
}
