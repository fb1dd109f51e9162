// Entry point. Page load evaluates every statically imported module in one
// main-thread task; the shared package builds its zod schemas as it loads, so
// schemas plus React plus the app came to ~40 ms on a busy 2-core machine.
// The schemas load here, the app in a second task through a dynamic import:
// neither comes near the 50 ms long-task line.
import './lib/zod-config';
import '@lvs-console/shared';
import '@lvs-console/shared/api';
import './index.css';
import { initTheme } from './lib/theme';

// The theme before anything renders: no flash of light on a dark system.
initTheme();

// Marks for the first-render benchmark (e2e/bench): navigation start -> app mounted.
performance.mark('lvs-console:boot');

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
void import('./app/mount').then(({ mount }) => mount(root));
