// `command` health checks run a program as root on the director. They come
// only from the director itself (`lvs-console apply FILE`, as root); the API
// may keep, move or remove the ones there, never add or change one.
import { serviceId, type DesiredState } from '../model';
import type { HealthCheck } from '../model/health';

function commandChecks(state: DesiredState): Map<string, string> {
  const found = new Map<string, string>();
  for (const service of state.services) {
    const health = service.health;
    if (!health) continue;
    const id = serviceId(service.key);
    const add = (where: string, checks: readonly HealthCheck[] | undefined) => {
      for (const check of checks ?? []) {
        if (check.kind !== 'command') continue;
        const text = [check.program, ...check.args].join(' ');
        found.set(`${JSON.stringify(check)}`, `${where}: command check "${text.length > 120 ? `${text.slice(0, 120)}…` : text}"`);
      }
    };
    add(`service ${id}`, health.checks);
    for (const [destination, override] of Object.entries(health.destinations)) add(`service ${id}, real server ${destination}`, override.checks);
  }
  return found;
}

/** Command checks in `next` that `current` does not have (same program, arguments and settings), described. */
export function addedCommandChecks(current: DesiredState, next: DesiredState): string[] {
  const before = commandChecks(current);
  return [...commandChecks(next)].filter(([key]) => !before.has(key)).map(([, description]) => description);
}

export const COMMAND_CHECKS_FROM_THE_DIRECTOR =
  'command health checks run programs as root, so they are set only on the director itself: put them in a desired-state file and run "lvs-console apply FILE" there (the API can keep or remove them, not add or change them)';
