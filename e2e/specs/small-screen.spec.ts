// Small screens (issue 19 point 8): at 390 x 844 the services list, a
// service's overview (a vertical topology, weights), the watch view and the
// Changes page fit the width:
// nothing in the main area runs off to the side, and warnings and weight
// controls are on screen.
import type { Page } from '@playwright/test';
import { ADMIN_TOKEN } from '../support/agent';
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

/** A table laid out as cards needs no sideways scrolling of its own (its wrapper scrolls overflow-x). */
async function expectCardsFit(page: Page, table: ReturnType<Page['locator']>): Promise<void> {
  const widths = await table.evaluate((element) => {
    const wrapper = element.parentElement;
    return { scroll: wrapper?.scrollWidth ?? 0, client: wrapper?.clientWidth ?? 0, table: element.scrollWidth };
  });
  expect(widths.scroll, 'table wrapper scrolls sideways').toBeLessThanOrEqual(widths.client);
  expect(widths.table, 'table content wider than the table').toBeLessThanOrEqual(widths.client);
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
  await expectCardsFit(page, table);
  await expectNoSideScroll(page);
  await shot(page, 'small-services');
});

/** The diagram is vertical: director under the client, the servers stacked under it, all inside the phone's width. */
async function expectVerticalTopology(page: Page, name: RegExp, director: string, servers: readonly string[]): Promise<void> {
  const topology = page.getByRole('img', { name }).first();
  await expect(topology).toBeVisible({ timeout: 20_000 });
  await expectWithinWidth(page, topology);
  const boxOf = async (text: string) => {
    const box = await topology.locator('text').filter({ hasText: text }).first().boundingBox();
    expect(box, text).not.toBeNull();
    return box ?? { x: 0, y: 0, width: 0, height: 0 };
  };
  const directorBox = await boxOf(director);
  const serverBoxes = await Promise.all(servers.map((server) => boxOf(`RIP ${server}`)));
  let previousY = directorBox.y;
  for (const box of serverBoxes) {
    expect(box.y, 'each real server below the one before, all below the director').toBeGreaterThan(previousY);
    expect(box.x).toBeCloseTo(serverBoxes[0]?.x ?? 0, 0);
    // Readable: the address is drawn at 9 px or more, not shrunk to fit a wide drawing.
    expect(box.height).toBeGreaterThanOrEqual(9);
    previousY = box.y;
  }
}

test('a service at 390 px: the topology is vertical and fits, weights within reach', async ({ page }) => {
  await openWithToken(page, 'admin');
  await page.goto(`${process.env.LVS_E2E_BASE_URL}/#/services/${encodeURIComponent('tcp:192.0.2.10:80')}`);
  await expectVerticalTopology(page, /192\.0\.2\.10/, 'Director', ['198.51.100.11:8080', '198.51.100.12:8080', '198.51.100.13:8080']);
  const slider = page.getByRole('slider', { name: 'Weight of 198.51.100.12:8080' });
  await expectWithinWidth(page, slider);
  await expectCardsFit(page, page.getByRole('table', { name: 'Real servers' }));
  await expectWithinWidth(page, page.getByRole('spinbutton', { name: 'Exact weight of 198.51.100.12:8080' }));
  for (const action of ['Drain', 'Drain (keep weight)', 'Edit', 'Remove'])
    await expectWithinWidth(page, page.getByRole('button', { name: `${action} 198.51.100.12:8080`, exact: true }));
  await expectNoSideScroll(page);
  await shot(page, 'small-service-overview');
});

test.describe('zh-CN dark', () => {
  test.use({ locale: 'zh-CN', colorScheme: 'dark' });
  test('a DR service at 390 px: the vertical topology in Chinese, dark', async ({ page }) => {
    await page.addInitScript((token) => sessionStorage.setItem('lvs-console.token', token), ADMIN_TOKEN);
    await page.goto(`${process.env.LVS_E2E_BASE_URL}/#/services/${encodeURIComponent('tcp:203.0.113.10:443')}`);
    await expectVerticalTopology(page, /203\.0\.113\.10/, '调度器', ['198.51.100.21:443', '198.51.100.22:443']);
    // The director's label is light on its dark box; the servers' text dark on their light boxes.
    const directorFill = await page
      .getByRole('img', { name: /203\.0\.113\.10/ })
      .locator('text')
      .filter({ hasText: '调度器' })
      .first()
      .getAttribute('fill');
    expect(directorFill).toBe('#fff');
    // The longer Chinese button words and the weight's slider and number stay inside the card.
    await expectCardsFit(page, page.getByRole('table', { name: '真实服务器' }));
    await expectWithinWidth(page, page.getByRole('slider', { name: '198.51.100.22:443 的权重' }));
    await expectWithinWidth(page, page.getByRole('spinbutton', { name: '198.51.100.22:443 的精确权重' }));
    for (const name of ['排空 198.51.100.22:443', '排空（保留权重）198.51.100.22:443'])
      await expectWithinWidth(page, page.getByRole('button', { name, exact: true }));
    await expectNoSideScroll(page);
    await shot(page, 'small-service-overview-zh-CN-dark');
  });
});

test('Changes page at 390 px fits the width', async ({ page }) => {
  await openWithToken(page, 'admin');
  await page.goto(`${process.env.LVS_E2E_BASE_URL}/#/changes`);
  await expect(page.getByRole('region', { name: 'Audit log' })).toBeVisible();
  await expectNoSideScroll(page);
  await shot(page, 'small-changes');
});

test('the watch view at 390 px: the rate table as cards, the window buttons wrap, no side scroll', async ({ page }) => {
  await openWithToken(page, 'admin');
  await page.goto(`${process.env.LVS_E2E_BASE_URL}/#/services/${encodeURIComponent('tcp:192.0.2.10:80')}/watch`);
  const table = page.getByRole('table', { name: /^Rates per real server/ });
  await expect(table.getByRole('row')).toHaveCount(4, { timeout: 20_000 });
  await expectWithinWidth(page, table.getByRole('cell').filter({ hasText: '%' }).last());
  await expectCardsFit(page, table);
  await expectWithinWidth(page, page.getByRole('button', { name: 'Pause' }));
  await expectNoSideScroll(page);
  await shot(page, 'small-watch');
});
