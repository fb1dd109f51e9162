// Against outputs recorded from a real kernel (Debian 12, Linux 6.1, ipvsadm
// 1.31): see fixtures/kernel/README.md. Every table directory is checked, so
// re-recorded or new tables are picked up without editing this file.
import { describe, expect, it } from 'vitest';
import {
  observeFromListings,
  parseConnectionListing,
  parseDaemonListing,
  parseListing,
  parseProcConnections,
  parseRules,
  parseTimeoutListing,
  renderRules,
  type ListingKind,
} from '../../src/ipvsadm';
import { fixtureExists, listFixtures, readFixture } from './fixtures';

const tables = listFixtures('kernel/').filter((name) => fixtureExists(`kernel/${name}/rules.txt`));

/** Schedulers the recording kernel accepted (VERSIONS.txt), so `-s twos` fails as it did there. */
function kernelSchedulers(): string[] | undefined {
  if (!fixtureExists('kernel/VERSIONS.txt')) return undefined;
  const match = /schedulers accepted:\s*(.+)/.exec(readFixture('kernel/VERSIONS.txt'));
  return match?.[1]?.trim().split(/\s+/);
}

const LISTINGS: Array<[string, ListingKind]> = [
  ['Ln.txt', 'plain'],
  ['Ln-stats.txt', 'stats'],
  ['Ln-exact-stats.txt', 'stats'],
  ['Ln-exact-rate.txt', 'rate'],
  ['Ln-thresholds.txt', 'thresholds'],
  ['Ln-persistent-conn.txt', 'persistent-conn'],
  ['Ln-tun-info.txt', 'tun-info'],
];

describe('recorded kernel tables', () => {
  it('has the recorded tables', () => {
    expect(tables.length).toBeGreaterThan(10);
  });

  describe.each(tables)('%s', (table) => {
    const file = (name: string) => `kernel/${table}/${name}`;
    const rules = readFixture(file('rules.txt'));
    const saved = readFixture(file('Sn.txt'));

    it('rules.txt parsed and rendered equals the recorded ipvsadm -Sn', () => {
      const result = parseRules(rules, { schedulers: kernelSchedulers() });
      if (!table.startsWith('restore-')) expect(result.errors).toEqual([]);
      expect(renderRules(result.state)).toBe(saved);
    });

    it('ipvsadm -Sn output reads back to itself', () => {
      const result = parseRules(saved, { origin: 'kernel' });
      expect(result.errors).toEqual([]);
      expect(renderRules(result.state)).toBe(saved);
    });

    it.each(LISTINGS.filter(([name]) => fixtureExists(file(name))))('parses %s', (name, kind) => {
      const parsed = parseListing(readFixture(file(name)));
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      expect(parsed.value.kind).toBe(kind);
      expect(parsed.value.info).toEqual({ ipvsVersion: '1.2.1', connTableSize: 4096 });
      const config = parseRules(saved, { origin: 'kernel' }).state;
      // Same services and destinations, in the same order, as -Sn.
      expect(parsed.value.services.map((s) => s.key)).toEqual(config.services.map((s) => s.key));
      parsed.value.services.forEach((service, i) => {
        const dests = config.services[i]?.destinations ?? [];
        expect(service.destinations.map((d) => [d.address, d.port])).toEqual(dests.map((d) => [d.address, d.port]));
        if (service.scheduler !== undefined) {
          expect(service.scheduler).toBe(config.services[i]?.scheduler);
          expect(service.flags).toEqual(config.services[i]?.flags);
          expect(service.persistence).toEqual(config.services[i]?.persistence);
          expect(service.onePacket).toBe(config.services[i]?.onePacket);
        }
        service.destinations.forEach((dest, j) => {
          if (dest.forwarding !== undefined) expect(dest.forwarding).toBe(dests[j]?.forwarding);
          if (dest.weight !== undefined) expect(dest.weight).toBe(dests[j]?.weight);
          if (dest.tunnel !== undefined) expect(dest.tunnel ?? undefined).toEqual(dests[j]?.tunnel);
        });
      });
    });

    it('merges the listings into an observed table', () => {
      const optional = (name: string) => (fixtureExists(file(name)) ? readFixture(file(name)) : undefined);
      const observed = observeFromListings({
        save: saved,
        stats: optional('Ln-exact-stats.txt'),
        rate: optional('Ln-exact-rate.txt'),
        thresholds: optional('Ln-thresholds.txt'),
        persistent: optional('Ln-persistent-conn.txt'),
        list: optional('Ln.txt'),
        timeout: optional('L-timeout.txt'),
        daemon: optional('L-daemon.txt'),
      });
      if (!observed.ok) throw new Error(JSON.stringify(observed.errors));
      expect(observed.warnings.filter((w) => w.path !== 'timeout')).toEqual([]);
      // Thresholds are not in -Sn: the merge takes them from --thresholds, so the
      // observed config equals what rules.txt asked for (minus refused lines).
      const asked = parseRules(rules, { schedulers: kernelSchedulers() }).state;
      const configOf = (services: typeof asked.services) => renderRules({ services }, { thresholds: true });
      expect(configOf(observed.table.services)).toBe(configOf(asked.services));
    });

    it('parses the timeout, daemon and connection listings', () => {
      if (fixtureExists(file('L-timeout.txt'))) {
        expect(parseTimeoutListing(readFixture(file('L-timeout.txt'))).ok).toBe(true);
      }
      if (fixtureExists(file('L-daemon.txt'))) {
        const daemons = parseDaemonListing(readFixture(file('L-daemon.txt')));
        expect(daemons.ok).toBe(true);
        const asked = parseRules(rules, { schedulers: kernelSchedulers() }).state.syncDaemons;
        if (daemons.ok) expect(daemons.value.map((d) => [d.state, d.interface, d.syncId])).toEqual(asked.map((d) => [d.state, d.interface, d.syncId]));
      }
      if (fixtureExists(file('Lcn.txt')) && fixtureExists(file('proc-net-ip_vs_conn.txt'))) {
        const listed = parseConnectionListing(readFixture(file('Lcn.txt')));
        const proc = parseProcConnections(readFixture(file('proc-net-ip_vs_conn.txt')));
        if (!listed.ok || !proc.ok) throw new Error('connection tables did not parse');
        // Two reads a moment apart: the same connections, timers may tick.
        const strip = (entries: typeof listed.value.entries) => entries.map(({ expiresIn: _expires, ...rest }) => rest);
        expect(strip(listed.value.entries)).toEqual(strip(proc.value.entries));
      }
    });
  });
});

describe('recorded kernel details', () => {
  it('timeouts table: --set shows in -L --timeout and in the parsed state', () => {
    if (!fixtureExists('kernel/timeouts/L-timeout.txt')) return;
    const listed = parseTimeoutListing(readFixture('kernel/timeouts/L-timeout.txt'));
    const asked = parseRules(readFixture('kernel/timeouts/rules.txt')).state.timeouts;
    expect(listed).toEqual({ ok: true, value: asked });
  });

  it('restore-error: one error per line the kernel refused', () => {
    if (!fixtureExists('kernel/restore-error/restore-error.txt')) return;
    const refused = readFixture('kernel/restore-error/restore-error.txt').trim().split('\n');
    const result = parseRules(readFixture('kernel/restore-error/rules.txt'), { schedulers: kernelSchedulers() });
    expect(result.errors.map((e) => e.path)).toEqual(['line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 10']);
    expect(result.errors).toHaveLength(refused.length);
  });

  it('traffic: counters, rates and persistence templates', () => {
    if (!fixtureExists('kernel/traffic/Ln-exact-stats.txt')) return;
    const observed = observeFromListings({
      save: readFixture('kernel/traffic/Sn.txt'),
      stats: readFixture('kernel/traffic/Ln-exact-stats.txt'),
      rate: readFixture('kernel/traffic/Ln-exact-rate.txt'),
      persistent: readFixture('kernel/traffic/Ln-persistent-conn.txt'),
    });
    if (!observed.ok) throw new Error(JSON.stringify(observed.errors));
    const [web, sticky] = observed.table.services;
    const dests = web?.destinations ?? [];
    expect(web?.stats.conns).toBe(dests.reduce((sum, d) => sum + d.stats.conns, 0));
    expect(sticky?.destinations.reduce((sum, d) => sum + d.persistentConns, 0)).toBeGreaterThan(0);
    const proc = parseProcConnections(readFixture('kernel/traffic/proc-net-ip_vs_conn.txt'));
    if (!proc.ok) throw new Error('proc did not parse');
    const templates = proc.value.entries.filter((e) => e.template);
    expect(templates.length).toBeGreaterThan(0);
    expect(templates.every((t) => t.clientPort === 0 && t.virtualPort === 8080)).toBe(true);
  });
});
