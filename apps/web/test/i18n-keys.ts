// The translation keys the console's source uses: t('…'), msg('…') and
// <Trans i18nKey={'…'}>, read from the files themselves.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// A key in single or double quotes (the formatter picks double quotes for text with apostrophes).
const QUOTED = String.raw`(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")`;
const PATTERNS = [
  new RegExp(String.raw`\bt\(\s*` + QUOTED, 'g'),
  new RegExp(String.raw`\bmsg\(\s*` + QUOTED, 'g'),
  new RegExp(String.raw`i18nKey=\{\s*` + QUOTED + String.raw`\s*\}`, 'g'),
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'locales' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

export function usedKeys(srcDir: string): Set<string> {
  const keys = new Set<string>();
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of PATTERNS) {
      for (const match of text.matchAll(pattern)) keys.add((match[1] ?? match[2] ?? '').replace(/\\(.)/g, '$1'));
    }
  }
  return keys;
}

/** Keys counted with {{count}} are looked up with a plural suffix (_one, _other …). */
export function isPluralKey(key: string): boolean {
  return key.includes('{{count}}');
}
