/**
 * Driving the admin console in Chromium: open it on a real server, record
 * every request the page makes (to prove none leaves the origin), sign in
 * with a key or a password, and run axe-core on what is shown.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

const CONSOLE_BUILD = fileURLToPath(new URL('../../dist/console/index.html', import.meta.url));

/** The console is built by `npm run build` (npm test runs it first); say so plainly when it is missing. */
export function assertConsoleBuilt(): void {
  if (!existsSync(CONSOLE_BUILD)) throw new Error('dist/console is missing: run `npm run build` before the browser tests');
}

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page requested. */
  requests: string[];
  close(): Promise<void>;
}

export async function openConsole(browser: Browser, baseUrl: string, options: { hash?: string; colorScheme?: 'light' | 'dark' } = {}): Promise<ConsolePage> {
  assertConsoleBuilt();
  const context = await browser.newContext({ colorScheme: options.colorScheme ?? 'light', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${baseUrl}/console/${options.hash ?? ''}`);
  await page.getByRole('heading', { name: 'Sign in to ecgrid-identity' }).waitFor();
  return {
    page,
    context,
    requests,
    async close() {
      expect(errors, 'uncaught errors in the page').toEqual([]);
      await context.close();
    },
  };
}

export async function signInWithKey(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Sign in with key' }).click();
  await page.getByTestId('whoami').waitFor();
}

export async function signInWithPassword(page: Page, login: string, password: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Login or e-mail' }).fill(login);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the page as shown (WCAG 2.x A/AA rules and best practices);
 * evaluated through the DevTools protocol, which the page's CSP does not govern.
 */
export async function axeViolations(page: Page): Promise<Array<{ id: string; help: string; targets: string[] }>> {
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as {
    violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }>;
  };
  return result.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** The user ids shown in the users table. */
export async function shownUserIds(page: Page): Promise<number[]> {
  return (await page.locator('[data-testid=users-table] tbody tr').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-user-id')))));
}
