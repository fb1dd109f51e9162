// Predicted share of new connections per destination, from the scheduler models.
import type { Service } from '@lvs-console/shared';
import { schedServiceOf } from '@lvs-console/shared/api';
import { predictShares } from '@lvs-console/shared/schedulers';

/** destinationId -> fraction 0..1 (empty when the model cannot say). */
export function predictedShares(service: Service): Map<string, number> {
  const result = new Map<string, number>();
  try {
    const prediction = predictShares(schedServiceOf(service), { clients: { count: 1000, prefix: '198.51.100.0/22' } });
    for (const share of prediction.shares) result.set(share.id, share.share);
  } catch {
    // A prediction is a nicety; a service it cannot model shows measured shares only.
  }
  return result;
}
