// Issue 19.6: every chart of the watch view marks the changes made to its
// service (from the audit log); hover or keyboard focus says who changed what.
// Screenshots in English and Chinese, light and dark.
import type { Page } from '@playwright/test';
import { ADMIN_TOKEN, callApi } from '../support/agent';
import { agentBaseURL, expect, shot, test } from '../support/fixtures';

const SERVICE_KEY = { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 } as const;
const SERVICE = encodeURIComponent('tcp:192.0.2.10:80');
const SERVER = { address: '198.51.100.13', port: 8080 };
const WHAT = 'set weight of 198.51.100.13:8080 in TCP 192.0.2.10:80 to 4';

async function setWeight(weight: number): Promise<void> {
  const state = await callApi<{ revision: number }>(agentBaseURL(), 'state.get', 'query');
  await callApi(agentBaseURL(), 'destinations.setWeight', 'mutation', { baseRevision: state.revision, service: SERVICE_KEY, destination: SERVER, weight });
}

async function originalWeight(): Promise<number> {
  const state = await callApi<{
    desired: { services: Array<{ key: { address?: string; port?: number }; destinations: Array<{ address: string; port: number; weight: number }> }> };
  }>(agentBaseURL(), 'state.get', 'query');
  const service = state.desired.services.find((s) => s.key.address === SERVICE_KEY.address && s.key.port === SERVICE_KEY.port);
  return service?.destinations.find((d) => d.address === SERVER.address && d.port === SERVER.port)?.weight ?? 1;
}

/** Straight to the watch view with the admin token in the session (any language). */
async function openWatch(page: Page): Promise<void> {
  await page.addInitScript((value) => sessionStorage.setItem('lvs-console.token', value), ADMIN_TOKEN);
  await page.goto(`${agentBaseURL()}/#/services/${SERVICE}/watch?range=5`);
}

test.describe('watch view change markers', () => {
  let before = 1;
  test.beforeAll(async () => {
    before = await originalWeight();
    await setWeight(4);
  });
  test.afterAll(async () => {
    await setWeight(before);
  });

  test('a change shows on every chart; hover and focus say who changed what', async ({ page, consoleErrors }) => {
    await openWatch(page);
    const markers = page.getByRole('button', { name: new RegExp(`^Change at .+ by admin: ${WHAT.replace(/[.]/g, '\\.')}$`) });
    // The service total, the four per-server charts and the measured share over time.
    await expect(markers).toHaveCount(6, { timeout: 20_000 });

    // Keyboard: Tab reaches a marker, its tooltip names who and what.
    await markers.first().focus();
    const tooltip = page.getByRole('tooltip');
    await expect(tooltip).toContainText('Change by admin');
    await expect(tooltip).toContainText(WHAT);
    await expect(markers.first()).toHaveAttribute('aria-describedby', /.+/);
    await page.keyboard.press('Escape');
    await expect(tooltip).toHaveCount(0);

    // Pointer: hovering a marker of another chart (paused, so that it holds still under the pointer).
    await page.getByRole('button', { name: 'Pause' }).click();
    await markers.nth(2).hover();
    await expect(page.getByRole('tooltip')).toContainText(WHAT);
    await shot(page, '61-watch-marker-en-light');
    expect(consoleErrors).toEqual([]);
  });

  test.describe('dark', () => {
    test.use({ colorScheme: 'dark' });
    test('marker in dark mode', async ({ page }) => {
      await openWatch(page);
      const marker = page.getByRole('button', { name: /^Change at .+ by admin: set weight of 198\.51\.100\.13:8080/ }).first();
      await marker.focus({ timeout: 20_000 });
      await expect(page.getByRole('tooltip')).toContainText(WHAT);
      await shot(page, '62-watch-marker-en-dark');
    });
  });

  for (const scheme of ['light', 'dark'] as const) {
    test.describe(`zh-CN ${scheme}`, () => {
      test.use({ locale: 'zh-CN', colorScheme: scheme });
      test(`marker in Chinese, ${scheme}`, async ({ page }) => {
        await openWatch(page);
        // The change itself is said in Chinese too (recorded with its message id).
        const marker = page.getByRole('button', { name: /admin 的变更：把 TCP 192\.0\.2\.10:80 中 198\.51\.100\.13:8080 的权重设为/ }).first();
        await marker.focus({ timeout: 20_000 });
        await expect(page.getByRole('tooltip')).toContainText('把 TCP 192.0.2.10:80 中 198.51.100.13:8080 的权重设为 4');
        await shot(page, `63-watch-marker-zh-CN-${scheme}`);
      });
    });
  }
});
