// Refused calls from callers without a valid token reach the audit log as
// counted summaries, never one line per call and never with text the caller
// chose: at most two lines per window (the first refusal, then how many more
// and why), so a flood cannot push an admin's change out of the log.
import { describedText, type Said } from '@lvs-console/shared';
import {
  OTHER_REFUSALS,
  UNKNOWN_PROCEDURE,
  WHO_WITHOUT_TOKEN,
  batchProcedure,
  refusalSummaryText,
  type RefusalCount,
  type RefusalReason,
} from '@lvs-console/shared/api';
import type { Clock } from '../config/clock';
import type { AuditLog } from '../store/audit-log';

export { UNKNOWN_PROCEDURE, type RefusalReason };

export const REFUSAL_WINDOW_MS = 60_000;
/** Counted kinds listed in a summary line; the rest are summed. */
const SUMMARY_KINDS = 8;

interface Window {
  start: number;
  total: number;
  /** Keyed by reason and procedure. */
  counts: Map<string, RefusalCount>;
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
    return names.length > 1 ? batchProcedure(known, Math.min(names.length, 10_000)) : known;
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
    const counted = this.window.counts.get(key);
    if (counted) counted.calls++;
    else this.window.counts.set(key, { reason, procedure: what, calls: 1 });
    return pending;
  }

  /** Write the current window's count (if any) and start afresh. */
  closeWindow(): Promise<void> {
    const window = this.window;
    this.window = null;
    if (!window || window.total === 0) return Promise.resolve();
    const sorted = [...window.counts.values()].sort((a, b) => b.calls - a.calls);
    const listed = sorted.slice(0, SUMMARY_KINDS);
    const others = sorted.slice(SUMMARY_KINDS).reduce((sum, count) => sum + count.calls, 0);
    if (others) listed.push({ reason: OTHER_REFUSALS, procedure: null, calls: others });
    const seconds = Math.max(1, Math.round((this.clock.now() - window.start) / 1000));
    return this.write(describedText('auditRefusedMore', { total: window.total, seconds }), refusalSummaryText(listed));
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
