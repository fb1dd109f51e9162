// Never a blank page: a screen whose code chunk cannot be fetched is replaced
// by a message with a reload inside the shell; page titles follow the screen;
// the skip link moves focus to the content instead of routing to "#main".
import { expect, loginAsAdmin, test } from '../support/fixtures';

test.describe('never a blank page', () => {
  test('a failed chunk shows the boundary with a reload; the shell and its data stay', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await page.route(/\/assets\/changes-page-[^/]+\.js$/, (route) => route.abort('connectionrefused'));
    await page.getByRole('link', { name: 'Changes' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'This screen could not be loaded' });
    await expect(alert).toBeVisible();
    await expect(alert.getByRole('button', { name: 'Reload the page' })).toBeVisible();
    // The shell and the status line are still there.
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.getByTestId('backend-label')).not.toHaveText('…');
    // Another screen works, and coming back after the chunk is reachable again needs a reload.
    await page.getByRole('link', { name: 'Services', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Virtual services' })).toBeVisible();
    await page.getByRole('link', { name: 'Changes' }).click();
    await expect(alert).toBeVisible();
    await page.unroute(/\/assets\/changes-page-[^/]+\.js$/);
    await alert.getByRole('button', { name: 'Reload the page' }).click();
    await expect(page.getByRole('heading', { name: 'Changes', level: 1 })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Drift' })).toBeVisible();
    // Only the refused chunk was logged.
    expect(consoleErrors.filter((error) => !/changes-page|dynamically imported module|ERR_CONNECTION_REFUSED|Failed to load resource/i.test(error))).toEqual(
      [],
    );
  });

  test('page titles name the screen; the skip link focuses the content', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await expect(page).toHaveTitle('Virtual services · LVS Console');
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page).toHaveTitle('Settings · LVS Console');
    await page.getByRole('link', { name: 'Services', exact: true }).click();
    await page.getByRole('link', { name: 'TCP 192.0.2.10:80' }).click();
    await expect(page).toHaveTitle('TCP 192.0.2.10:80 · LVS Console');
    const hash = await page.evaluate(() => window.location.hash);
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await skip.focus();
    await expect(skip).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(page.locator('main#main')).toBeFocused();
    expect(await page.evaluate(() => window.location.hash)).toBe(hash);
    await expect(page.getByText('No such page')).toHaveCount(0);
    expect(consoleErrors).toEqual([]);
  });
});
