// A viewer sees everything and can change nothing: no edit controls in the
// console, and the agent refuses a direct attempt.
import { callApi, VIEWER_TOKEN } from '../support/agent';
import { agentBaseURL, expect, openWithToken, shot, test } from '../support/fixtures';

test.describe('viewer', () => {
  test('a viewer token shows no edit controls and cannot change anything', async ({ page, consoleErrors }) => {
    await openWithToken(page, 'viewer');
    await expect(page.getByText('viewer · viewer')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Add service' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Import rules' })).toHaveCount(0);
    await page.getByRole('link', { name: 'TCP 192.0.2.10:80' }).click();
    await expect(page.getByRole('img', { name: 'NAT topology of 192.0.2.10:80' })).toBeVisible();
    await expect(page.getByRole('slider')).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^(Drain|Remove|Edit|Enable) / })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Apply scheduler' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Remove service' })).toHaveCount(0);
    await expect(page.getByRole('combobox', { name: 'Scheduler' })).toBeDisabled();
    await shot(page, '19-viewer-service');
    await page.getByRole('link', { name: 'Changes' }).click();
    await expect(page.getByRole('button', { name: /Undo to revision/ })).toHaveCount(0);
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('button', { name: /Apply|Save/ })).toHaveCount(0);

    const state = await callApi<{ revision: number }>(agentBaseURL(), 'state.get', 'query', undefined, VIEWER_TOKEN);
    await expect(
      callApi(
        agentBaseURL(),
        'destinations.setWeight',
        'mutation',
        {
          baseRevision: state.revision,
          service: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
          destination: { address: '198.51.100.11', port: 8080 },
          weight: 9,
        },
        VIEWER_TOKEN,
      ),
    ).rejects.toThrow(/viewer \(viewer\) may not make this change/);
    expect(consoleErrors).toEqual([]);
  });
});
