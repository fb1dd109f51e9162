// Issue 19.6: the watch view's history survives an agent restart. The agent
// keeps 10 s averages in its state directory; after a restart the 1 h and
// 24 h windows still reach back to before it, in the API and on the chart.
import { callApi, startAgent, stopAgent } from '../support/agent';
import { expect, openWithToken, shot, test } from '../support/fixtures';

const SERVICE = 'tcp:192.0.2.10:80';
interface WindowAnswer {
  services: Array<{ id: string; points: Array<{ time: number; samples?: number }> }>;
}

/** What the watch view asks for with the 1 h window and a few servers: 12 s steps (series.ts). */
function hourWindow(baseURL: string): Promise<WindowAnswer> {
  return callApi<WindowAnswer>(baseURL, 'stats.window', 'query', { minutes: 60, services: [SERVICE], stepSeconds: 12, includeDestinations: true });
}

test('watch view: the history from before an agent restart is still drawn after it', async ({ page }) => {
  test.setTimeout(180_000);
  // An agent of its own: restarting the shared one would disturb other specs.
  const first = await startAgent();
  let second: Awaited<ReturnType<typeof startAgent>> | null = null;
  try {
    // Long enough for some finished 10 s buckets.
    await page.waitForTimeout(25_000);
    await stopAgent(first);
    const restartedAt = Date.now();
    second = await startAgent({ port: first.port, stateDir: first.stateDir });

    const answer = await hourWindow(second.baseURL);
    const points = answer.services.find((s) => s.id === SERVICE)?.points ?? [];
    const oldest = points[0]?.time ?? Number.POSITIVE_INFINITY;
    // The restarted agent answers from its file: points from before the restart.
    expect(oldest).toBeLessThan(restartedAt - 10_000);

    await openWithToken(page, 'admin', second.baseURL);
    await page.goto(`${second.baseURL}/#/services/${encodeURIComponent(SERVICE)}/watch?range=60`);
    await expect(page.getByRole('button', { name: '1 h', exact: true })).toHaveAttribute('aria-pressed', 'true', { timeout: 20_000 });
    const chart = page.getByRole('img', { name: /^Service total: .*last 1 hour$/ });
    await chart.focus();
    await chart.press('Home');
    // The chart's oldest point is the restarted agent's oldest bucket, from before the restart.
    const expected = await page.evaluate(
      (time) => new Intl.DateTimeFormat(document.documentElement.lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(time),
      oldest,
    );
    await expect(page.getByRole('tooltip')).toContainText(expected);
    await shot(page, '60-watch-history-after-restart');

    // The 24 h window (only the 10 s history reaches that far) is offered and shareable.
    await page.getByRole('button', { name: '24 h', exact: true }).click();
    await expect.poll(() => page.url()).toContain('range=1440');
    await expect(page.getByRole('img', { name: /^Service total: .*last 24 hours$/ })).toBeVisible();
  } finally {
    if (second) await stopAgent(second);
    await stopAgent(first, { removeState: first.stateDir });
  }
});
