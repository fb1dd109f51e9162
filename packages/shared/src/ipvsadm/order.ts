// The order in which `ipvsadm -S` / `-L` print services and destinations.
//
// The kernel returns services in hash-bucket order (the hash mixes in the
// netns pointer, so it differs per boot) and each service's destinations
// newest first (list_add in __ip_vs_update_dest). ipvsadm 1.31 then sorts
// both unless --nosort is given: list_all() calls ipvs_sort_services() with
// ipvs_cmp_services, print_service_entry() calls ipvs_sort_dests() with
// ipvs_cmp_dests (libipvs.c). Both are qsort(), which glibc implements as a
// top-down merge sort (msort.c), and both comparators compute differences of
// unsigned 32-bit values stored into an int:
//
//   services: fwmark, then family (AF_INET=2 before AF_INET6=10), then
//             protocol (TCP=6, UDP=17, SCTP=132; fwmark services carry TCP),
//             then address (IPv6 word by word), then port;
//   dests:    address (all four words when the first dest is IPv6, else the
//             first word), then port.
//
// The int conversion wraps: two IPv4 addresses 2^31 or more apart compare
// "backwards" (192.168.0.1 sorts before 10.0.0.1). We reproduce the wrap and
// glibc's merge, so the output is exact whenever the comparator is a total
// order on the table (every set of addresses that fits within half of the
// address circle, e.g. any mix of 10/8, 172.16/12 and 192.168/16). Only for
// tables whose addresses spread wider does the result depend on the kernel's
// input order, which no one can know in advance; we feed services in table
// order and destinations newest first, as the kernel holds them.
import type { Destination, Service, ServiceKey } from '../model/ipvs';
import { addressWords, ipv4Value } from './endpoint';

interface ServiceSortKey {
  fwmark: number;
  family: number;
  protocol: number;
  words: [number, number, number, number];
  port: number;
}

const AF_INET = 2;
const AF_INET6 = 10;
const PROTOCOL_NUMBER = { tcp: 6, udp: 17, sctp: 132 } as const;

export function serviceSortKey(key: ServiceKey): ServiceSortKey {
  if (key.kind === 'fwmark') {
    return { fwmark: key.fwmark, family: key.family === 'inet6' ? AF_INET6 : AF_INET, protocol: 6, words: [0, 0, 0, 0], port: 0 };
  }
  return {
    fwmark: 0,
    family: key.address.includes(':') ? AF_INET6 : AF_INET,
    protocol: PROTOCOL_NUMBER[key.protocol],
    words: addressWords(key.address),
    port: key.port,
  };
}

/** (a - b) of two u32 values stored in a C int. */
function wrappedDifference(a: number, b: number): number {
  return (a - b) | 0;
}

/** ipvs_cmp_services() of libipvs.c, including its int wrap. */
export function compareServiceKeys(a: ServiceSortKey, b: ServiceSortKey): number {
  let r = wrappedDifference(a.fwmark, b.fwmark);
  if (r !== 0) return r;
  r = a.family - b.family;
  if (r !== 0) return r;
  r = a.protocol - b.protocol;
  if (r !== 0) return r;
  if (a.family === AF_INET6) {
    for (let i = 0; r === 0 && i < 4; i++) r = wrappedDifference(a.words[i] as number, b.words[i] as number);
  } else {
    r = wrappedDifference(a.words[0], b.words[0]);
  }
  if (r !== 0) return r;
  return a.port - b.port;
}

interface DestSortKey {
  inet6: boolean;
  words: [number, number, number, number];
  port: number;
}

/** ipvs_cmp_dests() of libipvs.c: the first argument's family decides how many words count. */
export function compareDestKeys(a: DestSortKey, b: DestSortKey): number {
  let r = 0;
  if (a.inet6) {
    for (let i = 0; r === 0 && i < 4; i++) r = wrappedDifference(a.words[i] as number, b.words[i] as number);
  } else {
    r = wrappedDifference(a.words[0], b.words[0]);
  }
  if (r !== 0) return r;
  return a.port - b.port;
}

/**
 * glibc's qsort for element sizes it sorts indirectly: a top-down merge sort
 * that splits n into n/2 (rounded down) and the rest and takes from the
 * left run while cmp(left, right) <= 0. Stable; identical to glibc's result
 * even when the comparator is not a total order.
 */
export function glibcMergeSort<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  const buffer = new Array<T>(items.length);
  const sort = (start: number, n: number): void => {
    if (n <= 1) return;
    const n1 = n >>> 1;
    const n2 = n - n1;
    sort(start, n1);
    sort(start + n1, n2);
    let left = start;
    let right = start + n1;
    const leftEnd = right;
    const rightEnd = start + n;
    let out = 0;
    while (left < leftEnd && right < rightEnd) {
      if (compare(items[left] as T, items[right] as T) <= 0) buffer[out++] = items[left++] as T;
      else buffer[out++] = items[right++] as T;
    }
    while (left < leftEnd) buffer[out++] = items[left++] as T;
    // What remains on the right is already in place.
    for (let i = 0; i < out; i++) items[start + i] = buffer[i] as T;
  };
  sort(0, items.length);
  return items;
}

// Sort keys live in reused typed arrays and the merge runs over indices, so
// sorting a 10,000-service table allocates almost nothing (the -Sn hot path).
let fwmarks = new Float64Array(64);
let families = new Uint8Array(64);
let protocols = new Uint8Array(64);
let words = new Float64Array(256);
let ports = new Int32Array(64);
let order = new Int32Array(64);
let scratch = new Int32Array(64);

function ensureCapacity(n: number): void {
  if (ports.length >= n) return;
  const size = Math.max(n, ports.length * 2);
  fwmarks = new Float64Array(size);
  families = new Uint8Array(size);
  protocols = new Uint8Array(size);
  words = new Float64Array(size * 4);
  ports = new Int32Array(size);
  order = new Int32Array(size);
  scratch = new Int32Array(size);
}

function storeAddress(slot: number, address: string): boolean {
  if (!address.includes(':')) {
    words[slot * 4] = ipv4Value(address);
    words[slot * 4 + 1] = 0;
    words[slot * 4 + 2] = 0;
    words[slot * 4 + 3] = 0;
    return false;
  }
  const [w0, w1, w2, w3] = addressWords(address);
  words[slot * 4] = w0;
  words[slot * 4 + 1] = w1;
  words[slot * 4 + 2] = w2;
  words[slot * 4 + 3] = w3;
  return true;
}

function compareAddresses(a: number, b: number, allWords: boolean): number {
  let r = wrappedDifference(words[a * 4] as number, words[b * 4] as number);
  if (allWords) {
    for (let i = 1; r === 0 && i < 4; i++) r = wrappedDifference(words[a * 4 + i] as number, words[b * 4 + i] as number);
  }
  return r;
}

/** ipvs_cmp_services() over the typed-array keys. */
function compareServiceSlots(a: number, b: number): number {
  let r = wrappedDifference(fwmarks[a] as number, fwmarks[b] as number);
  if (r !== 0) return r;
  r = (families[a] as number) - (families[b] as number);
  if (r !== 0) return r;
  r = (protocols[a] as number) - (protocols[b] as number);
  if (r !== 0) return r;
  r = compareAddresses(a, b, families[a] === AF_INET6);
  if (r !== 0) return r;
  return (ports[a] as number) - (ports[b] as number);
}

/** ipvs_cmp_dests(): the first argument's family decides how many words count (families[] holds 1 for IPv6). */
function compareDestSlots(a: number, b: number): number {
  const r = compareAddresses(a, b, families[a] === 1);
  if (r !== 0) return r;
  return (ports[a] as number) - (ports[b] as number);
}

/** glibcMergeSort() over order[from, from + n), comparing slots. */
function mergeSortSlots(from: number, n: number, compare: (a: number, b: number) => number): void {
  if (n <= 1) return;
  const n1 = n >>> 1;
  mergeSortSlots(from, n1, compare);
  mergeSortSlots(from + n1, n - n1, compare);
  let left = from;
  let right = from + n1;
  const leftEnd = right;
  const rightEnd = from + n;
  let out = 0;
  while (left < leftEnd && right < rightEnd) {
    if (compare(order[left] as number, order[right] as number) <= 0) scratch[out++] = order[left++] as number;
    else scratch[out++] = order[right++] as number;
  }
  while (left < leftEnd) scratch[out++] = order[left++] as number;
  for (let i = 0; i < out; i++) order[from + i] = scratch[i] as number;
}

/** Services in the order `ipvsadm -S` (default sort) prints them. */
export function servicesInSaveOrder<S extends Pick<Service, 'key'>>(services: readonly S[]): S[] {
  const n = services.length;
  if (n <= 1) return services.slice();
  ensureCapacity(n);
  for (let i = 0; i < n; i++) {
    const key = (services[i] as S).key;
    order[i] = i;
    if (key.kind === 'fwmark') {
      fwmarks[i] = key.fwmark;
      families[i] = key.family === 'inet6' ? AF_INET6 : AF_INET;
      protocols[i] = 6;
      ports[i] = 0;
      words[i * 4] = 0;
      words[i * 4 + 1] = 0;
      words[i * 4 + 2] = 0;
      words[i * 4 + 3] = 0;
    } else {
      fwmarks[i] = 0;
      families[i] = storeAddress(i, key.address) ? AF_INET6 : AF_INET;
      protocols[i] = PROTOCOL_NUMBER[key.protocol];
      ports[i] = key.port;
    }
  }
  mergeSortSlots(0, n, compareServiceSlots);
  const sorted = new Array<S>(n);
  for (let i = 0; i < n; i++) sorted[i] = services[order[i] as number] as S;
  return sorted;
}

/** Destinations in the order `ipvsadm -S` prints them (input: table order, oldest first). */
export function destinationsInSaveOrder<D extends Pick<Destination, 'address' | 'port'>>(destinations: readonly D[]): D[] {
  const n = destinations.length;
  if (n <= 1) return destinations.slice();
  ensureCapacity(n);
  // The kernel holds them newest first; that is qsort's input.
  for (let i = 0; i < n; i++) {
    const dest = destinations[n - 1 - i] as D;
    order[i] = i;
    families[i] = storeAddress(i, dest.address) ? 1 : 0;
    ports[i] = dest.port;
  }
  mergeSortSlots(0, n, compareDestSlots);
  const sorted = new Array<D>(n);
  for (let i = 0; i < n; i++) sorted[i] = destinations[n - 1 - (order[i] as number)] as D;
  return sorted;
}
