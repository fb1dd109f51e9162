// Notifications screen: an admin adds a webhook pointing at a real HTTP
// receiver on loopback, sends a test notification, sees it in the delivery
// log with the receiver's answer, and the token never shows in full.
import { createServer } from 'node:http';
import { expect, loginAsAdmin, shot, test } from '../support/fixtures';

test.describe('notifications', () => {
  test('add a webhook, send a test, read the delivery log, remove it', async ({ page, consoleErrors }) => {
    const received: Array<{ authorization: string | undefined; body: { alerts: Array<{ kind: string }> } }> = [];
    const receiver = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      req.on('end', () => {
        received.push({ authorization: req.headers.authorization, body: JSON.parse(text) as { alerts: Array<{ kind: string }> } });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    try {
      await loginAsAdmin(page);
      await page.getByRole('link', { name: 'Notifications' }).click();
      await expect(page.getByRole('heading', { name: 'Notifications', level: 1 })).toBeVisible();
      await page.getByLabel('Webhook name').fill('Ops receiver');
      await page.getByLabel('Webhook URL').fill(`http://127.0.0.1:${port}/hook`);
      await page.getByLabel('Bearer token (optional)').fill('e2e-receiver-token-9876');
      await page.getByRole('button', { name: 'Add webhook' }).click();
      const row = page.getByRole('row', { name: /Ops receiver/ });
      await expect(row).toContainText(`http://127.0.0.1:${port}/hook`);
      await expect(row).toContainText('••••9876');
      await expect(page.getByText('e2e-receiver-token-9876')).toHaveCount(0);

      await page.getByRole('button', { name: 'Send a test notification' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Test sent to 1 target' })).toContainText('200 OK: thanks');
      expect(received).toHaveLength(1);
      expect(received[0]?.authorization).toBe('Bearer e2e-receiver-token-9876');
      expect(received[0]?.body.alerts[0]?.kind).toBe('test');
      const log = page.getByRole('region', { name: 'Delivery log' });
      await expect(log.getByRole('row', { name: /test notification sent by/ })).toContainText('ok: 200 OK: thanks');
      await shot(page, '40-notifications');

      await page.getByRole('button', { name: 'Remove webhook Ops receiver' }).click();
      await expect(page.getByText('No webhooks yet.')).toBeVisible();
      expect(consoleErrors).toEqual([]);
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
