// "Why does this real server get no (or little) traffic?" Every destination
// gets an explanation: the reasons that stop new connections, the ones that
// reduce them, and notes on kernel semantics that make a weight mean less
// than the operator may think. Pure: evaluation, observation and time come in.
import type { SchedulerName, Service } from '../model/ipvs';
import type { ObservedDestination, ObservedService } from '../model/observed';
import { destinationId, serviceLabel } from '../model/keys';
import { describeDrain, formatSeconds, type DrainProgress } from './drain';
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
  message: string;
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
  note: string;
}

/**
 * How each kernel scheduler reads weights (net/netfilter/ipvs/ip_vs_*.c, as
 * modelled in packages/shared/src/schedulers): rr and lc skip weight-0 and
 * overloaded servers but otherwise ignore weight; dh gives every server one
 * bucket regardless of weight; sh tiles its table by weight; fo and ovf use
 * weight as priority and as a connection limit.
 */
const SCHEDULER_WEIGHTS: Partial<Record<SchedulerName, SchedulerWeightSemantics>> = {
  rr: { weightIsOnOff: true, note: 'rr ignores weights: every server with weight > 0 gets an equal turn (use wrr for weighted shares)' },
  lc: { weightIsOnOff: true, note: 'lc ignores weights: it picks the fewest connections among servers with weight > 0 (use wlc for weighted shares)' },
  dh: { weightIsOnOff: true, note: 'dh gives every server one hash bucket in turn whatever its weight; weight only switches it on or off' },
};

function hashFallbackNote(service: Service): string | null {
  const fallbackFlag = service.scheduler === 'sh' ? 'sh-fallback' : service.scheduler === 'mh' ? 'mh-fallback' : null;
  if (service.scheduler === 'dh') {
    return 'dh has no fallback: clients whose destination address hashes to this server get no server at all while it is at weight 0';
  }
  if (fallbackFlag && !service.flags.includes(fallbackFlag)) {
    return `${service.scheduler} without ${fallbackFlag}: clients that hash to this server get no server at all while it is at weight 0 (set ${fallbackFlag} to send them elsewhere)`;
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
    };
  }
  if (serving) {
    return {
      code: 'persistence-pinning',
      severity: 'note',
      message: `persistence (${service.persistence.timeout} s) pins returning clients to the server they used before; a new or recovered server gets only new clients until templates expire`,
    };
  }
  return null;
}

function failingReason(row: DestinationEvaluation, now: number): Reason {
  const failure = lastFailure(row.state);
  const last = failure ? `: ${failure.message}` : '';
  const duration = formatSeconds(Math.max(0, (now - row.state.since) / 1000));
  return {
    code: 'check-failing',
    severity: 'blocks',
    message: `health check failing for ${duration}${last}`,
    since: row.state.since,
  };
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
    reasons.push({
      code: 'draining',
      severity: 'blocks',
      message: `drained by the operator${drainConfig?.by ? ` (${drainConfig.by})` : ''}: ${drain ? describeDrain(drain) : 'draining: waiting for the first observation'}`,
      since: drainConfig?.startedAt,
    });
  }
  if (row.health === 'down') {
    reasons.push(failingReason(row, now));
    if (row.effective === 'removed') {
      reasons.push({
        code: 'removed-on-failure',
        severity: 'blocks',
        message: 'removed from the kernel while failing (onFailure: remove); it is added back when it recovers',
      });
    }
  } else if (row.health === 'pending') {
    reasons.push({
      code: 'alpha-pending',
      severity: 'blocks',
      message: 'alpha mode: kept out until its first successful health check',
      since: row.state.since,
    });
  }
  if (replaced) {
    const sorry = evaluation.sorryServer ? destinationId(evaluation.sorryServer) : 'the sorry server';
    reasons.push({
      code: 'quorum-lost',
      severity: 'blocks',
      message: `quorum lost (healthy weight ${evaluation.healthyWeight} < ${evaluation.quorum}): sorry server ${sorry} has replaced the real servers`,
    });
  } else if (evaluation.quorumLost && (health?.enabled || evaluation.sorryServer)) {
    reasons.push({
      code: 'quorum-lost',
      severity: 'note',
      message: evaluation.sorryServerActive
        ? `quorum lost (healthy weight ${evaluation.healthyWeight} < ${evaluation.quorum}): the sorry server serves beside the real servers`
        : `quorum lost (healthy weight ${evaluation.healthyWeight} < ${evaluation.quorum}); no sorry server is configured`,
    });
  }
  if (row.destination.weight === 0) {
    reasons.push({ code: 'configured-zero', severity: 'blocks', message: 'configured weight is 0 (quiescent): no new connections' });
  } else if (row.health !== 'unchecked' && row.state.dynamicWeight !== null && row.admin === 'active' && row.health === 'up') {
    reasons.push({
      code: 'dynamic-weight',
      severity: row.state.dynamicWeight === 0 ? 'blocks' : 'note',
      message: `the check command set the weight to ${row.state.dynamicWeight} (configured ${row.destination.weight})`,
    });
  }
  if (row.ramping && typeof row.effective === 'number') {
    const slowStart = health?.slowStart;
    const endsAt = (row.state.recoveredAt ?? now) + (slowStart?.durationMs ?? 0);
    reasons.push({
      code: 'slow-start',
      severity: 'reduces',
      message: `slow start: weight ${row.effective} of ${row.baseWeight}, full in ${formatSeconds(Math.max(0, (endsAt - now) / 1000))}`,
      since: row.state.recoveredAt ?? undefined,
    });
  }
  if (observed?.overloaded) {
    const upper = row.destination.upperThreshold;
    reasons.push({
      code: 'overloaded',
      severity: 'blocks',
      message: `overloaded: ${observed.activeConns + observed.inactiveConns} connections reached the upper threshold ${upper}; new ones resume below ${row.destination.lowerThreshold || Math.floor((upper * 3) / 4)}`,
    });
  }

  const effectiveNumber = typeof row.effective === 'number' ? row.effective : 0;
  const serving = effectiveNumber > 0 && !observed?.overloaded;
  const semantics = SCHEDULER_WEIGHTS[service.scheduler];
  if (semantics && serving) reasons.push({ code: 'scheduler-ignores-weight', severity: 'note', message: semantics.note });
  if (!serving && row.effective !== 'removed') {
    const hashNote = hashFallbackNote(service);
    if (hashNote) reasons.push({ code: 'hash-no-fallback', severity: 'note', message: hashNote });
  }
  if (serving && service.scheduler === 'fo') {
    let higher: DestinationEvaluation | null = null;
    for (const other of evaluation.destinations) {
      if (typeof other.effective !== 'number' || other.effective <= effectiveNumber) continue;
      if (!higher || (typeof higher.effective === 'number' && other.effective > higher.effective)) higher = other;
    }
    if (higher) {
      reasons.push({
        code: 'scheduler-priority',
        severity: 'blocks',
        message: `fo sends every new connection to the available server with the highest weight (${higher.id} has ${String(higher.effective)})`,
      });
    }
  }
  if (serving && service.scheduler === 'ovf') {
    reasons.push({
      code: 'scheduler-priority',
      severity: 'note',
      message: `ovf uses weight as a connection limit: this server takes new connections while it has fewer than ${effectiveNumber} active ones, highest weight first`,
    });
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
        {
          code: 'sorry-server',
          severity: 'note',
          message: `quorum lost (healthy weight ${evaluation.healthyWeight} < ${evaluation.quorum}): the sorry server takes the traffic until quorum returns`,
          since: runtime?.quorumChangedAt ?? undefined,
        },
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
