// The console's router (TanStack Router, hash history): a typed search param
// makes the round trip through the address (filter, reload, back, forward);
// a bad value falls back to the default without a crash; every address of the
// earlier hand-written router still opens its screen.
import type { Page } from '@playwright/test';
import { expect, openWithToken, test } from '../support/fixtures';

const SERVICE = 'tcp:192.0.2.10:80';
const table = (page: Page) => page.getByRole('table', { name: 'Virtual services' });

test('a services list filter survives reload, back and forward', async ({ page, consoleErrors }) => {
  await openWithToken(page, 'admin');
  const search = page.getByRole('searchbox', { name: 'Search' });
  // Typed key by key: the box keeps every character while the address follows.
  await search.pressSequentially('203.0.113.10', { delay: 20 });
  await expect(table(page).getByRole('link', { name: 'TCP 203.0.113.10:443' })).toBeVisible();
  await expect(table(page).getByRole('link', { name: 'TCP 192.0.2.10:80' })).toHaveCount(0);
  await expect.poll(() => page.url()).toMatch(/#\/\?q=203\.0\.113\.10$/);
  const scheduler = page.getByRole('columnheader', { name: /Scheduler/ });
  await scheduler.getByRole('button').click();
  await expect.poll(() => page.url()).toMatch(/#\/\?q=203\.0\.113\.10&sort=scheduler$/);
  // Filtering replaces the entry: it adds no step to Back.
  const historyLength = await page.evaluate(() => window.history.length);

  await page.reload();
  await expect(search).toHaveValue('203.0.113.10', { timeout: 20_000 });
  await expect(scheduler).toHaveAttribute('aria-sort', 'ascending');
  await expect(table(page).getByRole('link', { name: 'TCP 192.0.2.10:80' })).toHaveCount(0);

  // A typed link to the service (same address as ever), then back to the filtered list and forward again.
  const link = table(page).getByRole('link', { name: 'TCP 203.0.113.10:443' });
  await expect(link).toHaveAttribute('href', `/#/services/${encodeURIComponent('tcp:203.0.113.10:443')}`);
  await link.click();
  await expect(page.getByRole('heading', { name: 'TCP 203.0.113.10:443', level: 1 })).toBeVisible();
  expect(await page.evaluate(() => window.history.length)).toBe(historyLength + 1);
  await page.goBack();
  await expect(search).toHaveValue('203.0.113.10');
  await expect(scheduler).toHaveAttribute('aria-sort', 'ascending');
  await expect(table(page).getByRole('link', { name: 'TCP 192.0.2.10:80' })).toHaveCount(0);
  await page.goForward();
  await expect(page.getByRole('heading', { name: 'TCP 203.0.113.10:443', level: 1 })).toBeVisible();
  await expect(page).toHaveTitle('TCP 203.0.113.10:443 · LVS Console');

  // "Services" in the navigation opens the whole list again.
  await page.getByRole('link', { name: 'Services', exact: true }).click();
  await expect(search).toHaveValue('');
  await expect(table(page).getByRole('link', { name: 'TCP 192.0.2.10:80' })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('bad search param values fall back to the defaults, without a crash', async ({ page, consoleErrors }) => {
  await openWithToken(page, 'admin');
  const base = process.env.LVS_E2E_BASE_URL;
  await page.goto(`${base}/#/?sort=bogus&dir=sideways&status=weird&protocol=tcp`);
  await expect(page.getByRole('heading', { name: 'Virtual services' })).toBeVisible();
  // The valid param holds; the others are the defaults (service ascending, every status).
  await expect(page.getByRole('combobox', { name: 'Protocol' })).toHaveValue('tcp');
  await expect(page.getByRole('combobox', { name: 'Status' })).toHaveValue('');
  await expect(page.getByRole('columnheader', { name: /Service/ })).toHaveAttribute('aria-sort', 'ascending');
  await expect(table(page).getByRole('link', { name: 'TCP 192.0.2.10:80' })).toBeVisible();

  await page.goto(`${base}/#/services/${encodeURIComponent(SERVICE)}/watch?range=7&hide=`);
  await expect(page.getByRole('button', { name: '1 min', exact: true })).toHaveAttribute('aria-pressed', 'true', { timeout: 20_000 });

  await page.goto(`${base}/#/changes?from=not-a-date&who=${'x'.repeat(500)}`);
  const audit = page.getByRole('region', { name: 'Audit log' });
  await expect(audit.getByLabel('From')).toHaveValue('');
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});

test('addresses of the earlier router open the same screens', async ({ page, consoleErrors }) => {
  await openWithToken(page, 'admin');
  const base = process.env.LVS_E2E_BASE_URL;
  // "#/services" was the list's other address; its search params are kept.
  await page.goto(`${base}/#/services?q=192.0.2.10`);
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('192.0.2.10');
  await expect.poll(() => page.url()).toMatch(/#\/\?q=192\.0\.2\.10$/);
  // A tab the console does not know opens the service's overview.
  await page.goto(`${base}/#/services/${encodeURIComponent(SERVICE)}/nonsense`);
  await expect(page.getByRole('heading', { name: 'Topology' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');
  await page.goto(`${base}/#/services/${encodeURIComponent(SERVICE)}/connections`);
  await expect(page.getByRole('link', { name: 'Connections', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('link', { name: 'Overview' })).not.toHaveAttribute('aria-current', 'page');
  await page.goto(`${base}/#/changes?who=nobody-by-this-name`);
  await expect(page.getByRole('region', { name: 'Audit log' }).getByText(/^0 of \d+ entries$/)).toBeVisible();
  await page.goto(`${base}/#/no-such-screen`);
  await expect(page.getByText('No such page: no-such-screen.')).toBeVisible();
  await expect(page).toHaveTitle('No such page · LVS Console');
  await page.getByRole('link', { name: 'Back to services' }).click();
  await expect(page.getByRole('heading', { name: 'Virtual services' })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
