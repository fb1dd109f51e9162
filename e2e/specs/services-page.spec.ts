// Issue 19, point 2 of the remaining console work: the services list's page
// (how many rows of 50 are drawn) is in the URL. "Show more" pushes a history
// entry, so back and forward step through the pages; a reload or a shared link
// opens the same page; a new filter starts from the first page again.
// Its own agent with 125 services (three pages with the demo's three).
import type { Page } from '@playwright/test';
import { test, expect } from '../support/fixtures';
import { ADMIN_TOKEN, startAgent, stopAgent, type AgentHandle } from '../support/agent';
import { addManyServices } from '../support/many-services';

const GENERATED = 125;
const TOTAL = GENERATED + 3;

let agent: AgentHandle;

test.describe.configure({ mode: 'serial', timeout: 240_000 });

test.beforeAll(async () => {
  agent = await startAgent();
  await addManyServices(agent.baseURL, GENERATED);
});

test.afterAll(async () => {
  await stopAgent(agent, { removeState: agent.stateDir });
});

const rows = (page: Page) => page.getByRole('table', { name: 'Virtual services' }).locator('tbody tr');

test('the page number lives in the URL: back and forward restore it, a reload keeps it', async ({ page }) => {
  await page.addInitScript((token) => sessionStorage.setItem('lvs-console.token', token), ADMIN_TOKEN);
  await page.goto(`${agent.baseURL}/#/`);
  await expect(page.getByText(`${TOTAL} services`, { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(rows(page)).toHaveCount(50);
  expect(page.url()).not.toContain('page=');

  await page.getByRole('button', { name: 'Show 50 more' }).click();
  await expect(rows(page)).toHaveCount(100);
  expect(page.url()).toContain('page=2');
  await page.getByRole('button', { name: 'Show 28 more' }).click();
  await expect(rows(page)).toHaveCount(TOTAL);
  expect(page.url()).toContain('page=3');

  await page.goBack();
  await expect(rows(page)).toHaveCount(100);
  expect(page.url()).toContain('page=2');
  await page.goBack();
  await expect(rows(page)).toHaveCount(50);
  expect(page.url()).not.toContain('page=');
  await page.goForward();
  await expect(rows(page)).toHaveCount(100);

  await page.reload();
  await expect(rows(page)).toHaveCount(100, { timeout: 60_000 });

  // A shared link opens its page; a page past the end draws every row, a bad one the first page.
  await page.goto(`${agent.baseURL}/#/?sort=service&dir=desc&page=3`);
  await expect(rows(page)).toHaveCount(TOTAL, { timeout: 60_000 });
  await page.goto(`${agent.baseURL}/#/?page=zero`);
  await expect(rows(page)).toHaveCount(50, { timeout: 60_000 });

  // A new filter starts from the first page: the TCP services are more than a page.
  await page.getByRole('button', { name: 'Show 50 more' }).click();
  await expect(rows(page)).toHaveCount(100);
  await page.getByRole('combobox', { name: 'Protocol' }).selectOption('tcp');
  await expect(rows(page)).toHaveCount(50);
  expect(page.url()).toContain('protocol=tcp');
  expect(page.url()).not.toContain('page=');
});
