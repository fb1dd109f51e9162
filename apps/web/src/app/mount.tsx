// React and the app, mounted into #root. main.tsx loads this module with a
// dynamic import so that its evaluation is a main-thread task of its own,
// apart from the shared package's schemas (see main.tsx).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';

export function mount(root: HTMLElement): void {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
