// The console's languages (i18next): English is bundled, Simplified Chinese is
// a lazy chunk loaded only when chosen, so the first screen stays small.
// Keys are the English text itself (natural-language keys): a screen reads as
// it renders, and en.ts holds the same keys (plural forms) for the catalog test.
import i18next, { type TOptions } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { z } from 'zod';
import en from '../locales/en';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'zh-CN', name: '简体中文' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'lvs-console.language';

const LAZY_CATALOGS: Record<Exclude<Language, 'en'>, () => Promise<{ default: Record<string, string> }>> = {
  'zh-CN': () => import('../locales/zh-CN'),
};

/** zod's own messages (the schemas' generic errors) in the same language. */
const ZOD_LOCALES: Record<Language, () => Promise<{ default: () => { localeError: z.core.$ZodErrorMap } }>> = {
  en: () => import('zod/v4/locales/en.js'),
  'zh-CN': () => import('zod/v4/locales/zh-CN.js'),
};

/** The operator's choice if remembered, else the first browser language we have (any zh → zh-CN), else English. */
export function pickLanguage(stored: string | null, browserLanguages: readonly string[]): Language {
  if (stored === 'en' || stored === 'zh-CN') return stored;
  for (const tag of browserLanguages) {
    const lower = tag.toLowerCase();
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
    if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
  }
  return 'en';
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

async function loadCatalog(language: Language): Promise<void> {
  if (language !== 'en' && !i18next.hasResourceBundle(language, 'translation')) {
    const catalog = await LAZY_CATALOGS[language]();
    i18next.addResourceBundle(language, 'translation', catalog.default);
  }
  // English is zod's default: only a switch back needs its locale.
  if (language !== 'en' || zodLanguage !== 'en') {
    z.config((await ZOD_LOCALES[language]()).default());
    zodLanguage = language;
  }
}

let zodLanguage: Language = 'en';

function applyToDocument(language: Language): void {
  document.documentElement.lang = language;
}

export async function initI18n(): Promise<void> {
  const language = pickLanguage(storedLanguage(), navigator.languages ?? [navigator.language]);
  await i18next.use(initReactI18next).init({
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: LANGUAGES.map((l) => l.code),
    load: 'currentOnly',
    resources: { en: { translation: en } },
    keySeparator: false,
    nsSeparator: false,
    // React escapes what it renders.
    interpolation: { escapeValue: false },
    react: { useSuspense: false },
  });
  i18next.on('languageChanged', (lng) => applyToDocument(lng as Language));
  await loadCatalog(language);
  await i18next.changeLanguage(language);
  applyToDocument(language);
}

/** Switch language (loading its catalog first) and remember the choice. */
export async function setLanguage(language: Language): Promise<void> {
  await loadCatalog(language);
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
  await i18next.changeLanguage(language);
}

export function currentLanguage(): Language {
  return i18next.language === 'zh-CN' ? 'zh-CN' : 'en';
}

/** Translate; the key is the English text, {{name}} placeholders filled from options. */
export function t(key: string, options?: TOptions): string {
  // Before init (unit tests of pure helpers): the English key, placeholders filled.
  if (!i18next.isInitialized) return key.replace(/\{\{(\w+)\}\}/g, (_, name: string) => placeholderText(options?.[name]));
  return i18next.t(key, options ?? {});
}

function placeholderText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** Marks a string for translation where it is defined (a constant); t() it where it is shown. */
export function msg<T extends string>(key: T): T {
  return key;
}
