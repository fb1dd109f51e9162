// HTTP and HTTPS GET: expected status ranges, optional body match. Each probe
// opens its own connection (no keep-alive) so a check sees what a new client sees.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { BodyMatch, HealthCheck, StatusRange } from '@lvs-console/shared';
import { abortedOutcome, describeSocketError, outcome, outcomeBecause, type ProbeOutcome, type ProbeTarget } from './types';

type HttpCheck = Extract<HealthCheck, { kind: 'http' | 'https' }>;

/** Bodies are read up to this many bytes for matching; the rest is ignored. */
export const MAX_BODY_BYTES = 64 * 1024;

function statusAccepted(status: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some((range) => status >= range.min && status <= range.max);
}

function bodyMatches(body: string, match: BodyMatch): boolean {
  return match.kind === 'substring' ? body.includes(match.text) : new RegExp(match.text).test(body);
}

function defaultHost(target: ProbeTarget, tls: boolean): string {
  const address = isIP(target.address) === 6 ? `[${target.address}]` : target.address;
  const defaultPort = tls ? 443 : 80;
  return target.port === defaultPort ? address : `${address}:${target.port}`;
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    response.on('data', (chunk: Buffer) => {
      if (length >= MAX_BODY_BYTES) return;
      chunks.push(chunk);
      length += chunk.length;
    });
    response.once('end', () => resolve(Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8')));
    response.once('error', reject);
  });
}

export function httpCheck(check: HttpCheck, target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  const tls = check.kind === 'https';
  const host = check.host ?? defaultHost(target, tls);
  const serverName = check.host?.replace(/:\d+$/, '');
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(abortedOutcome(signal));
      return;
    }
    let settled = false;
    const settle = (outcome: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      request.destroy();
      resolve(outcome);
    };
    const options = {
      host: target.address,
      port: target.port,
      method: 'GET',
      path: check.path,
      headers: { Host: host, 'User-Agent': 'lvs-console-health/1', Connection: 'close' },
      agent: false as const,
      signal,
    };
    const onResponse = (response: IncomingMessage): void => {
      const status = response.statusCode ?? 0;
      const statusText = `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
      if (!statusAccepted(status, check.expectStatus)) {
        response.resume();
        const expected = check.expectStatus.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(', ');
        settle(outcome(false, 'probeHttpUnexpected', { status: statusText, expected }));
        return;
      }
      const match = check.bodyMatch;
      if (!match) {
        response.resume();
        settle({ ok: true, message: statusText });
        return;
      }
      readBody(response).then(
        (body) =>
          settle(
            bodyMatches(body, match)
              ? outcome(true, 'probeHttpBodyMatches', { status: statusText })
              : outcome(false, match.kind === 'regex' ? 'probeHttpBodyNoMatch' : 'probeHttpBodyNoContain', { status: statusText, text: match.text }),
          ),
        (error: unknown) => settle(outcomeBecause(false, 'probeHttpBodyFailed', describeSocketError(error), { status: statusText })),
      );
    };
    const request = tls
      ? httpsRequest(
          {
            ...options,
            rejectUnauthorized: check.kind === 'https' && check.verifyTls,
            ...(serverName && isIP(serverName) === 0 ? { servername: serverName } : {}),
          },
          onResponse,
        )
      : httpRequest(options, onResponse);
    request.once('error', (error) => settle(signal.aborted ? abortedOutcome(signal) : { ok: false, ...describeSocketError(error) }));
    request.end();
  });
}
