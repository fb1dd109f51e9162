// The stateless schedulers: each picks from the destinations' live counters.
// Every function returns an index into `dests` (kernel list order) or -1.
import type { SchedDestination } from './types';

/** A source of uniform unsigned 32-bit numbers (the kernel: get_random_u32()). */
export interface RandomSource {
  nextU32(): number;
}

/** ip_vs_dest_conn_overhead() (include/net/ip_vs.h): activeconns * 256 + inactconns. */
export function connOverhead(dest: SchedDestination): number {
  return dest.activeConns * 256 + dest.inactConns;
}

/** ip_vs_lc.c: least overhead among non-overloaded, non-zero-weight dests; first wins ties. Weight is only on/off. */
export function pickLc(dests: readonly SchedDestination[]): number {
  let least = -1;
  let leastOverhead = 0;
  for (let i = 0; i < dests.length; i++) {
    const dest = dests[i] as SchedDestination;
    if (dest.overloaded || dest.weight === 0) continue;
    const overhead = connOverhead(dest);
    if (least < 0 || overhead < leastOverhead) {
      least = i;
      leastOverhead = overhead;
    }
  }
  return least;
}

/**
 * The weighted-least-load loop shared by wlc, sed and the lblc/lblcr fallbacks:
 * the first non-overloaded dest with weight > 0 starts, later ones replace it
 * when loh * w(dest) > doh * w(least) (the kernel compares in 64 bits; JS
 * numbers are exact for these magnitudes). Later dests are checked for the
 * overload flag only: a weight-0 dest can never win that comparison.
 */
function pickWeightedLeast(dests: readonly SchedDestination[], overheadOf: (dest: SchedDestination) => number): number {
  let i = 0;
  for (; i < dests.length; i++) {
    const dest = dests[i] as SchedDestination;
    if (!dest.overloaded && dest.weight > 0) break;
  }
  if (i >= dests.length) return -1;
  let least = i;
  let leastDest = dests[i] as SchedDestination;
  let leastOverhead = overheadOf(leastDest);
  for (i++; i < dests.length; i++) {
    const dest = dests[i] as SchedDestination;
    if (dest.overloaded) continue;
    const overhead = overheadOf(dest);
    if (leastOverhead * dest.weight > overhead * leastDest.weight) {
      least = i;
      leastDest = dest;
      leastOverhead = overhead;
    }
  }
  return least;
}

/** ip_vs_wlc.c: least (active*256 + inactive) / weight. */
export function pickWlc(dests: readonly SchedDestination[]): number {
  let i = 0;
  for (; i < dests.length; i++) {
    const dest = dests[i] as SchedDestination;
    if (!dest.overloaded && dest.weight > 0) break;
  }
  if (i >= dests.length) return -1;
  // Inlined copy of pickWeightedLeast: wlc is the default scheduler and the hot path.
  let least = i;
  let leastWeight = (dests[i] as SchedDestination).weight;
  let leastOverhead = connOverhead(dests[i] as SchedDestination);
  for (i++; i < dests.length; i++) {
    const dest = dests[i] as SchedDestination;
    if (dest.overloaded) continue;
    const overhead = dest.activeConns * 256 + dest.inactConns;
    if (leastOverhead * dest.weight > overhead * leastWeight) {
      least = i;
      leastWeight = dest.weight;
      leastOverhead = overhead;
    }
  }
  return least;
}

const sedOverhead = (dest: SchedDestination): number => dest.activeConns + 1;

/** ip_vs_sed.c: least (active + 1) / weight; inactive connections are ignored. */
export function pickSed(dests: readonly SchedDestination[]): number {
  return pickWeightedLeast(dests, sedOverhead);
}

/** ip_vs_nq.c: the first idle (active == 0) dest in list order, else as sed. */
export function pickNq(dests: readonly SchedDestination[]): number {
  let least = -1;
  let leastOverhead = 0;
  let leastWeight = 0;
  for (let i = 0; i < dests.length; i++) {
    const dest = dests[i] as SchedDestination;
    if (dest.overloaded || dest.weight === 0) continue;
    const overhead = dest.activeConns + 1;
    if (dest.activeConns === 0) return i;
    if (least < 0 || leastOverhead * dest.weight > overhead * leastWeight) {
      least = i;
      leastOverhead = overhead;
      leastWeight = dest.weight;
    }
  }
  return least;
}

/** ip_vs_fo.c: the highest weight among non-overloaded dests; the first wins ties. */
export function pickFo(dests: readonly SchedDestination[]): number {
  let best = -1;
  let bestWeight = 0;
  for (let i = 0; i < dests.length; i++) {
    const dest = dests[i] as SchedDestination;
    if (!dest.overloaded && dest.weight > bestWeight) {
      best = i;
      bestWeight = dest.weight;
    }
  }
  return best;
}

/** ip_vs_ovf.c: the highest weight among dests whose active connections do not exceed their weight. */
export function pickOvf(dests: readonly SchedDestination[]): number {
  let best = -1;
  let bestWeight = 0;
  for (let i = 0; i < dests.length; i++) {
    const dest = dests[i] as SchedDestination;
    const weight = dest.weight;
    if (dest.overloaded || dest.activeConns > weight || weight === 0) continue;
    if (best < 0 || weight > bestWeight) {
      best = i;
      bestWeight = weight;
    }
  }
  return best;
}

/**
 * The weighted least-connection choice of __ip_vs_lblc_schedule() and
 * __ip_vs_lblcr_schedule(): the same loop as wlc.
 */
export function pickLocalityFallback(dests: readonly SchedDestination[]): number {
  return pickWeightedLeast(dests, connOverhead);
}

/**
 * ip_vs_twos.c: draw two destinations at random, each with probability
 * proportional to its weight, and keep the one with less overhead per weight.
 * rweight = random % (total + 1) and the `<= 0` test make the first available
 * destination one slot more likely than its weight says; kept as the kernel has it.
 * The final comparison is C `int` arithmetic; Math.imul reproduces its wrap-around.
 */
export function pickTwos(dests: readonly SchedDestination[], random: RandomSource): number {
  let totalWeight = 0;
  let any = false;
  for (let i = 0; i < dests.length; i++) {
    const dest = dests[i] as SchedDestination;
    if (!dest.overloaded && dest.weight > 0) {
      totalWeight += dest.weight;
      any = true;
    }
  }
  if (!any) return -1;
  totalWeight += 1;
  let rweight1 = random.nextU32() % totalWeight;
  let rweight2 = random.nextU32() % totalWeight;
  let choice1 = -1;
  let choice2 = -1;
  let weight1 = -1;
  let weight2 = -1;
  let overhead1 = 0;
  let overhead2 = 0;
  for (let i = 0; i < dests.length; i++) {
    const dest = dests[i] as SchedDestination;
    if (dest.overloaded) continue;
    const weight = dest.weight;
    if (weight <= 0) continue;
    rweight1 -= weight;
    rweight2 -= weight;
    if (rweight1 <= 0 && weight1 === -1) {
      choice1 = i;
      weight1 = weight;
      overhead1 = connOverhead(dest) | 0;
    }
    if (rweight2 <= 0 && weight2 === -1) {
      choice2 = i;
      weight2 = weight;
      overhead2 = connOverhead(dest) | 0;
    }
    if (weight1 !== -1 && weight2 !== -1) break;
  }
  if (choice2 >= 0 && Math.imul(weight2, overhead1) > Math.imul(weight1, overhead2)) return choice2;
  return choice1;
}
