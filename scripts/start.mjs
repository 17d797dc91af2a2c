#!/usr/bin/env node
/**
 * `npm start`: runs the bundle (dist/ecgrid-identity.mjs) in this very
 * process — no second Node start-up — after rebuilding it only if its sources
 * changed since it was made (scripts/bundle.mjs compares a stamp: a few
 * milliseconds). No type-check here: that is `npm run build`'s and
 * `npm test`'s job. Arguments go to the CLI (`npm start -- --port 9000`);
 * the default command is `serve`.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { BUNDLE, bundle, bundleIsStale } from './bundle.mjs';

if (bundleIsStale()) {
  const started = Date.now();
  process.stderr.write(`ecgrid-identity: ${existsSync(BUNDLE) ? 'sources changed since the last build' : 'no build yet'}; bundling dist/ecgrid-identity.mjs…\n`);
  try {
    await bundle();
    process.stderr.write(`ecgrid-identity: bundled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    // Without the devDependencies (npm install --omit=dev) there is no bundler: an existing bundle still runs.
    if (!existsSync(BUNDLE)) {
      process.stderr.write(`ecgrid-identity: cannot build (${error.message}); run \`npm install\` (with devDependencies) first\n`);
      process.exit(1);
    }
    process.stderr.write(`ecgrid-identity: cannot rebuild (${error.message}); starting the existing build\n`);
  }
}
const args = process.argv.slice(2);
// The bundle runs its CLI when it is the script Node was started with (src/cli/main.ts): so it is, from here on.
process.argv = [process.argv[0], BUNDLE, ...(args.length > 0 ? args : ['serve'])];
await import(pathToFileURL(BUNDLE).href);
