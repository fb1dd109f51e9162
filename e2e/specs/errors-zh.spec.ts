// Issue 19, point 1: what the agent and the shared rules say about a change is
// shown in the console's language: a field error of the new-service form (the
// shared schema, checked in the browser) and the agent's refusal of a service
// that already exists, both in Chinese in a zh-CN browser.
import { newLoginUrl } from '../support/agent';
import { agentBaseURL, expect, shot, test } from '../support/fixtures';

test.use({ locale: 'zh-CN' });

test.describe("errors in the console's language", () => {
  test("a bad port in the new-service form and the agent's refusal read in Chinese", async ({ page, consoleErrors }) => {
    await page.goto(await newLoginUrl(agentBaseURL()));
    await page.getByRole('link', { name: '添加服务' }).click();
    const vip = page.getByRole('textbox', { name: '虚拟 IP（VIP）' });
    const port = page.getByRole('spinbutton', { name: '端口', exact: true });

    // The shared schema's words, next to the field.
    await vip.fill('192.0.2.10');
    await port.fill('70000');
    await expect(port).toHaveAccessibleDescription(/端口必须在 0 到 65535 之间/);
    await expect(page.getByText('port must be between 0 and 65535')).toHaveCount(0);
    await shot(page, 'zh-CN-errors-bad-port');

    // The demo's TCP 192.0.2.10:80 exists: the agent refuses, and says so in Chinese.
    await port.fill('80');
    await page.getByRole('textbox', { name: '真实服务器 1 地址' }).fill('10.0.190.1');
    await page.getByRole('button', { name: '创建服务' }).click();
    await expect(page.getByRole('alert').filter({ hasText: '服务 TCP 192.0.2.10:80 已存在' })).toBeVisible();
    await shot(page, 'zh-CN-errors-new-service');
    expect(consoleErrors.filter((text) => !/409|Conflict/i.test(text))).toEqual([]);
  });
});
