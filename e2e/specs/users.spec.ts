// The Users page (issue 16): an admin adds a person, changes their role and
// password, logs them out everywhere and removes them; operators and viewers
// do not see the page. Each step is checked against the agent's answer.
import { callApi } from '../support/agent';
import { agentBaseURL, expect, loginAsAdmin, openWithToken, shot, test } from '../support/fixtures';

async function passwordLogin(name: string, password: string): Promise<number> {
  const response = await fetch(`${agentBaseURL()}/trpc/auth.loginWithPassword`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  return response.status;
}

test.describe('users', () => {
  test('an admin adds a person, changes role and password, logs them out everywhere and removes them', async ({ page, consoleErrors }) => {
    await loginAsAdmin(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();

    const add = page.getByRole('region', { name: 'Add a user' });
    await add.getByRole('textbox', { name: 'Name' }).fill('olivia');
    await add.getByRole('combobox', { name: 'Role' }).selectOption('operator');
    await add.getByLabel('Password').fill('short');
    await expect(add.getByRole('button', { name: 'Add user' })).toBeDisabled();
    await add.getByLabel('Password').fill('olivia first password');
    await add.getByRole('button', { name: 'Add user' }).click();
    await expect(page.getByRole('combobox', { name: 'Role of olivia' })).toHaveValue('operator');
    expect(await passwordLogin('olivia', 'olivia first password')).toBe(200);

    await page.getByRole('combobox', { name: 'Role of olivia' }).selectOption('viewer');
    await expect
      .poll(async () => (await callApi<Array<{ name: string; role: string }>>(agentBaseURL(), 'users.list', 'query')).find((u) => u.name === 'olivia')?.role)
      .toBe('viewer');

    await page.getByRole('button', { name: 'Change the password of olivia' }).click();
    await page.getByLabel('New password for olivia').fill('olivia second password');
    await page.getByRole('button', { name: 'Save password' }).click();
    await expect(page.getByLabel('New password for olivia')).toHaveCount(0);
    expect(await passwordLogin('olivia', 'olivia first password')).toBe(401);
    expect(await passwordLogin('olivia', 'olivia second password')).toBe(200);

    await page.reload();
    const row = page.getByRole('row', { name: /olivia/ });
    await expect(row.getByRole('cell').nth(2)).toHaveText('1');
    await shot(page, '30-users');
    await page.getByRole('button', { name: 'Log olivia out everywhere' }).click();
    await expect(page.getByText('Ended 1 session.')).toBeVisible();
    await expect(row.getByRole('cell').nth(2)).toHaveText('0');

    await page.getByRole('button', { name: 'Remove olivia' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove olivia?' });
    await shot(page, '31-users-remove');
    await dialog.getByRole('button', { name: 'Remove olivia' }).click();
    await expect(page.getByRole('combobox', { name: 'Role of olivia' })).toHaveCount(0);
    expect(await passwordLogin('olivia', 'olivia second password')).toBe(401);

    const audit = await callApi<Array<{ what: string }>>(agentBaseURL(), 'audit.list', 'query', { limit: 50 });
    expect(audit.map((e) => e.what)).toEqual(
      expect.arrayContaining(['added user olivia (operator)', 'set the role of olivia to viewer', 'removed user olivia']),
    );
    expect(consoleErrors).toEqual([]);
  });

  test('viewers and operators have no Users page', async ({ page, browser }) => {
    await openWithToken(page, 'viewer');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
    await page.goto(`${agentBaseURL()}/#/users`);
    await expect(page.getByText('The Users page is for admins.')).toBeVisible();

    const link = await callApi<{ code: string }>(agentBaseURL(), 'auth.createLoginLink', 'mutation', { role: 'operator', for: 'oscar' });
    const operator = await browser.newPage();
    await operator.goto(`${agentBaseURL()}/#login=${link.code}`);
    await expect(operator.getByText('oscar · operator')).toBeVisible();
    await expect(operator.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
    await operator.close();
  });
});
