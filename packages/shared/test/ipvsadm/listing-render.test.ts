// formatIpvsadmListing() against what the real ipvsadm printed for the
// recorded kernel tables (fixtures/kernel): the table is observed from the
// recorded -Sn and listings, then printed again, byte for byte.
import { describe, expect, it } from 'vitest';
import {
  formatConnectionListing,
  formatDaemonListing,
  formatIpvsadmListing,
  formatTimeoutListing,
  observeFromListings,
  parseConnectionListing,
  parseDaemonListing,
  parseProcConnections,
  parseVersionHeader,
  type ListingMode,
} from '../../src/ipvsadm';
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

describe('ipvsadm -L -n -c and -L --daemon as the real ipvsadm printed them', () => {
  const withConnections = listFixtures('kernel').filter((name) => fixtureExists(`kernel/${name}/Lcn.txt`));
  it('has recorded connection listings, one with connections', () => {
    expect(withConnections.length).toBeGreaterThan(1);
    expect(readFixture('kernel/traffic/Lcn.txt').split('\n').length).toBeGreaterThan(4);
  });
  for (const table of withConnections) {
    it(`${table}: Lcn.txt printed again from its entries`, () => {
      const recorded = readFixture(`kernel/${table}/Lcn.txt`);
      const parsed = parseConnectionListing(recorded);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      expect(formatConnectionListing(parsed.value.entries)).toBe(recorded);
    });
  }
  it('traffic: /proc/net/ip_vs_conn, as the agent reads it, prints as ipvsadm -Lcn printed it', () => {
    const recorded = readFixture('kernel/traffic/Lcn.txt');
    const proc = parseProcConnections(readFixture('kernel/traffic/proc-net-ip_vs_conn.txt'));
    const listed = parseConnectionListing(recorded);
    if (!proc.ok || !listed.ok) throw new Error('connection tables did not parse');
    // The two were read a moment apart and some timers ticked (118 s vs 01:57): take the listing's expiry.
    const entries = proc.value.entries.map((entry, i) => ({ ...entry, expiresIn: listed.value.entries[i]?.expiresIn ?? -1 }));
    expect(formatConnectionListing(entries)).toBe(recorded);
  });
  it('IPv6 endpoints in brackets and minutes beyond 59, as print_conn() writes them', () => {
    const text = [
      'IPVS connection entries',
      'pro expire state       source             virtual            destination',
      // The virtual endpoint is 17 characters: padded to 18, then the separator.
      'TCP 479:59 ESTABLISHED [2001:db8::64]:54322 [2001:db8::1]:443  [2001:db8:1::11]:443',
      '',
    ].join('\n');
    const parsed = parseConnectionListing(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(formatConnectionListing(parsed.value.entries)).toBe(text);
  });
  it('sync-daemon: -L --daemon printed again from the parsed daemons', () => {
    const recorded = readFixture('kernel/sync-daemon/L-daemon.txt');
    const parsed = parseDaemonListing(recorded);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(formatDaemonListing(parsed.value)).toBe(recorded);
    expect(formatDaemonListing([])).toBe('');
  });
});
