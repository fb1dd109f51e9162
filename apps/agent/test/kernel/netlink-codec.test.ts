// The IPVS generic-netlink codec against byte layouts worked out by hand
// from include/uapi/linux/ip_vs.h and the kernel's attribute policies
// (ip_vs_ctl.c): nlattr {u16 len, u16 type}, 4-byte padding, ports and
// tunnel ports big-endian, a v4 persistence netmask as the mask's bytes.
import { describe, expect, it } from 'vitest';
import { KERNEL_MESSAGES } from '@lvs-console/shared/kernel';
import type { Change, ServiceSettings } from '@lvs-console/shared/plan';
import {
  IPVS_CMD,
  NLA_F_NESTED,
  attr,
  be16,
  changeRequest,
  decodeDaemon,
  decodeDestination,
  decodeInfo,
  decodeService,
  decodeTimeouts,
  errnoMessage,
  genlMessage,
  ipvsadmRefusal,
  nested,
  parseAttrs,
  parseReplies,
  str,
  u16,
  u32,
  u8,
} from '../../src/kernel/netlink/ipvs-codec';

const hex = (b: Buffer): string => b.toString('hex');
const bytes = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

const WEB: ServiceSettings = {
  key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
  scheduler: 'wrr',
  flags: [],
  persistence: null,
  onePacket: false,
};

/** A u64 attribute (the kernel's nla_put_u64_64bit). */
function u64(type: number, value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value, 0);
  return attr(type, b);
}

/** The attributes of a request as the kernel parses them (after the 20 header bytes). */
function requestAttrs(change: Change): Map<number, Buffer> {
  return parseAttrs(genlMessage(0x22, changeRequest(change).cmd, 5, 1, changeRequest(change).attrs), 20);
}

describe('netlink attributes', () => {
  it('lays out u8, u16, be16, u32 and strings with 4-byte padding', () => {
    expect(hex(u8(13, 1))).toBe('05000d0001000000');
    expect(hex(u16(1, 2))).toBe('0600010002000000');
    expect(hex(be16(4, 80))).toBe('0600040000500000');
    expect(hex(u32(8, 360))).toBe('0800080068010000');
    expect(hex(str(6, 'wrr'))).toBe('0800060077727200');
    expect(hex(str(6, 'lblcr'))).toBe('0a0006006c626c6372000000');
  });

  it('marks nested attributes with NLA_F_NESTED and reads them back without it', () => {
    const n = nested(1, [u16(1, 2)]);
    expect(hex(n)).toBe('0c0001800600010002000000');
    expect(n.readUInt16LE(2) & NLA_F_NESTED).toBe(NLA_F_NESTED);
    expect(parseAttrs(n).get(1)).toEqual(u16(1, 2));
  });
});

describe('IPVS requests', () => {
  it('NEW_SERVICE for tcp 192.0.2.10:80 wrr: every byte', () => {
    const request = changeRequest({ kind: 'add-service', service: WEB });
    expect(request.cmd).toBe(IPVS_CMD.NEW_SERVICE);
    const message = genlMessage(0x22, request.cmd, 0x5, 7, request.attrs);
    expect(hex(message)).toBe(
      hex(
        bytes(
          `
      68000000 2200 0500 07000000 00000000   # nlmsghdr: 104 bytes, family 0x22, REQUEST|ACK, seq 7, port 0
      01 01 0000                             # genlmsghdr: NEW_SERVICE, version 1
      54000180                               # IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED, 84 bytes
        0600 0100 0200 0000                  # AF = AF_INET
        0600 0200 0600 0000                  # PROTOCOL = 6
        1400 0300 c000020a 00000000 00000000 00000000   # ADDR (union nf_inet_addr)
        0600 0400 0050 0000                  # PORT 80, network order
        0800 0600 77727200                   # SCHED_NAME "wrr"
        0c00 0700 00000000 ffffffff          # FLAGS {flags 0, mask ~0}
        0800 0800 00000000                   # TIMEOUT 0
        0800 0900 ffffffff                   # NETMASK 255.255.255.255
    `.replace(/#[^\n]*/g, ''),
        ),
      ),
    );
  });

  it('persistence, one-packet and scheduler flags go into FLAGS, TIMEOUT, NETMASK and PE_NAME', () => {
    const v4 = requestAttrs({
      kind: 'add-service',
      service: {
        ...WEB,
        key: { kind: 'addr', protocol: 'udp', address: '192.0.2.53', port: 53 },
        scheduler: 'sh',
        flags: ['sh-port'],
        onePacket: true,
        persistence: { timeout: 600, netmaskPrefix: 24, engine: 'sip' },
      },
    });
    const svc = parseAttrs(v4.get(1) as Buffer);
    // PERSISTENT 0x1 | ONEPACKET 0x4 | SCHED2 0x10
    expect(hex(svc.get(7) as Buffer)).toBe('15000000ffffffff');
    expect(hex(svc.get(8) as Buffer)).toBe('58020000');
    expect(hex(svc.get(9) as Buffer)).toBe('ffffff00');
    expect((svc.get(11) as Buffer).toString('latin1')).toBe('sip\0');
    const v6 = requestAttrs({
      kind: 'add-service',
      service: { ...WEB, key: { kind: 'fwmark', fwmark: 7, family: 'inet6' }, persistence: { timeout: 120, netmaskPrefix: 64 } },
    });
    const svc6 = parseAttrs(v6.get(1) as Buffer);
    expect(hex(svc6.get(1) as Buffer)).toBe('0a00'); // AF_INET6
    expect(hex(svc6.get(5) as Buffer)).toBe('07000000'); // FWMARK
    expect(svc6.has(3)).toBe(false);
    expect(hex(svc6.get(9) as Buffer)).toBe('40000000'); // v6: the prefix length
  });

  it('NEW_DEST: a DR port follows the service port; tunnel type, port and flags as ipvsadm 1.31 sends them', () => {
    const route = requestAttrs({
      kind: 'add-destination',
      service: WEB.key,
      destination: { address: '198.51.100.11', port: 8080, forwarding: 'route', weight: 3, upperThreshold: 1000, lowerThreshold: 600 },
    });
    const dest = parseAttrs(route.get(2) as Buffer);
    expect(hex(dest.get(11) as Buffer)).toBe('0200');
    expect(hex(dest.get(1) as Buffer)).toBe('c633640b000000000000000000000000');
    expect(hex(dest.get(2) as Buffer)).toBe('0050');
    expect(hex(dest.get(3) as Buffer)).toBe('03000000'); // IP_VS_CONN_F_DROUTE
    expect(hex(dest.get(4) as Buffer)).toBe('03000000');
    expect(hex(dest.get(5) as Buffer)).toBe('e8030000');
    expect(hex(dest.get(6) as Buffer)).toBe('58020000');
    const gue = requestAttrs({
      kind: 'add-destination',
      service: WEB.key,
      destination: {
        address: '198.51.100.83',
        port: 80,
        forwarding: 'tunnel',
        weight: 1,
        upperThreshold: 0,
        lowerThreshold: 0,
        tunnel: { type: 'gue', port: 6080, checksum: 'csum' },
      },
    });
    const tun = parseAttrs(gue.get(2) as Buffer);
    expect(hex(tun.get(3) as Buffer)).toBe('02000000'); // IP_VS_CONN_F_TUNNEL
    expect(hex(tun.get(13) as Buffer)).toBe('01'); // GUE
    expect(hex(tun.get(14) as Buffer)).toBe('17c0'); // 6080, network order
    expect(hex(tun.get(15) as Buffer)).toBe('0100'); // IP_VS_TUNNEL_ENCAP_FLAG_CSUM
  });

  it('DEL_DEST carries only the service and the destination that name them; SET_CONFIG leaves out zeros', () => {
    const del = changeRequest({
      kind: 'delete-destination',
      service: WEB.key,
      destination: { address: '198.51.100.11', port: 8080, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
    });
    expect(del.cmd).toBe(IPVS_CMD.DEL_DEST);
    const dest = parseAttrs(parseAttrs(genlMessage(1, del.cmd, 5, 1, del.attrs), 20).get(2) as Buffer);
    expect([...dest.keys()].sort((x, y) => x - y)).toEqual([1, 2, 11]);
    expect(hex(dest.get(2) as Buffer)).toBe('1f90');
    const timeouts = changeRequest({ kind: 'set-timeouts', from: null, to: { tcp: 0, tcpFin: 0, udp: 45 } });
    expect(timeouts.attrs.map(hex)).toEqual(['080006002d000000']);
  });

  it('NEW_DAEMON: state, interface, sync id and the optional multicast settings', () => {
    const request = changeRequest({
      kind: 'start-daemon',
      daemon: { state: 'backup', interface: 'lvs0', syncId: 9, group: '239.1.2.3', port: 8849, ttl: 2, maxLength: 1400 },
    });
    expect(request.cmd).toBe(IPVS_CMD.NEW_DAEMON);
    const daemon = parseAttrs(parseAttrs(Buffer.concat(request.attrs)).get(3) as Buffer);
    expect(hex(daemon.get(1) as Buffer)).toBe('02000000');
    expect((daemon.get(2) as Buffer).toString('latin1')).toBe('lvs0\0');
    expect(hex(daemon.get(3) as Buffer)).toBe('09000000');
    expect(hex(daemon.get(4) as Buffer)).toBe('7805');
    expect(hex(daemon.get(5) as Buffer)).toBe('ef010203');
    expect(hex(daemon.get(7) as Buffer)).toBe('9122'); // 8849, host order (ip_vs_sync.c converts it)
    expect(hex(daemon.get(8) as Buffer)).toBe('02');
  });
});

describe('IPVS replies', () => {
  it('reads a GET_SERVICE reply: key, settings, 64-bit counters and the kernel rates', () => {
    const reply = Buffer.concat([
      nested(1, [
        u16(1, 10),
        u16(2, 6),
        attr(3, bytes('20010db8000000000000000000000010')),
        be16(4, 443),
        str(6, 'sh'),
        attr(7, bytes('1b000000ffffffff')),
        u32(8, 120),
        u32(9, 64),
        nested(12, [
          u64(1, 5n),
          u64(2, 6_000_000_000n),
          u64(3, 7n),
          u64(4, 2n ** 40n),
          u64(5, 9n),
          u64(6, 1n),
          u64(7, 2n),
          u64(8, 3n),
          u64(9, 4n),
          u64(10, 5n),
        ]),
      ]),
    ]);
    expect(decodeService(reply)).toEqual({
      key: { kind: 'addr', protocol: 'tcp', address: '2001:db8::10', port: 443 },
      scheduler: 'sh',
      flags: ['sh-fallback', 'sh-port'],
      persistence: { timeout: 120, netmaskPrefix: 64 },
      onePacket: false,
      destinations: [],
      stats: { conns: 5, inPkts: 6_000_000_000, outPkts: 7, inBytes: 2 ** 40, outBytes: 9 },
      rates: { cps: 1, inPps: 2, outPps: 3, inBps: 4, outBps: 5 },
    });
  });

  it('reads a v4 /24 netmask, a fwmark service and a full netmask as no netmask', () => {
    const fw = nested(1, [u16(1, 2), u32(5, 7), str(6, 'wlc'), attr(7, bytes('03000000ffffffff')), u32(8, 600), attr(9, bytes('ffffff00'))]);
    expect(decodeService(fw)).toMatchObject({ key: { kind: 'fwmark', fwmark: 7, family: 'inet' }, persistence: { timeout: 600, netmaskPrefix: 24 } });
    const full = nested(1, [u16(1, 2), u32(5, 8), str(6, 'wlc'), attr(7, bytes('01000000ffffffff')), u32(8, 300), attr(9, bytes('ffffffff'))]);
    expect(decodeService(full)?.persistence).toEqual({ timeout: 300 });
  });

  it('reads a GET_DEST reply with tunnel options and connection numbers', () => {
    const reply = Buffer.concat([
      nested(2, [
        attr(1, bytes('c6336453000000000000000000000000')),
        be16(2, 80),
        u32(3, 2),
        u32(4, 1),
        u32(5, 0),
        u32(6, 0),
        u32(7, 4),
        u32(8, 5),
        u32(9, 6),
        u16(11, 2),
        u8(13, 1),
        be16(14, 6080),
        u16(15, 1),
        nested(12, [u64(1, 1n), u64(2, 2n), u64(3, 3n), u64(4, 4n), u64(5, 5n)]),
      ]),
    ]);
    expect(decodeDestination(reply, 'inet')).toEqual({
      address: '198.51.100.83',
      port: 80,
      forwarding: 'tunnel',
      weight: 1,
      upperThreshold: 0,
      lowerThreshold: 0,
      tunnel: { type: 'gue', port: 6080, checksum: 'csum' },
      activeConns: 4,
      inactiveConns: 5,
      persistentConns: 6,
      stats: { conns: 1, inPkts: 2, outPkts: 3, inBytes: 4, outBytes: 5 },
      rates: { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 },
    });
  });

  it('reads daemons, timeouts and info', () => {
    expect(
      decodeDaemon(parseAttrs(nested(3, [u32(1, 1), str(2, 'eth0'), u32(3, 4), u16(4, 1472), attr(5, bytes('e0000051')), u16(7, 8848), u8(8, 1)]))),
    ).toEqual({ state: 'master', interface: 'eth0', syncId: 4, maxLength: 1472, group: '224.0.0.81', port: 8848, ttl: 1 });
    expect(decodeTimeouts(parseAttrs(Buffer.concat([u32(4, 900), u32(5, 120), u32(6, 300)])))).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
    expect(decodeInfo(parseAttrs(Buffer.concat([u32(1, 0x010201), u32(2, 4096)])))).toEqual({ ipvsVersion: '1.2.1', connTableSize: 4096 });
  });

  it('splits a datagram into data, ACK, error and DONE messages by sequence number', () => {
    const data = genlMessage(0x22, IPVS_CMD.NEW_SERVICE, 0x2, 9, [u32(4, 1)]);
    const ack = bytes('24000000 0200 0000 0a000000 00000000 00000000 00000000000000000000000000000000');
    const refused = bytes('24000000 0200 0000 0b000000 00000000 efffffff 00000000000000000000000000000000');
    const done = bytes('14000000 0300 0200 0c000000 00000000 00000000');
    const replies = parseReplies(Buffer.concat([data, ack, refused, done]));
    expect(replies.map((r) => [r.kind, r.seq, r.kind === 'ack' ? r.errno : null])).toEqual([
      ['data', 9, null],
      ['ack', 10, 0],
      ['ack', 11, 17],
      ['done', 12, null],
    ]);
  });
});

describe('errors in words an operator can act on', () => {
  it('maps (command, errno) the way ipvsadm does', () => {
    expect(errnoMessage(IPVS_CMD.NEW_DEST, 3)).toBe(KERNEL_MESSAGES.serviceNotDefined);
    expect(errnoMessage(IPVS_CMD.NEW_DEST, 17)).toBe(KERNEL_MESSAGES.destinationExists);
    expect(errnoMessage(IPVS_CMD.SET_DEST, 2)).toBe(KERNEL_MESSAGES.noSuchDestination);
    expect(errnoMessage(IPVS_CMD.DEL_SERVICE, 3)).toBe(KERNEL_MESSAGES.noSuchService);
    expect(errnoMessage(IPVS_CMD.NEW_DAEMON, 17)).toBe(KERNEL_MESSAGES.daemonRunning);
    expect(errnoMessage(IPVS_CMD.NEW_SERVICE, 22)).toBe(KERNEL_MESSAGES.invalid);
    expect(errnoMessage(IPVS_CMD.NEW_SERVICE, 2, { settings: { ...WEB, scheduler: 'twos' } })).toContain('the running kernel has no ip_vs_twos module');
    // Past ipvs_strerror's table, ipvsadm prints strerror(3)'s words; glibc's for an errno it does not know.
    expect(errnoMessage(IPVS_CMD.NEW_SERVICE, 999)).toBe('Unknown error 999');
    expect(errnoMessage(IPVS_CMD.NEW_SERVICE, 34)).toBe('Numerical result out of range');
    expect(errnoMessage(IPVS_CMD.SET_CONFIG, 16)).toBe('Device or resource busy');
  });

  it('a sync daemon on a missing interface: ipvsadm\'s "No such device", and which interface (issue 18)', () => {
    const daemon = { state: 'master' as const, interface: 'eth9', syncId: 0 };
    expect(errnoMessage(IPVS_CMD.NEW_DAEMON, 19)).toBe('No such device');
    expect(errnoMessage(IPVS_CMD.NEW_DAEMON, 19, { daemon })).toBe("No such device: the master sync daemon's interface eth9 does not exist on this host");
    expect(errnoMessage(IPVS_CMD.NEW_DAEMON, 17, { daemon })).toBe(KERNEL_MESSAGES.daemonRunning);
    expect(errnoMessage(IPVS_CMD.NEW_DAEMON, 99, { daemon })).toBe(
      'Cannot assign requested address: the master sync daemon cannot bind its multicast address on eth9',
    );
    // Per command: ESRCH is "No daemon is running" for DEL_DAEMON, "No such service" for DEL_SERVICE, strerror's words elsewhere.
    expect(errnoMessage(IPVS_CMD.DEL_DAEMON, 3)).toBe(KERNEL_MESSAGES.noDaemon);
    expect(errnoMessage(IPVS_CMD.SET_CONFIG, 3)).toBe('No such process');
  });

  it("refuses what ipvsadm refuses itself, with ipvsadm's words", () => {
    expect(ipvsadmRefusal({ kind: 'add-service', service: { ...WEB, key: { ...WEB.key, port: 0 } as ServiceSettings['key'] } })).toBe(
      'Zero port specified for non-persistent service',
    );
    expect(ipvsadmRefusal({ kind: 'add-service', service: { ...WEB, onePacket: true } })).toBe('One-Packet Scheduling is only for UDP virtual services');
    expect(
      ipvsadmRefusal({
        kind: 'add-destination',
        service: WEB.key,
        destination: { address: '2001:db8::1', port: 80, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
      }),
    ).toBe('Different address family is allowed only for tunneling servers');
    expect(ipvsadmRefusal({ kind: 'add-service', service: WEB })).toBeNull();
  });
});
