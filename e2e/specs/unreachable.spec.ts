// When the agent goes away the console says so (and keeps the last data);
// when it comes back the console recovers on its own.
import { startAgent, stopAgent } from '../support/agent';
import { expect, openWithToken, shot, test } from '../support/fixtures';

test.describe('agent unreachable', () => {
  test('shows the unreachable state and recovers when the agent returns', async ({ page }) => {
    test.setTimeout(90_000);
    // An agent of its own: stopping the shared one would disturb other specs.
    const first = await startAgent();
    try {
      await openWithToken(page, 'admin', first.baseURL);
      await expect(page.getByRole('link', { name: 'TCP 192.0.2.10:80' })).toBeVisible();
      await stopAgent(first);
      const banner = page.getByRole('alert').filter({ hasText: 'Agent unreachable' });
      await expect(banner).toBeVisible({ timeout: 15_000 });
      // The last data stays on screen, marked by its age.
      await expect(page.getByRole('link', { name: 'TCP 192.0.2.10:80' })).toBeVisible();
      await shot(page, '20-unreachable');
      const second = await startAgent({ port: first.port, stateDir: first.stateDir });
      try {
        await expect(banner).toHaveCount(0, { timeout: 20_000 });
        await expect(page.getByText(/kernel observed (just now|\d s ago)/).first()).toBeVisible();
        await shot(page, '21-recovered');
      } finally {
        await stopAgent(second, { removeState: first.stateDir });
      }
    } finally {
      await stopAgent(first);
    }
  });
});
