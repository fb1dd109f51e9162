// The pair's settings against this director's own interfaces: each VIP a
// change gives VRRP must lie in a subnet of the instance's interface here.
import type { DesiredState } from '@lvs-console/shared';
import { pairInterfaces, vipSubnetIssues, type HaHostIssue } from '@lvs-console/shared/ha';
import type { HostPort } from '../reconcile/ports';

export async function pairHostIssues(
  host: Pick<HostPort, 'interfaceAddresses'> | null,
  self: string,
  current: DesiredState,
  next: DesiredState,
): Promise<HaHostIssue[]> {
  if (!host || !next.ha) return [];
  const names = pairInterfaces(next, self);
  const lookup = new Map(await Promise.all(names.map(async (name) => [name, await host.interfaceAddresses(name)] as const)));
  return vipSubnetIssues(current, next, self, lookup);
}
