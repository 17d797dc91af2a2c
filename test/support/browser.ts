/**
 * One way to get a browser for every browser test: the Chromium that
 * scripts/browser.mjs finds (CHROMIUM_PATH, one on PATH, or the packaged
 * devDependency), driven by playwright-core. `npm test` has already checked
 * that one exists, so a miss here is a plain error naming what to install.
 */
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/browser.mjs';

export async function launchBrowser(): Promise<Browser> {
  const found = await findChromium();
  if ('missing' in found) throw new Error(found.missing);
  return chromium.launch({ executablePath: found.executablePath, args: CHROMIUM_ARGS });
}
