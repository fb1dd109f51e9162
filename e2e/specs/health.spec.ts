// Health checks and tracked drains: enable checks on a demo service (no
// explicit checks: the sim's failing flag is probed), fail a real server and
// see the kernel weight go to 0 while the configured weight stays, recover
// it, and drain another one with progress.
import type { DesiredState } from '@lvs-console/shared';
import { callApi } from '../support/agent';
import { agentBaseURL, expect, loginAsAdmin, shot, test } from '../support/fixtures';

const SERVICE = { kind: 'addr', protocol: 'tcp', address: '203.0.113.10', port: 443 } as const;
const FAILING = { address: '198.51.100.22', port: 443 };

async function markFailing(failing: boolean): Promise<void> {
  await callApi(agentBaseURL(), 'health.markSimFailing', 'mutation', { service: SERVICE, destination: FAILING, failing });
}

test.describe('health checks and drains', () => {
  // The specs share one agent: leave the service as the demo made it.
  test.afterAll(async () => {
    await markFailing(false);
    const state = await callApi<{ revision: number; desired: DesiredState }>(agentBaseURL(), 'state.get', 'query');
    const services = state.desired.services.map((svc) => {
      if (svc.key.kind !== 'addr' || svc.key.address !== SERVICE.address || svc.key.port !== SERVICE.port) return svc;
      const { health: _health, ...rest } = svc;
      return rest;
    });
    await callApi(agentBaseURL(), 'state.replace', 'mutation', { baseRevision: state.revision, state: { ...state.desired, services } });
  });

  test('enable checks, fail and recover a server, drain another', async ({ page, consoleErrors }) => {
    test.setTimeout(120_000);
    await loginAsAdmin(page);
    await page.getByRole('link', { name: 'TCP 203.0.113.10:443' }).click();
    const panel = page.getByRole('region', { name: 'Health checks' });
    await expect(panel.getByRole('checkbox', { name: 'Health checks enabled' })).not.toBeChecked();

    // A check whose timeout is not shorter than its interval is refused next to the form.
    await panel.getByLabel('New check kind').selectOption('http');
    await panel.getByRole('button', { name: 'Add check' }).click();
    await panel.getByLabel('Timeout (ms)').fill('6000');
    await expect(panel.getByRole('group', { name: 'Check 1: HTTP request' }).getByRole('alert')).toContainText(
      'timeout (6000 ms) must be shorter than the interval (5000 ms)',
    );
    await expect(panel.getByRole('button', { name: 'Apply health checks' })).toBeDisabled();
    await panel.scrollIntoViewIfNeeded();
    await shot(page, 'health-editor-invalid');
    await panel.getByRole('button', { name: 'Remove check 1' }).click();

    // No explicit checks: in sim mode the sim's failing flag is the probe.
    await panel.getByRole('checkbox', { name: 'Health checks enabled' }).check();
    await panel.getByRole('button', { name: 'Preview plan' }).click();
    await expect(panel.getByRole('group', { name: 'These ipvsadm lines will run' })).toBeVisible();
    await panel.getByRole('button', { name: 'Apply health checks' }).click();
    await expect(panel.getByText(/Applied \(revision \d+/)).toBeVisible();
    // The audit log names the change, not a whole-state replace.
    const audit = await callApi<Array<{ what: string; who: string; result: string }>>(agentBaseURL(), 'audit.list', 'query', { limit: 5 });
    expect(audit[0]).toMatchObject({ what: 'set health checks of TCP 203.0.113.10:443: tcp (default), on failure quiesce', result: 'ok' });

    const realServers = page.getByRole('region', { name: 'Real servers' });
    const failingRow = realServers.getByRole('row', { name: /^198\.51\.100\.22:443/ });
    await expect(failingRow).toContainText('check up');
    await expect(failingRow).toContainText('simulated');

    await markFailing(true);
    await expect(failingRow).toContainText('check down', { timeout: 30_000 });
    await expect(page.getByTestId('effective-weight-198.51.100.22:443')).toHaveText('1 → 0 in kernel (check failing)');
    await expect(page.getByRole('spinbutton', { name: 'Exact weight of 198.51.100.22:443' })).toHaveValue('1');
    await expect(realServers.getByRole('row', { name: /health check failing for/ })).toBeVisible();
    await expect(failingRow.getByRole('img', { name: /failed/ })).toBeVisible();
    await shot(page, 'health-failing');

    await page.getByRole('link', { name: 'Services', exact: true }).click();
    await expect(page.getByRole('row', { name: /TCP 203\.0\.113\.10:443/ })).toContainText('198.51.100.22:443 health check failing');
    await shot(page, 'health-overview-warning');
    await page.getByRole('link', { name: 'TCP 203.0.113.10:443' }).click();

    await markFailing(false);
    await expect(failingRow).toContainText('check up', { timeout: 30_000 });
    await expect(page.getByTestId('effective-weight-198.51.100.22:443')).toHaveCount(0);
    await expect(failingRow).toContainText('flap');

    // A tracked drain keeps the configured weight and counts the connections down.
    await page.getByRole('button', { name: 'Drain (keep weight) 198.51.100.21:443' }).click();
    const drainForm = page.getByRole('form', { name: 'Tracked drain options for 198.51.100.21:443' });
    await expect(drainForm.getByRole('checkbox', { name: 'Remove when drained' })).not.toBeChecked();
    await shot(page, 'health-drain-options');
    await drainForm.getByRole('button', { name: 'Start tracked drain' }).click();
    const drainedRow = realServers.getByRole('row', { name: /^198\.51\.100\.21:443/ });
    await expect(drainedRow).toContainText('tracked drain');
    await expect(page.getByTestId('effective-weight-198.51.100.21:443')).toHaveText('1 → 0 in kernel (draining)');
    await expect(page.getByRole('spinbutton', { name: 'Exact weight of 198.51.100.21:443' })).toHaveValue('1');
    await expect(page.getByTestId('drain-progress')).toContainText(/connections? left|safe to remove/);
    await expect(page.getByTestId('drain-progress')).toContainText(/ending\/s|measuring/);
    await shot(page, 'health-drain');

    await page.getByRole('button', { name: 'Cancel drain of 198.51.100.21:443' }).click();
    await expect(page.getByTestId('drain-progress')).toHaveCount(0);
    await expect(page.getByTestId('effective-weight-198.51.100.21:443')).toHaveCount(0);
    await shot(page, 'health-recovered');
    expect(consoleErrors).toEqual([]);
  });
});
