// The directors' own protocol: small JSON calls under /cluster/ on the
// agent's port, authenticated by the cluster's name and token in headers
// (never in the URL), separate from people's tokens and sessions. Refused
// calls write nothing to the audit: an unauthenticated caller can make the
// agent do no more than compare two digests, and only a few times a minute.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError } from '@lvs-console/shared';
import { LoginThrottle } from '../auth/login-throttle';
import type { Clock } from '../config/clock';
import type { ClusterConfig } from './config';

export const CLUSTER_HEADER = 'x-lvs-cluster';
export const TOKEN_HEADER = 'x-lvs-cluster-token';
export const DIRECTOR_HEADER = 'x-lvs-director';
/** A replicated revision carries a whole desired state: allow more than the API's 1 MiB. */
export const MAX_PEER_BODY_BYTES = 32 * 1024 * 1024;

export class PeerError extends Error {
  /** timedOut: the peer took the connection (or may have) but did not answer in time: busy, not gone. */
  constructor(
    readonly status: number,
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Who is calling, or a PeerError with the reason a misconfigured peer must see. */
export function authenticatePeer(config: ClusterConfig, req: IncomingMessage): string {
  const cluster = header(req, CLUSTER_HEADER);
  const token = header(req, TOKEN_HEADER);
  const director = header(req, DIRECTOR_HEADER);
  if (cluster === null || token === null || director === null) throw new PeerError(401, 'a cluster call needs the cluster name, token and director headers');
  if (cluster !== config.name) throw new PeerError(403, `this director belongs to cluster "${config.name}", not "${cluster.slice(0, 64)}"`);
  if (!timingSafeEqual(digest(token), digest(config.token))) throw new PeerError(403, `wrong cluster token for cluster "${config.name}"`);
  if (!config.peers.some((peer) => peer.name === director)) {
    throw new PeerError(
      403,
      `"${director.slice(0, 64)}" is not a member of cluster "${config.name}" (members: ${[config.self, ...config.peers.map((p) => p.name)].join(', ')})`,
    );
  }
  return director;
}

/** Refused cluster calls one client may make per window before it is refused unheard. */
export const PEER_REFUSALS_PER_WINDOW = 30;
export const PEER_REFUSAL_WINDOW_MS = 60_000;

/**
 * authenticatePeer with a per-client budget of refusals (IPv6 per /64): past
 * it, calls from that client get 429 without their headers being looked at,
 * so a wrong name or token cannot be tried at the speed of the network.
 * A member's own calls are never refused, so they never use up the budget.
 */
export class PeerRefusalLimit {
  private readonly refused: LoginThrottle;

  constructor(clock: Clock, limit = PEER_REFUSALS_PER_WINDOW, windowMs = PEER_REFUSAL_WINDOW_MS) {
    this.refused = new LoginThrottle(clock, limit, windowMs);
  }

  authenticate(config: ClusterConfig, req: IncomingMessage): string {
    const client = req.socket.remoteAddress ?? 'unknown';
    if (this.refused.over(client)) {
      throw new PeerError(429, `too many refused cluster calls from ${client}; try again in ${this.refused.retryAfterSeconds(client)} s`);
    }
    try {
      return authenticatePeer(config, req);
    } catch (error) {
      if (error instanceof PeerError) this.refused.allow(client);
      throw error;
    }
  }
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' && value.length <= 512 ? value : null;
}

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new PeerError(415, 'cluster calls send application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PeerError(413, `request body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new PeerError(400, 'the body is not JSON');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/** Client side: one peer's endpoints, each call with its own deadline. */
export class PeerClient {
  constructor(
    private readonly config: ClusterConfig,
    readonly name: string,
    readonly url: string,
  ) {}

  async call<T>(operation: string, body: unknown, timeoutMs: number): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}/cluster/${operation}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          [CLUSTER_HEADER]: this.config.name,
          [TOKEN_HEADER]: this.config.token,
          [DIRECTOR_HEADER]: this.config.self,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      const reason = timedOut ? `no answer within ${timeoutMs} ms` : describeFetchError(error);
      throw new PeerError(0, `${this.name} (${this.url}) is unreachable: ${reason}`, timedOut);
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      throw new PeerError(response.status, `${this.name} answered ${response.status} without JSON (is ${this.url} an LVS Console agent?)`);
    }
    if (!response.ok) {
      const message = typeof json === 'object' && json !== null && 'error' in json ? String(json.error) : `HTTP ${response.status}`;
      throw new PeerError(response.status, message);
    }
    return json as T;
  }
}

function describeFetchError(error: unknown): string {
  const cause = error instanceof Error ? (error as Error & { cause?: { code?: string; message?: string } }).cause : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** A refused prepare or replicate from a peer becomes the caller's conflict. */
export function conflictFrom(peer: string, error: PeerError): DomainError {
  return new DomainError('CONFLICT', `director ${peer} refused the change: ${error.message}; reload and try again`);
}
