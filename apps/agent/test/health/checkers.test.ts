// Every checker against real servers on 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthCheckSchema, messageText, type HealthCheckInput } from '@lvs-console/shared';
import { runCheck } from '../../src/health/checkers';
import { dynamicOutcome } from '../../src/health/checkers/command';
import { ProbeTimeout } from '../../src/health/checkers/types';
import { dnsServer, httpServer, httpsServer, LOOPBACK, tcpServer, udpEcho, udpServer, type Restartable } from './servers';

const started: Restartable[] = [];
async function track<T extends Restartable>(server: Promise<T>): Promise<T> {
  const s = await server;
  started.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function probe(input: HealthCheckInput, port: number, timeoutMs = 2000) {
  const check = healthCheckSchema.parse({ intervalMs: timeoutMs + 1000, timeoutMs, ...input });
  // The same abort reason the HealthManager gives.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ProbeTimeout(timeoutMs)), timeoutMs);
  const outcome = await runCheck(check, { address: LOOPBACK, port }, controller.signal).finally(() => clearTimeout(timer));
  // A message id says exactly the English text beside it (the console's fallback).
  if (outcome.messageId) expect(outcome.message).toBe(messageText(outcome.messageId, outcome.params));
  return outcome;
}

describe('tcp', () => {
  it('connects, and reports a refused connection once the server stops', async () => {
    const server = await track(tcpServer());
    expect(await probe({ kind: 'tcp' }, server.port)).toMatchObject({ ok: true, message: 'connected' });
    await server.stop();
    expect(await probe({ kind: 'tcp' }, server.port)).toEqual({ ok: false, message: 'connection refused', messageId: 'probeConnectionRefused', params: {} });
  });
});

describe('http', () => {
  let server: Restartable;
  beforeAll(async () => {
    server = await track(
      httpServer((request, response) => {
        if (request.url === '/healthz') {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ status: 'ok', host: request.headers.host }));
        } else if (request.url === '/down') {
          response.writeHead(503);
          response.end('maintenance');
        } else {
          response.writeHead(404);
          response.end();
        }
      }),
    );
  });

  it('accepts the expected status and matches the body (substring and regex)', async () => {
    expect(await probe({ kind: 'http', path: '/healthz' }, server.port)).toMatchObject({ ok: true, message: 'HTTP 200 OK' });
    expect((await probe({ kind: 'http', path: '/healthz', bodyMatch: { kind: 'substring', text: '"ok"' } }, server.port)).ok).toBe(true);
    expect((await probe({ kind: 'http', path: '/healthz', bodyMatch: { kind: 'regex', text: '"status":\\s*"ok"' } }, server.port)).ok).toBe(true);
  });

  it('sends the configured Host header', async () => {
    const outcome = await probe(
      { kind: 'http', path: '/healthz', host: 'app.example.test', bodyMatch: { kind: 'substring', text: '"host":"app.example.test"' } },
      server.port,
    );
    expect(outcome.ok).toBe(true);
  });

  it('fails on an unexpected status or body, with the reason', async () => {
    expect(await probe({ kind: 'http', path: '/down' }, server.port)).toEqual({
      ok: false,
      message: 'HTTP 503 Service Unavailable (expected 200-399)',
      messageId: 'probeHttpUnexpected',
      params: { status: 'HTTP 503 Service Unavailable', expected: '200-399' },
    });
    expect((await probe({ kind: 'http', path: '/down', expectStatus: [{ min: 503, max: 503 }] }, server.port)).ok).toBe(true);
    expect(await probe({ kind: 'http', path: '/healthz', bodyMatch: { kind: 'substring', text: 'degraded' } }, server.port)).toMatchObject({
      ok: false,
      message: 'HTTP 200 OK, but the body does not contain "degraded"',
    });
  });

  it('times out on a server that accepts but never answers', async () => {
    const silent = await track(httpServer(() => undefined));
    const outcome = await probe({ kind: 'http' }, silent.port, 200);
    expect(outcome.ok).toBe(false);
    expect(outcome).toEqual({ ok: false, message: 'timed out after 200 ms', messageId: 'probeTimedOutAfter', params: { ms: 200 } });
  });
});

describe('https', () => {
  let dir = '';
  let tls: { key: string; cert: string } | null = null;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lvs-health-tls-'));
    try {
      execFileSync(
        '/usr/bin/openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=app.example.test',
          '-addext',
          'subjectAltName=DNS:app.example.test',
        ],
        { stdio: 'ignore' },
      );
      tls = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    } catch {
      tls = null;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GETs over TLS with SNI; verification is off by default and refuses a self-signed certificate when on', async (context) => {
    if (!tls) {
      context.skip('openssl is not available to make a test certificate');
      return;
    }
    const server = await track(
      httpsServer(tls, (request, response) => {
        const socket = request.socket as { servername?: string };
        response.end(`sni=${socket.servername ?? ''}`);
      }),
    );
    expect(await probe({ kind: 'https', host: 'app.example.test', bodyMatch: { kind: 'substring', text: 'sni=app.example.test' } }, server.port)).toMatchObject(
      {
        ok: true,
        message: 'HTTP 200 OK, body matches',
      },
    );
    const verified = await probe({ kind: 'https', host: 'app.example.test', verifyTls: true }, server.port);
    expect(verified.ok).toBe(false);
    expect(verified.message).toMatch(/self.signed|certificate/i);
  });
});

describe('udp', () => {
  it('gets the payload echoed and checks the reply; a closed port is refused', async () => {
    const echo = await track(udpEcho());
    expect(await probe({ kind: 'udp', payload: { text: 'ping' }, expect: { text: 'ping' } }, echo.port)).toMatchObject({
      ok: true,
      message: 'reply of 4 bytes matches',
    });
    expect(await probe({ kind: 'udp', payload: { encoding: 'hex', text: '00ff' }, expect: { encoding: 'hex', text: 'ff' } }, echo.port)).toMatchObject({
      ok: true,
    });
    expect(await probe({ kind: 'udp', payload: { text: 'ping' }, expect: { text: 'pong' } }, echo.port)).toMatchObject({
      ok: false,
      message: 'reply of 4 bytes does not contain the expected bytes',
    });
    await echo.stop();
    expect(await probe({ kind: 'udp', payload: { text: 'ping' } }, echo.port)).toMatchObject({ ok: false, message: 'connection refused' });
  });

  it('a silent server fails when a reply is required and passes when it is not', async () => {
    const silent = await track(udpServer(() => null));
    expect((await probe({ kind: 'udp', payload: { text: 'x' } }, silent.port, 150)).message).toMatch(/^no reply/);
    expect(await probe({ kind: 'udp', payload: { text: 'x' }, requireReply: false }, silent.port, 150)).toMatchObject({
      ok: true,
      message: 'no reply and no port-unreachable',
    });
  });
});

describe('dns', () => {
  it('resolves A records over UDP with a hand-built query', async () => {
    const dns = await track(dnsServer('app.example.test', [10, 1, 2, 3]));
    expect(await probe({ kind: 'dns', name: 'app.example.test' }, dns.port)).toMatchObject({ ok: true, message: 'app.example.test A 10.1.2.3' });
    expect(await probe({ kind: 'dns', name: 'app.example.test', expectAddresses: ['10.9.9.9'] }, dns.port)).toMatchObject({
      ok: false,
      message: 'app.example.test resolved to 10.1.2.3, not to 10.9.9.9',
    });
    expect(await probe({ kind: 'dns', name: 'missing.example.test' }, dns.port)).toMatchObject({ ok: false, message: 'DNS NXDOMAIN for missing.example.test' });
    await dns.stop();
    expect(await probe({ kind: 'dns', name: 'app.example.test' }, dns.port)).toMatchObject({ ok: false, message: 'connection refused' });
  });
});

describe('command', () => {
  let dir = '';
  let script = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lvs-health-cmd-'));
    script = join(dir, 'exit-with.mjs');
    // Exits with the code given as its first argument; prints the port it was asked to check.
    writeFileSync(
      script,
      'process.stdout.write(`checked ${process.env.LVS_CHECK_ADDRESS}:${process.env.LVS_CHECK_PORT}\\n`); process.exit(Number(process.argv[2]));\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('/usr/bin/true is up, /usr/bin/false is down', async () => {
    expect(await probe({ kind: 'command', program: '/usr/bin/true' }, 80)).toMatchObject({ ok: true, message: 'exit 0' });
    expect(await probe({ kind: 'command', program: '/usr/bin/false' }, 80)).toMatchObject({ ok: false, message: 'exit 1 (expected 0)' });
  });

  it('passes argv as is and the target in the environment', async () => {
    expect(await probe({ kind: 'command', program: process.execPath, args: [script, '0'] }, 8080)).toMatchObject({
      ok: true,
      message: 'exit 0: checked 127.0.0.1:8080',
    });
  });

  it('dynamic weight: exit 0 configured, 1 down, 2-255 weight code - 2', async () => {
    const run = (code: number) => probe({ kind: 'command', program: process.execPath, args: [script, String(code)], dynamicWeight: true }, 80);
    expect(await run(0)).toMatchObject({ ok: true, dynamicWeight: null });
    expect(await run(1)).toMatchObject({ ok: false });
    expect(await run(2)).toMatchObject({ ok: true, dynamicWeight: 0 });
    expect(await run(52)).toMatchObject({ ok: true, dynamicWeight: 50, message: 'exit 52: up with weight 50: checked 127.0.0.1:80' });
    expect(dynamicOutcome(255)).toMatchObject({ ok: true, dynamicWeight: 253 });
  });

  it('kills a command that outlives its timeout; reports a missing program', async () => {
    const slow = await probe({ kind: 'command', program: '/usr/bin/sleep', args: ['5'] }, 80, 150);
    expect(slow).toMatchObject({ ok: false });
    expect(slow.message).toBe('timed out after 150 ms (killed)');
    // The console says the nested timeout in its language too.
    expect(slow).toMatchObject({ messageId: 'probeKilled', params: { reasonId: 'probeTimedOutAfter', ms: 150 } });
    expect(await probe({ kind: 'command', program: '/nonexistent/check' }, 80)).toMatchObject({ ok: false, message: '/nonexistent/check not found' });
  });
});
