// Small screens (issue 19 point 8): at 390 x 844 the services list, a
// service's overview (topology, weights) and the Changes page fit the width:
// nothing in the main area runs off to the side, and warnings and weight
// controls are on screen.
import type { Page } from '@playwright/test';
import { expect, openWithToken, shot, test } from '../support/fixtures';

test.use({ viewport: { width: 390, height: 844 } });

/** The page and its main area are no wider than the viewport. */
async function expectNoSideScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => {
    const main = document.getElementById('main');
    return { page: document.documentElement.scrollWidth, viewport: window.innerWidth, main: main?.scrollWidth ?? 0, mainClient: main?.clientWidth ?? 0 };
  });
  expect(widths.page, 'page width').toBeLessThanOrEqual(widths.viewport);
  expect(widths.main, 'main area width').toBeLessThanOrEqual(widths.mainClient);
}

/** Wholly inside the viewport's width once scrolled to. */
async function expectWithinWidth(page: Page, locator: ReturnType<Page['locator']>): Promise<void> {
  await locator.scrollIntoViewIfNeeded();
  await expect(locator).toBeVisible();
  const box = await locator.boundingBox();
  expect(box).not.toBeNull();
  expect(box?.x ?? -1).toBeGreaterThanOrEqual(0);
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
}

test('services list at 390 px: one card per service, warnings on screen', async ({ page }) => {
  await openWithToken(page, 'admin');
  const table = page.getByRole('table', { name: 'Virtual services' });
  const web = table.locator('tbody tr').filter({ hasText: 'TCP 192.0.2.10:80' });
  await expect(web).toBeVisible();
  // The demo's NAT service carries an ip_forward advisory: its words are readable without side scrolling.
  const warning = web.getByRole('listitem').filter({ hasText: 'Advisory:' });
  await expect(warning).toBeVisible({ timeout: 20_000 });
  await expectWithinWidth(page, warning);
  await expectWithinWidth(page, web.getByRole('link', { name: 'TCP 192.0.2.10:80' }));
  await expectNoSideScroll(page);
  await shot(page, 'small-services');
});

test('a service at 390 px: topology readable in its own scroll box, weights within reach', async ({ page }) => {
  await openWithToken(page, 'admin');
  await page.goto(`${process.env.LVS_E2E_BASE_URL}/#/services/${encodeURIComponent('tcp:192.0.2.10:80')}`);
  const topology = page.getByRole('img', { name: /192\.0\.2\.10/ }).first();
  await expect(topology).toBeVisible({ timeout: 20_000 });
  // Drawn at a readable size (not shrunk to the phone's width): the box around it scrolls.
  expect((await topology.boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(600);
  const slider = page.getByRole('slider', { name: 'Weight of 198.51.100.12:8080' });
  await expectWithinWidth(page, slider);
  await expectWithinWidth(page, page.getByRole('button', { name: 'Drain 198.51.100.12:8080' }));
  await expectNoSideScroll(page);
  await shot(page, 'small-service-overview');
});

test('Changes page at 390 px fits the width', async ({ page }) => {
  await openWithToken(page, 'admin');
  await page.goto(`${process.env.LVS_E2E_BASE_URL}/#/changes`);
  await expect(page.getByRole('region', { name: 'Audit log' })).toBeVisible();
  await expectNoSideScroll(page);
  await shot(page, 'small-changes');
});
