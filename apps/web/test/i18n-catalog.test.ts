// Every string the console shows has an English and a Simplified Chinese
// entry: the catalogs hold the same keys, every key the source uses is in
// them, translations keep their {{placeholders}}, and the setup scripts'
// comments come out in Chinese.
import { describe, expect, it } from 'vitest';
import { useChineseCatalog } from './chinese-catalog';
import { join } from 'node:path';
import { directorRequirements, realServerRequirements, renderShellSnippet } from '@lvs-console/shared/host';
import en from '../src/locales/en';
import zhCN from '../src/locales/zh-CN';
import { pickLanguage } from '../src/lib/i18n';
import { localizeShellComments } from '../src/features/realservers/localize-reasons';
import { isPluralKey, usedKeys } from './i18n-keys';

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;
const baseKeys = (catalog: Record<string, string>) => new Set(Object.keys(catalog).map((key) => key.replace(PLURAL_SUFFIX, '')));
const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}|<\/?code>/g)].map((m) => m[0]).sort();

describe('message catalogs', () => {
  const used = usedKeys(join(__dirname, '../src'));

  it('finds the keys the source uses (the scan itself works)', () => {
    expect(used.size).toBeGreaterThan(500);
    expect(used).toContain('Virtual services');
    expect(used).toContain('{{count}} services');
  });

  it('has every key the source uses in Chinese (English keys are their own text)', () => {
    const missingZh = [...used].filter((key) => !baseKeys(zhCN).has(key));
    expect(missingZh).toEqual([]);
  });

  it('holds no stale entries, and English only the forms that differ from their key', () => {
    expect([...baseKeys(zhCN)].filter((key) => !used.has(key))).toEqual([]);
    expect([...baseKeys(en)].filter((key) => !used.has(key))).toEqual([]);
    expect(Object.entries(en).filter(([key, value]) => key === value)).toEqual([]);
  });

  it('shows a key with no English entry as written, placeholders filled (the English catalog relies on it)', async () => {
    const i18next = (await import('i18next')).default.createInstance();
    await i18next.init({ lng: 'en', resources: { en: { translation: en } }, keySeparator: false, nsSeparator: false, interpolation: { escapeValue: false } });
    expect(i18next.t('Virtual services')).toBe('Virtual services');
    expect(i18next.t('service {{service}} already exists', { service: 'TCP 192.0.2.10:80' })).toBe('service TCP 192.0.2.10:80 already exists');
    expect(i18next.t('{{count}} services', { count: 1 })).toBe(en['{{count}} services_one']?.replace('{{count}}', '1'));
  });

  it('has the plural forms each language needs', () => {
    for (const key of used) {
      if (!isPluralKey(key)) continue;
      expect(en[`${key}_one`], key).toBeTypeOf('string');
      expect(en[`${key}_other`], key).toBeTypeOf('string');
      expect(zhCN[`${key}_other`], key).toBeTypeOf('string');
    }
  });

  it('keeps every placeholder and code tag in the Chinese text, and translates it', () => {
    for (const [key, value] of Object.entries(zhCN)) {
      const base = key.replace(PLURAL_SUFFIX, '');
      expect(placeholders(value), key).toEqual(placeholders(base));
      // Chinese text has Han characters unless it is a proper name or code.
      if (/[a-z]{3,} [a-z]{3,}/.test(base.replace(/\{\{\w+\}\}|<code>.*?<\/code>/g, ''))) expect(value, key).toMatch(/\p{Script=Han}/u);
    }
  });
});

describe('language choice', () => {
  it('follows a remembered choice, then the browser, then English', () => {
    expect(pickLanguage('en', ['zh-CN'])).toBe('en');
    expect(pickLanguage('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(pickLanguage(null, ['zh-CN', 'en'])).toBe('zh-CN');
    expect(pickLanguage(null, ['zh-TW'])).toBe('zh-CN');
    expect(pickLanguage(null, ['de-DE', 'en-GB', 'zh'])).toBe('en');
    expect(pickLanguage(null, ['fr'])).toBe('en');
    expect(pickLanguage('klingon', [])).toBe('en');
  });
});

describe('setup scripts in Chinese', () => {
  useChineseCatalog();

  const commentsOf = (script: string) => script.split('\n').filter((line) => line.startsWith('# '));

  it('translates every comment of the DR and TUN real-server scripts', () => {
    for (const mode of ['dr', 'tun'] as const) {
      const script = localizeShellComments(renderShellSnippet(realServerRequirements({ mode, vips: ['192.0.2.10'], interface: 'eth0' })));
      const comments = commentsOf(script);
      expect(comments.length).toBeGreaterThan(3);
      for (const line of comments) expect(line, line).toMatch(/\p{Script=Han}/u);
      expect(script).toContain('192.0.2.10');
    }
  });

  it('translates every comment of the director script for each method', () => {
    for (const forwarding of ['masq', 'route', 'tunnel'] as const) {
      const rows = directorRequirements(
        {
          key: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
          scheduler: 'wlc',
          flags: [],
          onePacket: false,
          persistence: null,
          destinations: [{ address: '198.51.100.7', port: 80, forwarding, weight: 1, upperThreshold: 0, lowerThreshold: 0 }],
        },
        { vipInterface: 'eth0' },
      );
      const comments = commentsOf(localizeShellComments(renderShellSnippet(rows)));
      expect(comments.length).toBeGreaterThan(0);
      for (const line of comments) expect(line, line).toMatch(/\p{Script=Han}/u);
    }
  });
});
