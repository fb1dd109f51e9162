// The scheduler picker predicts before applying: rr ignores weights, wrr
// follows them; sh shows how many clients would move.
import { callApi } from '../support/agent';
import { agentBaseURL, expect, loginAsAdmin, shot, test } from '../support/fixtures';

const DNS = { kind: 'addr', protocol: 'udp', address: '192.0.2.53', port: 53 } as const;

test.describe('scheduler picker', () => {
  test('switching to wrr changes the predicted shares, and applying it reaches the agent', async ({ page, consoleErrors }) => {
    const snapshot = await callApi<{ revision: number }>(agentBaseURL(), 'state.get', 'query');
    await callApi(agentBaseURL(), 'destinations.setWeight', 'mutation', {
      baseRevision: snapshot.revision,
      service: DNS,
      destination: { address: '198.51.100.31', port: 53 },
      weight: 3,
    });

    await loginAsAdmin(page);
    await page.getByRole('link', { name: 'UDP 192.0.2.53:53' }).click();
    const picker = page.getByRole('combobox', { name: 'Scheduler' });
    await expect(picker).toHaveValue('rr');
    // rr ignores the weights: 50/50 although the weights are 3:1.
    await expect(page.getByText('The rr scheduler ignores weights')).toBeVisible();
    await expect(page.getByTestId('scheduler-prediction-198.51.100.31:53')).toHaveText('50.0%');

    await picker.selectOption('wrr');
    await expect(page.getByTestId('scheduler-prediction-198.51.100.31:53')).toHaveText('75.0%');
    await expect(page.getByTestId('scheduler-prediction-198.51.100.32:53')).toHaveText('25.0%');
    // The bars show the same: with wrr the weight-3 server's bar is three times the other's.
    const bars = page.getByRole('img', { name: 'Predicted share of new connections per real server: now (rr) and with wrr' });
    await expect(bars.locator('.recharts-bar-rectangle')).toHaveCount(4);
    const widths = await bars.locator('.recharts-bar-rectangle path').evaluateAll((paths) => paths.map((p) => (p as SVGGraphicsElement).getBBox().width));
    // Recharts draws the 'now' bars first, then the 'with wrr' bars, each in server order.
    expect(widths[0]).toBeCloseTo(widths[1] ?? 0, 0);
    expect((widths[2] ?? 0) / (widths[3] ?? 1)).toBeCloseTo(3, 1);
    await expect(page.getByText('Servers of different capacity and requests of similar cost.')).toBeVisible();

    await page.getByRole('button', { name: 'Preview plan' }).first().click();
    await expect(page.getByRole('group', { name: 'These ipvsadm lines will run' })).toContainText('-E -u 192.0.2.53:53 -s wrr');
    await shot(page, '14-scheduler-preview');
    await page.getByRole('button', { name: 'Apply scheduler' }).click();
    await expect
      .poll(async () => {
        const state = await callApi<{ desired: { services: Array<{ key: { address?: string }; scheduler: string }> } }>(agentBaseURL(), 'state.get', 'query');
        return state.desired.services.find((s) => s.key.address === DNS.address)?.scheduler;
      })
      .toBe('wrr');
    await expect(page.getByTestId('predicted-198.51.100.31:53')).toHaveText('75.0%');

    // sh and mh: flags appear, and the clients that would move are counted.
    await picker.selectOption('mh');
    await expect(page.getByRole('checkbox', { name: 'mh-port' })).toBeVisible();
    await expect(page.getByText(/re-assigns every client|would move/)).toBeVisible();
    await shot(page, '15-scheduler-mh');
    expect(consoleErrors).toEqual([]);
  });
});
