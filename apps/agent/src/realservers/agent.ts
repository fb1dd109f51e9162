// `serve --role realserver`: keep (or just watch) this real server's DR/TUN
// settings and, with --report-to, report them to the director every interval.
// The director's answer may ask for the settings to be applied now (an admin
// clicked "Fix" in the console): the real server pulls, so it can sit behind
// NAT or in another network and needs no listening port.
import { hostname as osHostname } from 'node:os';
import type { RealServerReportAnswer } from '@lvs-console/shared/api';
import type { Logger } from '../log';
import type { HostBackend, HostSettingStatus } from '../host/backend';
import { realserverApply, realserverCheck, type RealServerRoleOptions } from '../host/realserver';

export type FixPolicy = 'auto' | 'on-request';

export interface RealServerAgentOptions {
  role: RealServerRoleOptions;
  host: HostBackend;
  /** auto: apply at start and whenever a setting drifts; on-request: only when the director asks. */
  fix: FixPolicy;
  intervalMs: number;
  log: Logger;
  /** Where to report, and as which address (the destination address on the director). */
  report?: { url: string; token: string; address: string };
  hostname?: string;
  fetch?: typeof fetch;
}

/** What one report round did, for tests and logs. */
export interface RoundOutcome {
  /** The settings as the round last read them. */
  rows: HostSettingStatus[];
  passed: boolean;
  applied: boolean;
  reported: boolean;
  error: string | null;
}

export class RealServerAgent {
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<RoundOutcome> | null = null;

  constructor(private readonly options: RealServerAgentOptions) {}

  /** First round now, then one per interval. */
  async start(): Promise<RoundOutcome> {
    const first = await this.runRound();
    this.timer = setInterval(() => {
      void this.runRound();
    }, this.options.intervalMs);
    return first;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round; rounds never overlap (a slow director must not pile them up). */
  runRound(): Promise<RoundOutcome> {
    if (!this.round)
      this.round = this.roundOnce().finally(() => {
        this.round = null;
      });
    return this.round;
  }

  private async roundOnce(): Promise<RoundOutcome> {
    const { role, host, log } = this.options;
    let check = await realserverCheck(role, host);
    let applied = false;
    if (!check.passed && this.options.fix === 'auto') {
      log.warn({ failing: check.rows.filter((r) => !r.ok).map((r) => r.message) }, 'real-server settings missing or drifted; applying');
      await realserverApply(role, host);
      applied = true;
      check = await realserverCheck(role, host);
    }
    if (!this.options.report) return { rows: check.rows, passed: check.passed, applied, reported: false, error: null };
    try {
      const answer = await this.send(check.rows);
      if (answer.apply) {
        log.info('the director asked for the real-server settings to be applied');
        const result = await realserverApply(role, host);
        check = await realserverCheck(role, host);
        await this.send(check.rows, { ok: result.passed, messages: result.rows.map((r) => clean(r.message)) });
        applied = true;
      }
      return { rows: check.rows, passed: check.passed, applied, reported: true, error: null };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ err: message, director: this.options.report.url }, 'reporting to the director failed; retrying next interval');
      return { rows: check.rows, passed: check.passed, applied, reported: false, error: message };
    }
  }

  private async send(rows: readonly HostSettingStatus[], applied?: { ok: boolean; messages: string[] }): Promise<RealServerReportAnswer> {
    const report = this.options.report;
    if (!report) throw new Error('no director to report to');
    const body = {
      address: report.address,
      mode: this.options.role.mode,
      vips: [...this.options.role.vips],
      hostname: (this.options.hostname ?? osHostname()).replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 253),
      rows: rows.map((r) => ({ setting: r.setting, actual: r.actual === null ? null : clean(r.actual), ok: r.ok, message: clean(r.message) })),
      intervalSeconds: Math.max(1, Math.round(this.options.intervalMs / 1000)),
      ...(applied ? { applied } : {}),
    };
    const response = await (this.options.fetch ?? fetch)(`${report.url.replace(/\/+$/, '')}/trpc/realServers.report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${report.token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const parsed = (await response.json().catch(() => null)) as { result?: { data?: RealServerReportAnswer }; error?: { message?: string } } | null;
    if (!response.ok || !parsed?.result?.data) {
      throw new Error(`the director answered ${response.status}: ${parsed?.error?.message ?? 'no tRPC result'}`);
    }
    return parsed.result.data;
  }
}

/** Status text without control characters, as the director accepts it. */
function clean(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? ' ' : char;
  }
  return out.slice(0, 500);
}
