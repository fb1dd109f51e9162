// One drift answer (issue 19 point 4): the console shows the agent's drift
// report everywhere. A TUN service made in the form (tunnel options unset,
// the kernel reports ipip) is no drift on the overview, its header or Changes.
import { callApi } from '../support/agent';
import { agentBaseURL, expect, loginAsAdmin, shot, test } from '../support/fixtures';

const VIP = '192.0.2.177';
const REAL_SERVER = '10.0.177.1';

test('a TUN service created in the form shows no drift anywhere', async ({ page, consoleErrors }) => {
  await loginAsAdmin(page);
  await page.getByRole('link', { name: 'Add service' }).click();
  await page.getByLabel('Virtual IP (VIP)').fill(VIP);
  await page.getByLabel('Forwarding method').selectOption('tunnel');
  await page.getByLabel('Real server 1 address').fill(REAL_SERVER);
  await page.getByRole('button', { name: 'Create service' }).click();
  await expect(page.getByRole('img', { name: `TUN topology of ${VIP}:80` })).toBeVisible();

  // The kernel holds the tunnel as ipip while the desired state leaves it unset.
  const snapshot = await callApi<{ observed: { services: Array<{ key: { address?: string }; destinations: Array<{ tunnel?: { type: string } }> }> } }>(
    agentBaseURL(),
    'state.get',
    'query',
  );
  const observed = snapshot.observed.services.find((s) => s.key.address === VIP);
  expect(observed?.destinations[0]?.tunnel).toEqual({ type: 'ipip' });

  // Wait for a full drift check after the commit (every 5 s), then for the console's next poll of it.
  const created = Date.now();
  await expect
    .poll(async () => (await callApi<{ checkedAt: number }>(agentBaseURL(), 'state.drift', 'query')).checkedAt, { timeout: 30_000 })
    .toBeGreaterThan(created);
  await page.waitForTimeout(3500);

  const header = page
    .locator('main')
    .getByRole('heading', { name: `TCP ${VIP}:80`, level: 1 })
    .locator('..');
  await expect(header).toBeVisible();
  await expect(header).not.toContainText('drift');
  await shot(page, 'drift-tun-service');

  await page.getByRole('link', { name: 'Services', exact: true }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: `TCP ${VIP}:80` }) });
  await expect(row).toBeVisible();
  await expect(row).not.toContainText('drift');

  await page.getByRole('link', { name: 'Changes' }).click();
  await expect(page.getByText('No drift: the kernel matches the desired state.')).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
