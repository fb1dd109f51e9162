// Host settings' messages carry an id and parameters beside the same English
// text the CLI and API users always read (issue 19 point 1, the host family).
import { describe, expect, it } from 'vitest';
import { MESSAGE_TEXTS, messageText, type HostSetting } from '../../src/model';
import {
  aboutHostSetting,
  addressStatusText,
  alreadySetText,
  describeHostSetting,
  hostSettingDescription,
  moduleStatusText,
  sysctlStatusText,
} from '../../src/host';

const ipForward = { kind: 'sysctl', name: 'net.ipv4.ip_forward', value: '1', reason: '' } as const;
const ipip = { kind: 'module', name: 'ipip', reason: '' } as const;
const vip = { kind: 'address', address: '192.0.2.10', prefixLength: 32, interface: 'eth0', reason: '' } as const;
const snat: HostSetting = {
  kind: 'snat',
  service: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
  sourceAddress: '10.0.0.1',
  reason: '',
};

describe('host setting messages', () => {
  it('describes each row in the same English as before, from an id and parameters', () => {
    expect([ipForward, vip, ipip, snat].map(describeHostSetting)).toEqual([
      'sysctl net.ipv4.ip_forward = 1',
      'address 192.0.2.10/32 on eth0',
      'kernel module ipip',
      'source NAT of TCP 192.0.2.10:80 to 10.0.0.1',
    ]);
    const { id, params } = hostSettingDescription(snat);
    expect(messageText(id, params)).toBe(describeHostSetting(snat));
  });

  it("says a row's state with its id: missing, wrong, in place", () => {
    expect(sysctlStatusText(ipForward, '0', false)).toEqual({
      message: 'net.ipv4.ip_forward is 0, should be 1',
      messageId: 'hostSysctlWrong',
      params: { name: 'net.ipv4.ip_forward', actual: '0', value: '1' },
    });
    expect(sysctlStatusText(ipForward, null, false).message).toBe('net.ipv4.ip_forward does not exist on this host');
    expect(sysctlStatusText(ipForward, '1', true).message).toBe('net.ipv4.ip_forward = 1');
    expect(addressStatusText(vip, false).message).toBe('192.0.2.10/32 is not on eth0');
    expect(moduleStatusText(ipip, false).message).toBe('kernel module ipip is not loaded');
    expect(aboutHostSetting('hostSet', snat).message).toBe('set: source NAT of TCP 192.0.2.10:80 to 10.0.0.1');
  });

  it('keeps the id of the status inside "already set"', () => {
    const text = alreadySetText(moduleStatusText(ipip, true));
    expect(text.message).toBe('already set: ipip is loaded');
    expect(text.messageId).toBe('hostAlreadySet');
    expect(text.params).toMatchObject({ statusId: 'hostModuleLoaded', name: 'ipip', status: 'ipip is loaded' });
    // A status without an id (a program's own words) stays as it came.
    expect(alreadySetText({ message: 'RTNETLINK answers: File exists' }).params).toEqual({ status: 'RTNETLINK answers: File exists' });
  });

  it('has English text for every host and VIP id it uses', () => {
    for (const id of ['hostSysctlRow', 'hostAlreadySet', 'vipNotOnInterface', 'hostTableDeleted'] as const) expect(MESSAGE_TEXTS[id]).toBeTruthy();
  });
});
