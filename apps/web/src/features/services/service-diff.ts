// Local desired-vs-observed comparison for one service, so every row can say
// "drift" without waiting for the agent's drift report. Config fields only.
import type { Destination, ObservedService, Service } from '@lvs-console/shared';
import { configOfService, destinationId } from '@lvs-console/shared';

function destinationSignature(d: Destination): string {
  return [destinationId(d), d.forwarding, d.weight, d.upperThreshold, d.lowerThreshold, d.tunnel?.type ?? ''].join('|');
}

function serviceSignature(s: Service): string {
  const dests = s.destinations.map(destinationSignature).sort().join(',');
  const persistence = s.persistence ? `${s.persistence.timeout}/${s.persistence.netmaskPrefix ?? ''}/${s.persistence.engine ?? ''}` : '-';
  return [s.scheduler, [...s.flags].sort().join('+'), persistence, s.onePacket, dests].join(';');
}

export type DriftKind = 'none' | 'missing-in-kernel' | 'only-in-kernel' | 'differs';

export function serviceDrift(desired: Service | null, observed: ObservedService | null): DriftKind {
  if (desired && !observed) return 'missing-in-kernel';
  if (!desired && observed) return 'only-in-kernel';
  if (!desired || !observed) return 'none';
  return serviceSignature(desired) === serviceSignature(configOfService(observed)) ? 'none' : 'differs';
}

export const DRIFT_TEXT: Record<DriftKind, string> = {
  none: '',
  'missing-in-kernel': 'drift: not in the kernel',
  'only-in-kernel': 'drift: only in the kernel (added by hand)',
  differs: 'drift: kernel differs from desired',
};
