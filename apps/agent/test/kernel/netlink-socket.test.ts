// The socket layer on this host's real kernel, without IPVS: the generic
// netlink controller ("nlctrl") answers CTRL_CMD_GETFAMILY, with a reply and
// an ACK for a known family and ENOENT for an unknown one. Thousands of such
// requests pipelined must come back each with its own outcome, in order.
import { describe, expect, it } from 'vitest';
import { CTRL_CMD_GETFAMILY, familyIdOf, str } from '../../src/kernel/netlink/ipvs-codec';
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

  it('runs a dump to its end and says the socket is closed afterwards', async () => {
    const socket = await GenlSocket.open('nlctrl');
    const families = await socket.dump({ cmd: CTRL_CMD_GETFAMILY, attrs: [], dump: true });
    expect(families.errno).toBe(0);
    expect(families.replies.length).toBeGreaterThan(1);
    socket.close();
    await expect(socket.dump({ cmd: CTRL_CMD_GETFAMILY, attrs: [], dump: true })).rejects.toThrow('closed');
  });
});
