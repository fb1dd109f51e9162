// Light or dark: the system's preference (prefers-color-scheme) unless the
// operator picked one, which is remembered. The theme is an attribute on
// <html>; index.css mirrors the colour palette under it.
export const THEME_CHOICES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

const STORAGE_KEY = 'lvs-console.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

export function storedThemeChoice(): ThemeChoice {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

/** The theme in force for a choice, given whether the system prefers dark. */
export function resolveTheme(choice: ThemeChoice, systemPrefersDark: boolean): 'light' | 'dark' {
  return choice === 'system' ? (systemPrefersDark ? 'dark' : 'light') : choice;
}

function apply(choice: ThemeChoice): void {
  const theme = resolveTheme(choice, window.matchMedia(DARK_QUERY).matches);
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
}

/** Before the first paint (main.tsx): no flash of the wrong theme; follows system changes. */
export function initTheme(): void {
  apply(storedThemeChoice());
  window.matchMedia(DARK_QUERY).addEventListener('change', () => apply(storedThemeChoice()));
}

export function setThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // Storage refused: the choice lasts for this page only.
  }
  apply(choice);
}
