// Forms that help (issue 19 point 5): in the new-service form the real-server
// port follows the VIP port and is locked where DR/TUN need them equal (VIP
// port 0 included); problems from the shared schema are said next to their
// field; a disabled button says why. Found by role and accessible name.
import { expect, loginAsAdmin, shot, test } from '../support/fixtures';
import { newLoginUrl } from '../support/agent';
import { agentBaseURL } from '../support/fixtures';

const VIP = '192.0.2.188';

test.describe('new-service form', () => {
  test('locks the DR port to the VIP port, says problems by their field and why Create is off', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await page.getByRole('link', { name: 'Add service' }).click();
    const create = page.getByRole('button', { name: 'Create service' });
    await expect(create).toBeDisabled();
    await expect(create).toHaveAccessibleDescription('Enter the virtual IP (VIP) first.');
    await expect(page.getByText('Enter the virtual IP (VIP) first.')).toBeVisible();

    await page.getByRole('textbox', { name: 'Virtual IP (VIP)' }).fill(VIP);
    const vipPort = page.getByRole('spinbutton', { name: 'Port', exact: true });
    const realPort = page.getByRole('spinbutton', { name: 'Real server 1 port' });
    // DR is the default method: the real server's port is the VIP's, read-only, with the reason.
    await expect(realPort).toHaveValue('80');
    await expect(realPort).not.toBeEditable();
    await expect(realPort).toHaveAccessibleDescription(/DR sends the packet unchanged: the real server port is the VIP port/);
    await vipPort.fill('8080');
    await expect(realPort).toHaveValue('8080');

    // VIP port 0: every port; the real server follows to 0, and the schema's rule is said at the port.
    await vipPort.fill('0');
    await expect(realPort).toHaveValue('0');
    await expect(realPort).toHaveAccessibleDescription(/DR keeps the client's port: every port of the VIP \(0\)/);
    await page.getByRole('textbox', { name: 'Real server 1 address' }).fill('10.0.188.1');
    await expect(vipPort).toHaveAccessibleDescription(/port 0 \(all ports\) is only allowed on a persistent service/);
    await expect(create).toBeDisabled();
    await expect(create).toHaveAccessibleDescription('Fix the problems marked in the form first.');
    await shot(page, 'forms-new-service-port-0');

    // A weight out of range: the shared schema's words, next to the weight.
    const weight = page.getByRole('spinbutton', { name: 'Real server 1 weight' });
    await weight.fill('70000');
    await expect(weight).toHaveAccessibleDescription('weight must be between 0 and 65535');
    await weight.fill('2');

    await page.getByRole('checkbox', { name: 'Persistent (-p)' }).check();
    await expect(vipPort).not.toHaveAccessibleDescription(/only allowed on a persistent service/);
    await expect(create).toBeEnabled();

    // NAT may map ports: the real-server port is editable and follows the VIP port until typed.
    await page.getByRole('combobox', { name: 'Forwarding method' }).selectOption('masq');
    await vipPort.fill('443');
    await expect(realPort).toBeEditable();
    await expect(realPort).toHaveValue('443');
    await expect(realPort).toHaveAccessibleDescription('follows the VIP port');
    await realPort.fill('8443');
    await vipPort.fill('444');
    await expect(realPort).toHaveValue('8443');
    await shot(page, 'forms-new-service-nat');

    // Back to DR with all ports and persistence: the service goes in.
    await page.getByRole('combobox', { name: 'Forwarding method' }).selectOption('route');
    await vipPort.fill('0');
    await expect(realPort).toHaveValue('0');
    await create.click();
    await expect(page.getByRole('img', { name: `DR topology of ${VIP}:0` })).toBeVisible();
    expect(consoleErrors).toEqual([]);
  });

  test.describe('in Chinese', () => {
    test.use({ locale: 'zh-CN' });
    test('the lock reason and the disabled reason read in Chinese', async ({ page, consoleErrors }) => {
      await page.goto(await newLoginUrl(agentBaseURL()));
      await page.getByRole('link', { name: '添加服务' }).click();
      const create = page.getByRole('button', { name: '创建服务' });
      await expect(create).toHaveAccessibleDescription('请先填写虚拟 IP（VIP）。');
      await page.getByRole('textbox', { name: '虚拟 IP（VIP）' }).fill('192.0.2.189');
      await expect(page.getByRole('spinbutton', { name: '真实服务器 1 端口' })).toHaveAccessibleDescription(/DR 不改写数据包：真实服务器端口即 VIP 端口/);
      await page.getByRole('spinbutton', { name: '端口', exact: true }).fill('0');
      await page.getByRole('textbox', { name: '真实服务器 1 地址' }).fill('10.0.189.1');
      await expect(create).toHaveAccessibleDescription('请先修正表单中标出的问题。');
      await shot(page, 'forms-new-service-zh-CN');
      expect(consoleErrors).toEqual([]);
    });
  });
});
