// React and the app, mounted into #root. main.tsx loads this module with a
// dynamic import so that its evaluation is a main-thread task of its own,
// apart from the shared package's schemas (see main.tsx).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initI18n } from '../lib/i18n';
import { App } from './app';

export async function mount(root: HTMLElement): Promise<void> {
  // The language (and its catalog, when not English) before the first render: no flash of English.
  await initI18n();
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
