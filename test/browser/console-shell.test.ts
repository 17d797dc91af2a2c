/**
 * The console's shell (issue 14): served at /console/ with a strict CSP, `GET /`
 * redirects there, the /v2 answers are unchanged, the built files fit the size
 * budget; and signing in with a password or a key, refresh before expiry,
 * logout, and a session that ends under the page — in headless Chromium.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { assertConsoleBuilt, openConsole, signInWithKey, signInWithPassword } from '../support/console.js';
import { expectOk } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { limit } from '../support/timeouts.js';

// A page signs in and renders before each check: on a loaded 2-core machine the first one can take tens of seconds.
vi.setConfig({ testTimeout: limit(90_000) });

const DEMO_LOGIN = 'jsmith@example.com';
const DEMO_PASSWORD = 'Sup3r$ecret!';

let server: TestServer;
/** Bearer tokens live 4 s here, so the console must refresh within the test. */
let shortLived: TestServer;
let browser: Browser;

beforeAll(async () => {
  assertConsoleBuilt();
  server = await startTestServer({ ECGRID_DEMO: '1' });
  shortLived = await startTestServer({ ECGRID_DEMO: '1', ECGRID_TOKEN_TTL: '4s' });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await shortLived?.close();
});

/** A gate a held request waits at: `opened` settles when `open` is called. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/**
 * Holds the first request to `path` until `until()` settles (later ones go at once), and records the
 * credential each carried (Bearer token or API key) and the status each was answered with.
 */
async function holdFirst(page: Page, path: RegExp, until: () => Promise<unknown>): Promise<{ carried: string[]; answered: number[] }> {
  const carried: string[] = [];
  const answered: number[] = [];
  page.on('response', (r) => void (path.test(r.url()) && answered.push(r.status())));
  await page.route(path, async (route) => {
    const headers = route.request().headers();
    carried.push(headers['authorization'] ?? headers['x-api-key'] ?? '');
    if (carried.length === 1) await until();
    await route.continue();
  });
  return { carried, answered };
}

describe('serving', () => {
  it('GET / redirects to /console/, which answers the page with a strict CSP', async () => {
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');

    const page = await fetch(`${server.url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/https?:\/\//); // nothing from another origin

    for (const asset of ['console.js', 'console.css', 'favicon.svg']) {
      const answer = await fetch(`${server.url}/console/${asset}`);
      expect(answer.status, asset).toBe(200);
      expect(answer.headers.get('content-security-policy')).toBe(csp);
    }
    expect((await fetch(`${server.url}/console/nothing-here.js`)).status).toBe(404);
  });

  it('leaves the /v2 answers as they were: no CSP header, same envelope', async () => {
    const reply = await server.api.get('/v2/auth/version');
    expect(expectOk(reply)).toEqual({ version: '2.6' });
    expect(reply.headers.get('content-security-policy')).toBeNull();
  });

  it('fits the budget: console JavaScript ≤ 80 KB and CSS ≤ 20 KB gzipped', () => {
    const dir = new URL('../../dist/console/', import.meta.url);
    const gz = (ext: string) => readdirSync(dir).filter((f) => f.endsWith(ext)).reduce((n, f) => n + gzipSync(readFileSync(new URL(f, dir)), { level: 9 }).length, 0);
    const js = gz('.js');
    const css = gz('.css');
    expect(js).toBeGreaterThan(1_000);
    expect(js).toBeLessThanOrEqual(80 * 1024);
    expect(css).toBeLessThanOrEqual(20 * 1024);
  });
});

describe('signing in', () => {
  it('signs in with a password, shows who is signed in, and logout revokes the token', async () => {
    const { page, requests, close } = await openConsole(browser, server.url);
    const login = page.waitForResponse((r) => r.url().endsWith('/v2/auth/login'));
    await signInWithPassword(page, DEMO_LOGIN, DEMO_PASSWORD);
    const token = ((await (await login).json()) as { data: { token: string } }).data.token;
    await expect.poll(() => page.getByTestId('whoami').textContent()).toBe(`${DEMO_LOGIN} · MailboxAdmin`);
    expectOk(await server.api.post('/v2/auth/session', undefined, { key: null, token }));

    // The page leaves at once; the logout goes out with the token and is answered 200.
    const loggedOut = page.waitForResponse((r) => r.url().endsWith('/v2/auth/logout'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByTestId('session-notice').filter({ hasText: 'You are signed out.' }).waitFor();
    expect((await loggedOut).request().headers()['authorization']).toBe(`Bearer ${token}`);
    expect((await loggedOut).status()).toBe(200);
    expect((await server.api.post('/v2/auth/session', undefined, { key: null, token })).status).toBe(401);
    // Nothing kept in the browser: no storage, no cookie.
    expect(await page.evaluate('localStorage.length + sessionStorage.length + document.cookie.length')).toBe(0);
    expect(requests.filter((url) => !url.startsWith(server.url))).toEqual([]);
    await close();
  });

  it('shows the server\'s message for a wrong password, next to nothing else', async () => {
    const { page, close } = await openConsole(browser, server.url);
    await signInWithPassword(page, DEMO_LOGIN, 'Wrong-passw0rd!');
    const expected = (await server.api.post('/v2/auth/login', { login: DEMO_LOGIN, password: 'Wrong-passw0rd!' }, { key: null })).body.message;
    expect(expected.length).toBeGreaterThan(0);
    await page.getByRole('alert').filter({ hasText: expected }).waitFor();
    await expect.poll(() => page.getByTestId('whoami').count()).toBe(0);
    await close();
  });

  it('signs in with an API key (the Root key), kept in memory only', async () => {
    const { page, close } = await openConsole(browser, server.url);
    await signInWithKey(page, server.rootKey);
    await expect.poll(() => page.getByTestId('whoami').textContent()).toMatch(/· Root$/);
    const html = await page.content();
    expect(html).not.toContain(server.rootKey);
    expect(await page.evaluate('localStorage.length + sessionStorage.length + document.cookie.length')).toBe(0);
    await close();
  });

  it('refuses an unknown key with the server\'s message', async () => {
    const { page, close } = await openConsole(browser, server.url);
    await page.getByLabel('API key', { exact: true }).fill('00000000-0000-4000-8000-000000000000');
    await page.getByRole('button', { name: 'Sign in with key' }).click();
    const expected = (await server.api.get('/v2/users/me', { key: '00000000-0000-4000-8000-000000000000' })).body.message;
    await page.getByRole('alert').filter({ hasText: expected }).waitFor();
    await close();
  });

  it('refreshes the token before it expires and keeps working past the first token\'s lifetime', async () => {
    const { page, close } = await openConsole(browser, shortLived.url);
    const firstLogin = page.waitForResponse((r) => r.url().endsWith('/v2/auth/login'));
    await signInWithPassword(page, DEMO_LOGIN, DEMO_PASSWORD);
    const first = ((await (await firstLogin).json()) as { data: { token: string; expiresAt: string } }).data;
    const refreshed = await page.waitForResponse((r) => r.url().endsWith('/v2/auth/refresh'), { timeout: 10_000 });
    expect(refreshed.status()).toBe(200);
    // After the first token's expiry the console still reads data with the refreshed one.
    await expect.poll(() => Date.now() > Date.parse(first.expiresAt) + 500, { timeout: 10_000, interval: 250 }).toBe(true);
    expect((await shortLived.api.post('/v2/auth/session', undefined, { key: null, token: first.token })).status).toBe(401);
    await page.getByRole('link', { name: 'My account' }).click();
    await page.getByTestId('my-session').waitFor();
    await expect.poll(() => page.getByTestId('whoami').count()).toBe(1);
    await close();
  }, 40_000);

  it('keeps the session when a call that carried the token a refresh just replaced is refused: it goes again with the new one', async () => {
    const { page, close } = await openConsole(browser, shortLived.url);
    await signInWithPassword(page, DEMO_LOGIN, DEMO_PASSWORD);
    await page.getByTestId('whoami').waitFor();
    // The account page's session call leaves with the token of the moment and is held until a refresh has ended that token.
    const { carried, answered } = await holdFirst(page, /\/v2\/auth\/session$/, () =>
      page.waitForResponse((r) => r.url().endsWith('/v2/auth/refresh') && r.status() === 200),
    );
    await page.getByRole('link', { name: 'My account' }).click();
    const outcome = await Promise.race([
      page.getByTestId('my-session').waitFor().then(() => 'session shown'),
      page.getByTestId('session-notice').waitFor().then(() => 'sent to the login form'),
    ]);
    expect(outcome).toBe('session shown');
    // The first call carried the replaced token and was refused; the second carried the new one.
    expect(answered).toEqual([401, 200]);
    expect(carried).toHaveLength(2);
    expect(carried[1]).not.toBe(carried[0]);
    expect(page.url()).toContain('#/account');
    await close();
  }, 40_000);

  it('does not take up a refresh answered after the person signed out: its new token is ended and nothing more is asked', async () => {
    const { page, close } = await openConsole(browser, shortLived.url);
    // The first refresh reaches the server (which ends the pair before it) but its answer is held until after sign-out.
    const { open: release, opened: released } = gate();
    let asked = 0;
    const made: string[] = [];
    await page.route(/\/v2\/auth\/refresh$/, async (route) => {
      asked++;
      const response = await route.fetch();
      if (response.ok()) made.push(((await response.json()) as { data: { token: string } }).data.token);
      if (asked === 1) await released;
      await route.fulfill({ response });
    });
    try {
      await signInWithPassword(page, DEMO_LOGIN, DEMO_PASSWORD);
      await page.getByTestId('whoami').waitFor();
      await expect.poll(() => made.length, { timeout: 10_000 }).toBe(1);
      expect((await shortLived.api.post('/v2/auth/session', undefined, { key: null, token: made[0] })).status).toBe(200);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByTestId('session-notice').filter({ hasText: 'You are signed out.' }).waitFor();
      // The pair the held refresh made is ended on the server by a logout carrying it, as the sign-out asked.
      const endedToo = page.waitForResponse(
        (r) => r.url().endsWith('/v2/auth/logout') && r.request().headers()['authorization'] === `Bearer ${made[0]}`,
        { timeout: 10_000 },
      );
      release();
      expect((await endedToo).status()).toBe(200);
      // And the console keeps no session: no refresh after it (the next would come 1 s after a 4 s token), still signed out.
      await page.waitForTimeout(3_000);
      expect(asked).toBe(1);
      expect(await page.getByTestId('whoami').count()).toBe(0);
    } finally {
      release();
      await close();
    }
  }, 40_000);

  it('never sends a refused call again as the next person: a call of a signed-out session answered 401 ends nothing and goes nowhere', async () => {
    const { page, close } = await openConsole(browser, server.url, { hash: '#/account' });
    // The account page's session call leaves with the password session's token and is held until another person has signed in.
    const { open: release, opened: released } = gate();
    const { carried, answered } = await holdFirst(page, /\/v2\/auth\/session$/, () => released);
    try {
      await signInWithPassword(page, DEMO_LOGIN, DEMO_PASSWORD);
      await expect.poll(() => carried.length, { timeout: 10_000 }).toBe(1);
      expect(carried[0]).toMatch(/^Bearer /);
      const loggedOut = page.waitForResponse((r) => r.url().endsWith('/v2/auth/logout'));
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      expect((await loggedOut).status()).toBe(200);
      await signInWithKey(page, server.rootKey);
      await expect.poll(() => page.getByTestId('whoami').textContent()).toMatch(/· Root$/);

      release();
      await expect.poll(() => answered, { timeout: 10_000 }).toEqual([401]);
      await page.waitForTimeout(1_000);
      // Not sent again with the Root key, and the Root session goes on.
      expect(carried).toHaveLength(1);
      expect(await page.getByTestId('session-notice').count()).toBe(0);
      await expect.poll(() => page.getByTestId('whoami').textContent()).toMatch(/· Root$/);
    } finally {
      release();
      await close();
    }
  });

  it('sends a person whose session was ended back to the login form with a message, then to the same page', async () => {
    const { page, close } = await openConsole(browser, server.url, { hash: '#/account' });
    await signInWithPassword(page, DEMO_LOGIN, DEMO_PASSWORD);
    await page.getByTestId('my-session').waitFor();
    // Someone else (Root) ends every session of this user.
    expectOk(await server.api.post('/v2/users/reset/4821'));
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByTestId('session-notice').filter({ hasText: 'Your session ended' }).waitFor();
    expect(page.url()).toContain('#/users');
    await signInWithPassword(page, DEMO_LOGIN, DEMO_PASSWORD);
    await page.getByTestId('users-table').waitFor();
    expect(page.url()).toContain('#/users');
    await close();
  });
});
