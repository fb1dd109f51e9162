// Properties over random VALID tables (support/arbitraries.ts, widened here
// with sip persistence, every tunnel variant and sync daemons): rendering then
// parsing gives the table back, in ipvsadm's canonical form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalState, parseRules, renderDestinationCommand, renderRules, renderServiceCommand } from '../../src/ipvsadm';
import type { DesiredState, Service, SyncDaemon } from '../../src/model';
import { checkState } from '../../src/validate';
import { stateArb } from '../support/arbitraries';

const tunnelVariant = fc.constantFrom(
  { type: 'ipip' as const },
  { type: 'gue' as const, port: 6080, checksum: 'nocsum' as const },
  { type: 'gue' as const, port: 5555, checksum: 'remcsum' as const },
  { type: 'gre' as const, checksum: 'csum' as const },
  { type: 'gre' as const, checksum: 'nocsum' as const },
  undefined,
);

const daemonArb: fc.Arbitrary<SyncDaemon[]> = fc.subarray([
  { state: 'master' as const, interface: 'eth0', syncId: 0 },
  { state: 'backup' as const, interface: 'bond0.12', syncId: 255, maxLength: 1400, group: '239.0.0.9', port: 9000, ttl: 4 },
]);

/** stateArb plus what it leaves out: sip persistence, tunnel options, daemons. */
const richStateArb: fc.Arbitrary<DesiredState> = fc
  .tuple(stateArb, fc.array(tunnelVariant, { minLength: 40, maxLength: 40 }), daemonArb, fc.boolean())
  .map(([state, tunnels, syncDaemons, sip]) => {
    let t = 0;
    const services: Service[] = state.services.map((service) => ({
      ...service,
      persistence:
        service.persistence && sip && (service.key.kind === 'fwmark' || service.key.protocol === 'udp')
          ? { ...service.persistence, engine: 'sip' as const }
          : service.persistence,
      destinations: service.destinations.map((dest) => {
        if (dest.forwarding !== 'tunnel') return dest;
        const tunnel = tunnels[t++ % tunnels.length];
        const { tunnel: _old, ...rest } = dest;
        return tunnel ? { ...rest, tunnel } : rest;
      }),
    }));
    return { ...state, services, syncDaemons };
  });

function parsedBack(text: string): DesiredState {
  const result = parseRules(text);
  if (!result.ok) throw new Error(`${result.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}\n--- text ---\n${text}`);
  return result.state;
}

describe('render then parse', () => {
  it('generated tables are valid (the generator respects the guard rails)', () => {
    fc.assert(
      fc.property(richStateArb, (state) => {
        expect(checkState(state)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps every setting with thresholds and settings written', () => {
    fc.assert(
      fc.property(richStateArb, (state) => {
        const options = { thresholds: true, settings: true };
        expect(parsedBack(renderRules(state, options))).toEqual(canonicalState(state, options));
      }),
      { numRuns: 300 },
    );
  });

  it('the canonical -Sn text reads back to the table minus what -S does not save', () => {
    fc.assert(
      fc.property(richStateArb, (state) => {
        // (Re-rendering `back` is not always the same text: for addresses 2^31
        // apart libipvs' comparator is not an order and the result depends on
        // the kernel's order, which a restore reverses. order.test.ts covers it.)
        expect(parsedBack(renderRules(state))).toEqual(canonicalState(state));
      }),
      { numRuns: 300 },
    );
  });

  it('single command lines agree with the table text', () => {
    fc.assert(
      fc.property(richStateArb, (state) => {
        const lines: string[] = [];
        for (const service of canonicalState(state, { thresholds: true }).services) {
          lines.push(renderServiceCommand('-A', service));
          for (const dest of service.destinations) lines.push(renderDestinationCommand('-a', service.key, dest));
        }
        const text = lines.length ? `${lines.join('\n')}\n` : '';
        expect(text).toBe(renderRules(state, { thresholds: true }));
      }),
      { numRuns: 200 },
    );
  });

  it('edit lines rebuild the same table from a different one; delete lines empty it', () => {
    fc.assert(
      fc.property(richStateArb, (state) => {
        const canonical = canonicalState(state, { thresholds: true });
        const lines: string[] = [];
        for (const service of canonical.services) {
          // Start from a different service and destinations, then edit them into place.
          lines.push(renderServiceCommand('-A', { ...service, scheduler: 'rr', flags: [], onePacket: false }));
          for (const dest of service.destinations) {
            lines.push(renderDestinationCommand('-a', service.key, { ...dest, weight: dest.weight === 7 ? 8 : 7, upperThreshold: 0, lowerThreshold: 0 }));
            lines.push(renderDestinationCommand('-e', service.key, dest));
          }
          lines.push(renderServiceCommand('-E', service));
        }
        expect(parsedBack(lines.join('\n')).services).toEqual(canonical.services);
        for (const service of canonical.services) {
          for (const dest of service.destinations) lines.push(renderDestinationCommand('-d', service.key, dest));
          lines.push(renderServiceCommand('-D', service));
        }
        expect(parsedBack(lines.join('\n')).services).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('the order does not depend on the table order when addresses share half the circle', () => {
    const nearby = fc.tuple(fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map(([a, b, c]) => `10.${a}.${b}.${c}`);
    const serviceArb = fc
      .record({ address: nearby, port: fc.integer({ min: 1, max: 65535 }), udp: fc.boolean(), dests: fc.uniqueArray(nearby, { maxLength: 6 }) })
      .map(({ address, port, udp, dests }): Service => ({
        key: { kind: 'addr', protocol: udp ? 'udp' : 'tcp', address, port },
        scheduler: 'wlc',
        flags: [],
        persistence: null,
        onePacket: false,
        destinations: dests.map((d) => ({ address: d, port, forwarding: 'route', weight: 1, upperThreshold: 0, lowerThreshold: 0 })),
      }));
    const tableArb = fc.uniqueArray(serviceArb, { maxLength: 12, selector: (s) => JSON.stringify(s.key) });
    fc.assert(
      fc.property(tableArb, fc.nat(), (services, seed) => {
        const shuffled = services
          .map((s, i) => ({ s: { ...s, destinations: [...s.destinations].reverse() }, k: (i * 7919 + seed) % 104729 }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.s);
        const text = renderRules({ services });
        expect(renderRules({ services: shuffled })).toBe(text);
        expect(renderRules(parsedBack(text))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the -Sn fast path', () => {
  // parseRules reads canonical `-a` lines in place; with a leading "ipvsadm "
  // it reads their tokens; a trailing --sort (a no-op ipvsadm accepts
  // anywhere) sends them through the general scanner. All three must agree,
  // on good lines and bad ones alike.
  const lineArb = fc
    .tuple(
      fc.constantFrom('-t', '-u', '-f', '--sctp-service'),
      fc.constantFrom('192.0.2.1:80', '192.0.2.1:0', '7', '[2001:db8::1]:80', 'web:80'),
      fc.constantFrom('', ' -6'),
      fc.constantFrom('10.0.0.1:80', '10.0.0.1:8080', '10.0.0.2:0', '300.0.0.1:80', '10.0.0.1:99999', '[2001:db8::2]:80', '10.0.0.3:080'),
      fc.constantFrom('-m', '-g', '-i'),
      fc.constantFrom('1', '0', '65535', '70000', 'x', '007'),
      fc.constantFrom('', ' --tun-type ipip', ' --tun-type gue', ' -x 5'),
    )
    .map(([option, service, six, real, forward, weight, tail]) => `-a ${option} ${service}${six} -r ${real} ${forward} -w ${weight}${tail}`);
  const setup = [
    '-A -t 192.0.2.1:80 -s rr',
    '-A -t 192.0.2.1:0 -s rr -p',
    '-A -u 192.0.2.1:80 -s rr',
    '-A -f 7 -s rr',
    '-A -f 7 -6 -s rr',
    '-A --sctp-service 192.0.2.1:80 -s rr',
    '-A -t [2001:db8::1]:80 -s rr',
  ].join('\n');

  it('agrees with the general path', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 12 }), (lines) => {
        const fast = parseRules(`${setup}\n${lines.join('\n')}`);
        const tokens = parseRules(`${setup}\n${lines.map((line) => `ipvsadm ${line}`).join('\n')}`);
        const general = parseRules(`${setup}\n${lines.map((line) => `${line} --sort`).join('\n')}`);
        expect(fast.errors).toEqual(general.errors);
        expect(fast.state).toEqual(general.state);
        expect(tokens.errors).toEqual(general.errors);
        expect(tokens.state).toEqual(general.state);
      }),
      { numRuns: 400 },
    );
  });
});
