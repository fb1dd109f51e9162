// The Directors view against a pair of simulated directors (two agents on
// loopback with a simulated VRRP election): roles, revisions and sync
// daemons per member, a change on one director reaching the other, and a
// failover by the button, released again.
import { callApi, startAgent, stopAgent } from '../support/agent';
import { expect, openWithToken, shot, test } from '../support/fixtures';

test.describe('directors of a pair', () => {
  test('shows both members, fails over by the button and releases', async ({ page, consoleErrors }) => {
    test.setTimeout(120_000);
    const pair = await startAgent({ pair: true });
    const lb2 = `http://127.0.0.1:${pair.port + 1}`;
    try {
      await openWithToken(page, 'admin', pair.baseURL);
      await page.getByRole('link', { name: 'Directors' }).click();
      await expect(page.getByRole('heading', { name: /Directors/ })).toBeVisible();
      const row = (name: string) => page.getByRole('row', { name: new RegExp(`^${name}\\b`) });
      await expect(row('lb1')).toContainText('MASTER');
      await expect(row('lb2')).toContainText('BACKUP');
      await expect(row('lb1')).toContainText('master on eth0 (id 1)');
      await expect(row('lb2')).toContainText('backup on eth0 (id 1)');
      await expect(row('lb1')).toContainText('192.0.2.10');
      await shot(page, '30-directors');

      // A change through lb1's API is lb2's desired state and kernel too.
      const snapshot = await callApi<{ revision: number }>(pair.baseURL, 'state.get', 'query');
      await callApi(pair.baseURL, 'destinations.setWeight', 'mutation', {
        baseRevision: snapshot.revision,
        service: { kind: 'addr', protocol: 'tcp', address: '192.0.2.10', port: 80 },
        destination: { address: '198.51.100.11', port: 8080 },
        weight: 7,
      });
      const peer = await callApi<{ revision: number; observed: { services: Array<{ destinations: Array<{ address: string; weight: number }> }> } }>(
        lb2,
        'state.get',
        'query',
      );
      expect(peer.revision).toBe(snapshot.revision + 1);
      await expect(row('lb2')).toContainText(`revision ${snapshot.revision + 1}`);

      await page.getByRole('button', { name: 'Fail over now' }).click();
      const dialog = page.getByRole('dialog', { name: 'Confirm failover' });
      await expect(dialog).toContainText('lb1 will hand 192.0.2.10');
      await expect(dialog).toContainText('Established connections continue there');
      await shot(page, '31-directors-confirm-failover');
      await dialog.getByRole('button', { name: 'Hand over the VIPs' }).click();
      await expect(row('lb2')).toContainText('MASTER', { timeout: 15_000 });
      await expect(row('lb1')).toContainText('BACKUP');
      await expect(row('lb2')).toContainText('master on eth0 (id 1)', { timeout: 15_000 });
      await expect(row('lb1')).toContainText('handed over');
      await shot(page, '32-directors-after-failover');

      // Settings leave the daemon to the pair (no hand-set form) and show what this director runs now.
      await page.getByRole('link', { name: 'Settings' }).click();
      const sync = page.getByRole('region', { name: 'Connection sync daemon' });
      await expect(sync).toContainText('The director pair runs it: master on the MASTER, backup on the other director, on eth0 with sync ID 1.');
      await expect(sync).toContainText('backup sync daemon (mcast=eth0, syncid=1)', { timeout: 15_000 });
      await expect(sync.getByRole('button', { name: 'Start / update daemon' })).toHaveCount(0);
      await expect(sync.getByRole('link', { name: 'Change it under Directors.' })).toHaveAttribute('href', '/#/directors');

      // The service's diagram shows which director holds its VIP now.
      await page.getByRole('link', { name: 'Services', exact: true }).click();
      await page.getByRole('link', { name: 'TCP 192.0.2.10:80' }).click();
      await expect(page.getByRole('img', { name: /topology of 192\.0\.2\.10:80/ })).toContainText('lb2MASTER', { timeout: 15_000 });
      await shot(page, '33-service-vip-holder');
      await page.getByRole('link', { name: 'Directors' }).click();

      await page.getByRole('button', { name: 'Release lb1' }).click();
      await expect(row('lb1')).toContainText('MASTER', { timeout: 15_000 });
      await expect(row('lb2')).toContainText('BACKUP');
      expect(consoleErrors).toEqual([]);
    } finally {
      await stopAgent(pair, { removeState: pair.stateDir });
    }
  });
});
