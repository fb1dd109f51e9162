// Issue 19 point 1, swept: every screen of the console in zh-CN (with a
// failing, health-checked real server and import errors on screen) shows no
// text that is an English sentence from the English catalog: no text node and
// no accessible label equals one of its sentences (a templated entry matches
// with any values in its placeholders). Program output (<pre>, <code>, ipvsadm
// and keepalived text) is the program's own and is left out.
import { createServer, type Server } from 'node:http';
import type { DesiredState } from '@lvs-console/shared';
import type { Page } from '@playwright/test';
import en from '../../apps/web/src/locales/en';
import zhCN from '../../apps/web/src/locales/zh-CN';
import { KEEPALIVED_WITH_WARNINGS } from '../../apps/web/test/keepalived-with-warnings';
import { ADMIN_TOKEN, callApi } from '../support/agent';
import { agentBaseURL, expect, shot, test } from '../support/fixtures';

const SERVICE = { kind: 'addr', protocol: 'tcp', address: '203.0.113.10', port: 443 } as const;
const FAILING = { address: '198.51.100.22', port: 443 };
const HEALTH_SERVICE = encodeURIComponent('tcp:203.0.113.10:443');
const WEB_SERVICE = encodeURIComponent('tcp:192.0.2.10:80');

/** An entry reads as an English sentence when its own words (placeholders aside) hold two English words in a row. */
const SENTENCE = /[A-Za-z]{2,}[ ,'’-]+[A-Za-z]{2,}/;
const PLACEHOLDER = /\{\{\w+\}\}/g;

function englishSentences(): { exact: Set<string>; templates: RegExp[] } {
  const exact = new Set<string>();
  const templates: RegExp[] = [];
  // The English texts: every key (each is its English text; the Chinese catalog holds them all) and the English plural forms.
  for (const value of new Set([...Object.keys(zhCN).map((key) => key.replace(/_(zero|one|two|few|many|other)$/, '')), ...Object.values(en)])) {
    const text = value.replace(/<\/?\w+>/g, '').trim();
    if (!SENTENCE.test(text.replace(PLACEHOLDER, ' '))) continue;
    if (!text.includes('{{')) {
      exact.add(text);
      continue;
    }
    const pattern = text
      .split(PLACEHOLDER)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+?');
    templates.push(new RegExp(`^${pattern}$`));
  }
  return { exact, templates };
}

const SENTENCES = englishSentences();

/** Visible text nodes and accessible labels of the page, outside program output. */
async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const skipped = (element: Element | null) => !!element?.closest('pre, code, textarea, script, style, .font-mono, [data-program-text]');
    const shown = (element: Element) => {
      const style = getComputedStyle(element);
      if (style.visibility === 'hidden' || style.display === 'none') return false;
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.height > 0;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      const text = node.textContent?.replace(/\s+/g, ' ').trim() ?? '';
      if (!text || !parent || skipped(parent) || !shown(parent)) continue;
      out.push(text);
    }
    for (const element of Array.from(document.querySelectorAll('[aria-label], [title], [placeholder]'))) {
      if (skipped(element)) continue;
      for (const name of ['aria-label', 'title', 'placeholder']) {
        const value = element.getAttribute(name)?.replace(/\s+/g, ' ').trim();
        if (value) out.push(value);
      }
    }
    return out;
  });
}

/**
 * Words the agent sends as codes or inside a message's parameters (a role, a
 * sync daemon's state, an onFailure rule, a refusal's reason, "none"): single
 * words the sentence check cannot see, so they are looked for on their own
 * and inside Chinese text.
 */
const AGENT_WORDS = /(^|[^A-Za-z_.-])(system|master|backup|quiesce|remove|none|no token|unknown procedure|batch of|test notification)(?=$|[^A-Za-z_.-])/;
const HAN = /\p{Script=Han}/u;

function agentWordsLeft(texts: readonly string[]): string[] {
  return [
    ...new Set(texts.filter((text) => AGENT_WORDS.test(text) && (HAN.test(text) || AGENT_WORDS.exec(text)?.[0].trim() === text.replace(/[()（）]/g, '')))),
  ];
}

function englishLeft(texts: readonly string[]): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    // Our own punctuation around a sentence ("…", ":", ".") does not make it Chinese.
    const bare = text.replace(/[.:…]+$/, '');
    if (SENTENCES.exact.has(text) || SENTENCES.exact.has(bare) || SENTENCES.templates.some((pattern) => pattern.test(text))) found.add(text);
  }
  return [...found];
}

async function setHealthChecks(enabled: boolean): Promise<void> {
  const state = await callApi<{ revision: number; desired: DesiredState }>(agentBaseURL(), 'state.get', 'query');
  const services = state.desired.services.map((svc) => {
    if (svc.key.kind !== 'addr' || svc.key.address !== SERVICE.address || svc.key.port !== SERVICE.port) return svc;
    const { health: _health, ...rest } = svc;
    return enabled ? { ...rest, health: { enabled: true, checks: [] } } : rest;
  });
  await callApi(agentBaseURL(), 'state.replace', 'mutation', { baseRevision: state.revision, state: { ...state.desired, services } });
  await callApi(agentBaseURL(), 'health.markSimFailing', 'mutation', { service: SERVICE, destination: FAILING, failing: enabled });
}

/**
 * Lines whose words the agent sends as codes or parameters (web13): a sync
 * daemon edit (states master and backup), health checks turned off with
 * onFailure remove, a call refused for want of a token (role system), and a
 * test notification delivered to a receiver on loopback. Each change is undone
 * at once (the specs share one agent); the audit log and delivery log keep them.
 */
async function recordAgentWords(receiverUrl: string): Promise<void> {
  const base = agentBaseURL();
  const revision = async () => (await callApi<{ revision: number }>(base, 'state.get', 'query')).revision;
  const daemons = [
    { state: 'master', interface: 'eth0', syncId: 7 },
    { state: 'backup', interface: 'eth0', syncId: 7 },
  ];
  await callApi(base, 'host.setSyncDaemons', 'mutation', { baseRevision: await revision(), daemons });
  await callApi(base, 'host.setSyncDaemons', 'mutation', { baseRevision: await revision(), daemons: [] });
  await callApi(base, 'services.setHealth', 'mutation', {
    baseRevision: await revision(),
    service: SERVICE,
    health: { enabled: false, checks: [], onFailure: 'remove' },
  });
  expect((await fetch(`${base}/trpc/audit.list`)).status).toBe(401);
  const settings = await callApi<{ enabled: boolean; groupWaitMs: number; repeatIntervalMs: number; webhooks: Array<Record<string, unknown>> }>(
    base,
    'notifications.settings',
    'query',
  );
  const kept = settings.webhooks.map(({ token: _token, ...hook }) => hook);
  const restore = { enabled: settings.enabled, groupWaitMs: settings.groupWaitMs, repeatIntervalMs: settings.repeatIntervalMs, webhooks: kept };
  await callApi(base, 'notifications.update', 'mutation', {
    ...restore,
    enabled: true,
    webhooks: [...kept, { id: 'zh-sweep', name: 'zh sweep', url: receiverUrl }],
  });
  try {
    await callApi(base, 'notifications.test', 'mutation', { target: 'webhook:zh-sweep' });
  } finally {
    await callApi(base, 'notifications.update', 'mutation', restore);
  }
}

async function startReceiver(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}/hook` };
}

test.use({ locale: 'zh-CN' });

test.describe('zh-CN sweep', () => {
  // The specs share one agent: leave the service as the demo made it.
  test.afterAll(async () => {
    await setHealthChecks(false);
  });

  test('no screen shows an English sentence from the English catalog', async ({ page }) => {
    test.setTimeout(300_000);
    const receiver = await startReceiver();
    try {
      await recordAgentWords(receiver.url);
    } finally {
      receiver.server.closeAllConnections();
      await new Promise((resolve) => receiver.server.close(resolve));
    }
    await setHealthChecks(true);
    const findings: Record<string, string[]> = {};
    const sweep = async (name: string, ready: () => Promise<void>) => {
      await ready();
      // Live data (probe results, rates) settles within a couple of polls.
      await page.waitForTimeout(1500);
      const texts = await visibleTexts(page);
      const left = [...englishLeft(texts), ...agentWordsLeft(texts)];
      if (left.length) findings[name] = left;
      await shot(page, `zh-sweep-${name}`);
    };

    // The login screen, before any session.
    await page.goto(`${agentBaseURL()}/#/`);
    await sweep('login', () => expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN'));

    await page.addInitScript((token) => sessionStorage.setItem('lvs-console.token', token), ADMIN_TOKEN);
    // A new hash alone does not load the page again: reload once so the session is read.
    await page.reload();
    const heading = () => expect(page.locator('main h1').first()).toBeVisible({ timeout: 20_000 });
    const screens: Array<[string, string]> = [
      ['services', '#/'],
      ['new-service', '#/services/new'],
      ['overview', `#/services/${WEB_SERVICE}`],
      ['watch', `#/services/${WEB_SERVICE}/watch`],
      ['connections', `#/services/${WEB_SERVICE}/connections`],
      ['setup', `#/services/${WEB_SERVICE}/setup`],
      ['directors', '#/directors'],
      ['changes', '#/changes'],
      ['settings', '#/settings'],
      ['notifications', '#/notifications'],
      ['sim', '#/sim'],
      ['users', '#/users'],
    ];
    for (const [name, hash] of screens) {
      await page.goto(`${agentBaseURL()}/${hash}`);
      await sweep(name, heading);
    }

    // A health-checked service with a failing real server: the probe results and "why no traffic" lines.
    await page.goto(`${agentBaseURL()}/#/services/${HEALTH_SERVICE}`);
    await sweep('health', async () => {
      await heading();
      await expect(page.getByRole('img', { name: /最近 \d+ 次探测/ }).first()).toBeVisible({ timeout: 30_000 });
      await expect(page.getByText(/健康检查已失败/).first()).toBeVisible({ timeout: 30_000 });
    });

    // Import errors: an ipvsadm paste and a keepalived.conf with mistakes.
    await page.goto(`${agentBaseURL()}/#/import`);
    const rules = page.getByLabel('要导入的规则');
    await rules.fill('ipvsadm -A -t 192.0.2.99:80 --bogus\nipvsadm -A -t www.example.com:80 -s rr\n');
    await sweep('import-ipvsadm', () => expect(page.getByText('未知选项 --bogus')).toBeVisible());
    await rules.fill('virtual_server 192.0.2.99 99999 {\n  protocol TCP\n}\n');
    await sweep('import-keepalived', () => expect(page.getByText(/端口“99999”必须在 0\.\.65535 之间/)).toBeVisible());
    // The rule interpreter's refusals and an option value out of range (web12).
    await rules.fill(
      'ipvsadm -a -t 192.0.2.98:80 -r 10.0.0.1:80 -g\nipvsadm -A -t 192.0.2.97:80 -s rr\nipvsadm -a -t 192.0.2.97:80 -r 10.0.0.1:80 -g -w 99999\n',
    );
    await sweep('import-ipvsadm-rules', async () => {
      await expect(page.getByText('服务 TCP 192.0.2.98:80 未定义')).toBeVisible();
      await expect(page.getByText('权重 99999 超出范围 0..65535')).toBeVisible();
    });
    // A keepalived.conf that imports, with a warning for each thing not carried over as written (web12).
    await rules.fill(KEEPALIVED_WITH_WARNINGS);
    await sweep('import-keepalived-warnings', async () => {
      const warnings = page.getByRole('list', { name: '导入警告' });
      await expect(warnings.getByText('global_defs lvs_flush：控制台从不清空规则表；它只修改与期望状态不同的部分')).toBeVisible();
      await expect(warnings.getByText('vrrp_script chk：控制台不使用 VRRP 脚本')).toBeVisible();
      expect(await warnings.getByRole('listitem').count()).toBeGreaterThanOrEqual(8);
    });

    expect(findings, 'English sentences from the English catalog on zh-CN screens').toEqual({});

    // The words recorded above, said in Chinese where they are shown.
    await page.goto(`${agentBaseURL()}/#/changes`);
    const audit = page.getByRole('region', { name: '审计日志' });
    await expect(audit.getByText('设置同步守护进程：主，接口 eth0（ID 7）；备份，接口 eth0（ID 7）').first()).toBeVisible({ timeout: 20_000 });
    await expect(audit.getByText(/设置 TCP 203\.0\.113\.10:443 的健康检查：关闭，失败时 移除/).first()).toBeVisible();
    await expect(audit.getByText('系统').first()).toBeVisible();
    // Why calls without a valid token were refused (this spec's refusal, or an earlier one of the same window).
    await expect(
      audit.getByText(/没有令牌|令牌错误或已过期|登录码错误或已使用|用户名或密码错误|登录尝试次数过多|请求体过大|不是 JSON 请求|调用过多/).first(),
    ).toBeVisible();
    await page.goto(`${agentBaseURL()}/#/notifications`);
    await expect(
      page
        .getByRole('region', { name: '发送记录' })
        .getByText(/发送的测试通知/)
        .first(),
    ).toBeVisible({ timeout: 20_000 });

    // The sweep can fail: the same screen in English is full of the catalog's sentences.
    await page.evaluate(() => localStorage.setItem('lvs-console.language', 'en'));
    await page.goto(`${agentBaseURL()}/#/services/${HEALTH_SERVICE}`);
    await page.reload();
    await expect(page.getByText(/health check failing for/).first()).toBeVisible({ timeout: 30_000 });
    const english = englishLeft(await visibleTexts(page));
    expect(english).toEqual(expect.arrayContaining(['Watch (live charts)', 'Real servers setup', 'Zero counters']));
    expect(english.some((text) => text.startsWith('health check failing for'))).toBe(true);
    // The word check can fail too: the English audit log and delivery log name the same words.
    await page.goto(`${agentBaseURL()}/#/changes`);
    await expect(page.getByText('set sync daemons: master on eth0 (id 7), backup on eth0 (id 7)').first()).toBeVisible({ timeout: 20_000 });
    const words = agentWordsLeft(await visibleTexts(page));
    expect(words).toContain('system');
    // Inside Chinese text, as the zh-CN audit log said these before (words in the parameters left in English).
    expect(
      agentWordsLeft(['设置同步守护进程：master on eth0 (id 7), backup on eth0 (id 7)', '设置 TCP 203.0.113.10:443 的健康检查：关闭，失败时 remove']),
    ).toHaveLength(2);
    await page.goto(`${agentBaseURL()}/#/notifications`);
    await expect(page.getByText(/test notification sent by/).first()).toBeVisible({ timeout: 20_000 });
    expect(englishLeft(await visibleTexts(page)).some((text) => text.startsWith('test notification sent by'))).toBe(true);
  });
});

test.describe('zh-CN, dark theme', () => {
  test.use({ colorScheme: 'dark' });

  test('import warnings and the Changes page say themselves in Chinese in the dark theme too', async ({ page }) => {
    await page.addInitScript((token) => sessionStorage.setItem('lvs-console.token', token), ADMIN_TOKEN);
    await page.goto(`${agentBaseURL()}/#/import`);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.getByLabel('要导入的规则').fill(KEEPALIVED_WITH_WARNINGS);
    const warnings = page.getByRole('list', { name: '导入警告' });
    await expect(warnings.getByText('vrrp_script chk：控制台不使用 VRRP 脚本')).toBeVisible();
    expect(englishLeft(await visibleTexts(page))).toEqual([]);
    await shot(page, 'zh-dark-import-keepalived-warnings');

    await page.goto(`${agentBaseURL()}/#/changes`);
    // The agent's first revision, recorded with its message id.
    await expect(page.getByText('首次启动时接管了内核规则表').first()).toBeVisible({ timeout: 20_000 });
    expect(englishLeft(await visibleTexts(page))).toEqual([]);
    await shot(page, 'zh-dark-changes');
  });
});
