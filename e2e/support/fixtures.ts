// Shared test fixtures: the agent's address, logging in, screenshots of each
// screen into e2e/screenshots/, and a check that the browser console stays
// free of errors.
import { test as base, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { newLoginUrl, repoRoot, VIEWER_TOKEN, ADMIN_TOKEN } from './agent';

const SCREENSHOTS = join(repoRoot, 'e2e/screenshots');

export function agentBaseURL(): string {
  const url = process.env.LVS_E2E_BASE_URL;
  if (!url) throw new Error('LVS_E2E_BASE_URL is not set: run through playwright.config.ts (global setup starts the agent)');
  return url;
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Log in through a fresh one-time link, as the banner's would. */
export async function loginAsAdmin(page: Page): Promise<void> {
  await page.goto(await newLoginUrl(agentBaseURL()));
  await expect(page.getByRole('heading', { name: 'Virtual services' })).toBeVisible();
}

/** Open the console with a token already in the session (viewer, or admin after an agent restart). */
export async function openWithToken(page: Page, role: 'admin' | 'viewer', baseURL = agentBaseURL()): Promise<void> {
  const token = role === 'admin' ? ADMIN_TOKEN : VIEWER_TOKEN;
  await page.addInitScript((value) => sessionStorage.setItem('lvs-console.token', value), token);
  await page.goto(`${baseURL}/#/`);
  await expect(page.getByRole('heading', { name: 'Virtual services' })).toBeVisible();
}

/** Errors the page logged; expected network failures (agent stopped on purpose) can be allowed. */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await use(errors);
  },
});

export { expect };
