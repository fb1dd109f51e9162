// "Why does this real server get no (or little) traffic?" Every destination
// gets an explanation: the reasons that stop new connections, the ones that
// reduce them, and notes on kernel semantics that make a weight mean less
// than the operator may think. Pure: evaluation, observation and time come in.
import type { SchedulerName, Service } from '../model/ipvs';
import type { ObservedDestination, ObservedService } from '../model/observed';
import { destinationId, serviceLabel } from '../model/keys';
import { describeDrainText, formatSeconds, type DrainProgress } from './drain';
import { describedText, nestedParams, type MessageId, type MessageParams } from '../model/messages';
import { lastFailure } from './state';
import { evaluateService, type DestinationEvaluation, type ServiceEvaluation, type ServiceHealthRuntime } from './table';
import type { EffectiveWeight } from './weight';

export type ReasonCode =
  | 'configured-zero'
  | 'draining'
  | 'check-failing'
  | 'removed-on-failure'
  | 'alpha-pending'
  | 'dynamic-weight'
  | 'quorum-lost'
  | 'sorry-server'
  | 'slow-start'
  | 'overloaded'
  | 'persistence-pinning'
  | 'scheduler-ignores-weight'
  | 'scheduler-priority'
  | 'hash-no-fallback'
  | 'vip-missing';

/** blocks: no new connections because of it. reduces: fewer than the weight says. note: worth knowing. */
export type ReasonSeverity = 'blocks' | 'reduces' | 'note';

export interface Reason {
  code: ReasonCode;
  severity: ReasonSeverity;
  /** English; the console says `messageId` with `params` in its language. */
  message: string;
  messageId?: MessageId;
  params?: MessageParams;
  /** When the condition began (epoch ms), where known. */
  since?: number;
}

export interface DestinationExplanation {
  service: string;
  destination: string;
  /** The sorry server's own row (present only while it is active). */
  sorryServer: boolean;
  configuredWeight: number;
  effectiveWeight: EffectiveWeight;
  /** Whether the scheduler can pick it for a new connection now. */
  receivesNewConnections: boolean;
  /** The first reason's message, or "serving at weight N". */
  summary: string;
  reasons: Reason[];
}

interface SchedulerWeightSemantics {
  /** Weights other than 0 make no difference to the share. */
  weightIsOnOff: boolean;
  note: MessageId;
}

/** A reason said by message id: English text, id and parameters together. */
function reason(code: ReasonCode, severity: ReasonSeverity, id: MessageId, params: MessageParams = {}, since?: number): Reason {
  const said: Reason = { code, severity, ...describedText(id, params) };
  if (since !== undefined) said.since = since;
  return said;
}

/**
 * How each kernel scheduler reads weights (net/netfilter/ipvs/ip_vs_*.c, as
 * modelled in packages/shared/src/schedulers): rr and lc skip weight-0 and
 * overloaded servers but otherwise ignore weight; dh gives every server one
 * bucket regardless of weight; sh tiles its table by weight; fo and ovf use
 * weight as priority and as a connection limit.
 */
const SCHEDULER_WEIGHTS: Partial<Record<SchedulerName, SchedulerWeightSemantics>> = {
  rr: { weightIsOnOff: true, note: 'whyRrIgnoresWeight' },
  lc: { weightIsOnOff: true, note: 'whyLcIgnoresWeight' },
  dh: { weightIsOnOff: true, note: 'whyDhOneBucket' },
};

function hashFallbackNote(service: Service): Reason | null {
  const fallbackFlag = service.scheduler === 'sh' ? 'sh-fallback' : service.scheduler === 'mh' ? 'mh-fallback' : null;
  if (service.scheduler === 'dh') return reason('hash-no-fallback', 'note', 'whyDhNoFallback');
  if (fallbackFlag && !service.flags.includes(fallbackFlag)) {
    return reason('hash-no-fallback', 'note', 'whyHashNoFallback', { scheduler: service.scheduler, flag: fallbackFlag });
  }
  return null;
}

function persistenceNote(service: Service, observed: ObservedDestination | undefined, serving: boolean): Reason | null {
  if (!service.persistence) return null;
  const templates = observed?.persistentConns ?? 0;
  if (!serving && templates > 0) {
    return {
      code: 'persistence-pinning',
      severity: 'note',
      message: `${templates} persistence template${templates === 1 ? '' : 's'} still pin clients here: their new connections keep arriving at weight 0 unless net.ipv4.vs.expire_quiescent_template=1`,
      messageId: 'whyTemplatesPin',
      params: { count: templates },
    };
  }
  if (serving) {
    return reason('persistence-pinning', 'note', 'whyPersistence', { timeout: service.persistence.timeout });
  }
  return null;
}

function failingReason(row: DestinationEvaluation, now: number): Reason {
  const failure = lastFailure(row.state);
  const duration = formatSeconds(Math.max(0, (now - row.state.since) / 1000));
  return failure
    ? reason('check-failing', 'blocks', 'whyCheckFailingBecause', nestedParams('failure', failure, { duration }), row.state.since)
    : reason('check-failing', 'blocks', 'whyCheckFailing', { duration }, row.state.since);
}

function explainRow(
  service: Service,
  evaluation: ServiceEvaluation,
  row: DestinationEvaluation,
  drain: DrainProgress | undefined,
  observed: ObservedDestination | undefined,
  now: number,
): DestinationExplanation {
  const reasons: Reason[] = [];
  const health = service.health;
  const replaced = evaluation.sorryServerActive && (health?.sorryServerReplaces ?? true);
  if (row.admin === 'draining') {
    const drainConfig = health?.drains[row.id];
    const where = drain ? describeDrainText(drain) : describedText('drainWaiting');
    const by = drainConfig?.by;
    reasons.push(reason('draining', 'blocks', by ? 'whyDrainedBy' : 'whyDrained', nestedParams('drain', where, by ? { by } : {}), drainConfig?.startedAt));
  }
  if (row.health === 'down') {
    reasons.push(failingReason(row, now));
    if (row.effective === 'removed') {
      reasons.push(reason('removed-on-failure', 'blocks', 'whyRemovedOnFailure'));
    }
  } else if (row.health === 'pending') {
    reasons.push(reason('alpha-pending', 'blocks', 'whyAlpha', {}, row.state.since));
  }
  const quorum = { healthy: evaluation.healthyWeight, quorum: evaluation.quorum };
  if (replaced) {
    const sorry = evaluation.sorryServer ? destinationId(evaluation.sorryServer) : 'the sorry server';
    reasons.push(reason('quorum-lost', 'blocks', 'whySorryReplaced', { ...quorum, sorry }));
  } else if (evaluation.quorumLost && (health?.enabled || evaluation.sorryServer)) {
    reasons.push(reason('quorum-lost', 'note', evaluation.sorryServerActive ? 'whySorryBeside' : 'whyQuorumNoSorry', quorum));
  }
  if (row.destination.weight === 0) {
    reasons.push(reason('configured-zero', 'blocks', 'whyConfiguredZero'));
  } else if (row.health !== 'unchecked' && row.state.dynamicWeight !== null && row.admin === 'active' && row.health === 'up') {
    const weights = { weight: row.state.dynamicWeight, configured: row.destination.weight };
    reasons.push(reason('dynamic-weight', row.state.dynamicWeight === 0 ? 'blocks' : 'note', 'whyDynamicWeight', weights));
  }
  if (row.ramping && typeof row.effective === 'number') {
    const slowStart = health?.slowStart;
    const endsAt = (row.state.recoveredAt ?? now) + (slowStart?.durationMs ?? 0);
    const left = formatSeconds(Math.max(0, (endsAt - now) / 1000));
    reasons.push(reason('slow-start', 'reduces', 'whySlowStart', { weight: row.effective, base: row.baseWeight, left }, row.state.recoveredAt ?? undefined));
  }
  if (observed?.overloaded) {
    const upper = row.destination.upperThreshold;
    const lower = row.destination.lowerThreshold || Math.floor((upper * 3) / 4);
    reasons.push(reason('overloaded', 'blocks', 'whyOverloaded', { connections: observed.activeConns + observed.inactiveConns, upper, lower }));
  }

  const effectiveNumber = typeof row.effective === 'number' ? row.effective : 0;
  const serving = effectiveNumber > 0 && !observed?.overloaded;
  const semantics = SCHEDULER_WEIGHTS[service.scheduler];
  if (semantics && serving) reasons.push(reason('scheduler-ignores-weight', 'note', semantics.note));
  if (!serving && row.effective !== 'removed') {
    const hashNote = hashFallbackNote(service);
    if (hashNote) reasons.push(hashNote);
  }
  if (serving && service.scheduler === 'fo') {
    let higher: DestinationEvaluation | null = null;
    for (const other of evaluation.destinations) {
      if (typeof other.effective !== 'number' || other.effective <= effectiveNumber) continue;
      if (!higher || (typeof higher.effective === 'number' && other.effective > higher.effective)) higher = other;
    }
    if (higher) {
      reasons.push(reason('scheduler-priority', 'blocks', 'whyFoPriority', { server: higher.id, weight: String(higher.effective) }));
    }
  }
  if (serving && service.scheduler === 'ovf') {
    reasons.push(reason('scheduler-priority', 'note', 'whyOvfLimit', { weight: effectiveNumber }));
  }
  const pinning = persistenceNote(service, observed, serving);
  if (pinning) reasons.push(pinning);

  const receivesNewConnections = serving && !reasons.some((r) => r.severity === 'blocks');
  const first = reasons.find((r) => r.severity !== 'note');
  return {
    service: evaluation.id,
    destination: row.id,
    sorryServer: false,
    configuredWeight: row.destination.weight,
    effectiveWeight: row.effective,
    receivesNewConnections,
    summary: first?.message ?? (row.effective === 'removed' ? 'not in the kernel' : `serving at weight ${effectiveNumber}`),
    reasons,
  };
}

/**
 * Explanations for every destination of a service, plus the sorry server's
 * row while it is active. `observed` is the kernel's view of the service (for
 * overload flags and persistence templates); it may be missing.
 */
export function explainService(
  service: Service,
  runtime: ServiceHealthRuntime | undefined,
  observed: ObservedService | undefined,
  now: number,
): DestinationExplanation[] {
  const evaluation = evaluateService(service, runtime, now);
  const observedById = new Map<string, ObservedDestination>();
  for (const dest of observed?.destinations ?? []) observedById.set(destinationId(dest), dest);
  const rows = evaluation.destinations.map((row) => explainRow(service, evaluation, row, runtime?.drains[row.id], observedById.get(row.id), now));
  const sorry = evaluation.sorryServer;
  if (evaluation.sorryServerActive && sorry) {
    rows.push({
      service: evaluation.id,
      destination: destinationId(sorry),
      sorryServer: true,
      configuredWeight: sorry.weight,
      effectiveWeight: sorry.weight,
      receivesNewConnections: sorry.weight > 0,
      summary: `sorry server of ${serviceLabel(service.key)}: serving while quorum is lost`,
      reasons: [
        reason(
          'sorry-server',
          'note',
          'whySorryServes',
          { healthy: evaluation.healthyWeight, quorum: evaluation.quorum },
          runtime?.quorumChangedAt ?? undefined,
        ),
      ],
    });
  }
  return rows;
}

/**
 * A reason that stops the whole service (its VIP is on no director, say):
 * first in every destination's explanation, which then receives nothing.
 */
export function withServiceBlocker(rows: DestinationExplanation[], blocker: Reason | null): DestinationExplanation[] {
  if (!blocker) return rows;
  return rows.map((row) => ({ ...row, receivesNewConnections: false, summary: blocker.message, reasons: [blocker, ...row.reasons] }));
}

/** One destination's explanation (null when the service does not have it). */
export function explainDestination(
  service: Service,
  destId: string,
  runtime: ServiceHealthRuntime | undefined,
  observed: ObservedService | undefined,
  now: number,
): DestinationExplanation | null {
  return explainService(service, runtime, observed, now).find((row) => row.destination === destId) ?? null;
}
