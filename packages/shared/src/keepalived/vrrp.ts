// keepalived's vrrp_instance blocks -> the pair of directors (ha). One file
// describes the whole pair when it uses keepalived's conditional lines
// (`@lb1 priority 150`, read by `keepalived -i lb1`): each config-id is a
// director, its priority and source address come from its own lines. The
// caller parses the file once per config-id and hands the instances here.
import { familyOf } from '../model/address';
import { describedText, nestedParams, type MessageId, type MessageParams } from '../model/messages';
import { directorNameSchema, vrrpInstanceNameSchema, type Director, type HaConfig, type VrrpInstance } from '../model/ha';
import type { SourceRef, Statement } from './syntax';
import { parseUnsigned } from './values';

/** The VRRP statements one director reads (the file parsed with its config-id). */
export interface DirectorView {
  name: string;
  instances: Statement[];
}

export interface VrrpNotes {
  warn(ref: SourceRef, id: MessageId, params?: MessageParams): void;
}

/** keepalived's defaults (vrrp.h): VRRP_PRIO_DFL, VRRP_PRIO_OWNER, VRRP_ADVER_DFL. */
const DEFAULT_PRIORITY = 100;
const OWNER_PRIORITY = 255;

/** One director's reading of one vrrp_instance block. */
interface InstanceReading {
  ref: SourceRef;
  interface?: string;
  virtualRouterId?: number;
  priority: number;
  advertInterval: number;
  preempt: boolean;
  preemptDelay: number;
  unicastSource?: string;
  multicastSource?: string;
  peers: string[];
  password?: string;
  addresses: string[];
}

function addressOf(word: string | undefined): string | null {
  const address = (word ?? '').split('/')[0] ?? '';
  return familyOf(address) ? address : null;
}

function readInstance(statement: Statement, notes: VrrpNotes): InstanceReading {
  const reading: InstanceReading = { ref: statement, priority: 0, advertInterval: 1, preempt: true, preemptDelay: 0, peers: [], addresses: [] };
  let initialMaster = false;
  for (const s of statement.block ?? []) {
    const keyword = s.words[0] ?? '';
    const value = s.words[1];
    switch (keyword) {
      case 'state':
        // The console derives the initial state from the priorities.
        initialMaster = value === 'MASTER';
        break;
      case 'interface':
        if (value) reading.interface = value;
        break;
      case 'virtual_router_id': {
        const id = parseUnsigned(value, 1, 255);
        if (id === null) notes.warn(s, 'kaVrrpRouterId', { value: value ?? '' });
        else reading.virtualRouterId = id;
        break;
      }
      case 'priority': {
        const priority = parseUnsigned(value, 1, 255);
        if (priority === null) notes.warn(s, 'kaVrrpPriority', { value: value ?? '' });
        else reading.priority = priority;
        break;
      }
      case 'advert_int': {
        const seconds = Number(value);
        if (!Number.isFinite(seconds) || seconds <= 0) {
          notes.warn(s, 'kaVrrpAdvertInt', { value: value ?? '' });
        } else {
          reading.advertInterval = Math.min(255, Math.max(1, Math.round(seconds)));
          if (reading.advertInterval !== seconds) notes.warn(s, 'kaVrrpAdvertWhole', { seconds, imported: reading.advertInterval });
        }
        break;
      }
      case 'nopreempt':
        reading.preempt = false;
        break;
      case 'preempt':
        reading.preempt = true;
        break;
      case 'preempt_delay': {
        const seconds = Number(value);
        if (!Number.isFinite(seconds) || seconds < 0 || seconds > 1000) notes.warn(s, 'kaVrrpPreemptDelay', { value: value ?? '' });
        else reading.preemptDelay = Math.round(seconds);
        break;
      }
      case 'unicast_src_ip':
        if (addressOf(value)) reading.unicastSource = addressOf(value) ?? undefined;
        else notes.warn(s, 'kaVrrpNotIp', { keyword: 'unicast_src_ip', value: value ?? '' });
        break;
      case 'mcast_src_ip':
        if (addressOf(value)) reading.multicastSource = addressOf(value) ?? undefined;
        else notes.warn(s, 'kaVrrpNotIp', { keyword: 'mcast_src_ip', value: value ?? '' });
        break;
      case 'unicast_peer':
        for (const peer of s.block ?? []) {
          const address = addressOf(peer.words[0]);
          if (address) reading.peers.push(address);
          else notes.warn(peer, 'kaVrrpNotIp', { keyword: 'unicast_peer', value: peer.words[0] ?? '' });
          if (peer.words.length > 1) notes.warn(peer, 'kaVrrpPeerOptions', { options: peer.words.slice(1).join(' ') });
        }
        break;
      case 'authentication': {
        const type = s.block?.find((a) => a.words[0] === 'auth_type')?.words[1];
        const pass = s.block?.find((a) => a.words[0] === 'auth_pass')?.words[1];
        if (type !== 'PASS') notes.warn(s, 'kaVrrpAuthType', { type: type ?? '(none)' });
        else if (pass === undefined || !/^[\x21-\x7e]+$/.test(pass)) notes.warn(s, 'kaVrrpAuthPass');
        else {
          // keepalived sends the first 8 characters (VRRPv2 has room for 8).
          reading.password = pass.slice(0, 8);
          if (pass.length > 8) notes.warn(s, 'kaVrrpAuthLong', { password: reading.password });
        }
        break;
      }
      case 'virtual_ipaddress':
      case 'virtual_ipaddress_excluded':
        for (const entry of s.block ?? []) {
          const address = addressOf(entry.words[0]);
          if (!address) notes.warn(entry, 'kaVrrpNotAddress', { keyword, value: entry.words[0] ?? '' });
          else if (!reading.addresses.includes(address)) reading.addresses.push(address);
        }
        break;
      default:
        notes.warn(s, 'kaVrrpUnrepresented', { keyword });
    }
  }
  if (reading.priority === 0) reading.priority = initialMaster ? OWNER_PRIORITY : DEFAULT_PRIORITY;
  return reading;
}

function differs<T>(readings: ReadonlyArray<[string, InstanceReading]>, pick: (r: InstanceReading) => T): boolean {
  const first = JSON.stringify(pick(readings[0]?.[1] as InstanceReading));
  return readings.some(([, r]) => JSON.stringify(pick(r)) !== first);
}

/**
 * The pair the directors' views describe, or null (with a warning saying
 * why) when they do not describe one the console can run. VIPs that are not
 * service VIPs are left out with a warning: the console moves service VIPs.
 */
export function readPair(views: readonly DirectorView[], serviceVips: readonly string[], notes: VrrpNotes): HaConfig | null {
  const firstRef = views[0]?.instances[0] ?? { line: 1 };
  const refuse = (ref: SourceRef, id: MessageId, params: MessageParams): null => {
    notes.warn(ref, 'kaVrrpNotImported', nestedParams('why', describedText(id, params)));
    return null;
  };
  for (const view of views) {
    if (!directorNameSchema.safeParse(view.name).success) return refuse(firstRef, 'kaVrrpDirectorName', { name: view.name });
  }
  // Readings per instance name, in the first director's order.
  const byName = new Map<string, Array<[string, InstanceReading]>>();
  for (const view of views) {
    for (const statement of view.instances) {
      const name = statement.words[1] ?? '';
      if (!vrrpInstanceNameSchema.safeParse(name).success) return refuse(statement, 'kaVrrpInstanceName', { name });
      const readings = byName.get(name) ?? [];
      // Warnings once: from the first director's reading (the others read the same lines).
      readings.push([view.name, readInstance(statement, view === views[0] ? notes : { warn: () => undefined })]);
      byName.set(name, readings);
    }
  }
  const instances: VrrpInstance[] = [];
  const addressOfDirector = new Map<string, string>();
  for (const [name, readings] of byName) {
    const first = readings[0]?.[1];
    if (!first) continue;
    const missing = views.filter((v) => !readings.some(([d]) => d === v.name)).map((v) => v.name);
    if (missing.length) return refuse(first.ref, 'kaVrrpMissingDirectors', { name, directors: missing.join(', ') });
    if (!first.interface) return refuse(first.ref, 'kaVrrpNoInterface', { name });
    if (first.virtualRouterId === undefined) return refuse(first.ref, 'kaVrrpNoRouterId', { name });
    const fields: Array<[string, (r: InstanceReading) => unknown]> = [
      ['interface', (r) => r.interface],
      ['virtual_router_id', (r) => r.virtualRouterId],
      ['advert_int', (r) => r.advertInterval],
      ['nopreempt', (r) => r.preempt],
      ['preempt_delay', (r) => r.preemptDelay],
      ['authentication', (r) => r.password],
      ['virtual_ipaddress', (r) => [...r.addresses].sort()],
      ['unicast (unicast_peer)', (r) => r.peers.length > 0],
    ];
    for (const [field, pick] of fields) {
      if (differs(readings, pick)) return refuse(first.ref, 'kaVrrpFieldDiffers', { name, field });
    }
    const priorities: Record<string, number> = {};
    for (const [director, reading] of readings) {
      if (reading.priority === OWNER_PRIORITY) {
        notes.warn(reading.ref, 'kaVrrpOwnerPriority', { name, director });
      }
      priorities[director] = Math.min(254, reading.priority);
      const source = reading.peers.length > 0 ? reading.unicastSource : (reading.multicastSource ?? reading.unicastSource);
      if (source === undefined) continue;
      const known = addressOfDirector.get(director);
      if (known !== undefined && known !== source) return refuse(reading.ref, 'kaVrrpDirectorAddresses', { director, known, source, name });
      addressOfDirector.set(director, source);
    }
    const addresses = first.addresses
      .filter((address) => {
        if (serviceVips.includes(address)) return true;
        notes.warn(first.ref, 'kaVrrpNotServiceVip', { name, address });
        return false;
      })
      .sort((a, b) => serviceVips.indexOf(a) - serviceVips.indexOf(b)); // service order, as the console lists them
    instances.push({
      name,
      interface: first.interface,
      virtualRouterId: first.virtualRouterId,
      priorities,
      advertInterval: first.advertInterval,
      preempt: first.preempt,
      preemptDelay: first.preemptDelay,
      unicast: first.peers.length > 0,
      ...(first.password !== undefined ? { password: first.password } : {}),
      addresses,
    });
  }
  const directors: Director[] = [];
  for (const view of views) {
    const address = addressOfDirector.get(view.name);
    if (address === undefined) return refuse(firstRef, 'kaVrrpNoAddress', { director: view.name });
    directors.push({ name: view.name, address });
  }
  for (const [name, readings] of byName) {
    for (const [director, reading] of readings) {
      if (reading.peers.length === 0) continue;
      const others = directors
        .filter((d) => d.name !== director)
        .map((d) => d.address)
        .sort();
      if (JSON.stringify([...reading.peers].sort()) !== JSON.stringify(others)) {
        notes.warn(reading.ref, 'kaVrrpPeers', { name, director, peers: reading.peers.join(', '), others: others.join(', ') });
      }
    }
  }
  return { directors, instances: canonicalCatchAll(instances, serviceVips) };
}

/**
 * The first instance that moves exactly the service VIPs no other instance
 * names is the catch-all (empty address list): the form the console keeps,
 * so a VIP added later is moved too.
 */
function canonicalCatchAll(instances: VrrpInstance[], serviceVips: readonly string[]): VrrpInstance[] {
  const vips = [...new Set(serviceVips)];
  const index = instances.findIndex((instance) => {
    const claimedElsewhere = new Set(instances.filter((other) => other !== instance).flatMap((other) => other.addresses));
    const rest = vips.filter((vip) => !claimedElsewhere.has(vip)).sort();
    return JSON.stringify([...instance.addresses].sort()) === JSON.stringify(rest);
  });
  return instances.map((instance, i) => (i === index ? { ...instance, addresses: [] } : instance));
}
