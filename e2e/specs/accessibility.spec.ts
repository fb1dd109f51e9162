// Accessibility (issue 19 point 9): axe-core checks every screen in both
// languages and both themes and fails on any serious or critical violation
// (contrast, names, roles, ARIA use ...), listing each with its elements.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures';
import { ADMIN_TOKEN } from '../support/agent';

const SERVICE = encodeURIComponent('tcp:192.0.2.10:80');
const SCREENS = [
  '#/',
  '#/services/new',
  `#/services/${SERVICE}`,
  `#/services/${SERVICE}/watch`,
  `#/services/${SERVICE}/connections`,
  `#/services/${SERVICE}/setup`,
  '#/directors',
  '#/changes',
  '#/import',
  '#/settings',
  '#/notifications',
  '#/sim',
  '#/no-such-screen',
] as const;

const LANGUAGES = ['en', 'zh-CN'] as const;
const THEMES = ['light', 'dark'] as const;

interface Finding {
  screen: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

async function seriousViolations(page: Page, screen: string): Promise<Finding[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ screen, rule: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}

/** The screen's heading is drawn and nothing says "Loading…" any more. */
async function settled(page: Page): Promise<void> {
  await expect(page.locator('main h1').first()).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('main [role="status"]').filter({ hasText: /Loading|加载/ })).toHaveCount(0, { timeout: 20_000 });
  await page.waitForTimeout(500);
}

for (const language of LANGUAGES) {
  for (const theme of THEMES) {
    test(`no serious or critical axe violation on any screen: ${language}, ${theme}`, async ({ page }) => {
      test.setTimeout(400_000);
      await page.addInitScript(
        ({ lang, mode }) => {
          localStorage.setItem('lvs-console.language', lang);
          localStorage.setItem('lvs-console.theme', mode);
        },
        { lang: language, mode: theme },
      );
      const findings: Finding[] = [];
      // The login screen first, before a session exists.
      await page.goto(`${process.env.LVS_E2E_BASE_URL}/#/`);
      await expect(page.locator('h1').first()).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('lang', language);
      findings.push(...(await seriousViolations(page, 'login')));
      await page.addInitScript((token) => sessionStorage.setItem('lvs-console.token', token), ADMIN_TOKEN);
      for (const screen of SCREENS) {
        await page.goto(`${process.env.LVS_E2E_BASE_URL}/${screen}`);
        await settled(page);
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
        findings.push(...(await seriousViolations(page, screen)));
      }
      expect(findings, JSON.stringify(findings, null, 2)).toEqual([]);
    });
  }
}

test('the check can fail: an image without a text alternative on a screen is reported', async ({ page }) => {
  await page.addInitScript((token) => sessionStorage.setItem('lvs-console.token', token), ADMIN_TOKEN);
  await page.goto(`${process.env.LVS_E2E_BASE_URL}/#/`);
  await settled(page);
  await page.locator('main').evaluate((main) => {
    const img = document.createElement('img');
    img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
    main.append(img);
  });
  const findings = await seriousViolations(page, '#/');
  expect(findings.map((f) => f.rule)).toContain('image-alt');
});
