// Dark mode: a dark system gets the dark theme (charts and topology drawn in
// its colours), a seed cluster is walked in it, and the toggle's choice
// outlives a reload.
import type { Page } from '@playwright/test';
import { expect, loginAsAdmin, shot, test } from '../support/fixtures';
import { SEED_CLUSTERS } from '../support/seeds';

test.use({ colorScheme: 'dark' });

// Seed 002 (NAT, rr) on its own VIP, so this walk does not collide with seeds.spec.
const NAT_SEED = SEED_CLUSTERS.find((cluster) => cluster.method === 'NAT' && cluster.seed.startsWith('002'));
const SEED_VIP = NAT_SEED?.vip.split(':')[0] ?? '';
const VIP = '192.168.60.120';

/** The page's background and text colour, as the browser computed them. */
async function colours(page: Page, selector: string): Promise<{ background: string; color: string }> {
  return page
    .locator(selector)
    .first()
    .evaluate((element) => {
      const style = getComputedStyle(element);
      return { background: style.backgroundColor, color: style.color };
    });
}

/** Relative luminance of an rgb()/oklch() colour the browser resolved, via a canvas. */
async function luminance(page: Page, colour: string): Promise<number> {
  return page.evaluate((value) => {
    const canvas = document.createElement('canvas');
    canvas.width = 1;
    canvas.height = 1;
    const context = canvas.getContext('2d');
    if (!context) return NaN;
    context.fillStyle = value;
    context.fillRect(0, 0, 1, 1);
    const [r = 0, g = 0, b = 0] = context.getImageData(0, 0, 1, 1).data;
    const channel = (c: number) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  }, colour);
}

test.describe('dark mode', () => {
  test('follows a dark system: seed 002 (NAT, rr) imported and drawn in the dark theme', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const body = await colours(page, 'body');
    expect(await luminance(page, body.background)).toBeLessThan(0.05);
    expect(await luminance(page, body.color)).toBeGreaterThan(0.6);
    await shot(page, 'dark-services');

    await page.getByRole('link', { name: 'Import rules' }).click();
    await page.getByLabel('Rules to import').fill(NAT_SEED?.text.replaceAll(SEED_VIP, VIP) ?? '');
    await page.getByLabel('Mode').selectOption('merge');
    await page.getByRole('button', { name: 'Preview plan' }).click();
    await expect(page.getByRole('group', { name: 'These ipvsadm lines will run' })).toContainText(`-A -t ${VIP}:80`);
    await page.getByRole('button', { name: 'Apply import' }).click();
    await expect(page.getByText(/Imported: revision \d+/)).toBeVisible();

    await page.getByRole('link', { name: 'Services', exact: true }).click();
    await page.getByRole('link', { name: `TCP ${VIP}:80` }).click();
    const topology = page.getByRole('img', { name: `NAT topology of ${VIP}:80` });
    await expect(topology).toBeVisible();
    // The VIP label is light on the dark panel, not the light theme's near-black.
    const vipText = await topology.locator('text', { hasText: `VIP ${VIP}:80` }).evaluate((element) => getComputedStyle(element).fill);
    expect(await luminance(page, vipText)).toBeGreaterThan(0.6);
    const panel = await colours(page, 'section');
    expect(await luminance(page, panel.background)).toBeLessThan(0.05);
    await expect(page.getByRole('img', { name: /Predicted share of new connections/ })).toBeVisible();
    await shot(page, 'dark-seed-002-topology');

    await page.getByRole('link', { name: 'Watch (live charts)' }).click();
    await expect(page.getByRole('img', { name: /New connections per second, last/ })).toBeVisible();
    await shot(page, 'dark-seed-002-watch');
    expect(consoleErrors).toEqual([]);
  });

  test('the toggle picks light over a dark system, and the choice is remembered', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await page.getByLabel('Theme').selectOption('light');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    const body = await colours(page, 'body');
    expect(await luminance(page, body.background)).toBeGreaterThan(0.8);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Virtual services' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await page.getByLabel('Theme').selectOption('system');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    expect(consoleErrors).toEqual([]);
  });
});
