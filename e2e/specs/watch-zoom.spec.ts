// Issue 19.6: zoom into a range of the watch view's charts by dragging, by
// keyboard or by button; the range is in the URL (a reload or a shared link
// shows the same range) and "Reset zoom" returns to the live window.
import { ADMIN_TOKEN } from '../support/agent';
import { agentBaseURL, expect, shot, test } from '../support/fixtures';

const SERVICE = encodeURIComponent('tcp:192.0.2.10:80');

function zoomOf(url: string): { from: number; to: number } | null {
  const match = /[?&]zoom=(\d+)-(\d+)/.exec(url);
  return match ? { from: Number(match[1]), to: Number(match[2]) } : null;
}

test('watch view: drag to zoom, the range in the URL survives a reload, + and the button zoom, reset', async ({ page, consoleErrors }) => {
  await page.addInitScript((value) => sessionStorage.setItem('lvs-console.token', value), ADMIN_TOKEN);
  await page.goto(`${agentBaseURL()}/#/services/${SERVICE}/watch?range=1`);
  const liveChart = page.getByRole('img', { name: /^Service total: .*last 1 minute$/ });
  await expect(liveChart).toBeVisible({ timeout: 20_000 });

  // Drag across the middle of the service total chart.
  const box = await liveChart.boundingBox();
  if (!box) throw new Error('chart has no box');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.45, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.75, y, { steps: 5 });
  await page.mouse.up();
  await expect.poll(() => zoomOf(page.url())).not.toBeNull();
  const dragged = zoomOf(page.url());
  if (!dragged) throw new Error('no zoom in the URL');
  // About 30 % of a 1-minute plot.
  expect(dragged.to - dragged.from).toBeGreaterThan(8_000);
  expect(dragged.to - dragged.from).toBeLessThan(30_000);
  const zoomedChart = page.getByRole('img', { name: /^Service total: .* to .*$/ });
  await expect(zoomedChart).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reset zoom' })).toBeVisible();
  const title = await zoomedChart.getAttribute('aria-label');
  await shot(page, '64-watch-zoomed');

  // A reload (or the link, shared) shows the same range.
  await page.reload();
  await expect(page.getByRole('img', { name: title ?? '' })).toBeVisible({ timeout: 20_000 });
  expect(zoomOf(page.url())).toEqual(dragged);

  // Keyboard: "+" on the focused chart halves the range.
  await page.getByRole('img', { name: title ?? '' }).focus();
  await page.keyboard.press('+');
  await expect.poll(() => zoomOf(page.url())?.to).not.toBe(dragged.to);
  const halved = zoomOf(page.url());
  // Half, give or take the rounding to whole milliseconds.
  expect(Math.abs((halved?.to ?? 0) - (halved?.from ?? 0) - (dragged.to - dragged.from) / 2)).toBeLessThanOrEqual(1);

  // Reset: the live window again, no zoom in the URL.
  await page.getByRole('button', { name: 'Reset zoom' }).click();
  await expect(page.getByRole('img', { name: /^Service total: .*last 1 minute$/ })).toBeVisible();
  expect(page.url()).not.toContain('zoom=');
  await expect(page.getByRole('button', { name: 'Reset zoom' })).toHaveCount(0);

  // The button alternative.
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect.poll(() => zoomOf(page.url())).not.toBeNull();
  expect(page.url()).not.toContain('range=');
  expect(consoleErrors).toEqual([]);
});
