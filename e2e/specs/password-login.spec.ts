// Issue 16: a person added on the director with `lvs-console user add` logs in
// by name and password on the login screen; the audit names them. A wrong
// password says so in words and leaves no session; a guesser past the limit
// is told when to try again. An agent of its own: the guesses below use up the
// login budget of 127.0.0.1, which other specs' logins share.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { callApi, repoRoot, startAgent, stopAgent, type AgentHandle } from '../support/agent';
import { expect, shot, test } from '../support/fixtures';

const PASSWORD = 'hana correct horse battery';

function userAdd(agent: AgentHandle, name: string, role: string, password: string): void {
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'apps/agent/bin/lvs-console.js'), 'user', 'add', name, '--role', role, '--state-dir', agent.stateDir],
    { input: `${password}\n`, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`lvs-console user add failed (${result.status}): ${result.stderr}`);
}

async function passwordGuess(agent: AgentHandle, password: string): Promise<number> {
  const response = await fetch(`${agent.baseURL}/trpc/auth.loginWithPassword`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'hana', password }),
  });
  return response.status;
}

test.describe('name and password login', () => {
  let agent: AgentHandle;
  test.beforeAll(async () => {
    agent = await startAgent();
    userAdd(agent, 'hana', 'operator', PASSWORD);
  });
  test.afterAll(async () => {
    await stopAgent(agent, { removeState: agent.stateDir });
  });

  test('a person of users.json logs in by name and password; a wrong password leaves no session; the audit names them', async ({ page, consoleErrors }) => {
    test.setTimeout(120_000);
    await page.goto(`${agent.baseURL}/#/`);
    const form = page.getByRole('region', { name: 'Name and password' });
    const name = form.getByRole('textbox', { name: 'Name' });
    const password = form.getByLabel('Password');
    // What password managers look for.
    await expect(name).toHaveAttribute('autocomplete', 'username');
    await expect(password).toHaveAttribute('autocomplete', 'current-password');
    await expect(password).toHaveAttribute('type', 'password');

    await name.fill('hana');
    await password.fill('not the password at all');
    await form.getByRole('button', { name: 'Log in' }).click();
    await expect(form.getByRole('alert')).toHaveText('The name or the password is wrong.');
    await expect(password).toHaveValue('');
    expect(await page.context().cookies()).toEqual([]);
    await shot(page, '40-login-password-wrong');

    await password.fill(PASSWORD);
    await form.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('heading', { name: 'Virtual services' })).toBeVisible();
    await expect(page.getByText('hana · operator')).toBeVisible();

    const audit = await callApi<Array<{ who: string; role: string; what: string; result: string }>>(agent.baseURL, 'audit.list', 'query', { limit: 50 });
    expect(audit.some((e) => e.who === 'hana' && e.role === 'operator' && e.what.startsWith('logged in') && e.result === 'ok')).toBe(true);
    // The 401 answer above was a refusal, not a login: the only login of hana is the one that worked.
    expect(audit.filter((e) => e.who === 'hana' && e.what.startsWith('logged in'))).toHaveLength(1);
    expect(consoleErrors.filter((text) => !/401|Unauthorized/i.test(text))).toEqual([]);
  });

  test("past the limit of guesses the screen says when to try again, in the console's language", async ({ browser }) => {
    test.setTimeout(120_000);
    // Use up this client's budget (20 a minute) from outside the browser, as a guesser would.
    let status = 0;
    for (let i = 0; i < 25 && status !== 429; i++) status = await passwordGuess(agent, `guess number ${i}`);
    expect(status).toBe(429);

    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      await page.goto(`${agent.baseURL}/#/`);
      const form = page.getByRole('region', { name: '用户名和密码' });
      await form.getByRole('textbox', { name: '名称' }).fill('hana');
      await form.getByLabel('密码').fill(PASSWORD);
      await form.getByRole('button', { name: '登录' }).click();
      await expect(form.getByRole('alert')).toHaveText(/^从此地址尝试登录的次数过多。请在 \d+ 秒后重试。$/);
      expect(await context.cookies()).toEqual([]);
      await shot(page, '41-login-password-rate-limited-zh');
    } finally {
      await context.close();
    }
  });
});
