// Each seed's cluster, built by hand in the write-ups, built from the console:
// pasted into the import (with prompts and comments as written) or typed into
// the Add service form; then its topology is drawn for its method.
import { expect, loginAsAdmin, shot, test } from '../support/fixtures';
import { FORM_SEED, SEED_CLUSTERS } from '../support/seeds';

test.describe('seed clusters', () => {
  for (const cluster of SEED_CLUSTERS) {
    test(`seed ${cluster.seed}: import, preview, apply, see the ${cluster.method} topology`, async ({ page, consoleErrors }) => {
      await loginAsAdmin(page);
      await page.getByRole('link', { name: 'Import rules' }).click();
      await page.getByLabel('Rules to import').fill(cluster.text);
      await page.getByLabel('Mode').selectOption('merge');
      await page.getByRole('button', { name: 'Preview plan' }).click();
      const plan = page.getByRole('group', { name: 'These ipvsadm lines will run' });
      await expect(plan).toContainText(`-A -t ${cluster.vip}`);
      await shot(page, `seed-${cluster.seed.slice(0, 3)}-import-plan`);
      await page.getByRole('button', { name: 'Apply import' }).click();
      await expect(page.getByText(/Imported: revision \d+/)).toBeVisible();
      await page.getByRole('link', { name: 'Services', exact: true }).click();
      await page.getByRole('link', { name: `TCP ${cluster.vip}` }).click();
      await expect(page.getByRole('img', { name: `${cluster.method} topology of ${cluster.vip}` })).toBeVisible();
      await shot(page, `seed-${cluster.seed.slice(0, 3)}-topology`);
      expect(consoleErrors).toEqual([]);
    });
  }

  test('seed 003 (NAT, wrr): built through the Add service form', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await page.getByRole('link', { name: 'Add service' }).click();
    await page.getByLabel('Virtual IP (VIP)').fill(FORM_SEED.vip);
    await page.getByLabel('Port', { exact: true }).fill(String(FORM_SEED.port));
    await page.getByLabel('Scheduler').selectOption(FORM_SEED.scheduler);
    await page.getByLabel('Forwarding method').selectOption('masq');
    await page.getByLabel('Real server 1 address').fill(FORM_SEED.realServers[0]);
    await page.getByRole('button', { name: 'Add another real server' }).click();
    await page.getByLabel('Real server 2 address').fill(FORM_SEED.realServers[1]);
    await page.getByRole('button', { name: 'Preview plan' }).click();
    await expect(page.getByRole('group', { name: 'These ipvsadm lines will run' })).toContainText(
      `-a -t ${FORM_SEED.vip}:80 -r ${FORM_SEED.realServers[1]}:80 -m`,
    );
    await shot(page, 'seed-003-form');
    await page.getByRole('button', { name: 'Create service' }).click();
    await expect(page.getByRole('img', { name: `NAT topology of ${FORM_SEED.vip}:80` })).toBeVisible();
    await expect(page.getByRole('slider', { name: `Weight of ${FORM_SEED.realServers[0]}:80` })).toBeVisible();
    await shot(page, 'seed-003-topology');
    expect(consoleErrors).toEqual([]);
  });
});
