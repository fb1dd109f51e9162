import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/agent';
import { expect, shot, test } from '../support/fixtures';

test.describe('login', () => {
  test('logs in with the URL from the start banner and shows which backend is live', async ({ page, consoleErrors }) => {
    const { loginUrl } = JSON.parse(readFileSync(join(repoRoot, 'e2e/.cache/agent.json'), 'utf8')) as { loginUrl: string };
    await page.goto(loginUrl);
    await expect(page.getByRole('heading', { name: 'Virtual services' })).toBeVisible();
    // The one-time code leaves the address bar.
    expect(page.url()).not.toContain('login=');
    await expect(page.getByTestId('backend-label')).toHaveText('Simulated kernel');
    await expect(page.getByRole('link', { name: 'TCP 192.0.2.10:80' })).toBeVisible();
    await expect(page.getByText(/kernel observed (just now|\d+ s ago)/).first()).toBeVisible();
    await shot(page, '01-services-overview');
    expect(consoleErrors).toEqual([]);
  });

  test('a used login code is refused with a clear message', async ({ page }) => {
    const { loginUrl } = JSON.parse(readFileSync(join(repoRoot, 'e2e/.cache/agent.json'), 'utf8')) as { loginUrl: string };
    await page.goto(loginUrl);
    await expect(page.getByRole('alert')).toContainText('already used or has expired');
    await shot(page, '00-login-refused');
  });
});
