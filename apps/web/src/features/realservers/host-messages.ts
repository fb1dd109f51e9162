// What the agent says about host settings (a row's state on this host, what
// "Fix director settings" did, who holds a VIP) in the console's language:
// each carries a message id and parameters beside its English text. A row's
// own description (param `setting`) and a nested status (`statusId`) are said
// in the same language; a program's own words (stderr) stay as they came.
import { isMessageId, type HostSetting, type MessageParams } from '@lvs-console/shared';
import { hostSettingDescription } from '@lvs-console/shared/host';
import { localMessage } from '../../lib/error-text';

/** A row's one-liner ("sysctl net.ipv4.ip_forward = 1") in the console's language. */
export function localHostSetting(setting: HostSetting): string {
  const { id, params } = hostSettingDescription(setting);
  return localMessage(id, params, '');
}

export interface DescribedHostText {
  setting?: HostSetting;
  message: string;
  messageId?: unknown;
  params?: MessageParams;
}

/** A status, result or VIP message in the console's language, the English text when it has no id. */
export function localHostMessage(row: DescribedHostText): string {
  const { statusId, ...params } = row.params ?? {};
  if (row.setting && 'setting' in params) params.setting = localHostSetting(row.setting);
  if (isMessageId(statusId)) params.status = localMessage(statusId, params, String(params.status ?? ''));
  return localMessage(row.messageId, params, row.message);
}
