// effectiveTable(desired, healthSnapshot, now): the IPVS table the kernel
// should hold right now. The desired state keeps the operator's configured
// weights; health (failures, slow start, quorum and sorry server) and drains
// adjust them here. The reconcile loop plans against this table instead of
// the raw desired state, so health-driven weight changes are not drift.
import type { DesiredState, Destination, Service } from '../model/ipvs';
import { destinationId, serviceId } from '../model/keys';
import type { ServiceHealth } from '../model/health';
import { checksFor } from './config';
import type { DrainProgress } from './drain';
import { initialDestinationState, type DestinationHealthState, type HealthStatus } from './state';
import { baseWeight, countsTowardQuorum, effectiveWeight, isRamping, nextQuorumLost, type AdminState, type EffectiveWeight } from './weight';

/** Health's runtime knowledge of one service (the agent's HealthManager keeps it). */
export interface ServiceHealthRuntime {
  /** Quorum state as last evaluated; the input to hysteresis. */
  quorumLost: boolean;
  /** When quorum was last lost or regained. */
  quorumChangedAt: number | null;
  /** By destination id. */
  destinations: Record<string, DestinationHealthState>;
  /** Drain progress by destination id. */
  drains: Record<string, DrainProgress>;
}

export interface HealthSnapshot {
  /** By service id. */
  services: Record<string, ServiceHealthRuntime>;
}

export function emptySnapshot(): HealthSnapshot {
  return { services: {} };
}

export interface DestinationEvaluation {
  id: string;
  destination: Destination;
  health: HealthStatus;
  admin: AdminState;
  /** Configured weight, or a dynamic check's weight. */
  baseWeight: number;
  effective: EffectiveWeight;
  ramping: boolean;
  state: DestinationHealthState;
}

export interface ServiceEvaluation {
  id: string;
  /** Sum of the base weights of destinations that count toward quorum. */
  healthyWeight: number;
  quorum: number;
  quorumLost: boolean;
  sorryServerActive: boolean;
  sorryServer: Destination | null;
  destinations: DestinationEvaluation[];
}

/**
 * A destination's health state as effective weights see it: the runtime's if
 * it has one for the current checks, otherwise a fresh one (up, or pending
 * with alpha); 'unchecked' whenever no checks apply.
 */
export function currentDestinationState(
  health: ServiceHealth | null,
  destination: Destination,
  runtime: ServiceHealthRuntime | undefined,
  now: number,
): DestinationHealthState {
  const checks = checksFor(health, destination);
  const known = runtime?.destinations[destinationId(destination)];
  if (checks.length === 0) {
    return { ...(known ?? initialDestinationState([], false, now)), status: 'unchecked' };
  }
  if (known && known.checks.length === checks.length) return known;
  return initialDestinationState(checks, health?.alpha ?? false, now);
}

export function evaluateService(service: Service, runtime: ServiceHealthRuntime | undefined, now: number): ServiceEvaluation {
  const health = service.health ?? null;
  const rows = service.destinations.map((destination) => {
    const id = destinationId(destination);
    const state = currentDestinationState(health, destination, runtime, now);
    const admin: AdminState = health?.drains[id] ? 'draining' : 'active';
    return { id, destination, state, admin, base: baseWeight(destination.weight, state.status === 'unchecked' ? null : state.dynamicWeight) };
  });
  let healthyWeight = 0;
  for (const row of rows) if (countsTowardQuorum(row.state.status, row.admin)) healthyWeight += row.base;
  const quorum = health?.quorum ?? 1;
  const quorumLost = health ? nextQuorumLost(runtime?.quorumLost ?? false, healthyWeight, quorum, health.hysteresis) : false;
  const sorryServer = health?.sorryServer ?? null;
  const sorryServerActive = quorumLost && sorryServer !== null;
  const replaced = sorryServerActive && (health?.sorryServerReplaces ?? true);
  return {
    id: serviceId(service.key),
    healthyWeight,
    quorum,
    quorumLost,
    sorryServerActive,
    sorryServer,
    destinations: rows.map((row) => ({
      id: row.id,
      destination: row.destination,
      health: row.state.status,
      admin: row.admin,
      baseWeight: row.base,
      effective: effectiveWeight({
        configured: row.destination.weight,
        health: row.state.status,
        dynamicWeight: row.state.status === 'unchecked' ? null : row.state.dynamicWeight,
        admin: row.admin,
        onFailure: health?.onFailure ?? 'quiesce',
        slowStart: health?.slowStart ?? null,
        recoveredAt: row.state.recoveredAt,
        now,
        replacedBySorryServer: replaced,
      }),
      ramping: row.admin === 'active' && row.state.status === 'up' && !replaced && isRamping(health?.slowStart ?? null, row.state.recoveredAt, now),
      state: row.state,
    })),
  };
}

/** The service as the kernel should hold it now (without the health settings, which the kernel never sees). */
export function effectiveService(service: Service, runtime: ServiceHealthRuntime | undefined, now: number): Service {
  const { health, ...kernelService } = service;
  if (!health) return kernelService;
  const evaluation = evaluateService(service, runtime, now);
  const destinations: Destination[] = [];
  for (const row of evaluation.destinations) {
    if (row.effective === 'removed') continue;
    destinations.push(row.effective === row.destination.weight ? row.destination : { ...row.destination, weight: row.effective });
  }
  const sorry = evaluation.sorryServer;
  if (evaluation.sorryServerActive && sorry && !destinations.some((d) => destinationId(d) === destinationId(sorry))) {
    destinations.push(sorry);
  }
  return { ...kernelService, destinations };
}

/**
 * The table the kernel should hold right now: desired services with weights
 * adjusted by health and drains, failed destinations removed where the
 * service says so, and sorry servers added while quorum is lost. Everything
 * else (timeouts, sync daemons, host settings) is passed through.
 */
export function effectiveTable(desired: DesiredState, snapshot: HealthSnapshot, now: number): DesiredState {
  return {
    ...desired,
    services: desired.services.map((service) => effectiveService(service, snapshot.services[serviceId(service.key)], now)),
  };
}
