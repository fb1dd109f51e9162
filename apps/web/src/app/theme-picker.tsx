// Light, dark, or as the system says; the choice is remembered.
import { useState } from 'react';
import { t, msg } from '../lib/i18n';
import { setThemeChoice, storedThemeChoice, THEME_CHOICES, type ThemeChoice } from '../lib/theme';

const CHOICE_LABELS: Record<ThemeChoice, string> = { system: msg('System'), light: msg('Light'), dark: msg('Dark') };

export function ThemePicker() {
  const [choice, setChoice] = useState<ThemeChoice>(storedThemeChoice);
  return (
    <label className="flex items-center gap-1 text-xs text-slate-300">
      <span>{t('Theme')}</span>
      <select
        className="rounded border border-slate-600 bg-slate-700 px-1 py-0.5 text-xs text-slate-100"
        value={choice}
        onChange={(event) => {
          const next = event.target.value as ThemeChoice;
          setChoice(next);
          setThemeChoice(next);
        }}
      >
        {THEME_CHOICES.map((value) => (
          <option key={value} value={value}>
            {t(CHOICE_LABELS[value])}
          </option>
        ))}
      </select>
    </label>
  );
}
