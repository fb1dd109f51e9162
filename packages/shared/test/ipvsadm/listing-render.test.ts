// formatIpvsadmListing() against what the real ipvsadm printed for the
// recorded kernel tables (fixtures/kernel): the table is observed from the
// recorded -Sn and listings, then printed again, byte for byte.
import { describe, expect, it } from 'vitest';
import { formatIpvsadmListing, formatTimeoutListing, observeFromListings, parseVersionHeader, type ListingMode } from '../../src/ipvsadm';
import { fixtureExists, listFixtures, readFixture } from './fixtures';

const TABLES = listFixtures('kernel').filter((name) => fixtureExists(`kernel/${name}/Sn.txt`) && fixtureExists(`kernel/${name}/Ln.txt`));

const LISTINGS: Array<[string, ListingMode, boolean]> = [
  ['Ln.txt', 'plain', false],
  ['Ln-stats.txt', 'stats', false],
  ['Ln-exact-stats.txt', 'stats', true],
  ['Ln-exact-rate.txt', 'rate', true],
  ['Ln-thresholds.txt', 'thresholds', false],
  ['Ln-persistent-conn.txt', 'persistent-conn', false],
];

describe('ipvsadm -L -n as the real ipvsadm printed it', () => {
  it('has recorded tables to compare with', () => {
    expect(TABLES.length).toBeGreaterThan(8);
  });
  for (const table of TABLES) {
    for (const [file, mode, exact] of LISTINGS) {
      if (!fixtureExists(`kernel/${table}/${file}`)) continue;
      it(`${table}: ${file}`, () => {
        const recorded = readFixture(`kernel/${table}/${file}`);
        // Each listing is observed from itself, so a table whose counters moved between recordings still compares.
        const texts = {
          save: readFixture(`kernel/${table}/Sn.txt`),
          list: readFixture(`kernel/${table}/Ln.txt`),
          ...(mode === 'stats' ? { stats: recorded } : {}),
          ...(mode === 'rate' ? { rate: recorded } : {}),
          ...(mode === 'thresholds' ? { thresholds: recorded } : {}),
          ...(mode === 'persistent-conn' ? { persistent: recorded } : {}),
        };
        const observed = observeFromListings(texts);
        if (!observed.ok) throw new Error(JSON.stringify(observed.errors));
        const info = parseVersionHeader(recorded.split('\n')[0] ?? '');
        expect(formatIpvsadmListing(observed.table, { mode, exact, info })).toBe(recorded);
      });
    }
  }
  it('timeouts: ipvsadm -L --timeout', () => {
    const recorded = readFixture('kernel/timeouts/L-timeout.txt');
    expect(formatTimeoutListing({ tcp: 7200, tcpFin: 60, udp: 600 })).toBe(recorded);
  });
});
