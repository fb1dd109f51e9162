// A weight moved with the keyboard reaches the agent's desired state and the
// (simulated) kernel, and then the measured shares follow the prediction.
import { callApi } from '../support/agent';
import { agentBaseURL, expect, loginAsAdmin, shot, test } from '../support/fixtures';

interface Snapshot {
  revision: number;
  desired: { services: Array<{ key: { kind: string; address?: string; port?: number }; destinations: Array<{ address: string; weight: number }> }> };
  observed: { services: Array<{ key: { kind: string; address?: string; port?: number }; destinations: Array<{ address: string; weight: number }> }> } | null;
}

const SERVICE = { address: '192.0.2.10', port: 80 };
const SERVER = '198.51.100.13';

function weightIn(table: Snapshot['desired'] | Snapshot['observed'], address: string): number | undefined {
  const svc = table?.services.find((s) => s.key.address === SERVICE.address && s.key.port === SERVICE.port);
  return svc?.destinations.find((d) => d.address === address)?.weight;
}

function shareOf(text: string): number {
  return Number(text.replace('%', '').trim());
}

test.describe('weights', () => {
  /** The slider's commit after the last key (weight-control.tsx). */
  const KEY_COMMIT_MS = 700;

  test('moving a weight slider with the keyboard changes the kernel, then the measured shares follow', async ({ page, consoleErrors }) => {
    test.setTimeout(120_000);
    await loginAsAdmin(page);
    await page.getByRole('link', { name: 'TCP 192.0.2.10:80' }).click();
    const slider = page.getByRole('slider', { name: `Weight of ${SERVER}:8080` });
    await expect(slider).toHaveValue('1');
    const measured = page.getByTestId(`measured-${SERVER}:8080`);
    await expect(measured).toContainText('%');
    const before = shareOf(await measured.innerText());

    const startRevision = (await callApi<Snapshot>(agentBaseURL(), 'state.get', 'query')).revision;
    await slider.focus();
    // Each press's window: a loaded machine may leave more than the slider's
    // 700 ms idle commit between two presses, and then two commits are right.
    const presses: Array<{ from: number; to: number }> = [];
    for (let i = 0; i < 5; i++) {
      const from = Date.now();
      await page.keyboard.press('ArrowRight');
      presses.push({ from, to: Date.now() });
    }
    const possibleIdleGaps = presses.slice(1).filter((press, i) => press.to - (presses[i]?.from ?? 0) >= KEY_COMMIT_MS).length;
    await expect(slider).toHaveValue('6');
    // The prediction follows the draft at once (wrr 3:2:6).
    await expect(page.getByTestId(`predicted-${SERVER}:8080`)).toHaveText('54.5%');

    // The agent's desired state and the kernel it observes both have weight 6.
    await expect
      .poll(
        async () => {
          const snapshot = await callApi<Snapshot>(agentBaseURL(), 'state.get', 'query');
          return [weightIn(snapshot.desired, SERVER), weightIn(snapshot.observed, SERVER)];
        },
        { timeout: 10_000 },
      )
      .toEqual([6, 6]);
    // Five presses, one commit: one new revision, not five (one more per idle gap the machine forced).
    const newRevisions = (await callApi<Snapshot>(agentBaseURL(), 'state.get', 'query')).revision - startRevision;
    expect(newRevisions).toBeGreaterThanOrEqual(1);
    expect(newRevisions).toBeLessThanOrEqual(1 + possibleIdleGaps);
    await expect(page.getByRole('spinbutton', { name: `Exact weight of ${SERVER}:8080` })).toHaveValue('6');
    await shot(page, '11-weight-changed');

    // Measured share over the last minute climbs towards 54.5 %.
    await expect.poll(async () => shareOf(await measured.innerText()), { timeout: 60_000, intervals: [2000] }).toBeGreaterThan(Math.max(before, 16.7) + 6);
    await shot(page, '12-measured-follows');

    // Exact value through the number field, then drain and enable.
    const exact = page.getByRole('spinbutton', { name: `Exact weight of ${SERVER}:8080` });
    await exact.fill('70000');
    await exact.press('Enter');
    await expect(page.getByRole('alert').filter({ hasText: 'the largest weight is 65535' })).toBeVisible();
    await exact.fill('1');
    await exact.press('Enter');
    await expect(slider).toHaveValue('1');
    // Drain asks first, showing the ipvsadm line it will run.
    await page.getByRole('button', { name: `Drain ${SERVER}:8080` }).click();
    const ask = page.getByRole('dialog', { name: `Drain ${SERVER}:8080?` });
    await expect(ask.getByRole('group', { name: 'These ipvsadm lines will run' })).toContainText(`ipvsadm -e -t 192.0.2.10:80 -r ${SERVER}:8080 -m -w 0`);
    await shot(page, '13-drain-asks');
    await ask.getByRole('button', { name: `Drain ${SERVER}:8080` }).click();
    await expect(slider).toHaveValue('0');
    await expect(page.getByRole('row', { name: new RegExp(SERVER) }).getByText('draining')).toBeVisible();
    await shot(page, '13-drained');
    await page.getByRole('button', { name: `Enable ${SERVER}:8080` }).click();
    await expect(slider).toHaveValue('1');
    // The weight change's notice offers to undo it.
    await expect(page.getByRole('status').filter({ hasText: `Weight of ${SERVER}:8080 set to 1 (was 0)` })).toBeVisible();
    await page.getByRole('button', { name: 'Undo weight change' }).click();
    await expect(slider).toHaveValue('0');
    expect(consoleErrors).toEqual([]);
  });

  test.describe('on a 1280 px laptop', () => {
    test.use({ viewport: { width: 1280, height: 800 } });
    test('the real servers table fits: every column and action without sideways scrolling', async ({ page }) => {
      await loginAsAdmin(page);
      await page.getByRole('link', { name: 'TCP 192.0.2.10:80' }).click();
      const table = page.getByRole('table', { name: 'Real servers' });
      await expect(table.getByRole('button', { name: 'Drain (keep weight) 198.51.100.11:8080' })).toBeVisible();
      const widths = await table.evaluate((element) => ({ scroll: element.parentElement?.scrollWidth ?? 0, client: element.parentElement?.clientWidth ?? 0 }));
      expect(widths.scroll, 'the table scrolls sideways').toBeLessThanOrEqual(widths.client);
    });
  });
});
