// The console's language: the browser's by default, the choice remembered.
import { useState } from 'react';
import { currentLanguage, LANGUAGES, setLanguage, t, type Language } from '../lib/i18n';

export function LanguagePicker() {
  const [busy, setBusy] = useState(false);
  return (
    <label className="flex items-center gap-1 text-xs text-slate-300">
      <span>{t('Language')}</span>
      <select
        className="rounded border border-slate-600 bg-slate-700 px-1 py-0.5 text-xs text-slate-100"
        value={currentLanguage()}
        disabled={busy}
        onChange={(event) => {
          setBusy(true);
          void setLanguage(event.target.value as Language).finally(() => setBusy(false));
        }}
      >
        {LANGUAGES.map((language) => (
          <option key={language.code} value={language.code} lang={language.code}>
            {language.name}
          </option>
        ))}
      </select>
    </label>
  );
}
