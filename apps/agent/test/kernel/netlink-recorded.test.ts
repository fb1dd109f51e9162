// The codec against the kernel's own dump messages (fixtures/netlink-dumps.txt,
// recorded in the kernel bed): each GET_SERVICE / GET_DEST message decodes to
// the table the rules made, and the attributes that name and configure a
// service or destination are byte for byte what our requests send for it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ObservedDestination, ObservedService } from '@lvs-console/shared';
import { settingsOf } from '@lvs-console/shared/plan';
import { GENL_ATTRS_OFFSET, changeRequest, decodeDestination, decodeService, genlMessage, parseAttrs, walkMessages } from '../../src/kernel/netlink/ipvs-codec';

const lines = readFileSync(new URL('fixtures/netlink-dumps.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('record '))
  .map((line) => {
    const [, cmd = '', hex = ''] = line.split(' ');
    return { cmd, message: Buffer.from(hex, 'hex') };
  });
const recorded = (cmd: string) => lines.filter((l) => l.cmd === cmd).map((l) => l.message);

/** The one message of a recorded line, decoded by walking it as the socket does. */
function each<T>(messages: Buffer[], decode: (buf: Buffer, start: number, end: number) => T): T[] {
  return messages.map((message) => {
    const out: T[] = [];
    walkMessages(message, (_type, _flags, _seq, at, length) => out.push(decode(message, at + GENL_ATTRS_OFFSET, at + length)));
    expect(out).toHaveLength(1);
    return out[0] as T;
  });
}

const ZERO_COUNTERS = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
const ZERO_RATES = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };
const services = each(recorded('GET_SERVICE'), (buf, start, end) => decodeService(buf, start, end) as ObservedService);
// GET_DEST messages in service order: 2 for TCP, 1 for UDP v6, 2 for the fwmark.
const destMessages = recorded('GET_DEST');
const perService = [destMessages.slice(0, 2), destMessages.slice(2, 3), destMessages.slice(3, 5)];
const destinations = perService.map((messages, i) =>
  each(
    messages,
    (buf, start, end) =>
      decodeDestination(buf, services[i]?.key.kind === 'addr' && services[i]?.key.address.includes(':') ? 'inet6' : 'inet', start, end) as ObservedDestination,
  ),
);

describe('recorded kernel dump messages (Linux 6.1)', () => {
  it('decode to the services the rules made', () => {
    expect(services).toEqual([
      {
        key: { kind: 'addr', protocol: 'tcp', address: '198.18.0.1', port: 80 },
        scheduler: 'wlc',
        flags: [],
        persistence: null,
        onePacket: false,
        destinations: [],
        stats: ZERO_COUNTERS,
        rates: ZERO_RATES,
      },
      {
        key: { kind: 'addr', protocol: 'udp', address: '2001:db8::10', port: 53 },
        scheduler: 'sh',
        flags: ['sh-port'],
        persistence: { timeout: 120, netmaskPrefix: 64 },
        onePacket: false,
        destinations: [],
        stats: ZERO_COUNTERS,
        rates: ZERO_RATES,
      },
      {
        key: { kind: 'fwmark', fwmark: 7, family: 'inet' },
        scheduler: 'rr',
        flags: [],
        persistence: { timeout: 600, netmaskPrefix: 24 },
        onePacket: false,
        destinations: [],
        stats: ZERO_COUNTERS,
        rates: ZERO_RATES,
      },
    ]);
  });

  it('decode to the real servers the rules made, tunnel options and thresholds included', () => {
    const zero = { activeConns: 0, inactiveConns: 0, persistentConns: 0, stats: ZERO_COUNTERS, rates: ZERO_RATES };
    const sortByAddress = (list: ObservedDestination[]) => [...list].sort((a, b) => a.address.localeCompare(b.address));
    expect(destinations.map(sortByAddress)).toEqual([
      [
        { address: '198.18.64.1', port: 8080, forwarding: 'masq', weight: 3, upperThreshold: 0, lowerThreshold: 0, ...zero },
        { address: '198.18.64.2', port: 8080, forwarding: 'masq', weight: 1, upperThreshold: 100, lowerThreshold: 50, ...zero },
      ],
      [{ address: '2001:db8::20', port: 53, forwarding: 'route', weight: 2, upperThreshold: 0, lowerThreshold: 0, ...zero }],
      [
        {
          address: '198.18.64.3',
          port: 0,
          forwarding: 'tunnel',
          weight: 4,
          upperThreshold: 0,
          lowerThreshold: 0,
          tunnel: { type: 'gue', port: 6080, checksum: 'csum' },
          ...zero,
        },
        { address: '198.18.64.4', port: 0, forwarding: 'tunnel', weight: 0, upperThreshold: 0, lowerThreshold: 0, tunnel: { type: 'ipip' }, ...zero },
      ],
    ]);
  });

  it('carry the same bytes as our NEW_SERVICE and NEW_DEST requests for what they name and configure', () => {
    /** The attributes inside a request's or a reply's nest of this type. */
    const nestAttrs = (message: Buffer, nestType: number) => parseAttrs(parseAttrs(message, GENL_ATTRS_OFFSET).get(nestType) ?? Buffer.alloc(0));
    const request = (change: Parameters<typeof changeRequest>[0]) => {
      const r = changeRequest(change);
      return genlMessage(0x20, r.cmd, 5, 1, r.attrs);
    };
    recorded('GET_SERVICE').forEach((message, i) => {
      const service = services[i] as ObservedService;
      const kernel = nestAttrs(message, 1);
      const ours = nestAttrs(request({ kind: 'add-service', service: settingsOf({ ...service, destinations: [] }) }), 1);
      // AF, PROTOCOL, ADDR, PORT, FWMARK, SCHED_NAME, TIMEOUT, NETMASK (FLAGS: the kernel adds its internal "hashed" bit).
      for (const type of [1, 2, 3, 4, 5, 6, 8, 9])
        expect(kernel.get(type)?.toString('hex'), `service ${i} attribute ${type}`).toBe(ours.get(type)?.toString('hex'));
    });
    perService.forEach((messages, i) => {
      const service = services[i] as ObservedService;
      messages.forEach((message, j) => {
        const dest = destinations[i]?.[j] as ObservedDestination;
        const kernel = nestAttrs(message, 2);
        const ours = nestAttrs(request({ kind: 'add-destination', service: service.key, destination: dest }), 2);
        // ADDR, PORT, FWD_METHOD, WEIGHT, U_THRESH, L_THRESH, ADDR_FAMILY, TUN_TYPE, TUN_PORT, TUN_FLAGS.
        for (const type of [1, 2, 3, 4, 5, 6, 11, 13, 14, 15])
          expect(kernel.get(type)?.toString('hex'), `service ${i} dest ${j} attribute ${type}`).toBe(ours.get(type)?.toString('hex'));
      });
    });
  });
});
