// /proc/net/ip_vs against the tables recorded from a real kernel (Linux 6.1):
// every proc-net-ip_vs.txt must parse, agree with the same table's -Sn on
// keys, destinations, weights and forwarding, and give observeFromListings()
// the same connection numbers as the plain listing recorded with it.
import { describe, expect, it } from 'vitest';
import { observeFromListings, parseProcIpVs, parseRules } from '../../src/ipvsadm';
import type { ProcServiceKey } from '../../src/ipvsadm/proc';
import type { Service } from '../../src/model/ipvs';
import { fixtureExists, listFixtures, readFixture } from './fixtures';

const tables = listFixtures('kernel/').filter((name) => fixtureExists(`kernel/${name}/proc-net-ip_vs.txt`) && fixtureExists(`kernel/${name}/Sn.txt`));

/** A key both sides can give: /proc shows no family for fwmark services. */
function keyOf(service: { key: Service['key'] | ProcServiceKey }): string {
  const key = service.key;
  return key.kind === 'fwmark' ? `f ${key.fwmark}` : `${key.protocol} ${key.address} ${key.port}`;
}

describe('/proc/net/ip_vs (recorded kernel tables)', () => {
  it('has recorded tables', () => {
    expect(tables.length).toBeGreaterThan(10);
  });

  for (const table of tables) {
    it(`${table}: parses and agrees with ipvsadm -Sn`, () => {
      const parsed = parseProcIpVs(readFixture(`kernel/${table}/proc-net-ip_vs.txt`));
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      const rules = parseRules(readFixture(`kernel/${table}/Sn.txt`), { origin: 'kernel' });
      expect(rules.ok).toBe(true);
      expect(parsed.value.info).toEqual({ ipvsVersion: '1.2.1', connTableSize: 4096 });
      const saved = rules.state.services;
      expect(parsed.value.services.map(keyOf).sort()).toEqual(saved.map(keyOf).sort());
      for (const service of saved) {
        const found = parsed.value.services.filter((p) => keyOf(p) === keyOf(service));
        expect(found.length, keyOf(service)).toBeGreaterThan(0);
        const dests = found.flatMap((p) => p.destinations);
        for (const dest of service.destinations) {
          const seen = dests.find((d) => d.address === dest.address && d.port === dest.port);
          expect(seen, `${keyOf(service)} -> ${dest.address}:${dest.port}`).toMatchObject({ weight: dest.weight, forwarding: dest.forwarding });
        }
        expect(found[0]?.scheduler).toBe(service.scheduler);
      }
    });

    if (fixtureExists(`kernel/${table}/Ln.txt`)) {
      it(`${table}: gives the connection numbers the plain listing gives`, () => {
        const save = readFixture(`kernel/${table}/Sn.txt`);
        const viaProc = observeFromListings({ save, proc: readFixture(`kernel/${table}/proc-net-ip_vs.txt`) });
        const viaList = observeFromListings({ save, list: readFixture(`kernel/${table}/Ln.txt`) });
        if (!viaProc.ok || !viaList.ok) throw new Error('observeFromListings failed');
        expect(viaProc.warnings).toEqual(viaList.warnings);
        const numbers = (t: typeof viaProc.table) =>
          t.services.map((s) => s.destinations.map((d) => [d.address, d.port, d.activeConns, d.inactiveConns, d.local ?? false]));
        expect(numbers(viaProc.table)).toEqual(numbers(viaList.table));
      });
    }
  }
});

describe('parseProcIpVs', () => {
  const header =
    'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n';

  it('reads Local destinations, connection numbers, ops and persistence lines', () => {
    const parsed = parseProcIpVs(
      `${header}UDP  C0000208:0035 rr ops persistent 75000 FFFFFFFF\n  -> 7F000001:0035      Local   3      12         40        \n`,
    );
    expect(parsed).toEqual({
      ok: true,
      value: {
        info: { ipvsVersion: '1.2.1', connTableSize: 4096 },
        services: [
          {
            key: { kind: 'addr', protocol: 'udp', address: '192.0.2.8', port: 53 },
            scheduler: 'rr',
            destinations: [{ address: '127.0.0.1', port: 53, forwarding: 'route', local: true, weight: 3, activeConns: 12, inactiveConns: 40 }],
          },
        ],
      },
    });
  });

  it('tells IPv4 and IPv6 firewall-mark services with the same mark apart by their destinations', () => {
    const save = '-A -f 6 -s rr\n-a -f 6 -r 203.0.113.1:0 -g -w 1\n-A -f 6 -6 -s rr\n-a -f 6 -6 -r [2001:db8::1]:0 -g -w 1\n';
    const proc = `${header}FWM  00000006 rr \n  -> [2001:0db8:0000:0000:0000:0000:0000:0001]:0000      Route   1      7          0         \nFWM  00000006 rr \n  -> CB007101:0000      Route   1      5          0         \n`;
    const result = observeFromListings({ save, proc });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.warnings).toEqual([{ path: 'timeout', message: expect.any(String) as string }]);
    expect(result.table.services.map((s) => [s.key.kind === 'fwmark' ? s.key.family : '', s.destinations[0]?.activeConns])).toEqual([
      ['inet', 5],
      ['inet6', 7],
    ]);
  });

  it('skips protocols the model has no services for, and refuses garbage', () => {
    expect(parseProcIpVs(`${header}AH  C0000208:0000 rr \n  -> CB007101:0000      Route   1      0          0\n`)).toEqual({
      ok: true,
      value: { info: { ipvsVersion: '1.2.1', connTableSize: 4096 }, services: [] },
    });
    const bad = parseProcIpVs(`${header}TCP  nonsense rr\n`);
    expect(bad.ok).toBe(false);
  });

  // How fast: the proc-net-ip_vs-parse-10k benchmark (packages/shared/bench/ipvsadm.bench.ts).
  it('reads a 10,000 × 10 table', () => {
    const lines = [header.trimEnd()];
    for (let s = 0; s < 10_000; s++) {
      lines.push(`TCP  C612${(s >> 8).toString(16).padStart(2, '0').toUpperCase()}${(s & 255).toString(16).padStart(2, '0').toUpperCase()}:0050 wlc  `);
      for (let d = 0; d < 10; d++) lines.push(`  -> C613${d.toString(16).padStart(4, '0').toUpperCase()}:1F90      Masq    1      0          0         `);
    }
    const parsed = parseProcIpVs(`${lines.join('\n')}\n`);
    expect(parsed.ok && parsed.value.services.length).toBe(10_000);
    expect(parsed.ok && parsed.value.services.every((s) => s.destinations.length === 10)).toBe(true);
  });
});
