// Entry point, kept tiny: index.html's module script runs as soon as this
// chunk and the stylesheet have loaded. It sends the first screen's requests
// (lib/boot-requests.ts), so the session check and the snapshot travel while
// the app's code is still loading and evaluating. Page load evaluates every
// statically imported module in one main-thread task; the shared package
// builds its zod schemas as it loads, so schemas plus React plus the app came
// to ~40 ms on a busy 2-core machine. The schemas load in a second task and the
// app in a third, each through a dynamic import (their chunks are modulepreloaded
// by vite.config.ts): none comes near the 50 ms long-task line.
import './index.css';
import { initTheme } from './lib/theme';
import { sendBootRequests } from './lib/boot-requests';
import { loginCodeFromHash } from './lib/session';

// The theme before anything renders: no flash of light on a dark system.
initTheme();

// A login link opens the login screen: nothing to ask for before it.
if (loginCodeFromHash(window.location.hash) === null) sendBootRequests();

// Navigation start -> entry evaluated (with the traces of e2e/bench).
performance.mark('lvs-console:boot');

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
void import('./app/schemas').then(() => import('./app/mount')).then(({ mount }) => mount(root));
