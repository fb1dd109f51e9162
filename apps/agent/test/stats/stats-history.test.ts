// The 10 s history on disk: a restart (a new store on the same directory)
// answers the 1 h and 24 h windows as before, a torn last record is skipped,
// and 48 h of samples leave at most 24 h (and its bytes) on disk. Time is
// passed in (the sampler's clock), never slept; the directory is real.
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zeroRates, type Counters, type ObservedTable } from '@lvs-console/shared';
import { HistoryArchive } from '../../src/stats/history-archive';
import { StatsStore } from '../../src/stats/stats-store';
import { openStatsHistory } from '../../src/stats/stats-history';
import { silentLogger } from '../../src/log';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const HOUR = 3_600_000;
const SVC = 'tcp:192.0.2.1:80';
const ADDRESSES = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];

function counters(conns: number): Counters {
  return { conns, inPkts: conns * 10, outPkts: conns * 8, inBytes: conns * 1000, outBytes: conns * 5000 };
}

/** Destination i has made conns[i] connections so far. */
function table(conns: readonly number[]): ObservedTable {
  const total = conns.reduce((a, b) => a + b, 0);
  return {
    services: [
      {
        key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.1', port: 80 },
        scheduler: 'wrr',
        flags: [],
        persistence: null,
        onePacket: false,
        stats: counters(total),
        rates: zeroRates(),
        destinations: conns.map((c, i) => ({
          address: ADDRESSES[i] ?? '10.0.0.9',
          port: 80,
          forwarding: 'masq',
          weight: 1,
          upperThreshold: 0,
          lowerThreshold: 0,
          activeConns: i + 1,
          inactiveConns: 0,
          persistentConns: 0,
          stats: counters(c),
          rates: zeroRates(),
        })),
      },
    ],
    timeouts: { tcp: 900, tcpFin: 120, udp: 300 },
    syncDaemons: [],
  };
}

/** Feeds `seconds` of samples every `interval` s from `start`, with a rate that changes over time. */
function feed(store: StatsStore, start: number, seconds: number, interval = 1, conns = [0, 0, 0]): number[] {
  for (let s = 0; s <= seconds; s += interval) {
    // A varying load: 0–59 new connections a second for server 1, twice that for server 2.
    const perSecond = Math.floor(s / 60) % 60;
    conns = conns.map((c, i) => c + perSecond * (i + 1) * interval);
    store.ingest(table(conns), start + s * 1000);
  }
  return conns;
}

function open(dir: string, now: number): { store: StatsStore; archive: HistoryArchive } {
  const { archive, buckets } = HistoryArchive.open(dir, now);
  const store = new StatsStore({ archive, historySeconds: 300 });
  store.restore(buckets);
  return { store, archive };
}

function destinationPoints(store: StatsStore, minutes: 60 | 1440, stepSeconds: number) {
  return store.window({ minutes, services: [SVC], stepSeconds, maxPoints: 300, includeDestinations: true }).services[0]?.destinations ?? [];
}

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stats-history-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('stats history on disk', () => {
  it('should give a restarted agent the same 1 h and 24 h history', () => {
    const first = open(dir, T0);
    feed(first.store, T0, 2 * 3600);
    const end = T0 + 2 * 3600 * 1000;
    // Older than the 1 s window (5 min here), the history is the 10 s tier's.
    const before = destinationPoints(first.store, 1440, 60).map((d) => ({ id: d.id, points: d.points.filter((p) => p.time < end - 10 * 60_000) }));
    first.store.flush();
    first.archive.close();

    const second = open(dir, end + 5000);
    const after = destinationPoints(second.store, 1440, 60).map((d) => ({ id: d.id, points: d.points.filter((p) => p.time < end - 10 * 60_000) }));
    expect(after.map((d) => d.id)).toEqual(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80']);
    expect(after).toEqual(before);
    // The series really changed over time (a constant would hide a mix-up of buckets).
    const cps = after[1]?.points.map((p) => p.cps) ?? [];
    expect(Math.max(...cps)).toBeGreaterThan(Math.min(...cps));
    // 1 h after the restart: every minute of the last hour is there, from the file.
    const hour = destinationPoints(second.store, 60, 60)[0]?.points ?? [];
    expect(hour.length).toBeGreaterThanOrEqual(60);
    // Whole minutes of 60 samples (the first and last may be cut by the window).
    expect(hour.slice(1, -1).every((p) => p.samples === 60)).toBe(true);
    second.archive.close();
  });

  it('should answer from the file before the first new sample and then go on with live samples', () => {
    const first = open(dir, T0);
    const conns = feed(first.store, T0, 600);
    first.store.flush();
    first.archive.close();
    // Down for 10 minutes, then back.
    const back = T0 + 1200 * 1000;
    const second = open(dir, back);
    expect(destinationPoints(second.store, 60, 10)[0]?.points.length).toBe(61);
    feed(second.store, back, 120, 1, conns);
    const points = destinationPoints(second.store, 60, 10)[0]?.points ?? [];
    // No bucket during the downtime, none counted twice around the restart.
    expect(points.filter((p) => p.time > T0 + 610_000 && p.time < back)).toEqual([]);
    expect(points.every((p) => (p.samples ?? 0) <= 11)).toBe(true);
    expect(points.at(-1)?.time).toBe(back + 120_000);
    second.archive.close();
  });

  it('should skip a torn last record and write on in a new file', () => {
    const first = open(dir, T0);
    feed(first.store, T0, 120);
    first.store.flush();
    first.archive.close();
    const [file] = readdirSync(dir);
    const path = join(dir, file ?? '');
    const intact = HistoryArchive.open(dir, T0 + HOUR).buckets.length;
    // A crash in the middle of the last record's write.
    truncateSync(path, statSync(path).size - 7);
    const torn = open(dir, T0 + 130_000);
    expect(destinationPoints(torn.store, 60, 10)[0]?.points.length).toBe(intact - 1);
    // Garbage after the tear is not read as data either.
    appendFileSync(path, Buffer.from('not a record at all'));
    feed(torn.store, T0 + 200_000, 60);
    torn.store.flush();
    torn.archive.close();
    expect(readdirSync(dir).length).toBe(2);
    const reopened = HistoryArchive.open(dir, T0 + 300_000).buckets;
    expect(reopened.length).toBe(intact - 1 + 7);
    expect(reopened.map((b) => b.time)).toEqual([...reopened.map((b) => b.time)].sort((a, b) => a - b));
  });

  it('should keep at most 24 h on disk after 48 h of samples', () => {
    const { store, archive } = open(dir, T0);
    feed(store, T0, 48 * 3600, 5);
    const now = T0 + 48 * HOUR;
    // Per hour: 360 buckets of 4 series (service + 3 servers), one layout record.
    const bucketRecord = 12 + 12 + 4 * 7 * 4;
    const layoutRecord = 12 + JSON.stringify([SVC, ...ADDRESSES.map((a) => `${SVC}|${a}:80`)]).length;
    const files = readdirSync(dir);
    // 24 h of whole hours, the hour that straddles the cut and the current one.
    expect(files.length).toBeLessThanOrEqual(26);
    expect(archive.diskBytes()).toBeLessThanOrEqual(26 * (360 * bucketRecord + layoutRecord));
    expect(archive.diskBytes()).toBeGreaterThan(23 * 360 * bucketRecord);
    archive.close();
    const { buckets } = HistoryArchive.open(dir, now);
    expect(buckets[0]?.time).toBeGreaterThan(now - 24 * HOUR);
    expect(buckets.at(-1)?.time).toBeGreaterThanOrEqual(now - 20_000);
  });

  it('should keep only the hours --stats-history asks for, on disk and in a restarted agent', () => {
    const first = openStatsHistory(dir, 2, T0, silentLogger);
    feed(first.store, T0, 6 * 3600, 5);
    first.store.flush();
    first.archive?.close();
    const now = T0 + 6 * HOUR;
    // Two whole hours, the one straddling the cut and the current one.
    expect(readdirSync(join(dir, 'stats-history')).length).toBeLessThanOrEqual(4);
    const second = openStatsHistory(dir, 2, now + 5000, silentLogger);
    const points = destinationPoints(second.store, 1440, 60)[0]?.points ?? [];
    expect(points[0]?.time).toBeGreaterThanOrEqual(now - 2 * HOUR);
    expect(points[0]?.time).toBeLessThan(now - 2 * HOUR + 5 * 60_000);
    second.archive?.close();
  });

  it('should write nothing with --stats-history 0 and remove what an earlier run kept', () => {
    const first = openStatsHistory(dir, 24, T0, silentLogger);
    feed(first.store, T0, 1800, 5);
    first.store.flush();
    first.archive?.close();
    expect(readdirSync(join(dir, 'stats-history')).length).toBeGreaterThan(0);

    const off = openStatsHistory(dir, 0, T0 + HOUR, silentLogger);
    expect(off.archive).toBeNull();
    expect(readdirSync(dir)).not.toContain('stats-history');
    // The 1 s window still works; nothing reaches back beyond it.
    feed(off.store, T0 + HOUR, 600);
    off.store.flush();
    const points = destinationPoints(off.store, 1440, 10)[0]?.points ?? [];
    expect(points.length).toBeGreaterThan(50);
    expect(points[0]?.time).toBeGreaterThanOrEqual(T0 + HOUR);
    expect(readdirSync(dir)).not.toContain('stats-history');
  });
});
