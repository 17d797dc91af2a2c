/**
 * What the suite needs from the machine beyond `npm install`, checked in a
 * second before the long part of `npm test` (and the stress script), so a
 * missing piece is one line naming it and how to get it, not a stack trace
 * minutes into the run:
 * - PostgreSQL server binaries (initdb, pg_ctl) for the PostgreSQL half;
 * - python3 with `requests`, to run the reference page's Python example verbatim;
 * - a Chromium for the browser tests (scripts/browser.mjs: usually the one the
 *   @sparticuz/chromium devDependency ships, so nothing to install).
 * Nothing here installs system packages: a test command that runs apt behind a
 * person's back on their own laptop would be a surprise; naming the package is not.
 */
import { spawnSync } from 'node:child_process';
import { findChromium } from './browser.mjs';
import { findBinary } from './postgres-cluster.mjs';

/** The first Python on PATH that can `import requests` (the seed page's Python example needs it), or undefined. */
export function findPython() {
  return ['python3', 'python'].find((candidate) => spawnSync(candidate, ['-c', 'import requests'], { encoding: 'utf8' }).status === 0);
}

/** @returns {Promise<string[]>} one line per missing prerequisite (empty: all there) */
export async function missingPrerequisites({ postgres = true, python = true, browser = true } = {}) {
  const missing = [];
  if (postgres) {
    for (const name of ['initdb', 'pg_ctl']) {
      try {
        findBinary(name);
      } catch {
        missing.push(`PostgreSQL server binaries (${name}) not found: Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql (or put its bin/ on PATH)`);
        break;
      }
    }
  }
  if (python && !findPython()) {
    missing.push('no python3 with the `requests` module (the reference\'s Python example runs in the suite): Debian/Ubuntu: apt-get install python3-requests; elsewhere: pip install requests');
  }
  if (browser) {
    const found = await findChromium();
    if ('missing' in found) missing.push(found.missing);
  }
  return missing;
}
