// What the real servers' own agents last reported about their settings, and
// the fixes admins asked them to apply. Real servers push (they may sit
// behind NAT or in other networks, as TUN allows); the director never
// connects to them. Kept in memory: a restarted director is filled again
// within one report interval.
import { DomainError } from '@lvs-console/shared';
import type { Caller, RealServerReport, RealServerReportAnswer, RealServerReports } from '@lvs-console/shared/api';
import type { realServerReportInput } from '@lvs-console/shared/api';
import type { z } from 'zod';
import type { Clock } from '../config/clock';

export type RealServerReportIn = z.infer<typeof realServerReportInput>;

/** Reports older than this many intervals are stale. */
const STALE_INTERVALS = 3;
/** Reports not renewed for this long are forgotten (a real server taken away). */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;
/**
 * Bounds on what reports may hold in memory: at most this many real servers,
 * each report at most REPORT_MAX_BYTES of JSON, so the registry (and one
 * realServers.list answer) stays under 16 MiB whatever a reporter sends.
 */
export const MAX_REAL_SERVERS = 1000;
export const REPORT_MAX_BYTES = 16 * 1024;
/** A real server's passed/failed change is audited at most this often. */
const AUDIT_EVERY_MS = 60_000;

interface Entry {
  report: RealServerReportIn;
  receivedAt: number;
  fixRequested: { by: string; at: number } | null;
  /** A fix handed to the real server in a report answer, waiting for its outcome. */
  fixSent: { by: string; at: number } | null;
  lastFix: RealServerReport['lastFix'];
  /** When a line about this real server last went to the audit log. */
  auditedAt: number | null;
}

/** What a report changed that the audit log should say (first report, passed <-> failed). */
export interface ReportNews {
  address: string;
  passed: boolean;
  first: boolean;
}

export class RealServerRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    /** The interval assumed for real servers that do not say theirs. */
    readonly defaultIntervalSeconds = 30,
  ) {}

  private intervalOf(entry: Entry): number {
    return entry.report.intervalSeconds ?? this.defaultIntervalSeconds;
  }

  /**
   * Take a report in; the answer tells the real server whether to apply its
   * settings now. `news` is set when the audit log should hear of it (rate-limited per real server).
   */
  report(input: RealServerReportIn): RealServerReportAnswer & { news: ReportNews | null } {
    const bytes = Buffer.byteLength(JSON.stringify(input));
    if (bytes > REPORT_MAX_BYTES) {
      throw new DomainError('INVALID_INPUT', `a real-server report is limited to ${REPORT_MAX_BYTES} bytes (this one has ${bytes})`);
    }
    const now = this.clock.now();
    this.forgetOld(now);
    const passed = input.rows.every((r) => r.ok);
    let entry = this.entries.get(input.address);
    let news: ReportNews | null = null;
    if (entry) {
      const wasPassed = entry.report.rows.every((r) => r.ok);
      entry.report = input;
      entry.receivedAt = now;
      if (wasPassed !== passed && (entry.auditedAt === null || now - entry.auditedAt >= AUDIT_EVERY_MS))
        news = { address: input.address, passed, first: false };
    } else {
      if (this.entries.size >= MAX_REAL_SERVERS)
        throw new DomainError('CONFLICT', `the director already tracks ${MAX_REAL_SERVERS} real servers; forget retired ones first`);
      entry = { report: input, receivedAt: now, fixRequested: null, fixSent: null, lastFix: null, auditedAt: null };
      this.entries.set(input.address, entry);
      news = { address: input.address, passed, first: true };
    }
    if (news) entry.auditedAt = now;
    if (input.applied && entry.fixSent) {
      entry.lastFix = { by: entry.fixSent.by, requestedAt: entry.fixSent.at, appliedAt: now, ok: input.applied.ok, messages: input.applied.messages };
      entry.fixSent = null;
    }
    const apply = entry.fixRequested !== null;
    if (entry.fixRequested) {
      entry.fixSent = entry.fixRequested;
      entry.fixRequested = null;
    }
    return { apply, news };
  }

  /** Ask the real server to apply its settings at its next report. */
  requestFix(address: string, caller: Caller): RealServerReport {
    const entry = this.entries.get(address);
    if (!entry) throw new DomainError('NOT_FOUND', `no report from ${address}: run "lvs-console serve --role realserver --report-to ..." on it first`);
    entry.fixRequested = { by: caller.name, at: this.clock.now() };
    return this.view(address, entry, this.clock.now());
  }

  /** Drop a real server's report (it was retired); false when there was none. */
  forget(address: string): boolean {
    return this.entries.delete(address);
  }

  list(): RealServerReports {
    const now = this.clock.now();
    this.forgetOld(now);
    const reports = [...this.entries].map(([address, entry]) => this.view(address, entry, now));
    reports.sort((a, b) => a.address.localeCompare(b.address));
    const slowest = Math.max(this.defaultIntervalSeconds, ...[...this.entries.values()].map((e) => this.intervalOf(e)));
    return { reports, staleAfterMs: slowest * 1000 * STALE_INTERVALS };
  }

  private view(address: string, entry: Entry, now: number): RealServerReport {
    const { report } = entry;
    return {
      address,
      mode: report.mode,
      vips: report.vips,
      hostname: report.hostname ?? null,
      rows: report.rows,
      passed: report.rows.every((r) => r.ok),
      receivedAt: entry.receivedAt,
      intervalSeconds: this.intervalOf(entry),
      stale: now - entry.receivedAt > this.intervalOf(entry) * 1000 * STALE_INTERVALS,
      // A fix handed out but not yet reported back still counts as requested.
      fixRequested: entry.fixRequested ?? entry.fixSent,
      lastFix: entry.lastFix,
    };
  }

  private forgetOld(now: number): void {
    for (const [address, entry] of this.entries) if (now - entry.receivedAt > FORGET_AFTER_MS) this.entries.delete(address);
  }
}
