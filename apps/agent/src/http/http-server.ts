// One port for everything: tRPC at /trpc (queries, mutations, SSE
// subscriptions), Prometheus text at /metrics, the web console at /.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { promisify } from 'node:util';
import { constants as zlibConstants, gzip } from 'node:zlib';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { renderMetrics, type ClusterFigures } from '@lvs-console/shared/metrics';
import type { ClusterService } from '../cluster/cluster';
import type { Logger } from '../log';
import { AGENT_VERSION, type Agent } from '../trpc/agent';
import { APPLY_DURATION_BUCKETS_SECONDS } from '../reconcile/agent-metrics';
import type { Caller } from '@lvs-console/shared/api';
import { appRouter } from '../trpc/router';
import { acceptedEncodings, StaticFiles } from './static-files';
import type { RefusalReason } from '../auth/refusals';
import type { ProxyUserTrust } from '../auth/proxy-user';

const gzipAsync = promisify(gzip);

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface HttpOptions {
  agent: Agent;
  log: Logger;
  /** Built web console (apps/web/dist); null serves a "not built" page. */
  webDir: string | null;
  maxBodyBytes?: number;
  tls?: { cert: string | Buffer; key: string | Buffer } | null;
  /** --trust-proxy-user: who may name the user in a header, and which header. */
  proxyUsers?: ProxyUserTrust | null;
}

function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export const SESSION_COOKIE = 'lvsc_session';

function sessionCookie(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=') || null;
  }
  return null;
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure under TLS. */
function sessionCookieHeader(value: string | null, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value ?? ''}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(maxAgeSeconds)}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/** A too-large body is read and discarded up to this much, so the client sees the 413 instead of a reset. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
/** Calls in one tRPC batch; the console sends at most 10. */
export const MAX_BATCH_CALLS = 10;

function sendTooLarge(res: ServerResponse, req: IncomingMessage, limit: number): void {
  const message = `request body is larger than ${limit} bytes`;
  const answer = () => {
    if (res.headersSent) return;
    res.writeHead(413, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
    res.end(
      JSON.stringify({ error: { message, code: -32600, data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, domainCode: 'INVALID_INPUT', issues: [] } } }),
    );
  };
  if (req.complete) {
    answer();
    return;
  }
  // Answer once the client has finished sending: closing mid-upload makes the kernel reset the connection.
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) req.destroy();
  });
  req.on('end', answer);
  req.on('error', () => undefined);
}

/** tRPC reads JSON only; anything else (a cross-origin form's multipart or urlencoded body) is refused unread. */
function isJsonRequest(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  if (!type) return false;
  return type.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: { message, code: -32600, data: { code, httpStatus: status, domainCode: 'INVALID_INPUT', issues: [] } } }));
}

function clusterFigures(cluster: ClusterService, now: number): ClusterFigures {
  return {
    cluster: cluster.config.name,
    self: cluster.config.self,
    members: cluster.members().map((member) => ({
      director: member.name,
      reachable: member.reachable,
      lastHeardSeconds: member.lastHeardAt === null ? null : Math.max(0, (now - member.lastHeardAt) / 1000),
      lag: member.lag,
      // A stale member's last word is not its state now.
      vrrp: (member.status?.vrrp ?? []).map((v) => ({ instance: v.instance, state: member.stale ? 'UNKNOWN' : v.state })),
    })),
  };
}

export function createAgentServer(options: HttpOptions): Server {
  const { agent, log } = options;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const statics = new StaticFiles(options.webDir);

  const metricsText = (): string => {
    const observation = agent.reconciler.latestObservation();
    const m = agent.metrics;
    const cumulative: number[] = [];
    APPLY_DURATION_BUCKETS_SECONDS.forEach((_, i) => cumulative.push(m.applyBuckets[i] ?? 0));
    return renderMetrics(observation?.table ?? null, {
      version: AGENT_VERSION,
      backend: agent.backendChoice.kind,
      revision: agent.store.revision,
      driftChanges: agent.reconciler.drift().changes.length,
      commitsOk: m.commitsOk,
      commitsFailed: m.commitsFailed,
      rejected: m.rejected,
      applyDuration: { buckets: APPLY_DURATION_BUCKETS_SECONDS, counts: cumulative, count: m.applyCount, sum: m.applySumSeconds },
      observationAgeSeconds: observation ? Math.max(0, (agent.clock.now() - observation.at) / 1000) : null,
      samplerDurationSeconds: m.samplerLastDurationSeconds,
      sampleDestinationReads: m.sampleDestinationReads,
      kernelDestinationReads: agent.backend.destinationListsRead,
      samplesSkipped: m.samplesSkipped,
      driftChecks: { sample: m.driftChecksFromSample, kernel: m.driftChecks - m.driftChecksFromSample },
      driftSince: agent.reconciler.drift().since,
      lastApply: m.lastApply,
      health: agent.health.figures(),
      ...(agent.cluster ? { cluster: clusterFigures(agent.cluster, agent.clock.now()) } : {}),
    });
  };

  /** Anonymous refusals are counted; a caller with a token gets its own (bounded) audit line. */
  const noteRefusal = async (req: IncomingMessage, reason: RefusalReason, path: string, error: string): Promise<void> => {
    const caller = agent.auth.authenticate(bearerToken(req));
    if (!caller) {
      await agent.refusals.note(reason, path);
      return;
    }
    await agent.audit.reject({ who: caller.name, role: caller.role, what: agent.refusals.procedureOf(path), error });
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isApi = url.pathname === '/trpc' || url.pathname.startsWith('/trpc/');
    const procedurePath = isApi ? url.pathname.slice('/trpc/'.length) : '';
    if (isApi) res.setHeader('cache-control', 'no-store');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody && !url.pathname.startsWith('/cluster/')) {
      log.warn({ path: url.pathname, bytes: declared }, 'request body too large');
      if (isApi && req.method === 'POST')
        await noteRefusal(req, 'request body too large', procedurePath, `request body of ${declared} bytes is larger than ${maxBody}`);
      sendTooLarge(res, req, maxBody);
      return;
    }

    if (isApi) {
      if (req.method === 'POST' && !isJsonRequest(req)) {
        await noteRefusal(req, 'not a JSON request', procedurePath, 'the API takes application/json bodies only');
        req.resume();
        sendJsonError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'the API takes "content-type: application/json" bodies only');
        return;
      }
      if (procedurePath.split(',').length > MAX_BATCH_CALLS) {
        await noteRefusal(req, 'too many calls in one batch', procedurePath, `more than ${MAX_BATCH_CALLS} calls in one batch`);
        req.resume();
        sendJsonError(res, 400, 'BAD_REQUEST', `at most ${MAX_BATCH_CALLS} calls in one batch`);
        return;
      }
      await nodeHTTPRequestHandler({
        req,
        res,
        router: appRouter,
        path: procedurePath,
        maxBodySize: maxBody,
        maxBatchSize: MAX_BATCH_CALLS,
        // Tokens come in the Authorization header or the session cookie, never in a URL
        // (connectionParams of subscriptions travel in the query string, where proxies log them).
        createContext: () => {
          const bearer = bearerToken(req);
          const cookieSession = bearer === null ? sessionCookie(req) : null;
          const token = bearer ?? cookieSession;
          // A token or session wins; otherwise a trusted proxy may name a person of users.json.
          const proxied = token === null && options.proxyUsers ? options.proxyUsers.identify(req.socket.remoteAddress, req.headers) : { kind: 'none' as const };
          const proxyUser = proxied.kind === 'name' ? proxied.name : proxied.kind === 'invalid' ? '(not a name)' : null;
          return {
            agent,
            caller: proxied.kind === 'name' ? agent.auth.users.find(proxied.name) : agent.auth.authenticate(token),
            tokenPresented: token !== null || proxied.kind !== 'none',
            client: clientAddress(req),
            bearer,
            cookieSession,
            proxyUser,
            consoleHeader: req.headers['x-lvs-console'] === '1',
            setSessionCookie: (value: string | null, maxAgeSeconds = 0) => {
              res.appendHeader('set-cookie', sessionCookieHeader(value, value === null ? 0 : maxAgeSeconds, Boolean(options.tls)));
            },
          };
        },
        onError: ({ error, path }) => {
          if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error, path }, 'request failed');
        },
      });
      return;
    }

    if (url.pathname.startsWith('/cluster/')) {
      // The directors' own protocol (peer-http.ts): its own authentication and body limit.
      if (!agent.cluster) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'this agent is not in a cluster (no cluster.json, no --cluster flags)' }));
        return;
      }
      await agent.cluster.handle(req, res, url.pathname.slice('/cluster/'.length));
      return;
    }

    if (url.pathname === '/metrics') {
      const caller: Caller | null = agent.auth.authenticate(bearerToken(req));
      if (!caller) {
        res
          .writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="lvs-console"' })
          .end('a bearer token is required\n');
        return;
      }
      if (caller.role === 'realserver') {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end("a realserver token may only report a real server's settings\n");
        return;
      }
      const headers = { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store', vary: 'accept-encoding' };
      // Prometheus asks for gzip: 1,000 destinations' 1.7 MB go out as about a tenth (fastest level, off the event loop).
      if (acceptedEncodings(req.headers['accept-encoding']).has('gzip')) {
        const body = await gzipAsync(metricsText(), { level: zlibConstants.Z_BEST_SPEED });
        res.writeHead(200, { ...headers, 'content-encoding': 'gzip' }).end(body);
        return;
      }
      res.writeHead(200, headers).end(metricsText());
      return;
    }

    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
      return;
    }

    await statics.serve(req, res, url.pathname);
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'unhandled request error');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    });
  };

  return options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createHttpServer(listener);
}
