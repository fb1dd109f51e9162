// The console in Simplified Chinese: a zh-CN browser gets it by default (lang
// set, the catalog a lazy chunk), a seed cluster from the Chinese write-ups is
// built and read in Chinese, the setup script's comments are Chinese, and the
// operator's choice of language outlives a reload.
import { expect, shot, test } from '../support/fixtures';
import { newLoginUrl } from '../support/agent';
import { agentBaseURL } from '../support/fixtures';
import { SEED_CLUSTERS } from '../support/seeds';

test.use({ locale: 'zh-CN' });

// Seed 000 (DR, rr) on its own VIP, so this walk does not collide with seeds.spec.
const DR_SEED = SEED_CLUSTERS[0];
const VIP = '172.25.254.110';
const SEED_TEXT = DR_SEED?.text.replaceAll('172.25.254.100', VIP) ?? '';

test.describe('zh-CN console', () => {
  test('seed 000 (DR, rr) walked in Chinese: import, plan, apply, topology, setup script', async ({ page, consoleErrors }) => {
    const catalogRequests: string[] = [];
    page.on('request', (request) => {
      if (/\/assets\/zh-CN-[^/]+\.js$/.test(request.url())) catalogRequests.push(request.url());
    });
    await page.goto(await newLoginUrl(agentBaseURL()));
    await expect(page.getByRole('heading', { name: '虚拟服务' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    expect(catalogRequests).toHaveLength(1);
    await expect(page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '调度器' })).toBeVisible();
    await shot(page, 'zh-CN-services');

    await page.getByRole('link', { name: '导入规则' }).click();
    await page.getByLabel('要导入的规则').fill(SEED_TEXT);
    await page.getByLabel('模式').selectOption('merge');
    await page.getByRole('button', { name: '预览计划' }).click();
    const plan = page.getByRole('group', { name: '将执行以下 ipvsadm 命令' });
    await expect(plan).toContainText(`-A -t ${VIP}:80 -s rr`);
    await expect(page.getByText(/找到 \d+ 条规则命令/)).toBeVisible();
    await shot(page, 'zh-CN-seed-000-import-plan');
    await page.getByRole('button', { name: '应用导入' }).click();
    await expect(page.getByText(/已导入：版本 \d+/)).toBeVisible();

    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '服务', exact: true }).click();
    await page.getByRole('link', { name: `TCP ${VIP}:80` }).click();
    await expect(page.getByRole('img', { name: `DR 拓扑：${VIP}:80` })).toBeVisible();
    await expect(page.getByText('DR：同一二层网段；调度器只改写 MAC 地址；VIP 配置在每台真实服务器的 lo 上；响应直接返回客户端。')).toBeVisible();
    await expect(page.getByRole('slider', { name: '172.25.254.2:80 的权重' })).toBeVisible();
    await expect(page.getByRole('combobox', { name: '调度算法' })).toHaveValue('rr');
    await shot(page, 'zh-CN-seed-000-topology');

    await page.getByRole('link', { name: '真实服务器配置' }).click();
    const setup = page.getByRole('region', { name: '172.25.254.2:80 的配置' });
    const script = setup.locator('pre').first();
    await expect(script).toContainText('# DR：绝不把 VIP 作为 ARP 源地址通告');
    await expect(script).toContainText(`ip addr replace ${VIP}/32 dev lo`);
    await expect(script).not.toContainText('never announce');
    await shot(page, 'zh-CN-seed-000-setup');
    expect(consoleErrors).toEqual([]);
  });

  test('the language picker switches to English and the choice outlives a reload', async ({ page, consoleErrors }) => {
    await page.goto(await newLoginUrl(agentBaseURL()));
    await expect(page.getByRole('heading', { name: '虚拟服务' })).toBeVisible();
    await page.getByLabel('语言').selectOption('en');
    await expect(page.getByRole('heading', { name: 'Virtual services' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Virtual services' })).toBeVisible();
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByRole('heading', { name: '虚拟服务' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    expect(consoleErrors).toEqual([]);
  });
});
