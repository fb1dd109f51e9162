// Who holds the VIPs, as the agent sees it: the VRRP state of each instance
// on this director. The real engine is keepalived (keepalived.ts); the sim
// engine elects among the cluster's live members the way VRRP would, for
// demos and browser tests of a pair on one laptop.
import type { DesiredState, VrrpState } from '@lvs-console/shared';
import { preferredMaster } from '@lvs-console/shared';
import { instanceAddresses } from '@lvs-console/shared/ha';
import type { Clock } from '../config/clock';

export interface VrrpInstanceStatus {
  instance: string;
  state: VrrpState;
  /** Effective priority as VRRP advertises it (the hold lowers it). */
  priority: number | null;
  /** When this state began (epoch ms). */
  since: number;
  /** The VIPs this instance moves. */
  addresses: string[];
}

/** none: normal; handover: give the VIPs away now and stay BACKUP until released. */
export type HoldLevel = 'none' | 'handover';

export interface VrrpEngine {
  readonly kind: 'keepalived' | 'sim';
  /** Render and (re)load the configuration for this desired state; a no-op when unchanged. */
  configure(desired: DesiredState): Promise<void>;
  status(): VrrpInstanceStatus[];
  /** Called after any state change (keepalived's FIFO line, an election). */
  onChange(listener: () => void): () => void;
  hold(level: HoldLevel): Promise<void>;
  readonly holdLevel: HoldLevel;
  /** Why VRRP is not running, in words with the fix (keepalived missing, ...), or null. */
  readonly problem: string | null;
  close(): Promise<void>;
}

/** What the sim engine knows of a peer, from the cluster's status polls. */
export interface SimPeerView {
  name: string;
  live: boolean;
  instances: Array<{ instance: string; state: VrrpState; priority: number | null }>;
}

interface SimInstance {
  name: string;
  priority: number;
  preempt: boolean;
  addresses: string[];
  state: VrrpState;
  since: number;
}

/**
 * VRRP's election without packets: among this director and the live peers,
 * the highest effective priority is MASTER; without preempt a live MASTER
 * keeps the VIPs. A handover hold drops this director to priority 1 at once,
 * as keepalived does through the hold file.
 */
export class SimVrrpEngine implements VrrpEngine {
  readonly kind = 'sim' as const;
  readonly problem = null;
  private instances: SimInstance[] = [];
  private listeners = new Set<() => void>();
  private level: HoldLevel = 'none';

  constructor(
    private readonly self: string,
    private readonly clock: Clock,
    private readonly peers: () => SimPeerView[],
  ) {}

  get holdLevel(): HoldLevel {
    return this.level;
  }

  configure(desired: DesiredState): Promise<void> {
    const before = this.signature();
    const ha = desired.ha;
    const previous = new Map(this.instances.map((i) => [i.name, i]));
    const addresses = ha ? instanceAddresses({ services: desired.services, ha }) : new Map<string, string[]>();
    this.instances = (ha?.instances ?? []).flatMap((instance) => {
      const priority = instance.priorities[this.self];
      if (priority === undefined) return [];
      const before = previous.get(instance.name);
      return [
        {
          name: instance.name,
          priority,
          preempt: instance.preempt,
          addresses: addresses.get(instance.name) ?? [],
          state: before?.state ?? (preferredMaster(instance) === this.self ? 'MASTER' : 'BACKUP'),
          since: before?.since ?? this.clock.now(),
        },
      ];
    });
    this.elect();
    // New or removed instances change what follows the role (the sync daemon) too.
    if (this.signature() !== before) this.emit();
    return Promise.resolve();
  }

  private signature(): string {
    return this.instances.map((i) => `${i.name}:${i.state}:${i.addresses.join(',')}`).join(' ');
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private effectivePriority(instance: SimInstance): number {
    return this.level === 'handover' ? 1 : instance.priority;
  }

  /** Re-run the election from the peers' latest statuses; call after each poll. */
  elect(): void {
    const peers = this.peers().filter((peer) => peer.live);
    let changed = false;
    for (const instance of this.instances) {
      const mine = this.effectivePriority(instance);
      const others = peers.flatMap((peer) => peer.instances.filter((i) => i.instance === instance.name).map((i) => ({ peer: peer.name, ...i })));
      const higher = others.some((o) => (o.priority ?? 0) > mine || ((o.priority ?? 0) === mine && o.peer < this.self));
      const otherMaster = others.some((o) => o.state === 'MASTER');
      let next: VrrpState;
      if (this.level === 'handover') next = 'BACKUP';
      else if (!instance.preempt && otherMaster && instance.state !== 'MASTER') next = 'BACKUP';
      else next = higher ? 'BACKUP' : 'MASTER';
      // Two masters meet (a healed split): the higher priority keeps it, as VRRP does.
      if (next === 'MASTER' && otherMaster && higher) next = 'BACKUP';
      if (next !== instance.state) {
        instance.state = next;
        instance.since = this.clock.now();
        changed = true;
      }
    }
    if (changed) this.emit();
  }

  status(): VrrpInstanceStatus[] {
    return this.instances.map((i) => ({ instance: i.name, state: i.state, priority: this.effectivePriority(i), since: i.since, addresses: [...i.addresses] }));
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  hold(level: HoldLevel): Promise<void> {
    this.level = level;
    this.elect();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }
}
