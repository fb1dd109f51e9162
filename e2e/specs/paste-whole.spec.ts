// Each seed write-up pasted whole (prose, prompts, listings and all) into the
// Import page gives the table its author built. Replace mode, so the result
// is exactly the seed's table: the dialog names how many services go, and
// the agent's state is put back afterwards for the other specs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredState } from '@lvs-console/shared';
import { renderRules } from '@lvs-console/shared/ipvsadm';
import { callApi, repoRoot } from '../support/agent';
import { agentBaseURL, expect, loginAsAdmin, shot, test } from '../support/fixtures';

interface Snapshot {
  revision: number;
  desired: { services: Array<{ key: { kind: string; protocol?: string; address?: string; port?: number } }> } & Record<string, unknown>;
}

const SEEDS = join(repoRoot, 'packages/shared/test/fixtures/seeds');
const read = (name: string) => readFileSync(join(SEEDS, name), 'utf8');

const CASES: Array<{ seed: string; expected: string }> = [
  { seed: '000_69cd17229d364707', expected: read('000_69cd17229d364707.Sn') },
  { seed: '001_7d3af739274dd511', expected: read('001_7d3af739274dd511-dr.Sn') },
  { seed: '002_6688bd36d8d96982', expected: read('002_6688bd36d8d96982-nat.Sn') + read('002_6688bd36d8d96982-persistent.Sn') },
  { seed: '003_2126bffc24a5b74b', expected: read('003_2126bffc24a5b74b.Sn') },
  { seed: '004_5b7713e7ae6b680f', expected: read('004_5b7713e7ae6b680f.Sn') },
];

test.describe('seed write-ups pasted whole', () => {
  let saved: Snapshot | null = null;
  test.beforeAll(async () => {
    saved = await callApi<Snapshot>(agentBaseURL(), 'state.get', 'query');
  });
  test.afterAll(async () => {
    if (!saved) return;
    const now = await callApi<Snapshot>(agentBaseURL(), 'state.get', 'query');
    await callApi(agentBaseURL(), 'state.replace', 'mutation', { baseRevision: now.revision, state: saved.desired, dryRun: false });
  });

  for (const { seed, expected } of CASES) {
    test(`seed ${seed}: the author's table, every skipped line listed`, async ({ page, consoleErrors }) => {
      await loginAsAdmin(page);
      await page.getByRole('link', { name: 'Import rules' }).click();
      await page.getByLabel('Rules to import').fill(read(`whole/${seed}.txt`));
      await page.getByLabel('Mode').selectOption('replace');
      await expect(page.getByText(/\d+ rule lines? found/)).toBeVisible();
      await page.getByText(/^Skipped lines \(\d+\)$/).click();
      await expect(page.getByRole('list', { name: 'Skipped lines' }).getByRole('listitem').first()).toContainText(/^line \d+:/);
      await page.getByRole('button', { name: 'Preview plan' }).click();
      const plan = page.getByRole('group', { name: 'These ipvsadm lines will run' });
      await expect(plan).toContainText(expected.split('\n')[0] ?? '');
      await shot(page, `paste-whole-${seed.slice(0, 3)}-preview`);
      const before = await callApi<Snapshot>(agentBaseURL(), 'state.get', 'query');
      const deleting = before.desired.services.length;
      await page.getByRole('button', { name: 'Apply import' }).click();
      if (deleting > 0) {
        const dialog = page.getByRole('dialog', { name: `Delete ${deleting} service${deleting === 1 ? '' : 's'}?` });
        await expect(dialog).toBeVisible();
        await shot(page, `paste-whole-${seed.slice(0, 3)}-confirm`);
        await dialog.getByRole('button', { name: `Delete ${deleting} service${deleting === 1 ? '' : 's'} and apply` }).click();
      }
      await expect(page.getByText(/Imported: revision \d+/)).toBeVisible();
      const after = await callApi<{ desired: DesiredState }>(agentBaseURL(), 'state.get', 'query');
      expect(renderRules(after.desired)).toBe(expected);
      expect(consoleErrors).toEqual([]);
    });
  }

  test('a paste without rule lines offers no Preview or Apply', async ({ page }) => {
    await loginAsAdmin(page);
    await page.getByRole('link', { name: 'Import rules' }).click();
    await page.getByLabel('Rules to import').fill('[root@lvs ~]# ipvsadm -Ln\nIP Virtual Server version 1.2.1 (size=4096)\nsome notes\n');
    await page.getByLabel('Mode').selectOption('replace');
    await expect(page.getByRole('status').filter({ hasText: 'no ipvsadm commands or listing found' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Preview plan' })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Apply import' })).toHaveCount(0);
  });
});
