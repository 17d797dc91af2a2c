#!/usr/bin/env node
/**
 * `npm run screenshots`: the console's main screens, light and dark, as PNG
 * files under docs/console/ (shown in the README). Starts the built server
 * (dist/, from `npm run build`) on a throwaway SQLite database with the demo
 * data, and drives the Chromium that scripts/browser.mjs finds.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from './browser.mjs';

const OUT = 'docs/console';
const dir = mkdtempSync(join(tmpdir(), 'ecgrid-screenshots-'));
const rootKey = randomUUID();

const server = spawn(process.execPath, ['dist/ecgrid-identity.mjs', 'serve'], {
  env: {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    ECGRID_DB: join(dir, 'demo.db'),
    ECGRID_DEMO: '1',
    ECGRID_ROOT_API_KEY: rootKey,
    ECGRID_MASTER_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
  },
  stdio: ['ignore', 'ignore', 'pipe'],
});
const url = await new Promise((resolve, reject) => {
  let text = '';
  server.stderr.on('data', (chunk) => {
    text += chunk;
    const match = /listening on (http:\/\/\S+)/.exec(text);
    if (match) resolve(match[1]);
  });
  server.once('exit', (code) => reject(new Error(`server exited (${code}): ${text}`)));
});

/** A little history for the audit and user screens, through the API like anyone. */
async function call(method, path, body) {
  const answer = await fetch(`${url}${path}`, { method, headers: { 'X-API-Key': rootKey, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
}

let browser;
try {
  await call('PUT', '/v2/users', { userId: 1043, lastName: 'Jones-Miller' });
  await call('POST', '/v2/users/update-config', { userId: 1042, company: 'Acme Corporation', timeZoneOffset: -6 });

  const found = await findChromium();
  if ('missing' in found) throw new Error(found.missing);
  browser = await chromium.launch({ executablePath: found.executablePath, args: CHROMIUM_ARGS });
  mkdirSync(OUT, { recursive: true });
  const screens = [
    ['users', '#/users', '[data-testid=users-table]'],
    ['user', '#/users/1042', '[data-testid=audit-table]'],
    ['tenancy', '#/tenancy', '[data-mailbox-id="5001"] .counts'],
    ['audit', '#/audit', '[data-testid=audit-table]'],
  ];
  for (const theme of ['light', 'dark']) {
    const context = await browser.newContext({ colorScheme: theme, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${url}/console/`);
    await page.getByRole('heading', { name: 'Sign in to ecgrid-identity' }).waitFor();
    await page.screenshot({ path: `${OUT}/login-${theme}.png` });
    await page.getByLabel('API key', { exact: true }).fill(rootKey);
    await page.getByRole('button', { name: 'Sign in with key' }).click();
    await page.getByTestId('whoami').waitFor();
    for (const [name, hash, ready] of screens) {
      await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
      await page.locator(ready).first().waitFor();
      await page.screenshot({ path: `${OUT}/${name}-${theme}.png` });
      process.stdout.write(`${OUT}/${name}-${theme}.png\n`);
    }
    await context.close();
  }
} finally {
  await browser?.close();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
