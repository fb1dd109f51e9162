// "Fix director settings" asks first: the dialog lists the commands the
// agent's dry run says it will run on the director (a TUN service needs the
// ipip module), Cancel changes nothing, and after confirming each line that
// ran is listed with its outcome and the checklist turns green.
import type { Page } from '@playwright/test';
import { addTunService, callApi, newLoginUrl } from '../support/agent';
import { agentBaseURL, expect, loginAsAdmin, shot, test } from '../support/fixtures';

const VIP = '192.0.2.250';
const SERVICE = `tcp:${VIP}:80`;

function directorPanel(page: Page) {
  return page.getByRole('region', { name: 'Director' });
}

test.describe('fix director settings', () => {
  test.beforeAll(() => addTunService(agentBaseURL(), VIP, '198.51.100.60'));

  test('in Chinese: the confirmation lists the commands, Cancel runs nothing', async ({ browser }) => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    try {
      const page = await context.newPage();
      await page.goto(await newLoginUrl(agentBaseURL()));
      await expect(page.getByRole('heading', { name: '虚拟服务' })).toBeVisible();
      await page.goto(`${agentBaseURL()}/#/services/${encodeURIComponent(SERVICE)}/setup`);
      await page.getByRole('button', { name: '修复调度器设置' }).click();
      const dialog = page.getByRole('dialog', { name: '更改本机的设置？' });
      await expect(dialog.getByRole('group', { name: '以下命令将在本机上运行' })).toContainText('modprobe -- ipip');
      await expect(dialog.getByRole('button', { name: '运行这些命令' })).toBeVisible();
      await shot(page, 'zh-CN-director-fix-confirm');
      await dialog.getByRole('button', { name: '取消' }).click();
      await expect(dialog).toHaveCount(0);
    } finally {
      await context.close();
    }
  });

  test('the dialog shows the dry run; confirming runs those lines and reports each', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await page.goto(`${agentBaseURL()}/#/services/${encodeURIComponent(SERVICE)}/setup`);
    const director = directorPanel(page);
    await expect(director.getByRole('listitem').filter({ hasText: 'kernel module ipip is not loaded' })).toBeVisible();

    // Cancel: nothing ran, the module is still missing.
    await director.getByRole('button', { name: 'Fix director settings' }).click();
    let dialog = page.getByRole('dialog', { name: "Change this host's settings?" });
    await expect(dialog.getByRole('group', { name: 'These commands will run on this host' })).toHaveText(/modprobe -- ipip/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(director.getByRole('list', { name: 'Commands run on this host' })).toHaveCount(0);
    const status = await callApi<{ services: Array<{ service: string; settings: Array<{ id: string; ok: boolean }> }> }>(
      agentBaseURL(),
      'host.status',
      'query',
    );
    expect(status.services.find((s) => s.service === SERVICE)?.settings.find((r) => r.id === 'module:ipip')?.ok).toBe(false);

    await director.getByRole('button', { name: 'Fix director settings' }).click();
    dialog = page.getByRole('dialog', { name: "Change this host's settings?" });
    const lines = dialog.getByRole('group', { name: 'These commands will run on this host' });
    await expect(lines).toContainText('modprobe -- ipip');
    await expect(lines).not.toContainText('ip_vs');
    await shot(page, 'director-fix-confirm');
    await dialog.getByRole('button', { name: 'Run these commands' }).click();

    const ran = director.getByRole('list', { name: 'Commands run on this host' });
    await expect(ran.getByRole('listitem').filter({ hasText: 'modprobe -- ipip' })).toContainText('done');
    await expect(director).toContainText(/\d+ of \d+ settings applied\./);
    await expect(director.getByRole('listitem').filter({ hasText: 'kernel module ipip is not loaded' })).toHaveCount(0);
    const after = await callApi<{ services: Array<{ service: string; settings: Array<{ id: string; ok: boolean }> }> }>(agentBaseURL(), 'host.status', 'query');
    expect(after.services.find((s) => s.service === SERVICE)?.settings.find((r) => r.id === 'module:ipip')?.ok).toBe(true);
    await shot(page, 'director-fix-result');

    // Asked again, there is nothing left to run.
    await director.getByRole('button', { name: 'Fix director settings' }).click();
    await expect(page.getByRole('dialog', { name: "Change this host's settings?" })).toContainText('Nothing to run: this host already has every setting.');
    await page.keyboard.press('Escape');
    expect(consoleErrors).toEqual([]);
  });
});
