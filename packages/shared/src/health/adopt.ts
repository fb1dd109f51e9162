// Adopting the kernel's table as the desired state ("adopt drift") must not
// turn health-driven weights into configured ones, nor drop the health
// settings the kernel knows nothing about.
import { destinationId, serviceId, type DesiredState } from '../model';

/**
 * `adopted` is the kernel's table as a desired state, `current` the desired
 * state it replaces, `target` what the kernel was meant to hold (the
 * effective table). Where the kernel holds exactly the health-adjusted
 * weight, the configured weight is kept; health settings carry over, and
 * the sorry server health added is left out.
 */
export function keepHealthWhenAdopting(adopted: DesiredState, current: DesiredState, target: DesiredState): DesiredState {
  const currentById = new Map(current.services.map((s) => [serviceId(s.key), s]));
  const targetById = new Map(target.services.map((s) => [serviceId(s.key), s]));
  return {
    ...adopted,
    services: adopted.services.map((service) => {
      const id = serviceId(service.key);
      const configured = currentById.get(id);
      if (!configured?.health) return service;
      const configuredWeights = new Map(configured.destinations.map((d) => [destinationId(d), d.weight]));
      const effectiveWeights = new Map((targetById.get(id)?.destinations ?? []).map((d) => [destinationId(d), d.weight]));
      return {
        ...service,
        health: configured.health,
        // A destination only the effective table has (the sorry server) is health's, not the operator's.
        destinations: service.destinations
          .filter((dest) => configuredWeights.has(destinationId(dest)) || !effectiveWeights.has(destinationId(dest)))
          .map((dest) => {
            const destId = destinationId(dest);
            const weight = configuredWeights.get(destId);
            return weight !== undefined && effectiveWeights.get(destId) === dest.weight ? { ...dest, weight } : dest;
          }),
      };
    }),
  };
}
