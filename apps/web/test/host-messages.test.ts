// The host family of the agent's messages in Chinese (issue 19 point 1): a
// row's state, a fix's result with the row's own description inside it, and
// "already set" with its nested status, each from its id and parameters;
// a message without an id stays as the agent wrote it.
import { describe, expect, it } from 'vitest';
import { useChineseCatalog } from './chinese-catalog';
import { describedText, type HostSetting } from '@lvs-console/shared';
import { aboutHostSetting, alreadySetText, moduleStatusText, sysctlStatusText } from '@lvs-console/shared/host';
import { localHostMessage, localHostSetting } from '../src/features/realservers/host-messages';

const ipForward = { kind: 'sysctl', name: 'net.ipv4.ip_forward', value: '1', reason: '' } as const;
const ipip = { kind: 'module', name: 'ipip', reason: '' } as const;
const snat: HostSetting = {
  kind: 'snat',
  service: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
  sourceAddress: '10.0.0.1',
  reason: '',
};
/** English words a Chinese message must not carry (names, values and commands may stay). */
const ENGLISH = /\b(is|not|should|be|set|already|loaded|no|of|to|on|from|the|source)\b/;

describe('host messages in Chinese', () => {
  useChineseCatalog();

  it("says a row's state", () => {
    expect(localHostMessage({ setting: ipForward, ...sysctlStatusText(ipForward, '0', false) })).toBe('net.ipv4.ip_forward 当前为 0，应为 1');
    expect(localHostMessage({ setting: ipip, ...moduleStatusText(ipip, false) })).toBe('内核模块 ipip 未加载');
  });

  it('says the row inside a result in Chinese too', () => {
    const text = localHostMessage({ setting: snat, ...aboutHostSetting('hostSet', snat) });
    expect(text).toBe('已设置：TCP 192.0.2.10:80 的源地址转换（SNAT）到 10.0.0.1');
    expect(text).not.toMatch(ENGLISH);
    expect(localHostSetting(ipip)).toBe('内核模块 ipip');
  });

  it('says the status nested in "already set"', () => {
    expect(localHostMessage({ setting: ipip, ...alreadySetText(moduleStatusText(ipip, true)) })).toBe('原本已设置：ipip 已加载');
  });

  it('says who holds a VIP', () => {
    const text = localHostMessage(describedText('vipNotOnInterface', { address: '192.0.2.10', interface: 'eth0' }));
    expect(text).toContain('VIP 192.0.2.10 未配置在本调度器的 eth0 上');
    expect(text).not.toMatch(ENGLISH);
  });

  it("keeps a program's own words (no id) as they came", () => {
    expect(localHostMessage({ setting: ipip, message: 'modprobe: FATAL: Module ipip not found' })).toBe('modprobe: FATAL: Module ipip not found');
  });
});
