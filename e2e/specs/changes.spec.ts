// Every edit can be previewed as ipvsadm lines, applied, and undone from the
// revision list; the audit log records it.
import { callApi } from '../support/agent';
import { agentBaseURL, expect, loginAsAdmin, shot, test } from '../support/fixtures';

interface State {
  revision: number;
  desired: { services: Array<{ key: { address?: string; port?: number }; persistence: { timeout: number } | null }> };
}

function persistenceOf(state: State): { timeout: number } | null | undefined {
  return state.desired.services.find((s) => s.key.address === '192.0.2.10' && s.key.port === 80)?.persistence;
}

test.describe('changes', () => {
  test('preview, apply, then undo to the revision before', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await page.getByRole('link', { name: 'TCP 192.0.2.10:80' }).click();
    const before = await callApi<State>(agentBaseURL(), 'state.get', 'query');
    expect(persistenceOf(before)).toBeNull();

    const persistence = page.getByRole('region', { name: 'Persistence' });
    await persistence.getByRole('checkbox', { name: /Persistent \(-p\)/ }).check();
    await persistence.getByLabel('Timeout in seconds').fill('600');
    await persistence.getByRole('button', { name: 'Preview plan' }).click();
    await expect(persistence.getByRole('group', { name: 'These ipvsadm lines will run' })).toContainText('-E -t 192.0.2.10:80 -s wrr -p 600');
    // Discard leaves everything as it was.
    await persistence.getByRole('button', { name: 'Discard' }).click();
    await expect(persistence.getByRole('group', { name: 'These ipvsadm lines will run' })).toHaveCount(0);
    expect(persistenceOf(await callApi<State>(agentBaseURL(), 'state.get', 'query'))).toBeNull();

    await persistence.getByRole('button', { name: 'Apply persistence' }).click();
    await expect(persistence.getByText(/Applied \(revision \d+/)).toBeVisible();
    expect(persistenceOf(await callApi<State>(agentBaseURL(), 'state.get', 'query'))).toEqual({ timeout: 600 });
    await shot(page, '16-persistence-applied');

    await page.getByRole('link', { name: 'Changes' }).click();
    await expect(page.getByRole('region', { name: 'Audit log' })).toContainText('edit service TCP 192.0.2.10:80');
    await page.getByRole('button', { name: `Undo to revision ${before.revision}` }).click();
    await expect(page.getByRole('group', { name: `Undo to revision ${before.revision}: these ipvsadm lines will run` })).toContainText(
      '-E -t 192.0.2.10:80 -s wrr',
    );
    await shot(page, '17-undo-plan');
    await page.getByRole('button', { name: 'Apply undo' }).click();
    await expect(page.getByText(/Undone: now revision \d+/)).toBeVisible();
    expect(persistenceOf(await callApi<State>(agentBaseURL(), 'state.get', 'query'))).toBeNull();
    await shot(page, '18-undone');
    expect(consoleErrors).toEqual([]);
  });
});
