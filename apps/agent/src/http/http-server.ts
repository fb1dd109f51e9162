// One port for everything: tRPC at /trpc (queries, mutations, SSE
// subscriptions), Prometheus text at /metrics, the web console at /.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { renderMetrics, type ClusterFigures } from '@lvs-console/shared/metrics';
import type { ClusterService } from '../cluster/cluster';
import type { Logger } from '../log';
import type { AgentParts } from '../reconcile/agent-parts';
import { AGENT_VERSION } from '../reconcile/agent-parts';
import { APPLY_DURATION_BUCKETS_SECONDS } from '../reconcile/agent-metrics';
import type { Caller } from '@lvs-console/shared/api';
import { appRouter } from '../trpc/router';
import { StaticFiles } from './static-files';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface HttpOptions {
  agent: AgentParts;
  log: Logger;
  /** Built web console (apps/web/dist); null serves a "not built" page. */
  webDir: string | null;
  maxBodyBytes?: number;
  tls?: { cert: string | Buffer; key: string | Buffer } | null;
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
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

function sendTooLarge(res: ServerResponse, req: IncomingMessage, limit: number): void {
  const message = `request body is larger than ${limit} bytes`;
  res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error: { message, code: -32600, data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, domainCode: 'INVALID_INPUT', issues: [] } } }));
  // Discard what the client still sends instead of resetting the socket mid-response.
  req.resume();
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
      ...(agent.cluster ? { cluster: clusterFigures(agent.cluster, agent.clock.now()) } : {}),
    });
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody && !url.pathname.startsWith('/cluster/')) {
      log.warn({ path: url.pathname, bytes: declared }, 'request body too large');
      if (req.method === 'POST' && url.pathname.startsWith('/trpc/')) {
        const caller = agent.auth.authenticate(bearerToken(req));
        await agent.audit.reject({ who: caller?.name ?? '(no token)', role: caller?.role ?? 'system', what: url.pathname.slice('/trpc/'.length), error: `request body of ${declared} bytes is larger than ${maxBody}` });
      }
      sendTooLarge(res, req, maxBody);
      return;
    }

    if (url.pathname === '/trpc' || url.pathname.startsWith('/trpc/')) {
      await nodeHTTPRequestHandler({
        req,
        res,
        router: appRouter,
        path: url.pathname.slice('/trpc/'.length),
        maxBodySize: maxBody,
        createContext: ({ info }) => {
          const token = bearerToken(req) ?? info.connectionParams?.token ?? null;
          return { agent, caller: agent.auth.authenticate(token) };
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
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'this agent is not in a cluster (no cluster.json, no --cluster flags)' }));
        return;
      }
      await agent.cluster.handle(req, res, url.pathname.slice('/cluster/'.length));
      return;
    }

    if (url.pathname === '/metrics') {
      const caller: Caller | null = agent.auth.authenticate(bearerToken(req));
      if (!caller) {
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="lvs-console"' }).end('a bearer token is required\n');
        return;
      }
      if (caller.role === 'realserver') {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('a realserver token may only report a real server\'s settings\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' }).end(metricsText());
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
