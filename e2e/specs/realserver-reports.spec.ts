// A DR real server runs its own agent (simulated host, nothing set up yet)
// and reports to the director: its failing settings show on the diagram, in
// the services overview and as a checklist on Real servers setup; an admin
// fixes them in one click, a viewer only sees them; once it stops reporting
// its checklist is marked out of date.
import type { Page } from '@playwright/test';
import { callApi, startRealServerAgent } from '../support/agent';
import { agentBaseURL, expect, loginAsAdmin, openWithToken, shot, test } from '../support/fixtures';

const VIP = '203.0.113.10';
const RIP = '198.51.100.21';
const SERVICE_LINK = `TCP ${VIP}:443`;
const ARP_IGNORE_PROBLEM = `net.ipv4.conf.all.arp_ignore is 0, should be 1 on ${RIP}`;
// The console polls reports every 5 s; the real server reports every second.
const REPORT_WAIT = { timeout: 20_000 };

function setupSection(page: Page) {
  return page.getByRole('region', { name: `Setup of ${RIP}:443` });
}

function checklist(page: Page) {
  return setupSection(page).getByRole('list', { name: `Settings reported by ${RIP}` });
}

test.describe('real-server reports', () => {
  test('a DR real server reports failing settings; an admin fixes them, a viewer only sees them', async ({ page, browser, consoleErrors }) => {
    test.setTimeout(120_000);
    const realServer = await startRealServerAgent({ directorUrl: agentBaseURL(), address: RIP, vip: VIP, mode: 'dr', intervalSeconds: 1 });
    try {
      await loginAsAdmin(page);
      const overviewRow = page.getByRole('row', { name: new RegExp(`^${SERVICE_LINK.replaceAll('.', '\\.')}`) });
      await expect(overviewRow).toContainText('real server settings failing', REPORT_WAIT);

      await page.getByRole('link', { name: SERVICE_LINK }).click();
      const diagram = page.getByRole('img', { name: `DR topology of ${VIP}:443` });
      await expect(diagram).toContainText(ARP_IGNORE_PROBLEM, REPORT_WAIT);
      await expect(diagram).toContainText(/settings: \d+ failing/);
      await diagram.scrollIntoViewIfNeeded();
      await shot(page, 'realserver-report-diagram');

      await page.getByRole('link', { name: 'Real servers setup' }).click();
      await expect(checklist(page).getByRole('listitem').filter({ hasText: 'net.ipv4.conf.all.arp_ignore is 0, should be 1' })).toBeVisible();
      await expect(
        checklist(page)
          .getByRole('listitem')
          .filter({ hasText: `${VIP}/32 is not on lo` }),
      ).toBeVisible();
      const fixButton = setupSection(page).getByRole('button', { name: `Fix on ${RIP}` });
      await expect(fixButton).toBeVisible();
      // The other real server runs no agent: it keeps the snippet and gets the command to run one.
      await expect(page.getByRole('region', { name: 'Setup of 198.51.100.22:443' })).toContainText(`--address 198.51.100.22`);
      await shot(page, 'realserver-report-failing');

      // A viewer sees the same checklist but cannot ask for a fix.
      const viewerContext = await browser.newContext();
      try {
        const viewer = await viewerContext.newPage();
        const viewerErrors: string[] = [];
        viewer.on('console', (message) => {
          if (message.type() === 'error') viewerErrors.push(message.text());
        });
        viewer.on('pageerror', (error) => viewerErrors.push(error.message));
        await openWithToken(viewer, 'viewer');
        await viewer.goto(`${agentBaseURL()}/#/services/${encodeURIComponent(`tcp:${VIP}:443`)}/setup`);
        await expect(checklist(viewer).getByRole('listitem').filter({ hasText: 'should be 1' }).first()).toBeVisible(REPORT_WAIT);
        await expect(viewer.getByRole('button', { name: /^Fix on / })).toHaveCount(0);
        expect(viewerErrors).toEqual([]);
      } finally {
        await viewerContext.close();
      }

      await fixButton.click();
      await expect(checklist(page).getByRole('listitem').filter({ hasNotText: 'in place' })).toHaveCount(0, REPORT_WAIT);
      await expect(setupSection(page).getByText(/^Last fix \(requested by /)).toContainText('every setting applied');
      await expect(fixButton).toHaveCount(0);
      await shot(page, 'realserver-report-fixed');

      await page.getByRole('link', { name: 'Overview', exact: true }).click();
      await expect(diagram).toBeVisible();
      await expect(diagram).not.toContainText(`on ${RIP}`);
      await expect(diagram).not.toContainText(/settings: \d+ failing/);
      await page.getByRole('link', { name: 'Services', exact: true }).click();
      await expect(overviewRow).not.toContainText('real server settings failing');

      // A real server that stops reporting: its last checklist is kept but marked out of date.
      await realServer.stop();
      await page.getByRole('link', { name: SERVICE_LINK }).click();
      await expect(diagram).toContainText(`no report from ${RIP} since`, REPORT_WAIT);
      await page.getByRole('link', { name: 'Real servers setup' }).click();
      await expect(
        setupSection(page)
          .getByRole('status')
          .filter({ hasText: `No report from ${RIP} since` }),
      ).toContainText('may be out of date');
      await expect(fixButton).toHaveCount(0);
      await shot(page, 'realserver-report-stale');

      // Retired for good: forgetting the report brings back the snippet and clears the diagram.
      await setupSection(page)
        .getByRole('button', { name: `Forget the report of ${RIP}` })
        .click();
      await expect(checklist(page)).toHaveCount(0);
      await expect(setupSection(page)).toContainText(`--address ${RIP}`);
      await page.getByRole('link', { name: 'Overview', exact: true }).click();
      await expect(diagram).not.toContainText(`no report from ${RIP}`);
    } finally {
      await realServer.stop();
      // Other specs share this agent: leave no report behind even when a step above failed.
      await callApi(agentBaseURL(), 'realServers.forget', 'mutation', { address: RIP }).catch(() => undefined);
    }
    expect(consoleErrors).toEqual([]);
  });
});
