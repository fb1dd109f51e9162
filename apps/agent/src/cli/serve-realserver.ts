// `lvs-console serve --role realserver`: keep a real server's settings and
// report them to the director.
import { canonicalIp } from '@lvs-console/shared';
import { LinuxHostBackend, SimHostBackend, formatRealServerRows, realServerSettings } from '../host';
import { createLogger } from '../log';
import { RealServerAgent } from '../realservers/agent';
import { integer, oneOf, UsageError, waitForSignal, type CliIo } from './io';

export interface RealServerServeValues {
  mode?: string | undefined;
  vip?: string[] | undefined;
  interface?: string | undefined;
  fix?: string | undefined;
  'report-to'?: string | undefined;
  'report-token'?: string | undefined;
  address?: string | undefined;
  'report-interval'?: string | undefined;
  'host-backend'?: string | undefined;
  'log-level'?: string | undefined;
}

/**
 * serve --role realserver: keep the real-server settings (or only watch them
 * with --fix on-request) and, with --report-to, report them to the director.
 */
export async function serveRealServer(values: RealServerServeValues, io: CliIo): Promise<number> {
  if (!values.mode) throw new UsageError('serve --role realserver needs --mode dr or --mode tun');
  const mode = oneOf(values.mode, ['dr', 'tun'] as const, '--mode', 'dr');
  if (!values.vip?.length) throw new UsageError('serve --role realserver needs at least one --vip ADDR');
  const options = { mode, vips: values.vip, ...(values.interface ? { interface: values.interface } : {}) };
  realServerSettings(options);
  const fix = oneOf(values.fix, ['auto', 'on-request'] as const, '--fix', 'auto');
  const hostBackend = oneOf(values['host-backend'], ['linux', 'sim'] as const, '--host-backend', 'linux');
  const interval = integer(values['report-interval'], '--report-interval') ?? 30;
  if (interval < 1 || interval > 3600) throw new UsageError('--report-interval must be 1 to 3600 seconds');
  let report: { url: string; token: string; address: string } | undefined;
  if (values['report-to']) {
    const url = parseDirectorUrl(values['report-to']);
    const token = values['report-token'] ?? io.env.LVS_CONSOLE_REALSERVER_TOKEN;
    if (!token) throw new UsageError("--report-to needs --report-token (the director's realserver token) or LVS_CONSOLE_REALSERVER_TOKEN");
    const address = values.address ? canonicalIp(values.address.trim()) : null;
    if (!address) throw new UsageError("--report-to needs --address RIP: this server's address as the director's destinations name it");
    report = { url, token, address };
  } else if (fix === 'on-request') {
    throw new UsageError('--fix on-request needs --report-to: only the director can ask for a fix');
  }
  const logLevel = oneOf(values['log-level'], ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, '--log-level', 'info');
  const log = createLogger({ level: logLevel, destination: process.stderr });
  const host = hostBackend === 'sim' ? new SimHostBackend() : new LinuxHostBackend();
  const agent = new RealServerAgent({ role: options, host, fix, intervalMs: interval * 1000, log, ...(report ? { report } : {}) });
  const first = await agent.start();
  io.stdout(`real server (${mode}) for ${values.vip.join(', ')}${hostBackend === 'sim' ? ' [simulated host]' : ''}:\n${formatRealServerRows(first.rows)}\n`);
  if (report)
    io.stdout(
      first.reported
        ? `reporting to ${report.url} as ${report.address} every ${interval} s\n`
        : `reporting to ${report.url} failed: ${first.error ?? 'unknown error'}; retrying every ${interval} s\n`,
    );
  await (io.waitForStop ?? waitForSignal)();
  agent.stop();
  return first.passed || fix === 'on-request' ? 0 : 1;
}

/** http(s) URL of the director, without a path. */
function parseDirectorUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--report-to "${text}" is not a URL (e.g. https://director:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--report-to must be an http:// or https:// URL');
  return url.origin;
}
