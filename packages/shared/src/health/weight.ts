// The weight the kernel should hold for a destination right now, computed
// from the operator's configured weight and everything health knows. The
// desired state keeps the configured weight; this is derived, never stored.
import type { ServiceHealth, SlowStart } from '../model/health';
import type { HealthStatus } from './state';

export type AdminState = 'active' | 'draining';

/** A number (0 = quiescent) or 'removed': the destination must not be in the kernel. */
export type EffectiveWeight = number | 'removed';

export interface WeightInputs {
  /** The operator's weight from the desired state. */
  configured: number;
  health: HealthStatus;
  /** A dynamic-weight command check's weight; null = use `configured`. */
  dynamicWeight: number | null;
  admin: AdminState;
  onFailure: ServiceHealth['onFailure'];
  slowStart: SlowStart | null;
  /** When the destination last recovered (start of the ramp); null = never went down. */
  recoveredAt: number | null;
  now: number;
  /** The sorry server is active and replaces the real servers. */
  replacedBySorryServer: boolean;
}

/** The weight health checks leave to work with: a dynamic check's weight, else the configured one. */
export function baseWeight(configured: number, dynamicWeight: number | null): number {
  return dynamicWeight ?? configured;
}

/**
 * The ramp after a recovery: `steps` equal steps over `durationMs`, starting at
 * the first step. Rounded, and never below 1 for a target of 1 or more, so a
 * small weight is never truncated to 0 (GORB#47: int32(1 × 0.9) = 0).
 */
export function slowStartWeight(target: number, slowStart: SlowStart | null, recoveredAt: number | null, now: number): number {
  if (!slowStart || recoveredAt === null || target <= 0) return target;
  const elapsed = now - recoveredAt;
  if (elapsed >= slowStart.durationMs || elapsed < 0) return target;
  const step = rampStep(slowStart, elapsed);
  return Math.max(1, Math.min(target, Math.round((target * step) / slowStart.steps)));
}

/** 1-based step of the ramp; integer products first so step boundaries are exact. */
function rampStep(slowStart: SlowStart, elapsedMs: number): number {
  return Math.min(slowStart.steps, Math.floor((elapsedMs * slowStart.steps) / slowStart.durationMs) + 1);
}

/** Whether a slow-start ramp is still running at `now`. */
export function isRamping(slowStart: SlowStart | null, recoveredAt: number | null, now: number): boolean {
  return slowStart !== null && recoveredAt !== null && now >= recoveredAt && now - recoveredAt < slowStart.durationMs;
}

/** When the ramp moves to its next step (or ends); null when not ramping. The manager re-plans then. */
export function nextSlowStartChangeAt(slowStart: SlowStart | null, recoveredAt: number | null, now: number): number | null {
  if (!slowStart || recoveredAt === null || !isRamping(slowStart, recoveredAt, now)) return null;
  const step = rampStep(slowStart, now - recoveredAt);
  return recoveredAt + Math.ceil((step * slowStart.durationMs) / slowStart.steps);
}

/**
 * effectiveWeight(configured, health, admin, slow start, quorum): what the
 * kernel should hold. Order matters: an operator's drain wins (the server
 * stays in the kernel at 0 so its connections can be watched falling),
 * then failure (quiesce or remove), then sorry-server replacement, then the
 * slow-start ramp.
 */
export function effectiveWeight(inputs: WeightInputs): EffectiveWeight {
  if (inputs.admin === 'draining') return 0;
  const failed = inputs.health === 'down' || inputs.health === 'pending';
  if (failed || inputs.replacedBySorryServer) return inputs.onFailure === 'remove' ? 'removed' : 0;
  const base = baseWeight(inputs.configured, inputs.dynamicWeight);
  return slowStartWeight(base, inputs.slowStart, inputs.recoveredAt, inputs.now);
}

/** Counts toward quorum: health up (or not checked) and not drained by the operator. */
export function countsTowardQuorum(health: HealthStatus, admin: AdminState): boolean {
  return admin === 'active' && (health === 'up' || health === 'unchecked');
}

/**
 * keepalived's quorum with hysteresis: lost when the healthy weight falls
 * below quorum - hysteresis, regained when it reaches quorum + hysteresis.
 */
export function nextQuorumLost(previouslyLost: boolean, healthyWeight: number, quorum: number, hysteresis: number): boolean {
  return previouslyLost ? healthyWeight < quorum + hysteresis : healthyWeight < quorum - hysteresis;
}
