// Local desired-vs-observed comparison for one service, so every row can say
// "drift" without waiting for the agent's drift report. Config fields only.
// Like the agent, it compares against the *effective* table: weights set by
// health checks, drains and the sorry server are not drift.
import type { Destination, ObservedService, Service } from '@lvs-console/shared';
import { configOfService, destinationId } from '@lvs-console/shared';
import { msg } from '../../lib/i18n';

/** What the agent's health view says the kernel should have (health.status). */
export interface KernelWeights {
  destinations: ReadonlyArray<{ id: string; effectiveWeight: number | 'removed' }>;
  quorum: { sorryServerActive: boolean };
}

/** The desired service as the kernel is meant to have it. */
export function effectiveService(desired: Service, kernel: KernelWeights | undefined): Service {
  if (!kernel) return desired;
  const effective = new Map(kernel.destinations.map((d) => [d.id, d.effectiveWeight]));
  const destinations: Destination[] = [];
  for (const dest of desired.destinations) {
    const weight = effective.get(destinationId(dest));
    if (weight === 'removed') continue;
    destinations.push(weight === undefined ? dest : { ...dest, weight });
  }
  const sorry = desired.health?.sorryServer;
  if (kernel.quorum.sorryServerActive && sorry && !destinations.some((d) => destinationId(d) === destinationId(sorry))) destinations.push(sorry);
  return { ...desired, destinations };
}

function destinationSignature(d: Destination): string {
  return [destinationId(d), d.forwarding, d.weight, d.upperThreshold, d.lowerThreshold, d.tunnel?.type ?? ''].join('|');
}

function serviceSignature(s: Service): string {
  const dests = s.destinations.map(destinationSignature).sort().join(',');
  const persistence = s.persistence ? `${s.persistence.timeout}/${s.persistence.netmaskPrefix ?? ''}/${s.persistence.engine ?? ''}` : '-';
  return [s.scheduler, [...s.flags].sort().join('+'), persistence, s.onePacket, dests].join(';');
}

export type DriftKind = 'none' | 'missing-in-kernel' | 'only-in-kernel' | 'differs';

export function serviceDrift(desired: Service | null, observed: ObservedService | null, kernel?: KernelWeights): DriftKind {
  if (desired && !observed) return 'missing-in-kernel';
  if (!desired && observed) return 'only-in-kernel';
  if (!desired || !observed) return 'none';
  return serviceSignature(effectiveService(desired, kernel)) === serviceSignature(configOfService(observed)) ? 'none' : 'differs';
}

/**
 * Drift shown only once it has lasted this long: after a health change or a
 * drain the agent reconciles within moments, and the console's separate 1 s
 * polls of the state and of health.status can see the two sides a poll apart.
 */
const DRIFT_SETTLE_MS = 2500;
const driftSeen = new Map<string, { kind: DriftKind; since: number }>();

/** The service's drift once it has settled (the agent's drift report on the Changes page stays authoritative). */
export function settledDrift(id: string, kind: DriftKind, now = Date.now()): DriftKind {
  if (kind === 'none') {
    driftSeen.delete(id);
    return 'none';
  }
  const seen = driftSeen.get(id);
  if (!seen || seen.kind !== kind) {
    driftSeen.set(id, { kind, since: now });
    return 'none';
  }
  return now - seen.since >= DRIFT_SETTLE_MS ? kind : 'none';
}

export const DRIFT_TEXT: Record<DriftKind, string> = {
  none: '',
  'missing-in-kernel': msg('drift: not in the kernel'),
  'only-in-kernel': msg('drift: only in the kernel (added by hand)'),
  differs: msg('drift: kernel differs from desired'),
};
