// The sync daemon on a director without a pair: started from the Settings
// form (preview, then apply) it runs in the kernel and is listed, and the
// panel stops it again. (With a pair, directors.spec: the pair runs it.)
import { callApi } from '../support/agent';
import { agentBaseURL, expect, loginAsAdmin, test } from '../support/fixtures';

interface Snapshot {
  observed: { syncDaemons: Array<{ state: string; interface: string; syncId: number }> } | null;
}

test('a hand-set sync daemon: previewed, started, listed and stopped from Settings', async ({ page, consoleErrors }) => {
  const running = async () =>
    ((await callApi<Snapshot>(agentBaseURL(), 'state.get', 'query')).observed?.syncDaemons ?? []).map((d) => `${d.state}:${d.interface}:${d.syncId}`);
  await loginAsAdmin(page);
  await page.getByRole('link', { name: 'Settings' }).click();
  const panel = page.getByRole('region', { name: 'Connection sync daemon' });
  await expect(panel).toContainText('No sync daemon.');
  await panel.getByRole('combobox', { name: 'Role' }).selectOption('backup');
  await panel.getByRole('spinbutton', { name: 'Sync ID' }).fill('7');
  await panel.getByRole('button', { name: 'Preview plan' }).first().click();
  await expect(panel).toContainText('--start-daemon backup --mcast-interface eth0 --syncid 7');
  await panel.getByRole('button', { name: 'Start / update daemon' }).click();
  await expect(panel).toContainText('backup sync daemon (mcast=eth0, syncid=7)');
  await expect.poll(running).toEqual(['backup:eth0:7']);

  await panel.getByRole('button', { name: 'Stop all sync daemons' }).click();
  await expect(panel).toContainText('No sync daemon.');
  await expect.poll(running).toEqual([]);
  expect(consoleErrors).toEqual([]);
});
