// Tests of what the console says in Chinese: i18next on the zh-CN catalog for
// the describe block that calls this, back to English after it.
import i18next from 'i18next';
import { afterAll, beforeAll } from 'vitest';
import zhCN from '../src/locales/zh-CN';

export function useChineseCatalog(): void {
  beforeAll(async () => {
    await i18next.init({
      lng: 'zh-CN',
      resources: { 'zh-CN': { translation: zhCN } },
      keySeparator: false,
      nsSeparator: false,
      interpolation: { escapeValue: false },
    });
  });
  afterAll(async () => {
    await i18next.changeLanguage('en');
  });
}
