// Issue 19.6: the watch view draws each real server's measured share of new
// connections over time beside the scheduler's predicted share, and lists
// per-real-server rates.
import { ADMIN_TOKEN, callApi } from '../support/agent';
import { agentBaseURL, expect, shot, test } from '../support/fixtures';

const SERVICE = encodeURIComponent('tcp:192.0.2.10:80');

test('watch view: share over time beside the prediction, and a rate table per real server', async ({ page, consoleErrors }) => {
  await page.addInitScript((value) => sessionStorage.setItem('lvs-console.token', value), ADMIN_TOKEN);
  await page.goto(`${agentBaseURL()}/#/services/${SERVICE}/watch`);
  await expect(page.getByRole('img', { name: /^Share of new connections \(measured solid, predicted dashed\), last 1 minute$/ })).toBeVisible({
    timeout: 20_000,
  });

  const table = page.getByRole('table', { name: /^Rates per real server/ });
  await expect(table.getByRole('row')).toHaveCount(4, { timeout: 20_000 });
  const row = table.getByRole('row', { name: /198\.51\.100\.11:8080/ });
  // The prediction is the scheduler model's (wrr with the current weights).
  const shares = await callApi<{ rows: Array<{ destination: string; predicted: number | null }> }>(agentBaseURL(), 'stats.shares', 'query', {
    service: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
  });
  const predicted = shares.rows.find((r) => r.destination === '198.51.100.11:8080')?.predicted ?? 0;
  await expect(row.getByRole('cell').last()).toHaveText(`${(predicted * 100).toFixed(1)}%`);
  // The sim sends it traffic: a measured share.
  await expect(row.getByRole('cell').nth(7)).toHaveText(/^\d+(\.\d)?%$/, { timeout: 20_000 });

  // The chart's crosshair lists measured and predicted shares.
  const chart = page.getByRole('img', { name: /^Share of new connections/ });
  await chart.focus();
  await chart.press('End');
  await expect(page.getByRole('tooltip')).toContainText('198.51.100.11:8080 predicted');
  await expect(page.getByRole('tooltip')).toContainText('198.51.100.11:8080 measured');
  await shot(page, '65-watch-shares');
  expect(consoleErrors).toEqual([]);
});

test('the rate table fits a desktop width: every column inside its box, no side scroll', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.addInitScript((value) => sessionStorage.setItem('lvs-console.token', value), ADMIN_TOKEN);
  await page.goto(`${agentBaseURL()}/#/services/${SERVICE}/watch`);
  const table = page.getByRole('table', { name: /^Rates per real server/ });
  await expect(table.getByRole('row')).toHaveCount(4, { timeout: 20_000 });
  const box = page.getByRole('region', { name: /^Rates per real server/ });
  const widths = await box.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, page: document.documentElement.scrollWidth }));
  expect(widths.scroll, 'the table is no wider than its box').toBeLessThanOrEqual(widths.client);
  expect(widths.page, 'the page is no wider than the window').toBeLessThanOrEqual(1280);
  const last = await table.getByRole('columnheader', { name: 'Predicted' }).boundingBox();
  const frame = await box.boundingBox();
  expect((last?.x ?? 0) + (last?.width ?? 0)).toBeLessThanOrEqual((frame?.x ?? 0) + (frame?.width ?? 0));
  await box.scrollIntoViewIfNeeded();
  await shot(page, '65-watch-rates-1280');
});

test.describe('zh-CN dark', () => {
  test.use({ locale: 'zh-CN', colorScheme: 'dark' });
  test('share chart and rate table in Chinese, dark', async ({ page }) => {
    await page.addInitScript((value) => sessionStorage.setItem('lvs-console.token', value), ADMIN_TOKEN);
    await page.goto(`${agentBaseURL()}/#/services/${SERVICE}/watch`);
    await expect(page.getByRole('table', { name: /^各真实服务器速率/ }).getByRole('row')).toHaveCount(4, { timeout: 20_000 });
    await expect(page.getByRole('img', { name: /^新建连接占比/ })).toBeVisible();
    await shot(page, '66-watch-shares-zh-CN-dark');
  });
});
