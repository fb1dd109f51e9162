// observeFromListings(): what the agent's ipvsadm backend calls after running
// `ipvsadm -Sn` (config) and the `-Ln --exact` listings (observations). The
// saved rules give every config field but thresholds (ipvsadm -S omits -x/-y);
// --thresholds supplies those; --stats and --rate the counters and kernel
// rates; --thresholds / --persistent-conn / the plain listing the
// connection numbers; the plain listing or /proc/net/ip_vs (`proc`, far
// cheaper to read than an ipvsadm listing) the connection numbers and Local
// destinations. Listings are matched to the rules by key, so a table
// that changed between two invocations is merged as far as it agrees.
import { KERNEL_DEFAULT_TIMEOUTS, type Destination, type Service, type SyncDaemon, type Timeouts } from '../model/ipvs';
import { zeroCounters, zeroRates, type KernelInfo, type ObservedDestination, type ObservedService, type ObservedTable } from '../model/observed';
import { serviceLabel } from '../model/keys';
import type { Issue } from '../model/errors';
import { parseRules } from './rules';
import { parseProcIpVs, type ProcDestination, type ProcService } from './proc';
import { parseDaemonListing, parseListing, parseTimeoutListing, type ListedDestination, type ListedService, type Listing, type ListingKind } from './listing';

export interface ListingTexts {
  /** `ipvsadm -Sn`. */
  save: string;
  /** `ipvsadm -Ln --exact --stats`. */
  stats?: string;
  /** `ipvsadm -Ln --exact --rate`. */
  rate?: string;
  /** `ipvsadm -Ln --exact --thresholds`. */
  thresholds?: string;
  /** `ipvsadm -Ln --exact --persistent-conn`. */
  persistent?: string;
  /** `ipvsadm -Ln --exact` (active/inactive connections, Local destinations). */
  list?: string;
  /** `cat /proc/net/ip_vs` (active/inactive connections, Local destinations). */
  proc?: string;
  /** `ipvsadm -L --timeout`. */
  timeout?: string;
  /** `ipvsadm -L --daemon`. */
  daemon?: string;
}

export type ObserveResult = { ok: true; table: ObservedTable; info: KernelInfo | null; warnings: Issue[]; exact: boolean } | { ok: false; errors: Issue[] };

function keyText(service: Pick<Service, 'key'>): string {
  const key = service.key;
  return key.kind === 'fwmark' ? `f ${key.fwmark} ${key.family}` : `${key.protocol} ${key.address} ${key.port}`;
}

/** A listing indexed for matching; positional matching first (both outputs share ipvsadm's order). */
class ListingIndex {
  private byKey: Map<string, ListedService> | null = null;
  constructor(readonly listing: Listing) {}

  service(position: number, service: Service): ListedService | undefined {
    const candidate = this.listing.services[position];
    if (candidate && keyText(candidate) === keyText(service)) return candidate;
    if (!this.byKey) this.byKey = new Map(this.listing.services.map((s) => [keyText(s), s]));
    return this.byKey.get(keyText(service));
  }
}

function findDestination(listed: ListedService, position: number, dest: Destination): ListedDestination | undefined {
  const candidate = listed.destinations[position];
  if (candidate && candidate.port === dest.port && candidate.address === dest.address) return candidate;
  return listed.destinations.find((d) => d.port === dest.port && d.address === dest.address);
}

/**
 * /proc/net/ip_vs indexed by key. It lists services in hash order and a
 * firewall-mark service without its family: two services with the same
 * mark (IPv4 and IPv6) are told apart by their destinations.
 */
class ProcIndex {
  private readonly byKey = new Map<string, ProcService[]>();
  private readonly taken = new Set<ProcService>();
  constructor(services: readonly ProcService[]) {
    for (const service of services) {
      const key = service.key.kind === 'fwmark' ? `f ${service.key.fwmark}` : `${service.key.protocol} ${service.key.address} ${service.key.port}`;
      const list = this.byKey.get(key);
      if (list) list.push(service);
      else this.byKey.set(key, [service]);
    }
  }

  service(service: Service): ProcService | undefined {
    const key = service.key;
    const candidates = this.byKey.get(key.kind === 'fwmark' ? `f ${key.fwmark}` : `${key.protocol} ${key.address} ${key.port}`);
    if (!candidates) return undefined;
    if (candidates.length === 1) return candidates[0];
    const fits = (c: ProcService) =>
      !this.taken.has(c) &&
      c.destinations.length === service.destinations.length &&
      service.destinations.every((d) => c.destinations.some((p) => p.address === d.address && p.port === d.port));
    const found = candidates.find(fits);
    if (found) this.taken.add(found);
    return found;
  }
}

/** The kernel prints a service's destinations newest first; -Sn sorts them: try both positions, then search. */
function findProcDestination(listed: ProcService, position: number, dest: Destination): ProcDestination | undefined {
  const list = listed.destinations;
  const last = list[list.length - 1 - position];
  if (last && last.port === dest.port && last.address === dest.address) return last;
  const first = list[position];
  if (first && first.port === dest.port && first.address === dest.address) return first;
  return list.find((d) => d.port === dest.port && d.address === dest.address);
}

export function observeFromListings(texts: ListingTexts): ObserveResult {
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const at = (source: string, issues: Issue[]) => issues.map((issue) => ({ path: `${source} ${issue.path}`, message: issue.message }));

  const rules = parseRules(texts.save, { origin: 'kernel' });
  if (!rules.ok) errors.push(...at('ipvsadm -Sn', rules.errors));
  warnings.push(...at('ipvsadm -Sn', rules.warnings));

  const listings: Partial<Record<ListingKind, ListingIndex>> = {};
  const sources: Array<[keyof ListingTexts, ListingKind, string]> = [
    ['stats', 'stats', 'ipvsadm -Ln --stats'],
    ['rate', 'rate', 'ipvsadm -Ln --rate'],
    ['thresholds', 'thresholds', 'ipvsadm -Ln --thresholds'],
    ['persistent', 'persistent-conn', 'ipvsadm -Ln --persistent-conn'],
    ['list', 'plain', 'ipvsadm -Ln'],
  ];
  let info: KernelInfo | null = null;
  let exact = true;
  for (const [field, kind, source] of sources) {
    const text = texts[field];
    if (text === undefined) continue;
    const parsed = parseListing(text);
    if (!parsed.ok) {
      errors.push(...at(source, parsed.errors));
      continue;
    }
    if (parsed.value.kind !== kind) {
      errors.push({ path: source, message: `expected a ${kind} listing, got a ${parsed.value.kind} one` });
      continue;
    }
    info ??= parsed.value.info;
    exact &&= parsed.value.exact;
    listings[kind] = new ListingIndex(parsed.value);
  }

  let proc: ProcIndex | undefined;
  if (texts.proc !== undefined) {
    const parsed = parseProcIpVs(texts.proc);
    if (parsed.ok) {
      proc = new ProcIndex(parsed.value.services);
      info ??= parsed.value.info;
    } else {
      errors.push(...at('/proc/net/ip_vs', parsed.errors));
    }
  }

  let timeouts: Timeouts = KERNEL_DEFAULT_TIMEOUTS;
  if (texts.timeout !== undefined) {
    const parsed = parseTimeoutListing(texts.timeout);
    if (parsed.ok) timeouts = parsed.value;
    else errors.push(...at('ipvsadm -L --timeout', parsed.errors));
  } else {
    warnings.push({ path: 'timeout', message: 'no --timeout listing; assuming the kernel defaults 900 120 300' });
  }
  let syncDaemons: SyncDaemon[] = [];
  if (texts.daemon !== undefined) {
    const parsed = parseDaemonListing(texts.daemon);
    if (parsed.ok) syncDaemons = parsed.value;
    else errors.push(...at('ipvsadm -L --daemon', parsed.errors));
  }
  if (errors.length > 0) return { ok: false, errors };

  const { stats, rate, thresholds } = listings;
  const persistent = listings['persistent-conn'];
  const plain = listings.plain;
  const services: ObservedService[] = [];
  const configServices = rules.state.services;
  for (let s = 0; s < configServices.length; s++) {
    const service = configServices[s] as Service;
    const statsService = stats?.service(s, service);
    const rateService = rate?.service(s, service);
    const thresholdService = thresholds?.service(s, service);
    const persistentService = persistent?.service(s, service);
    const plainService = plain?.service(s, service);
    const procService = proc?.service(service);
    if (proc && !procService) warnings.push({ path: serviceLabel(service.key), message: 'missing from /proc/net/ip_vs (the table changed between reads?)' });
    for (const [index, found] of [
      [stats, statsService],
      [rate, rateService],
      [thresholds, thresholdService],
      [persistent, persistentService],
      [plain, plainService],
    ] as const) {
      if (index && !found)
        warnings.push({ path: serviceLabel(service.key), message: `missing from the ${index.listing.kind} listing (the table changed between listings?)` });
    }
    const destinations: ObservedDestination[] = [];
    for (let d = 0; d < service.destinations.length; d++) {
      const dest = service.destinations[d] as Destination;
      const statsDest = statsService && findDestination(statsService, d, dest);
      const rateDest = rateService && findDestination(rateService, d, dest);
      const thresholdDest = thresholdService && findDestination(thresholdService, d, dest);
      const persistentDest = persistentService && findDestination(persistentService, d, dest);
      const plainDest = plainService && findDestination(plainService, d, dest);
      const procDest = procService && findProcDestination(procService, d, dest);
      // Built field by field: an object spread here makes V8 fall back to
      // slow dictionary objects, seconds of GC at 100,000 destinations.
      const observed: ObservedDestination = {
        address: dest.address,
        port: dest.port,
        forwarding: dest.forwarding,
        weight: dest.weight,
        upperThreshold: thresholdDest?.upperThreshold ?? dest.upperThreshold,
        lowerThreshold: thresholdDest?.lowerThreshold ?? dest.lowerThreshold,
        activeConns: procDest?.activeConns ?? thresholdDest?.activeConns ?? persistentDest?.activeConns ?? plainDest?.activeConns ?? 0,
        inactiveConns: procDest?.inactiveConns ?? thresholdDest?.inactiveConns ?? persistentDest?.inactiveConns ?? plainDest?.inactiveConns ?? 0,
        persistentConns: persistentDest?.persistentConns ?? 0,
        stats: statsDest?.stats ?? zeroCounters(),
        rates: rateDest?.rates ?? zeroRates(),
      };
      if (dest.tunnel) observed.tunnel = dest.tunnel;
      if (plainDest?.local || procDest?.local) observed.local = true;
      destinations.push(observed);
    }
    services.push({
      key: service.key,
      scheduler: service.scheduler,
      flags: service.flags,
      persistence: service.persistence,
      onePacket: service.onePacket,
      destinations,
      stats: statsService?.stats ?? zeroCounters(),
      rates: rateService?.rates ?? zeroRates(),
    });
  }
  if (!exact) warnings.push({ path: 'listings', message: 'some numbers were rounded (K/M/G/T); list with --exact' });
  return { ok: true, table: { services, timeouts, syncDaemons }, info, warnings, exact };
}
