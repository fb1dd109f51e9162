// The audit log keeps what the agent said in English words, not message ids:
// a recorded text that is exactly one shared message is shown in the
// console's language; anything else stays as recorded.
import { describe, expect, it } from 'vitest';
import { describedText, messageText } from '@lvs-console/shared';
import { localRecorded, localRecordedText } from '../src/lib/error-text';
import { useChineseCatalog } from './chinese-catalog';

describe('recorded agent texts in Chinese', () => {
  useChineseCatalog();

  it('translates a recorded shared message with its parameters', () => {
    const refused = messageText('needsOperator', { name: 'viewer', role: 'viewer' });
    expect(refused).toBe('viewer (viewer) may not make this change: it needs an operator or an admin');
    const local = localRecordedText(refused);
    expect(local).toMatch(/\p{Script=Han}/u);
    expect(local).toContain('viewer');
    const exists = localRecordedText(messageText('serviceExists', { service: 'TCP 192.0.2.10:80' }));
    expect(exists).toMatch(/\p{Script=Han}/u);
    expect(exists).toContain('TCP 192.0.2.10:80');
  });

  it('keeps any other text as recorded, a longer text around a message included', () => {
    expect(localRecordedText('the kernel refused 1 of 2 changes: no such file')).toBe('the kernel refused 1 of 2 changes: no such file');
    const around = `apply failed: ${messageText('serviceExists', { service: 'TCP 192.0.2.10:80' })}`;
    expect(localRecordedText(around)).toBe(around);
  });

  it('says a new entry by its message id, and an old entry (what alone) as it was recorded', () => {
    const login = describedText('auditLoggedIn', { client: '127.0.0.1' });
    expect(localRecorded({ what: login.message, whatId: login.messageId, whatParams: login.params })).toBe('已登录（来自 127.0.0.1）');
    const edit = describedText('editWeight', { server: '10.0.0.1:80', service: 'TCP 192.0.2.10:80', weight: 0 });
    expect(localRecorded({ what: edit.message, whatId: edit.messageId, whatParams: edit.params })).toBe('把 TCP 192.0.2.10:80 中 10.0.0.1:80 的权重设为 0');
    // An entry recorded before ids: the English words, translated when they are exactly one message.
    expect(localRecorded({ what: 'adopted the kernel table at first start' })).toBe('首次启动时接管了内核规则表');
    expect(localRecorded({ what: 'something an older agent said' })).toBe('something an older agent said');
    // An id this console does not know (a newer agent): the English words.
    expect(localRecorded({ what: 'a newer text', whatId: 'noSuchIdYet', whatParams: {} })).toBe('a newer text');
  });
});
