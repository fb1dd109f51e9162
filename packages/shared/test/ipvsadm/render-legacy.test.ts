// Export for ipvsadm before 1.31 (CentOS 7's 1.27, Debian 10's 1.29): no
// --tun-type for plain ipip, and what those versions cannot restore left
// out and named; the default stays byte-exact with ipvsadm 1.31's -Sn.
import { describe, expect, it } from 'vitest';
import { parseRules, renderRules, renderRulesFor } from '../../src/ipvsadm';
import { fixtureExists, listFixtures, readFixture } from './fixtures';

function table(name: string) {
  const parsed = parseRules(readFixture(`kernel/${name}/Sn.txt`), { origin: 'kernel' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.state;
}

describe('renderRulesFor', () => {
  it('1.31 is byte-exact with what ipvsadm -Sn printed, for every recorded table', () => {
    for (const name of listFixtures('kernel').filter((n) => fixtureExists(`kernel/${n}/Sn.txt`) && !n.startsWith('restore'))) {
      const recorded = readFixture(`kernel/${name}/Sn.txt`);
      expect(renderRulesFor(table(name), '1.31')).toEqual({ text: recorded, omitted: [] });
      expect(renderRules(table(name))).toBe(recorded);
    }
  });

  it('pre-1.31: ipip without --tun-type; GUE and GRE real servers left out and named', () => {
    const { text, omitted } = renderRulesFor(table('tunnel-types'), 'pre-1.31');
    expect(text).toBe(
      ['-A -t 192.0.2.11:80 -s rr', '-a -t 192.0.2.11:80 -r 203.0.113.31:80 -i -w 1', '-a -t 192.0.2.11:80 -r 203.0.113.32:80 -i -w 1', ''].join('\n'),
    );
    expect(omitted).toHaveLength(6);
    expect(omitted[0]).toBe('-a -t 192.0.2.11:80 -r 203.0.113.33:80: a GUE tunnel (--tun-type gue needs ipvsadm 1.31)');
    expect(text).not.toMatch(/--tun-/);
    // What the older ipvsadm reads back: the same ipip real servers.
    const back = parseRules(text);
    expect(back.state.services[0]?.destinations.map((d) => [d.address, d.forwarding])).toEqual([
      ['203.0.113.31', 'tunnel'],
      ['203.0.113.32', 'tunnel'],
    ]);
  });

  it('pre-1.31: -b scheduler flags are left out and named', () => {
    const { text, omitted } = renderRulesFor(table('sched-flags'), 'pre-1.31');
    expect(text).not.toMatch(/ -b /);
    expect(omitted[0]).toBe('-A -t 192.0.2.2:80: -b sh-fallback,sh-port (scheduler flags need a newer ipvsadm)');
  });
});
