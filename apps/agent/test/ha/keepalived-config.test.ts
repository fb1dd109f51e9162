// The VRRP configuration the agent renders, checked by keepalived's own
// parser (`keepalived -t`): exit 0 and no warning for every shape we write.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateState } from '@lvs-console/shared';
import { renderVrrpConfig } from '@lvs-console/shared/ha';

const keepalived = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
const isRoot = process.getuid?.() === 0;
const installed = keepalived.error === undefined && isRoot;
const required = process.env.LVS_REQUIRE_TOOLS === '1';

function check(text: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-ka-'));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, text);
  // keepalived -t refuses interfaces the host lacks: check in a network
  // namespace of our own that has exactly eth0 and eth1 (a veth pair).
  const result = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link add eth0 type veth peer name eth1 && exec keepalived -t -l -f "$1"', 'sh', file], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const services = [
  { key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 }, destinations: [] },
  { key: { kind: 'addr', protocol: 'udp', address: '192.0.2.11', port: 53 }, destinations: [] },
  { key: { kind: 'addr', protocol: 'tcp', address: '2001:db8::10', port: 443 }, destinations: [] },
];
const directors = [
  { name: 'lb1', address: '198.51.100.1' },
  { name: 'lb2', address: '198.51.100.2' },
];
const shapes: Array<[string, Record<string, unknown>]> = [
  ['multicast, preempt', { instances: [{ name: 'VI_1', interface: 'eth0', virtualRouterId: 51, priorities: { lb1: 150, lb2: 100 } }] }],
  [
    'unicast, password, nopreempt, slow adverts',
    {
      instances: [
        {
          name: 'VI_1',
          interface: 'eth0',
          virtualRouterId: 51,
          priorities: { lb1: 150, lb2: 100 },
          unicast: true,
          password: 'p@ss:1',
          preempt: false,
          advertInterval: 3,
        },
      ],
    },
  ],
  ['preempt delay', { instances: [{ name: 'VI_1', interface: 'eth1', virtualRouterId: 7, priorities: { lb1: 150, lb2: 100 }, preemptDelay: 30 }] }],
  [
    'active/active: two instances, sync follows the second',
    {
      instances: [
        { name: 'VI_web', interface: 'eth0', virtualRouterId: 51, priorities: { lb1: 150, lb2: 100 }, addresses: ['192.0.2.10', '2001:db8::10'] },
        { name: 'VI_dns', interface: 'eth1', virtualRouterId: 52, priorities: { lb1: 100, lb2: 150 }, addresses: ['192.0.2.11'] },
      ],
      sync: { interface: 'eth0', syncId: 9, instance: 'VI_dns' },
    },
  ],
];

describe.skipIf(!installed && !required)('keepalived -t accepts every VRRP configuration the agent writes', () => {
  it("keepalived is installed (npm test installs Debian's keepalived)", () => {
    expect(keepalived.error, 'keepalived is missing: apt-get install keepalived').toBeUndefined();
    expect(isRoot, 'the check runs keepalived -t in a network namespace of its own, which needs root').toBe(true);
  });

  it.each(shapes)('%s', (_name, ha) => {
    const state = validateState({ services, ha: { directors, ...ha } });
    if (!state.ok) throw new Error(JSON.stringify(state.issues));
    for (const self of ['lb1', 'lb2']) {
      const result = check(renderVrrpConfig(state.value, { self, notifyFifo: '/run/lvs-console/vrrp.fifo', holdFile: '/run/lvs-console/hold' }));
      expect(result.output).not.toMatch(/warning|unknown keyword|error/i);
      expect(result.status, result.output).toBe(0);
    }
  });

  it('the checker can fail: a VRID keepalived refuses exits non-zero', () => {
    const result = check('vrrp_instance X {\n  interface eth0\n  virtual_router_id 300\n  priority 100\n}\n');
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/VRID '300' not valid/);
  });
});
