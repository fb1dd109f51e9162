// The 14 kernel schedulers in plain language: what each does, when to use it,
// whether weights matter and which -b flags apply. The order is the picker's.
import type { SchedFlag, SchedulerName } from '@lvs-console/shared';
import { msg } from '../../lib/i18n';

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
  {
    name: 'rr',
    title: msg('Round robin'),
    summary: msg('Each new connection goes to the next server in turn.'),
    whenToUse: msg('Identical servers and short, similar requests.'),
    usesWeights: false,
    hashed: false,
    flags: [],
  },
  {
    name: 'wrr',
    title: msg('Weighted round robin'),
    summary: msg('Round robin, with each server taking turns in proportion to its weight.'),
    whenToUse: msg('Servers of different capacity and requests of similar cost.'),
    usesWeights: true,
    hashed: false,
    flags: [],
  },
  {
    name: 'lc',
    title: msg('Least connections'),
    summary: msg('The server with the fewest connections (active ×256 + inactive) gets the next one.'),
    whenToUse: msg('Identical servers with long or uneven connections.'),
    usesWeights: false,
    hashed: false,
    flags: [],
  },
  {
    name: 'wlc',
    title: msg('Weighted least connections'),
    summary: msg('Fewest connections relative to weight (the kernel default).'),
    whenToUse: msg('A good general default for servers of different capacity.'),
    usesWeights: true,
    hashed: false,
    flags: [],
  },
  {
    name: 'lblc',
    title: msg('Locality-based least connections'),
    summary: msg('Keeps each destination IP on one server unless it is overloaded.'),
    whenToUse: msg('Cache clusters (transparent proxies) where locality saves misses.'),
    usesWeights: true,
    hashed: false,
    flags: [],
  },
  {
    name: 'lblcr',
    title: msg('Locality-based with replication'),
    summary: msg('Like lblc, but each destination IP maps to a set of servers.'),
    whenToUse: msg('Cache clusters where one hot destination needs several servers.'),
    usesWeights: true,
    hashed: false,
    flags: [],
  },
  {
    name: 'dh',
    title: msg('Destination hashing'),
    summary: msg('A static hash of the destination address picks the server.'),
    whenToUse: msg('Firewall or cache farms where a destination must stick to one server.'),
    usesWeights: false,
    hashed: true,
    flags: [],
  },
  {
    name: 'sh',
    title: msg('Source hashing'),
    summary: msg('A static hash of the client address picks the server (weights tile the table).'),
    whenToUse: msg('Stickiness without persistence templates; clients move when servers change.'),
    usesWeights: true,
    hashed: true,
    flags: ['sh-fallback', 'sh-port'],
  },
  {
    name: 'sed',
    title: msg('Shortest expected delay'),
    summary: msg('Picks the lowest (active + 1) / weight.'),
    whenToUse: msg('Servers of different speed where queueing matters.'),
    usesWeights: true,
    hashed: false,
    flags: [],
  },
  {
    name: 'nq',
    title: msg('Never queue'),
    summary: msg('An idle server first; otherwise shortest expected delay.'),
    whenToUse: msg('Like sed, when idle servers should never sit unused.'),
    usesWeights: true,
    hashed: false,
    flags: [],
  },
  {
    name: 'fo',
    title: msg('Weighted failover'),
    summary: msg('All new connections go to the available server with the highest weight.'),
    whenToUse: msg('Active/standby: a primary with backups by weight.'),
    usesWeights: true,
    hashed: false,
    flags: [],
  },
  {
    name: 'ovf',
    title: msg('Weighted overflow'),
    summary: msg('The highest-weight server until its active connections exceed its weight, then the next.'),
    whenToUse: msg('Fill one server to a fixed concurrency, then spill over (not for UDP).'),
    usesWeights: true,
    hashed: false,
    flags: [],
  },
  {
    name: 'mh',
    title: msg('Maglev hashing'),
    summary: msg('Consistent hashing of the client: few clients move when servers change.'),
    whenToUse: msg('Stickiness across director failover and server changes.'),
    usesWeights: true,
    hashed: true,
    flags: ['mh-fallback', 'mh-port'],
  },
  {
    name: 'twos',
    title: msg('Weighted random two choices'),
    summary: msg('Picks two servers at random by weight and takes the less loaded.'),
    whenToUse: msg('Large pools where tracking every server is costly (Linux 5.12 or later).'),
    usesWeights: true,
    hashed: false,
    flags: [],
  },
];

const BY_NAME = new Map(SCHEDULER_CATALOG.map((s) => [s.name, s]));

export function schedulerInfo(name: SchedulerName): SchedulerInfo {
  const info = BY_NAME.get(name);
  if (!info) throw new Error(`unknown scheduler ${name}`);
  return info;
}

export const FLAG_DESCRIPTIONS: Record<SchedFlag, string> = {
  'sh-fallback': msg('Fallback: when the hashed server is unavailable, try the next one instead of dropping.'),
  'sh-port': msg('Port: hash the client port too, spreading one client over several servers.'),
  'mh-fallback': msg('Fallback: when the chosen server is unavailable, try the next in the table.'),
  'mh-port': msg('Port: hash the client port too, spreading one client over several servers.'),
  'flag-1': msg('Generic scheduler flag 1.'),
  'flag-2': msg('Generic scheduler flag 2.'),
  'flag-3': msg('Generic scheduler flag 3.'),
};
