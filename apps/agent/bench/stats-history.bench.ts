// Issue 19.6: what the on-disk 10 s history costs with 1,000 destinations
// (100 services x 10): bytes written per hour, CPU per 10 s bucket write,
// and reading 24 h back at start-up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zeroRates, type ObservedTable } from '@lvs-console/shared';
import { HistoryArchive, type ArchivedBucket } from '../src/stats/history-archive';
import { StatsStore } from '../src/stats/stats-store';

const T0 = Date.UTC(2026, 0, 1);

function table(second: number): ObservedTable {
  const services: ObservedTable['services'] = [];
  for (let s = 0; s < 100; s++) {
    const conns = (d: number) => second * (d + 1) * 3;
    const counters = (c: number) => ({ conns: c, inPkts: c * 10, outPkts: c * 8, inBytes: c * 1000, outBytes: c * 5000 });
    services.push({
      key: { kind: 'addr', protocol: 'tcp', address: `192.0.2.${s}`, port: 80 },
      scheduler: 'wrr',
      flags: [],
      persistence: null,
      onePacket: false,
      stats: counters(second * 165),
      rates: zeroRates(),
      destinations: Array.from({ length: 10 }, (_, d) => ({
        address: `10.0.${s}.${d + 1}`,
        port: 80,
        forwarding: 'masq' as const,
        weight: 1,
        upperThreshold: 0,
        lowerThreshold: 0,
        activeConns: d,
        inactiveConns: 0,
        persistentConns: 0,
        stats: counters(conns(d)),
        rates: zeroRates(),
      })),
    });
  }
  return { services, timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, syncDaemons: [] };
}

export function run() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stats-history-'));
  try {
    const { archive } = HistoryArchive.open(dir, T0);
    let writeMs = 0;
    let writes = 0;
    const timed = {
      append(bucket: ArchivedBucket) {
        const started = process.cpuUsage();
        archive.append(bucket);
        const used = process.cpuUsage(started);
        writeMs += (used.user + used.system) / 1000;
        writes++;
      },
    };
    const store = new StatsStore({ archive: timed, historySeconds: 60 });
    // One hour, sampled every 10 s (each sample closes a bucket; the bytes are those of 1 s sampling).
    for (let s = 0; s <= 3600; s += 10) store.ingest(table(s), T0 + s * 1000);
    store.flush();
    archive.close();
    const bytesPerHour = archive.diskBytes();
    const started = performance.now();
    const { buckets, archive: reopened } = HistoryArchive.open(dir, T0 + 3_600_000);
    new StatsStore().restore(buckets);
    const loadMs = performance.now() - started;
    reopened.close();
    return [
      { name: 'stats-history-bytes-per-hour-1000-destinations', value: Math.round(bytesPerHour / 1024), unit: 'KiB' },
      { name: 'stats-history-cpu-per-write-1000-destinations', value: Number((writeMs / writes).toFixed(3)), unit: 'ms' },
      { name: 'stats-history-load-1h-1000-destinations', value: Number(loadMs.toFixed(1)), unit: 'ms' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
