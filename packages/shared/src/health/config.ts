// Resolving a service's health settings for one destination, and the checks
// that need the whole service (keys that name real destinations, the sorry
// server not being one of them).
import { destinationId, serviceLabel } from '../model/keys';
import type { Issue } from '../model/errors';
import { healthCheckSchema, type HealthCheck, type ServiceHealth } from '../model/health';
import type { Destination, Service } from '../model/ipvs';

let defaultCheck: HealthCheck | undefined;

/**
 * The check a destination gets when none is configured: TCP connect to its
 * own address and port. Built on first use, not at import: the console loads
 * this module and must not run zod at start-up.
 */
export function defaultHealthCheck(): HealthCheck {
  defaultCheck ??= healthCheckSchema.parse({ kind: 'tcp' });
  return defaultCheck;
}

/** The checks one destination runs; [] = none (health off or disabled for it). */
export function checksFor(health: ServiceHealth | null, destination: Pick<Destination, 'address' | 'port'>): HealthCheck[] {
  if (!health || !health.enabled) return [];
  const override = health.destinations[destinationId(destination)];
  if (override?.disabled) return [];
  const checks = override?.checks ?? health.checks;
  return checks.length > 0 ? checks : [defaultHealthCheck()];
}

/** Where a check's probes go: its target override, else the destination itself. */
export function checkTarget(check: HealthCheck, destination: Pick<Destination, 'address' | 'port'>): { address: string; port: number } {
  return { address: check.target.address ?? destination.address, port: check.target.port ?? destination.port };
}

/** A stable key for a check's config, so a reconfigure keeps state for checks that did not change. */
export function checkKey(check: HealthCheck, destination: Pick<Destination, 'address' | 'port'>): string {
  return `${destinationId(destination)}|${JSON.stringify(check)}`;
}

/** Problems zod cannot see field by field: override keys naming no destination, a sorry server that is also a real server. */
export function checkServiceHealth(service: Service, path = ''): Issue[] {
  const health = service.health;
  if (!health) return [];
  const at = (suffix: string) => (path ? `${path}.health.${suffix}` : `health.${suffix}`);
  const issues: Issue[] = [];
  const ids = new Set(service.destinations.map(destinationId));
  for (const id of Object.keys(health.destinations)) {
    if (!ids.has(id)) issues.push({ path: at(`destinations.${id}`), message: `${id} is not a real server of ${serviceLabel(service.key)}` });
  }
  for (const id of Object.keys(health.drains)) {
    if (!ids.has(id)) issues.push({ path: at(`drains.${id}`), message: `cannot drain ${id}: it is not a real server of ${serviceLabel(service.key)}` });
  }
  if (health.sorryServer) {
    const sorryId = destinationId(health.sorryServer);
    if (ids.has(sorryId)) {
      issues.push({ path: at('sorryServer'), message: `the sorry server ${sorryId} is also a real server of this service; use a different address or port` });
    }
  }
  return issues;
}
