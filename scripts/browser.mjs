/**
 * Which Chromium the browser tests drive, found the same way on a fresh
 * machine, a laptop and CI, with nothing installed by hand:
 *   1. CHROMIUM_PATH, when set (any Chromium or Chrome build);
 *   2. a Chromium or Chrome on PATH (a laptop's own browser, Debian's `chromium`);
 *   3. the Chromium shipped inside the `@sparticuz/chromium` devDependency
 *      (Linux x64/arm64): `npm install` brings it from the npm registry like any
 *      package, and it unpacks into the temporary directory on first use (~2 s).
 * Why this order: a browser the person already has is the one they trust and
 * keeps working on macOS; the packaged one makes `npm install && npm test`
 * self-sufficient on a bare Linux machine without root or apt.
 * Used by the browser tests (test/support/browser.ts) and by `npm test`'s
 * prerequisite check, so both agree on the answer.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** The flags every launch uses: headless, no sandbox (root in CI), and none of Chromium's own network chatter (the machine is offline). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--no-pings',
];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name) {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  return found && executable(found) ? found : undefined;
}

/**
 * @returns {Promise<{ executablePath: string, source: string } | { missing: string }>}
 * `missing` is one line naming what to install.
 */
export async function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    return executable(fromEnv) ? { executablePath: fromEnv, source: 'CHROMIUM_PATH' } : { missing: `CHROMIUM_PATH=${fromEnv} is not an executable file` };
  }
  for (const name of SYSTEM_NAMES) {
    const found = onPath(name);
    if (found) return { executablePath: found, source: `${name} on PATH` };
  }
  if (process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64')) {
    try {
      const { default: packaged } = await import('@sparticuz/chromium');
      const path = await packaged.executablePath();
      if (path && executable(path)) return { executablePath: path, source: '@sparticuz/chromium (devDependency)' };
    } catch (error) {
      return { missing: `no Chromium: the packaged one (@sparticuz/chromium) failed to unpack (${error?.message ?? error}); install one (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH` };
    }
  }
  return { missing: `no Chromium or Chrome found: install one (Debian/Ubuntu: apt-get install chromium; macOS: Google Chrome) or set CHROMIUM_PATH to its executable` };
}
