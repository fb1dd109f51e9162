// Issue 19, point 1: the shared rules' issues and the agent's refusals carry
// a message id; the console says them in its language, with the English text
// as the fallback for an id it does not know.
import { describe, expect, it } from 'vitest';
import { useChineseCatalog } from './chinese-catalog';
import { MESSAGE_TEXTS, type MessageId } from '@lvs-console/shared';
import { validateService } from '@lvs-console/shared/validate';
import { localIssue, localMessage, MESSAGE_KEYS } from '../src/lib/error-text';
import en from '../src/locales/en';
import zhCN from '../src/locales/zh-CN';

const service = (port: number, destinationPort: number) => ({
  key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port },
  scheduler: 'wlc',
  flags: [],
  onePacket: false,
  persistence: null,
  destinations: [{ address: '10.0.0.7', port: destinationPort, forwarding: 'route', weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
});

function issuesOf(input: unknown) {
  const checked = validateService(input);
  if (checked.ok) throw new Error('expected issues');
  return checked.issues;
}

describe('messages by id', () => {
  useChineseCatalog();

  it("has the console's catalog key of every shared message, equal to its English text", () => {
    for (const id of Object.keys(MESSAGE_TEXTS) as MessageId[]) expect(MESSAGE_KEYS[id]).toBe(MESSAGE_TEXTS[id]);
  });

  it('has an English and a Chinese text for every message id, the Chinese one in Chinese', () => {
    const ids = Object.keys(MESSAGE_TEXTS) as MessageId[];
    // The keepalived warnings, the ipvsadm paste's refusals and the recorded "what" texts are among them.
    expect(ids).toEqual(expect.arrayContaining(['kaRootIgnored', 'kaVrrpPeers', 'ipvsServiceUndefined', 'importNothing', 'auditAdoptedAtStart', 'editWeight']));
    const textOf = (catalog: Record<string, string>, key: string) => catalog[key] ?? catalog[`${key}_other`];
    // English: the key is the text (the English catalog holds only plural forms).
    const missing = ids.filter(
      (id) => (MESSAGE_KEYS[id].includes('{{count}}') && !en[`${MESSAGE_KEYS[id]}_one`]) || textOf(zhCN, MESSAGE_KEYS[id]) === undefined,
    );
    expect(missing).toEqual([]);
    // Only parameters and punctuation (or a term kept as is) may stay without Han characters.
    const untranslated = ids.filter((id) => {
      const words = MESSAGE_KEYS[id].replace(/\{\{\w+\}\}/g, '');
      return /[A-Za-z]{2,} [A-Za-z]{2,}/.test(words) && !/\p{Script=Han}/u.test(textOf(zhCN, MESSAGE_KEYS[id]) ?? '');
    });
    expect(untranslated).toEqual([]);
  });

  it("says a schema's fixed text, a rule with parameters and a bad address in Chinese", () => {
    const [range] = issuesOf(service(70000, 70000)).filter((i) => i.path === 'key.port');
    expect(range && localIssue(range)).toBe('端口必须在 0 到 65535 之间');
    const [fixed] = issuesOf(service(80, 8080));
    expect(fixed?.messageId).toBe('directPortFixed');
    expect(fixed && localIssue(fixed)).toBe('DR 不能改变端口：真实服务器端口必须是 80（服务端口），而不是 8080；要映射端口请使用 NAT（masq）');
    const [address] = issuesOf({ ...service(80, 80), key: { kind: 'addr', protocol: 'tcp', address: '300.1.2.3', port: 80 } });
    expect(address && localIssue(address)).toBe('“300.1.2.3”不是有效的 IPv4 或 IPv6 地址');
  });

  it('keeps the English text for an issue or error without a known id', () => {
    expect(localIssue({ path: 'x', message: 'something new from a newer agent' })).toBe('something new from a newer agent');
    expect(localMessage('noSuchId', {}, 'the English text')).toBe('the English text');
    expect(localMessage('revisionConflict', { base: 3, current: 5 }, 'x')).toBe('期望状态在版本 3 之后已被修改（现在是版本 5）；请重新加载后再试');
  });
});
