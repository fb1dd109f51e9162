// A pair's VIPs must be reachable on the segment VRRP moves them on: a VIP
// outside every subnet of the instance's interface is added by keepalived
// all the same, but no client on that segment ARPs for it, so it answers
// nobody. Checked by each director for itself (its own interfaces), and only
// for what a change touches, so a later host change never blocks weights.
import type { DesiredState, HaConfig } from '../model';
import { familyOf, inSubnet } from '../model';
import { instanceAddresses } from './keepalived-vrrp';

export interface InterfaceAddresses {
  exists: boolean;
  /** The interface's addresses with their prefixes (host routes /32, /128 left out by the caller or here). */
  addresses: ReadonlyArray<{ address: string; prefixLength: number }>;
}

export interface HaHostIssue {
  path: string;
  message: string;
}

type PairState = Pick<DesiredState, 'services'> & { ha?: HaConfig | undefined };

/** Interfaces this director's instances use in `next` (to ask the host about). */
export function pairInterfaces(next: PairState, self: string): string[] {
  return [...new Set(next.ha?.instances.filter((i) => i.priorities[self] !== undefined).map((i) => i.interface) ?? [])];
}

/**
 * Issues for the instances of `self` whose interface or VIPs differ between
 * `current` and `next`. `lookup` answers per interface; null = unknown (the
 * check is skipped for it).
 */
export function vipSubnetIssues(current: PairState, next: PairState, self: string, lookup: ReadonlyMap<string, InterfaceAddresses | null>): HaHostIssue[] {
  const ha = next.ha;
  if (!ha) return [];
  const before = current.ha ? instanceAddresses({ services: current.services, ha: current.ha }) : new Map<string, string[]>();
  const after = instanceAddresses({ services: next.services, ha });
  const issues: HaHostIssue[] = [];
  ha.instances.forEach((instance, i) => {
    if (instance.priorities[self] === undefined) return;
    const vips = after.get(instance.name) ?? [];
    const old = current.ha?.instances.find((o) => o.name === instance.name);
    const known = new Set(old?.interface === instance.interface ? (before.get(instance.name) ?? []) : []);
    const added = vips.filter((vip) => !known.has(vip));
    if (added.length === 0) return;
    const host = lookup.get(instance.interface);
    if (!host) return;
    const at = `ha.instances[${i}]`;
    if (!host.exists) {
      issues.push({ path: `${at}.interface`, message: `interface ${instance.interface} does not exist on director "${self}"` });
      return;
    }
    const subnets = host.addresses.filter((a) => a.prefixLength < (familyOf(a.address) === 'inet6' ? 128 : 32));
    for (const vip of added) {
      if (subnets.some((a) => inSubnet(vip, a.address, a.prefixLength))) continue;
      const listed = instance.addresses.indexOf(vip);
      const have = subnets.length ? subnets.map((a) => `${a.address}/${a.prefixLength}`).join(', ') : 'no address';
      issues.push({
        path: listed >= 0 ? `${at}.addresses[${listed}]` : `${at}.interface`,
        message: `VIP ${vip} is outside every subnet on ${instance.interface} of director "${self}" (${have}): clients on that segment would never reach it; move the instance to the VIP's interface or give ${instance.interface} an address in its subnet`,
      });
    }
  });
  return issues;
}
