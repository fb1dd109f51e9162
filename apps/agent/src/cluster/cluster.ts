// This director as a member of a cluster: it polls each peer's status,
// pushes its newest revision to a peer that is behind, asks the peers before
// a change (so one of two concurrent writers gets a conflict, never a silent
// overwrite) and publishes each revision it makes. Each agent still owns
// only its own kernel: a peer applies what it receives through its own
// reconciler.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { DomainError, describedText, desiredStateSchema, type DesiredState, type SyncDaemon } from '@lvs-console/shared';
import type { Caller, MemberResult } from '@lvs-console/shared/api';
import { isStale } from '@lvs-console/shared/ha';
import type { Clock } from '../config/clock';
import type { VrrpEngine, VrrpInstanceStatus, HoldLevel, SimPeerView } from '../ha/vrrp';
import type { Logger } from '../log';
import type { Reconciler, ReplicationPort } from '../reconcile/reconciler';
import type { AuditLog } from '../store/audit-log';
import type { StateStore, StoredState } from '../store/state-store';
import type { ClusterConfig } from './config';
import { conflictFrom, MAX_PEER_BODY_BYTES, PeerClient, PeerError, PeerRefusalLimit, readJsonBody, sendJson } from './peer-http';

/** How long a peer's promise of the next revision to one writer holds. */
const GRANT_MS = 10_000;
const PREPARE_TIMEOUT_MS = 2_000;
const REPLICATE_TIMEOUT_MS = 15_000;
const STATUS_AT_START_TIMEOUT_MS = 10_000;

export interface MemberStatus {
  cluster: string;
  director: string;
  agentVersion: string;
  time: number;
  revision: number;
  stateDigest: string;
  /** Differences between this director's kernel and its desired state. */
  driftChanges: number;
  vrrp: VrrpInstanceStatus[];
  vrrpEngine: 'keepalived' | 'sim' | null;
  vrrpProblem: string | null;
  hold: HoldLevel;
  /** Sync daemons the kernel runs now. */
  syncDaemons: SyncDaemon[];
  /** When this member's revision was made, and by whom: a split keeps the newer of two equal revisions. */
  revisionTime: number | null;
  revisionBy: string | null;
}

export interface MemberView {
  name: string;
  self: boolean;
  url: string | null;
  reachable: boolean;
  lastHeardAt: number | null;
  stale: boolean;
  /** Why the last poll failed, in words (unreachable, refused: wrong token, ...). */
  error: string | null;
  status: MemberStatus | null;
  /** Revisions this member is behind the newest one known. */
  lag: number | null;
}

interface PeerState {
  client: PeerClient;
  status: MemberStatus | null;
  lastHeardAt: number | null;
  error: string | null;
  pushing: boolean;
}

const statusSchema = z
  .object({
    cluster: z.string(),
    director: z.string(),
    agentVersion: z.string(),
    time: z.number(),
    revision: z.number().int().min(0),
    stateDigest: z.string(),
    driftChanges: z.number().int().min(0),
    vrrp: z.array(
      z.object({
        instance: z.string(),
        state: z.enum(['MASTER', 'BACKUP', 'FAULT', 'STOP', 'UNKNOWN']),
        priority: z.number().nullable(),
        since: z.number(),
        addresses: z.array(z.string()),
      }),
    ),
    vrrpEngine: z.enum(['keepalived', 'sim']).nullable(),
    vrrpProblem: z.string().nullable(),
    hold: z.enum(['none', 'handover']),
    syncDaemons: z.array(z.object({ state: z.enum(['master', 'backup']), interface: z.string(), syncId: z.number() }).passthrough()),
    revisionTime: z.number().nullable().default(null),
    revisionBy: z.string().max(200).nullable().default(null),
  })
  .passthrough();

const storedSchema = z.object({
  format: z.literal(1),
  revision: z.number().int().min(1),
  time: z.number(),
  who: z.string().max(200),
  what: z.string().max(2000),
  // The recorded text's message id (absent from directors that do not keep one yet).
  whatId: z.string().max(100).optional(),
  whatParams: z.record(z.string().max(100), z.union([z.string().max(2000), z.number()])).optional(),
  state: desiredStateSchema,
});
const prepareSchema = z.object({ base: z.number().int().min(0), revision: z.number().int().min(1), id: z.string().max(64) }).strict();
const handoverSchema = z.object({ level: z.enum(['none', 'handover']), who: z.string().max(200) }).strict();

/** What the peers said at start: the newest revision any has, and why the others said nothing. */
export interface PeersAtStart {
  newest: { stored: StoredState; from: string } | null;
  unanswered: string[];
}

/**
 * Before a director serves: the newest revision any peer has, so a member
 * that was away (or is new) starts from the cluster's state, not its own.
 * A peer that refuses or cannot be reached is passed over at once; one that
 * is only slow (a loaded director) is asked again until waitMs has passed.
 */
export async function newestFromPeers(config: ClusterConfig, log: Logger, waitMs = 2000, tryTimeoutMs = STATUS_AT_START_TIMEOUT_MS): Promise<PeersAtStart> {
  const unanswered: string[] = [];
  const answers = await Promise.all(
    config.peers.map(async (peer) => {
      const client = new PeerClient(config, peer.name, peer.url);
      const deadline = Date.now() + waitMs;
      for (;;) {
        try {
          const timeoutMs = Math.max(1000, Math.min(tryTimeoutMs, deadline - Date.now()));
          const status = statusSchema.parse(await client.call('status', undefined, timeoutMs));
          if (status.revision === 0) return null;
          return { stored: storedSchema.parse(await client.call('current', undefined, REPLICATE_TIMEOUT_MS)), from: peer.name };
        } catch (error) {
          if (error instanceof PeerError && error.timedOut && Date.now() < deadline) continue;
          const message = error instanceof Error ? error.message : String(error);
          unanswered.push(message);
          log.info({ peer: peer.name, err: error }, 'peer not reachable at start');
          return null;
        }
      }
    }),
  );
  let newest: PeersAtStart['newest'] = null;
  for (const answer of answers) if (answer && (!newest || answer.stored.revision > newest.stored.revision)) newest = answer;
  return { newest, unanswered };
}

export function stateDigest(state: DesiredState): string {
  return createHash('sha256').update(JSON.stringify(state)).digest('hex').slice(0, 16);
}

export interface ClusterOptions {
  config: ClusterConfig;
  reconciler: Reconciler;
  store: StateStore;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
  vrrp: VrrpEngine | null;
  agentVersion: string;
  observedSyncDaemons: () => SyncDaemon[];
}

export class ClusterService implements ReplicationPort {
  private readonly peers: Map<string, PeerState>;
  private grant: { revision: number; director: string; id: string; until: number } | null = null;
  private pending: { revision: number; id: string; lost: string | null } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private digestCache: { revision: number; digest: string } | null = null;
  private readonly refusalLimit: PeerRefusalLimit;

  constructor(private readonly opts: ClusterOptions) {
    this.refusalLimit = new PeerRefusalLimit(opts.clock);
    this.peers = new Map(
      opts.config.peers.map((peer) => [
        peer.name,
        {
          client: new PeerClient(opts.config, peer.name, peer.url),
          status: null,
          lastHeardAt: null,
          error: null,
          pushing: false,
        },
      ]),
    );
  }

  get config(): ClusterConfig {
    return this.opts.config;
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.opts.config.pollIntervalMs);
    this.timer.unref();
    void this.poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private digest(): string {
    const stored = this.opts.store.current();
    if (!stored) return '';
    if (this.digestCache?.revision !== stored.revision) this.digestCache = { revision: stored.revision, digest: stateDigest(stored.state) };
    return this.digestCache.digest;
  }

  localStatus(): MemberStatus {
    return {
      cluster: this.opts.config.name,
      director: this.opts.config.self,
      agentVersion: this.opts.agentVersion,
      time: this.opts.clock.now(),
      revision: this.opts.store.revision,
      stateDigest: this.digest(),
      driftChanges: this.opts.reconciler.drift().changes.length,
      vrrp: this.opts.vrrp?.status() ?? [],
      vrrpEngine: this.opts.vrrp?.kind ?? null,
      vrrpProblem: this.opts.vrrp?.problem ?? null,
      hold: this.opts.vrrp?.holdLevel ?? 'none',
      syncDaemons: this.opts.observedSyncDaemons(),
      revisionTime: this.opts.store.current()?.time ?? null,
      revisionBy: this.opts.store.current()?.who ?? null,
    };
  }

  /** Every member, this one first, with what is known of it and how old that is. */
  members(): MemberView[] {
    const now = this.opts.clock.now();
    const newest = Math.max(this.opts.store.revision, ...[...this.peers.values()].map((p) => p.status?.revision ?? 0));
    const self: MemberView = {
      name: this.opts.config.self,
      self: true,
      url: null,
      reachable: true,
      lastHeardAt: now,
      stale: false,
      error: null,
      status: this.localStatus(),
      lag: newest - this.opts.store.revision,
    };
    const others = [...this.peers.entries()].map(([name, peer]): MemberView => {
      const stale = isStale(peer.lastHeardAt, now, this.opts.config.pollIntervalMs);
      return {
        name,
        self: false,
        url: peer.client.url,
        reachable: peer.error === null && peer.lastHeardAt !== null,
        lastHeardAt: peer.lastHeardAt,
        stale,
        error: peer.error,
        status: peer.status,
        lag: peer.status ? newest - peer.status.revision : null,
      };
    });
    return [self, ...others];
  }

  /** What the sim VRRP engine elects from: peers heard from recently, with their last VRRP states. */
  simPeers(): SimPeerView[] {
    const now = this.opts.clock.now();
    return [...this.peers.entries()].map(([name, peer]) => ({
      name,
      live: !isStale(peer.lastHeardAt, now, this.opts.config.pollIntervalMs) && peer.error === null,
      instances: (peer.status?.vrrp ?? []).map((v) => ({ instance: v.instance, state: v.state, priority: v.priority })),
    }));
  }

  /** One round: ask each peer, push our newest revision to the ones behind. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await Promise.all(
        [...this.peers.values()].map(async (peer) => {
          try {
            const status = statusSchema.parse(await peer.client.call('status', undefined, Math.max(1000, this.opts.config.pollIntervalMs * 2))) as MemberStatus;
            if (status.cluster !== this.opts.config.name || status.director !== peer.client.name) {
              throw new PeerError(
                0,
                `${peer.client.url} is director "${status.director}" of cluster "${status.cluster}", not "${peer.client.name}" of "${this.opts.config.name}"`,
              );
            }
            peer.status = status;
            peer.lastHeardAt = this.opts.clock.now();
            peer.error = null;
            if (status.revision < this.opts.store.revision && !peer.pushing) await this.pushTo(peer);
            else if (this.splitFrom(status) && this.keepsMineAgainst(status)) await this.resolveSplit(peer.client.name, status);
          } catch (error) {
            peer.error = error instanceof Error ? error.message : String(error);
          }
        }),
      );
    } finally {
      this.polling = false;
    }
    this.afterPoll?.();
  }

  /**
   * Two members made the same revision number apart (each could not reach
   * the other): neither is behind, so neither would ever push. The kernels
   * would differ for good.
   */
  private splitFrom(status: MemberStatus): boolean {
    const mine = this.opts.store.current();
    return mine !== null && status.revision === mine.revision && status.stateDigest !== '' && status.stateDigest !== this.digest();
  }

  /** The newer of the two revisions is kept (the later intent); equal times: the name that sorts first. */
  private keepsMineAgainst(status: MemberStatus): boolean {
    const mine = this.opts.store.current();
    if (!mine) return false;
    const theirs = status.revisionTime ?? 0;
    return mine.time !== theirs ? mine.time > theirs : this.opts.config.self < status.director;
  }

  /** The kept state becomes the next revision, which every member takes; the other side's change stays in its history and the audit. */
  private async resolveSplit(peer: string, status: MemberStatus): Promise<void> {
    const mine = this.opts.store.current();
    if (!mine) return;
    const what = describedText('auditSplitKept', { self: this.opts.config.self, revision: mine.revision, peer, by: status.revisionBy ?? 'unknown' });
    this.opts.log.warn({ peer, revision: mine.revision }, what.message);
    try {
      await this.opts.reconciler.reaffirm(mine.revision, { name: 'cluster', role: 'admin' }, what);
    } catch (error) {
      // A writer got there first (CONFLICT) or the kernel refused: the next poll looks again.
      this.opts.log.warn({ peer, err: error }, 'resolving the split failed; trying again on the next poll');
    }
  }

  /** Called after each poll round (the sim VRRP engine re-elects). */
  afterPoll: (() => void) | null = null;

  /** A member that was away catches up: it gets our newest revision. */
  private async pushTo(peer: PeerState, stored = this.opts.store.current()): Promise<MemberResult> {
    if (!stored) return { director: peer.client.name, ok: true, revision: peer.status?.revision ?? null, message: 'nothing to send' };
    peer.pushing = true;
    const started = performance.now();
    try {
      const answer = await peer.client.call<{ ok: boolean; revision: number; message: string }>('replicate', stored, REPLICATE_TIMEOUT_MS);
      if (!answer.ok) this.opts.log.warn({ peer: peer.client.name, message: answer.message }, 'a peer did not take our revision');
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      return { director: peer.client.name, ok: answer.ok, revision: answer.revision, message: answer.message, durationMs };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      peer.error = message;
      return {
        director: peer.client.name,
        ok: false,
        revision: peer.status?.revision ?? null,
        message: `not applied yet: ${message}; it catches up when it answers again`,
      };
    } finally {
      peer.pushing = false;
    }
  }

  // ---------------------------------------------------------------- writer side

  async prepare(baseRevision: number, what: string): Promise<void> {
    const revision = baseRevision + 1;
    const now = this.opts.clock.now();
    if (this.grant && this.grant.revision === revision && this.grant.until > now) {
      throw new DomainError('CONFLICT', `director ${this.grant.director} is making revision ${revision} right now; reload and try again`);
    }
    const id = randomUUID();
    this.pending = { revision, id, lost: null };
    try {
      await Promise.all(
        [...this.peers.values()].map(async (peer) => {
          try {
            await peer.client.call('prepare', { base: baseRevision, revision, id }, PREPARE_TIMEOUT_MS);
          } catch (error) {
            if (error instanceof PeerError && error.status === 409) throw conflictFrom(peer.client.name, error);
            // Unreachable or broken: the change goes ahead here; that peer catches up later.
            this.opts.log.warn({ peer: peer.client.name, what, err: error }, 'peer not asked before a change (it will catch up)');
          }
        }),
      );
      if (this.pending.lost)
        throw new DomainError('CONFLICT', `director ${this.pending.lost} made revision ${revision} at the same time and goes first; reload and try again`);
    } catch (error) {
      this.pending = null;
      throw error;
    }
  }

  async publish(stored: StoredState): Promise<MemberResult[]> {
    this.pending = null;
    this.digestCache = null;
    return Promise.all([...this.peers.values()].map((peer) => this.pushTo(peer, stored)));
  }

  // ---------------------------------------------------------------- peer side

  /**
   * Promise the next revision to one writer. Two writers racing from one base:
   * the director whose name sorts first wins; the other's own prepare fails.
   */
  private grantTo(director: string, request: z.infer<typeof prepareSchema>): void {
    const current = this.opts.store.revision;
    const now = this.opts.clock.now();
    if (request.base !== current) {
      throw new PeerError(
        409,
        request.base < current
          ? `it is at revision ${current} already (the change was based on ${request.base})`
          : `it is at revision ${current}, behind ${request.base}; it catches up first`,
      );
    }
    // The same director asking again (its earlier attempt went no further) replaces its own promise.
    if (this.grant && this.grant.revision === request.revision && this.grant.until > now && this.grant.id !== request.id && this.grant.director !== director) {
      throw new PeerError(409, `it promised revision ${request.revision} to director ${this.grant.director}`);
    }
    if (this.pending && this.pending.revision === request.revision) {
      if (this.opts.config.self < director) throw new PeerError(409, `it is making revision ${request.revision} itself`);
      this.pending.lost = director;
    }
    this.grant = { revision: request.revision, director, id: request.id, until: now + GRANT_MS };
  }

  /** The HTTP side of /cluster/*: authenticate, then status, prepare, replicate or hold. */
  async handle(req: IncomingMessage, res: ServerResponse, operation: string): Promise<void> {
    try {
      const from = this.refusalLimit.authenticate(this.opts.config, req);
      if (operation === 'status' && req.method === 'GET') {
        sendJson(res, 200, this.localStatus());
        return;
      }
      if (operation === 'current' && req.method === 'GET') {
        const stored = this.opts.store.current();
        if (!stored) throw new PeerError(404, 'this director has no desired state yet');
        sendJson(res, 200, stored);
        return;
      }
      if (req.method !== 'POST') throw new PeerError(405, 'use POST');
      if (operation === 'prepare') {
        const request = prepareSchema.parse(await readJsonBody(req, 4096));
        this.grantTo(from, request);
        sendJson(res, 200, { ok: true });
        return;
      }
      if (operation === 'replicate') {
        const stored = storedSchema.parse(await readJsonBody(req, MAX_PEER_BODY_BYTES));
        if (this.grant?.revision === stored.revision) this.grant = null;
        const answer = await this.opts.reconciler.receiveReplicated(stored, from, stateDigest);
        this.digestCache = null;
        sendJson(res, 200, answer);
        return;
      }
      if (operation === 'hold') {
        const request = handoverSchema.parse(await readJsonBody(req, 4096));
        await this.setHold(request.level, { name: request.who, role: 'admin' }, from);
        sendJson(res, 200, this.localStatus());
        return;
      }
      throw new PeerError(404, `no cluster operation "${operation.slice(0, 32)}"`);
    } catch (error) {
      if (error instanceof PeerError) sendJson(res, error.status || 502, { error: error.message });
      else if (error instanceof z.ZodError) sendJson(res, 400, { error: `malformed cluster call: ${error.issues[0]?.message ?? 'invalid'}` });
      else {
        this.opts.log.error({ err: error, operation }, 'cluster call failed');
        sendJson(res, 500, { error: error instanceof Error ? error.message : 'internal error' });
      }
    }
  }

  private async setHold(level: HoldLevel, caller: Caller, via: string | null): Promise<void> {
    if (!this.opts.vrrp) throw new PeerError(409, 'this director runs no VRRP');
    await this.opts.vrrp.hold(level);
    await this.opts.audit.append({
      who: caller.name,
      role: caller.role,
      result: 'ok',
      what:
        level === 'handover'
          ? via
            ? describedText('auditHandoverVia', { via })
            : describedText('auditHandover')
          : via
            ? describedText('auditHoldReleasedVia', { via })
            : describedText('auditHoldReleased'),
    });
  }

  /**
   * "Fail over now": the MASTER of `instance` (default: every instance's
   * MASTER) lowers itself and the VIPs move to the next director. Any hold on
   * the other directors is released first, so they can take the VIPs.
   */
  async failover(caller: Caller, instance?: string): Promise<MemberView[]> {
    const members = this.members();
    const masters = members.filter((m) => !m.stale && m.status?.vrrp.some((v) => v.state === 'MASTER' && (instance === undefined || v.instance === instance)));
    if (masters.length === 0) throw new DomainError('CONFLICT', 'no director is MASTER right now (or none was heard from recently): nothing to fail over');
    const others = members.filter((m) => !masters.includes(m) && !m.stale);
    if (others.length === 0) throw new DomainError('CONFLICT', 'no other director is live to take the VIPs; failing over now would leave nobody answering');
    for (const member of others) if (member.status?.hold === 'handover') await this.holdOn(member, 'none', caller);
    for (const master of masters) await this.holdOn(master, 'handover', caller);
    return this.members();
  }

  /** Let this director take the VIPs again after a failover. */
  async release(caller: Caller, director: string): Promise<MemberView[]> {
    const member = this.members().find((m) => m.name === director);
    if (!member) throw new DomainError('NOT_FOUND', `no director "${director}" in cluster ${this.opts.config.name}`);
    await this.holdOn(member, 'none', caller);
    return this.members();
  }

  private async holdOn(member: MemberView, level: HoldLevel, caller: Caller): Promise<void> {
    if (member.self) {
      await this.setHold(level, caller, null);
      return;
    }
    const peer = this.peers.get(member.name);
    if (!peer) return;
    try {
      await peer.client.call('hold', { level, who: caller.name }, PREPARE_TIMEOUT_MS * 2);
    } catch (error) {
      throw new DomainError('KERNEL_ERROR', `director ${member.name} did not take the request: ${error instanceof Error ? error.message : String(error)}`);
    }
    await this.poll();
  }
}
