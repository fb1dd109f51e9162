// The audit log keeps what the agent said in English words, not message ids:
// a recorded text that is exactly one shared message is shown in the
// console's language; anything else stays as recorded.
import { describe, expect, it } from 'vitest';
import { messageText } from '@lvs-console/shared';
import { localRecordedText } from '../src/lib/error-text';
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
});
