/**
 * The interactive reference in a real browser (Chromium from test/support/browser.ts,
 * driven by playwright-core): the page renders every operation from the package's own
 * assets, and "Try it out" on GET /v2/auth/version gets the live answer.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('Swagger UI in Chromium', () => {
  it('renders every operation from local assets and runs "Try it out" on GET /v2/auth/version', async () => {
    const page = await browser.newPage();
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url)) external.push(request.url());
    });
    await page.goto(`${server.url}/swagger/`, { waitUntil: 'networkidle' });
    await page.waitForSelector('.opblock', { timeout: 20_000 });

    const document = (await (await fetch(`${server.url}/swagger/v2/swagger.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.values(document.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(await page.locator('.opblock').count()).toBe(operations);
    await expect.poll(() => page.locator('.opblock-summary-path', { hasText: '/v2/users' }).count()).toBeGreaterThan(0);

    const version = page.locator('.opblock').filter({ has: page.locator('.opblock-summary-path[data-path="/v2/auth/version"]') });
    await version.locator('.opblock-summary').click();
    // "Try it out" is on by default (tryItOutEnabled); switch it on if a UI version starts with it off.
    const execute = version.locator('button.execute');
    if (!(await execute.isVisible())) await version.locator('button.try-out__btn').click();
    await execute.click();
    const body = version.locator('.responses-wrapper .live-responses-table .response-col_description pre').first();
    await body.waitFor({ timeout: 10_000 });
    const text = (await body.textContent()) ?? '';
    expect(JSON.parse(text)).toEqual({ success: true, data: { version: '2.6' }, errorCode: '', message: '' });
    expect(external).toEqual([]);
    await page.close();
  }, 60_000);
});
