// Sim traffic: failing a real server shows it failing on the service page
// (table and diagram), and recovering brings it back.
import { expect, loginAsAdmin, shot, test } from '../support/fixtures';

test.describe('sim traffic', () => {
  test('fail a real server, see it failing, recover it', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await page.getByRole('link', { name: 'Sim traffic' }).click();
    await page.getByRole('button', { name: 'Fail 198.51.100.22:443 in TCP 203.0.113.10:443' }).click();
    await expect(page.getByRole('button', { name: 'Recover 198.51.100.22:443 in TCP 203.0.113.10:443' })).toBeVisible();
    await page.getByRole('link', { name: 'Services', exact: true }).click();
    await expect(page.getByRole('row', { name: /TCP 203\.0\.113\.10:443/ })).toContainText('198.51.100.22:443 failing');
    await page.getByRole('link', { name: 'TCP 203.0.113.10:443' }).click();
    await expect(page.getByRole('row', { name: /198\.51\.100\.22:443/ }).getByText('failing')).toBeVisible();
    await expect(page.getByRole('img', { name: 'DR topology of 203.0.113.10:443' })).toContainText('failing');
    await shot(page, '22-sim-failing');
    await page.getByRole('link', { name: 'Sim traffic' }).click();
    await page.getByRole('button', { name: 'Recover 198.51.100.22:443 in TCP 203.0.113.10:443' }).click();
    await expect(page.getByRole('button', { name: 'Fail 198.51.100.22:443 in TCP 203.0.113.10:443' })).toBeVisible();
    expect(consoleErrors).toEqual([]);
  });
});
