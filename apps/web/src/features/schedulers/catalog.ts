// The 14 kernel schedulers in plain language: what each does, when to use it,
// whether weights matter and which -b flags apply. The order is the picker's.
import type { SchedFlag, SchedulerName } from '@lvs-console/shared';

export interface SchedulerInfo {
  name: SchedulerName;
  title: string;
  /** One plain-language line: what it does. */
  summary: string;
  /** When an operator should pick it. */
  whenToUse: string;
  /** Whether destination weights change where new connections go. */
  usesWeights: boolean;
  /** Static hash schedulers: changing servers moves clients. */
  hashed: boolean;
  flags: readonly SchedFlag[];
}

export const SCHEDULER_CATALOG: readonly SchedulerInfo[] = [
  { name: 'rr', title: 'Round robin', summary: 'Each new connection goes to the next server in turn.', whenToUse: 'Identical servers and short, similar requests.', usesWeights: false, hashed: false, flags: [] },
  { name: 'wrr', title: 'Weighted round robin', summary: 'Round robin, with each server taking turns in proportion to its weight.', whenToUse: 'Servers of different capacity and requests of similar cost.', usesWeights: true, hashed: false, flags: [] },
  { name: 'lc', title: 'Least connections', summary: 'The server with the fewest connections (active ×256 + inactive) gets the next one.', whenToUse: 'Identical servers with long or uneven connections.', usesWeights: false, hashed: false, flags: [] },
  { name: 'wlc', title: 'Weighted least connections', summary: 'Fewest connections relative to weight (the kernel default).', whenToUse: 'A good general default for servers of different capacity.', usesWeights: true, hashed: false, flags: [] },
  { name: 'lblc', title: 'Locality-based least connections', summary: 'Keeps each destination IP on one server unless it is overloaded.', whenToUse: 'Cache clusters (transparent proxies) where locality saves misses.', usesWeights: true, hashed: false, flags: [] },
  { name: 'lblcr', title: 'Locality-based with replication', summary: 'Like lblc, but each destination IP maps to a set of servers.', whenToUse: 'Cache clusters where one hot destination needs several servers.', usesWeights: true, hashed: false, flags: [] },
  { name: 'dh', title: 'Destination hashing', summary: 'A static hash of the destination address picks the server.', whenToUse: 'Firewall or cache farms where a destination must stick to one server.', usesWeights: false, hashed: true, flags: [] },
  { name: 'sh', title: 'Source hashing', summary: 'A static hash of the client address picks the server (weights tile the table).', whenToUse: 'Stickiness without persistence templates; clients move when servers change.', usesWeights: true, hashed: true, flags: ['sh-fallback', 'sh-port'] },
  { name: 'sed', title: 'Shortest expected delay', summary: 'Picks the lowest (active + 1) / weight.', whenToUse: 'Servers of different speed where queueing matters.', usesWeights: true, hashed: false, flags: [] },
  { name: 'nq', title: 'Never queue', summary: 'An idle server first; otherwise shortest expected delay.', whenToUse: 'Like sed, when idle servers should never sit unused.', usesWeights: true, hashed: false, flags: [] },
  { name: 'fo', title: 'Weighted failover', summary: 'All new connections go to the available server with the highest weight.', whenToUse: 'Active/standby: a primary with backups by weight.', usesWeights: true, hashed: false, flags: [] },
  { name: 'ovf', title: 'Weighted overflow', summary: 'The highest-weight server until its active connections exceed its weight, then the next.', whenToUse: 'Fill one server to a fixed concurrency, then spill over (not for UDP).', usesWeights: true, hashed: false, flags: [] },
  { name: 'mh', title: 'Maglev hashing', summary: 'Consistent hashing of the client: few clients move when servers change.', whenToUse: 'Stickiness across director failover and server changes.', usesWeights: true, hashed: true, flags: ['mh-fallback', 'mh-port'] },
  { name: 'twos', title: 'Weighted random two choices', summary: 'Picks two servers at random by weight and takes the less loaded.', whenToUse: 'Large pools where tracking every server is costly (Linux 5.12 or later).', usesWeights: true, hashed: false, flags: [] },
];

const BY_NAME = new Map(SCHEDULER_CATALOG.map((s) => [s.name, s]));

export function schedulerInfo(name: SchedulerName): SchedulerInfo {
  const info = BY_NAME.get(name);
  if (!info) throw new Error(`unknown scheduler ${name}`);
  return info;
}

export const FLAG_DESCRIPTIONS: Record<SchedFlag, string> = {
  'sh-fallback': 'Fallback: when the hashed server is unavailable, try the next one instead of dropping.',
  'sh-port': 'Port: hash the client port too, spreading one client over several servers.',
  'mh-fallback': 'Fallback: when the chosen server is unavailable, try the next in the table.',
  'mh-port': 'Port: hash the client port too, spreading one client over several servers.',
  'flag-1': 'Generic scheduler flag 1.',
  'flag-2': 'Generic scheduler flag 2.',
  'flag-3': 'Generic scheduler flag 3.',
};
