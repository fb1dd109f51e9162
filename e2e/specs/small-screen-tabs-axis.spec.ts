// Issue 19 point 8 at 390 px, in both languages and both themes: the service
// page's tabs stay on one line (a narrow screen scrolls them sideways) and the
// watch chart's time labels do not overlap (fewer labels on a narrow chart).
// axe checks the watch screen in each combination.
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { ADMIN_TOKEN, repoRoot } from '../support/agent';
import { agentBaseURL, expect, shot, test } from '../support/fixtures';

test.use({ viewport: { width: 390, height: 844 } });

const SERVICE = encodeURIComponent('tcp:192.0.2.10:80');
// "21:58:40" in zh-CN, "09:58:40 PM" in English.
const CLOCK = /^\d{1,2}:\d{2}:\d{2}( [AP]M)?$/;

async function open(page: Page, language: string, theme: string, hash: string): Promise<void> {
  await page.addInitScript(
    ({ token, lang, mode }) => {
      sessionStorage.setItem('lvs-console.token', token);
      localStorage.setItem('lvs-console.language', lang);
      localStorage.setItem('lvs-console.theme', mode);
    },
    { token: ADMIN_TOKEN, lang: language, mode: theme },
  );
  await page.goto(`${agentBaseURL()}/${hash}`);
}

type Box = { x: number; y: number; width: number; height: number };

async function boxes(locator: Locator): Promise<Box[]> {
  const found: Box[] = [];
  for (const item of await locator.all()) {
    const box = await item.boundingBox();
    if (box) found.push(box);
  }
  return found;
}

for (const language of ['en', 'zh-CN'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    test(`390 px, ${language}, ${theme}: the service tabs stay on one line, the watch chart's time labels do not overlap`, async ({ page }) => {
      test.setTimeout(120_000);
      await open(page, language, theme, `#/services/${SERVICE}/watch`);
      const tabs = page.getByRole('navigation', { name: language === 'en' ? 'Service views' : '服务视图' }).getByRole('link');
      await expect(tabs).toHaveCount(4);
      const tabBoxes = await boxes(tabs);
      expect(tabBoxes).toHaveLength(4);
      // One line: every tab at the first tab's height, each one line of text high.
      for (const box of tabBoxes) {
        expect(Math.abs(box.y - (tabBoxes[0]?.y ?? 0)), 'tabs on one line').toBeLessThan(2);
        expect(box.height, 'a tab is one line high').toBeLessThan(40);
      }
      // The page itself never scrolls sideways; the tab strip may.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

      const chart = page
        .locator('main svg')
        .filter({ has: page.locator('text', { hasText: CLOCK }) })
        .first();
      await expect(chart).toBeVisible({ timeout: 20_000 });
      const labels = chart.locator('text').filter({ hasText: CLOCK });
      const labelBoxes = (await boxes(labels)).sort((a, b) => a.x - b.x);
      expect(labelBoxes.length, 'at least the two ends are labelled').toBeGreaterThanOrEqual(2);
      for (let i = 1; i < labelBoxes.length; i++) {
        const before = labelBoxes[i - 1] as Box;
        const box = labelBoxes[i] as Box;
        expect(box.x, `time label ${i} starts after label ${i - 1} ends (with a gap)`).toBeGreaterThan(before.x + before.width + 4);
      }
      await shot(page, `small-watch-tabs-${language}-${theme}`);
      // The first screenful as the phone shows it (tabs and the first chart).
      await page.screenshot({ path: join(repoRoot, `e2e/screenshots/small-watch-tabs-${language}-${theme}-top.png`) });

      const results = await new AxeBuilder({ page }).analyze();
      const serious = results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
      expect(serious).toEqual([]);
    });
  }
}

test('390 px zh-CN: the tab strip scrolls sideways to its last tab, which opens', async ({ page }) => {
  await open(page, 'zh-CN', 'light', `#/services/${SERVICE}`);
  const last = page.getByRole('navigation', { name: '服务视图' }).getByRole('link').last();
  await last.scrollIntoViewIfNeeded();
  const box = await last.boundingBox();
  expect(box).not.toBeNull();
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
  await last.click();
  await expect(last).toHaveAttribute('aria-current', 'page');
  await page.screenshot({ path: join(repoRoot, 'e2e/screenshots/small-tabs-last-zh-CN.png') });
});
