// The demo cluster's services drawn for their methods, and every screen once
// (screenshots for a human to look at).
import { expect, loginAsAdmin, shot, test } from '../support/fixtures';

test.describe('demo cluster screens', () => {
  test('shows the NAT and DR topologies of the demo cluster', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await page.getByRole('link', { name: 'TCP 192.0.2.10:80' }).click();
    const nat = page.getByRole('img', { name: 'NAT topology of 192.0.2.10:80' });
    await expect(nat).toBeVisible();
    await expect(nat).toContainText('RIP 198.51.100.11:8080');
    await expect(nat).toContainText('VIP 192.0.2.10:80');
    // The demo director's source address toward its real servers.
    await expect(nat).toContainText('DIP 198.51.100.1');
    await shot(page, '02-service-nat');
    await page.goto(`${new URL(page.url()).origin}/#/services/${encodeURIComponent('tcp:203.0.113.10:443')}`);
    const dr = page.getByRole('img', { name: 'DR topology of 203.0.113.10:443' });
    await expect(dr).toBeVisible();
    await expect(dr).toContainText('same L2 segment');
    await shot(page, '03-service-dr');
    expect(consoleErrors).toEqual([]);
  });

  test('watch view charts live samples and shows the ipvsadm listing', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await page.getByRole('link', { name: 'TCP 192.0.2.10:80' }).click();
    await page.getByRole('link', { name: 'Watch (live charts)' }).click();
    await expect(page.getByLabel('Output of ipvsadm -L -n')).toContainText('IP Virtual Server version 1.2.1');
    await expect(page.getByLabel('Output of ipvsadm -L -n')).toContainText('-> 198.51.100.11:8080');
    const totals = page.getByRole('img', { name: 'Service total: new connections per second and active connections, last 1 minute' });
    await expect(totals.locator('path')).toHaveCount(2);
    await expect(totals.locator('path').first()).toHaveAttribute('d', /^M[\d.]+,[\d.]+L/);
    // The legend toggles a total off and on.
    await page.getByRole('checkbox', { name: 'Show active connections' }).uncheck();
    await expect(totals.locator('path')).toHaveCount(1);
    await page.getByRole('checkbox', { name: 'Show active connections' }).check();
    await page.getByRole('button', { name: '--rate' }).click();
    await expect(page.getByLabel('Output of ipvsadm -L -n --rate')).toContainText('CPS');
    await page.getByRole('button', { name: '5 min', exact: true }).click();
    await page.getByRole('checkbox', { name: 'Show 198.51.100.12:8080' }).uncheck();
    await page.waitForTimeout(2500);
    await shot(page, '04-watch');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.getByText('Paused: new samples are not drawn.')).toBeVisible();
    expect(consoleErrors).toEqual([]);
  });

  test('connections, setup, changes, settings, import/export and sim screens render', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await page.getByRole('link', { name: 'TCP 203.0.113.10:443' }).click();
    await page.getByRole('link', { name: 'Connections' }).click();
    await expect(page.getByText(/matching of \d+ entries/)).toBeVisible();
    await shot(page, '05-connections');
    await page.getByRole('link', { name: 'Real servers setup' }).click();
    await expect(page.getByRole('region', { name: 'Setup of 198.51.100.21:443' })).toContainText('arp_ignore');
    await shot(page, '06-setup');
    await page.getByRole('link', { name: 'Changes' }).click();
    await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
    await shot(page, '07-changes');
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByText('net.ipv4.vs.expire_nodest_conn')).toBeVisible();
    await shot(page, '08-settings');
    await page.getByRole('link', { name: 'Import / export' }).click();
    await expect(page.getByLabel('Exported ipvsadm rules')).toContainText('-A -t 192.0.2.10:80 -s wrr');
    await shot(page, '09-import-export');
    await page.getByRole('link', { name: 'Sim traffic' }).click();
    await expect(page.getByRole('heading', { name: 'Fail a real server' })).toBeVisible();
    await shot(page, '10-sim');
    expect(consoleErrors).toEqual([]);
  });
});
