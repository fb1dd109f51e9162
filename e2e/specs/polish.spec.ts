// Polish (issue 19 point 10): the Changes tables keep their columns apart,
// the undo plan and its result are scrolled into view, the NAT setup script
// names the director's real address, and long script comments stay visible.
import { callApi, newLoginUrl } from '../support/agent';
import { agentBaseURL, expect, loginAsAdmin, shot, test } from '../support/fixtures';
import type { Page } from '@playwright/test';

/** Horizontal gap in px between the text of two table header cells. */
async function textGap(page: Page, left: string, right: string): Promise<number> {
  return page.evaluate(
    ([a, b]) => {
      const textRect = (name: string) => {
        const cell = Array.from(document.querySelectorAll('th')).find((th) => th.textContent?.trim().toLowerCase() === name.toLowerCase());
        if (!cell) throw new Error(`no header cell ${name}`);
        const range = document.createRange();
        range.selectNodeContents(cell);
        return range.getBoundingClientRect();
      };
      return textRect(b).left - textRect(a).right;
    },
    [left, right] as const,
  );
}

test.describe('polish', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('Changes: revision columns apart; the undo plan and its result come into view', async ({ page, consoleErrors }) => {
    const before = await callApi<{ revision: number }>(agentBaseURL(), 'state.get', 'query');
    const changed = await callApi<{ revision: number }>(agentBaseURL(), 'destinations.setWeight', 'mutation', {
      baseRevision: before.revision,
      service: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
      destination: { address: '198.51.100.12', port: 8080 },
      weight: 7,
    });
    expect(changed.revision).toBeGreaterThan(before.revision);
    await loginAsAdmin(page);
    await page.getByRole('link', { name: 'Changes' }).click();
    await expect(page.getByRole('table', { name: 'Recent revisions, newest first' })).toBeVisible();
    expect(await textGap(page, 'Rev', 'When')).toBeGreaterThanOrEqual(8);
    expect(await textGap(page, 'Who', 'What')).toBeGreaterThanOrEqual(8);
    await shot(page, 'polish-changes');

    await page.getByRole('button', { name: `Undo to revision ${before.revision}` }).click();
    const plan = page.getByRole('group', { name: `Undo to revision ${before.revision}: these ipvsadm lines will run` });
    await expect(plan).toContainText('-r 198.51.100.12:8080');
    await expect(plan).toBeInViewport();
    await page.getByRole('button', { name: 'Apply undo' }).click();
    const result = page.getByText(/Undone: now revision \d+/);
    await expect(result).toBeVisible();
    await expect(result).toBeInViewport();
    expect(consoleErrors).toEqual([]);
  });

  test("setup scripts: the NAT gateway is the director's address; DR comments are not cut off", async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await page.goto(`${agentBaseURL()}/#/services/${encodeURIComponent('tcp:192.0.2.10:80')}/setup`);
    const nat = page.getByRole('region', { name: 'Setup of 198.51.100.11:8080' });
    // The same address the topology labels DIP (the demo director's source toward its real servers).
    await expect(nat).toContainText('ip route replace default via 198.51.100.1');
    await expect(nat).not.toContainText('DIP_OF_DIRECTOR');
    await shot(page, 'polish-setup-nat');

    await page.goto(`${agentBaseURL()}/#/services/${encodeURIComponent('tcp:203.0.113.10:443')}/setup`);
    const dr = page.getByRole('region', { name: /^Setup of / }).first();
    const script = dr.locator('pre').first();
    await expect(script).toContainText('arp_ignore');
    // Every line is visible: nothing runs past the box's edge.
    const overflow = await script.evaluate((pre) => pre.scrollWidth - pre.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'polish-setup-dr');
    expect(consoleErrors).toEqual([]);
  });
});

test.describe('polish in Chinese', () => {
  test.use({ locale: 'zh-CN', viewport: { width: 1280, height: 720 } });

  test("the changed screens read in Chinese: Changes, setup scripts, a new service's DIP", async ({ page, consoleErrors }) => {
    await page.goto(await newLoginUrl(agentBaseURL()));
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '变更' }).click();
    await expect(page.getByRole('table', { name: '最近的版本，最新在前' })).toBeVisible();
    await shot(page, 'polish-changes-zh-CN');
    await page.goto(`${agentBaseURL()}/#/services/${encodeURIComponent('tcp:192.0.2.10:80')}/setup`);
    await expect(page.locator('pre').filter({ hasText: 'ip route replace default via 198.51.100.1' }).first()).toBeVisible();
    await shot(page, 'polish-setup-nat-zh-CN');
    await page.goto(`${agentBaseURL()}/#/services/${encodeURIComponent('tcp:203.0.113.10:443')}/setup`);
    await expect(page.locator('pre').filter({ hasText: 'arp_ignore' }).first()).toBeVisible();
    await shot(page, 'polish-setup-dr-zh-CN');
    expect(consoleErrors).toEqual([]);
  });
});
