// The watch view's time window and hidden series are in the URL: a shared
// link opens the same view, and choosing another window updates the link.
import { expect, openWithToken, test } from '../support/fixtures';

const SERVICE = encodeURIComponent('tcp:192.0.2.10:80');

test('watch view: window and hidden series come from the link and go back into it', async ({ page }) => {
  await openWithToken(page, 'admin');
  await page.goto(`${process.env.LVS_E2E_BASE_URL}/#/services/${SERVICE}/watch?range=15&hide=198.51.100.12:8080`);
  await expect(page.getByRole('button', { name: '15 min', exact: true })).toHaveAttribute('aria-pressed', 'true', { timeout: 20_000 });
  await expect(page.getByRole('checkbox', { name: 'Show 198.51.100.12:8080' })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Show 198.51.100.11:8080' })).toBeChecked();

  await page.getByRole('button', { name: '5 min', exact: true }).click();
  await expect(page.getByRole('button', { name: '5 min', exact: true })).toHaveAttribute('aria-pressed', 'true');
  expect(page.url()).toContain('range=5');
  await page.getByRole('checkbox', { name: 'Show 198.51.100.12:8080' }).check();
  await expect.poll(() => page.url()).not.toContain('hide=');
  await page.getByRole('checkbox', { name: 'Show 198.51.100.11:8080' }).uncheck();
  await expect.poll(() => page.url()).toContain('hide=198.51.100.11%3A8080');

  // A reload keeps the view.
  await page.reload();
  await expect(page.getByRole('button', { name: '5 min', exact: true })).toHaveAttribute('aria-pressed', 'true', { timeout: 20_000 });
  await expect(page.getByRole('checkbox', { name: 'Show 198.51.100.11:8080' })).not.toBeChecked();
});
