/**
 * Accessibility of the console (issue 14): axe-core reports no violation on
 * any screen, in the light and the dark theme (system preference and the
 * toggle), and one whole flow — sign in, find a user, edit the profile — is
 * done with the keyboard alone.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { axeViolations, openConsole, signInWithKey } from '../support/console.js';
import { expectOk } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { limit } from '../support/timeouts.js';

// A page signs in and renders before each check: on a loaded 2-core machine the first one can take tens of seconds.
vi.setConfig({ testTimeout: limit(90_000) });

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  // One change, so that the user page's history has a row to check.
  expectOk(await server.api.put('/v2/users', { userId: 1042, company: undefined, lastName: 'Smith-Jones' }));
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Each screen and what shows it is fully drawn. */
const SCREENS: Array<[string, string, (page: Page) => Promise<void>]> = [
  ['users list', '#/users', (page) => page.getByTestId('users-table').waitFor()],
  ['user page', '#/users/1042', (page) => page.getByTestId('keys-table').waitFor().then(() => page.getByTestId('audit-table').first().waitFor())],
  ['user not found', '#/users/999999', (page) => page.getByTestId('not-found').waitFor()],
  ['tenancy tree', '#/tenancy', (page) => page.locator('[data-mailbox-id="5001"] .counts').waitFor()],
  ['audit log', '#/audit', (page) => page.getByTestId('audit-table').waitFor()],
  ['my account', '#/account', (page) => page.getByTestId('my-session').waitFor()],
];

describe.each(['light', 'dark'] as const)('%s theme', (scheme) => {
  it('has no axe violation on the sign-in form, with a server error shown', async () => {
    const { page, close } = await openConsole(browser, server.url, { colorScheme: scheme });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('API key', { exact: true }).fill('00000000-0000-4000-8000-000000000000');
    await page.getByRole('button', { name: 'Sign in with key' }).click();
    await page.getByRole('alert').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await close();
  });

  it('has no axe violation on any screen', async () => {
    const { page, close } = await openConsole(browser, server.url, { colorScheme: scheme });
    await signInWithKey(page, server.rootKey);
    for (const [name, hash, drawn] of SCREENS) {
      await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
      await drawn(page);
      expect({ name, violations: await axeViolations(page) }).toEqual({ name, violations: [] });
    }
    // The new-user form, opened.
    await page.evaluate(`location.hash = '#/users'`);
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByRole('heading', { name: 'New user' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // The other theme through the toggle, on the busiest screen.
    await page.evaluate(`location.hash = '#/users/1042'`);
    await page.getByTestId('keys-table').waitFor();
    await page.getByRole('button', { name: 'Dark theme' }).click();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe(scheme === 'dark' ? 'light' : 'dark');
    expect(await axeViolations(page)).toEqual([]);
    await close();
  }, 60_000);
});

describe('keyboard', () => {
  it('signs in, opens a user from the list and saves its profile with the keyboard alone', async () => {
    const { page, close } = await openConsole(browser, server.url);
    const focused = () => page.evaluate('document.activeElement?.getAttribute("name") ?? document.activeElement?.textContent');
    const tabTo = async (match: (text: unknown) => boolean, limit = 60) => {
      for (let i = 0; i < limit; i++) {
        await page.keyboard.press('Tab');
        if (match(await focused())) return;
      }
      throw new Error('not reached with Tab');
    };
    await tabTo((t) => t === 'apiKey');
    await page.keyboard.type(server.rootKey);
    await page.keyboard.press('Enter');
    await page.getByTestId('whoami').waitFor();

    await tabTo((t) => t === 'login');
    await page.keyboard.type('ajones');
    await page.keyboard.press('Enter');
    await page.waitForURL(/login=ajones/);
    // The unfiltered page holds ajones too: wait for the filtered answer, or Tab may reach a row about to go.
    await page.getByTestId('users-total').filter({ hasText: /^1 user\b/ }).waitFor();
    await page.locator('tr[data-user-id="1043"]').waitFor();
    await tabTo((t) => t === 'ajones');
    await page.keyboard.press('Enter');
    await page.getByTestId('user-summary').waitFor();

    await tabTo((t) => t === 'firstName');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Alicia');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(expectOk(await server.api.get<{ firstName: string }>('/v2/users/1043')).firstName).toBe('Alicia');
    await close();
  });
});
