// The socket layer on this host's real kernel, without IPVS: the generic
// netlink controller ("nlctrl") answers CTRL_CMD_GETFAMILY, with a reply and
// an ACK for a known family and ENOENT for an unknown one. Thousands of such
// requests pipelined must come back each with its own outcome, in order.
import { describe, expect, it } from 'vitest';
import { CTRL_CMD_GETFAMILY, CTRL_CMD_GETPOLICY, familyIdOf, parseAttrs, str } from '../../src/kernel/netlink/ipvs-codec';
import { GenlSocket, loadNetlinkAddon } from '../../src/kernel/netlink/socket';

const CTRL_ATTR_FAMILY_NAME = 2;
let addonLoads = true;
try {
  loadNetlinkAddon();
} catch {
  addonLoads = false;
}

describe.runIf(addonLoads && process.platform === 'linux')('GenlSocket on the real kernel (generic netlink controller)', () => {
  it('refuses to open a family the kernel does not have, with the reason', async () => {
    await expect(GenlSocket.open('no-such-family')).rejects.toThrow('the kernel has no no-such-family generic netlink family');
  });

  it('pipelines 3,000 requests and gives each its own outcome, in order', async () => {
    const socket = await GenlSocket.open('nlctrl');
    try {
      const names = Array.from({ length: 3000 }, (_, i) => (i % 7 === 3 ? `missing-${i}` : 'nlctrl'));
      const outcomes = await socket.requests(names.map((name) => ({ cmd: CTRL_CMD_GETFAMILY, attrs: [str(CTRL_ATTR_FAMILY_NAME, name)] })));
      expect(outcomes).toHaveLength(names.length);
      const wrong = outcomes.flatMap((o, i) => {
        const missing = names[i]?.startsWith('missing-') === true;
        const ok = missing ? o.errno === 2 && o.replies.length === 0 : o.errno === 0 && familyIdOf(o.replies[0]?.attrs ?? new Map<number, Buffer>()) === 0x10;
        return ok ? [] : [i];
      });
      expect(wrong).toEqual([]);
    } finally {
      socket.close();
    }
  });

  it('runs a dump to its end, each message to the decoder, and says the socket is closed afterwards', async () => {
    const socket = await GenlSocket.open('nlctrl');
    const names: string[] = [];
    const errno = await socket.dump({
      request: { cmd: CTRL_CMD_GETFAMILY, attrs: [], dump: true },
      onMessage: (buf, start, end) => names.push(parseAttrs(buf, start, end).get(CTRL_ATTR_FAMILY_NAME)?.toString('latin1').replace(/\0.*$/, '') ?? '?'),
    });
    expect(errno).toBe(0);
    expect(names).toContain('nlctrl');
    socket.close();
    await expect(socket.dump({ request: { cmd: CTRL_CMD_GETFAMILY, attrs: [], dump: true }, onMessage: () => undefined })).rejects.toThrow('closed');
  });

  it('runs 2,000 dumps back to back on three sockets, each message to its own dump, and stops a series at a refused dump', async () => {
    const sockets = await Promise.all([0, 1, 2].map(() => GenlSocket.open('nlctrl')));
    try {
      // CTRL_CMD_GETPOLICY for one family: a small multipart answer, like GET_DEST for one service.
      const policyDump = (family: string, onMessage: () => void) => ({
        request: { cmd: CTRL_CMD_GETPOLICY, attrs: [str(CTRL_ATTR_FAMILY_NAME, family)], dump: true },
        onMessage,
      });
      let perDump = 0;
      await sockets[0]?.dump(policyDump('nlctrl', () => perDump++));
      expect(perDump).toBeGreaterThan(1);
      const counts = new Map<number, number>();
      let next = 0;
      const errnos = await Promise.all(
        sockets.map((socket) =>
          socket.dumps(() => {
            const i = next++;
            return i < 2000 ? policyDump('nlctrl', () => counts.set(i, (counts.get(i) ?? 0) + 1)) : null;
          }),
        ),
      );
      expect(errnos).toEqual([0, 0, 0]);
      expect(counts.size).toBe(2000);
      expect([...counts.values()].filter((n) => n !== perDump)).toEqual([]);
      // A family that does not exist: the kernel refuses the dump (ENOENT) and the series ends there.
      let asked = 0;
      let received = 0;
      const refused = await sockets[1]?.dumps(() => (asked++ < 5 ? policyDump(asked === 2 ? 'no-such-family' : 'nlctrl', () => received++) : null));
      expect(refused).toBe(2);
      expect(asked).toBe(2);
      expect(received).toBe(perDump);
      // The socket still works after a refused dump.
      expect(await sockets[1]?.dump(policyDump('nlctrl', () => undefined))).toBe(0);
    } finally {
      for (const socket of sockets) socket.close();
    }
  });
});
