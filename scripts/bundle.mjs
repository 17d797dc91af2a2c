#!/usr/bin/env node
/**
 * The bundles `npm start`, the bin and the benches run: dist/ecgrid-identity.mjs
 * and the console's dist/console/ (every entry of rolldown.config.mjs),
 * made by rolldown straight from src/ and web/console/ (TypeScript is stripped, not checked: the
 * type-check belongs to `npm run build`, `npm run typecheck` and `npm test`).
 * Beside it, dist/ecgrid-identity.stamp: a hash of every input of the bundle
 * (src/, web/console/, the bundler config, the locked dependency versions), so that
 * `npm start` can tell in a few milliseconds whether the bundle is current.
 *
 * `node scripts/bundle.mjs` bundles; `node scripts/bundle.mjs --if-stale` only when the stamp differs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(ROOT, 'dist/ecgrid-identity.mjs');
const STAMP = join(ROOT, 'dist/ecgrid-identity.stamp');
const INPUTS = ['src', 'web/console', 'rolldown.config.mjs', 'package-lock.json', 'package.json'];

function* files(path) {
  if (!existsSync(path)) return;
  const entries = readdirSync(path, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

/** A hash of the bundle's inputs: names and contents of every file under INPUTS. */
export function sourceStamp() {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    const path = join(ROOT, input);
    const list = existsSync(path) && !path.endsWith('.json') && !path.endsWith('.mjs') ? [...files(path)] : [path];
    for (const file of list) {
      if (!existsSync(file)) continue;
      hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

/** Whether dist/ecgrid-identity.mjs is missing or was made from other sources. */
export function bundleIsStale() {
  if (!existsSync(BUNDLE) || !existsSync(STAMP)) return true;
  return readFileSync(STAMP, 'utf8').trim() !== sourceStamp();
}

/** An entry of rolldown.config.mjs with its paths made absolute (npm start may run from anywhere). */
function fromRoot(config) {
  const { output } = config;
  return {
    ...config,
    cwd: ROOT,
    input: join(ROOT, config.input),
    ...(config.tsconfig ? { tsconfig: join(ROOT, config.tsconfig) } : {}),
    output: { ...output, ...(output.file ? { file: join(ROOT, output.file) } : {}), ...(output.dir ? { dir: join(ROOT, output.dir) } : {}) },
  };
}

/** Builds every entry of rolldown.config.mjs (server, console) and writes the stamp. */
export async function bundle() {
  const stamp = sourceStamp();
  const { build } = await import('rolldown');
  const { default: configs } = await import(join(ROOT, 'rolldown.config.mjs'));
  for (const config of [configs].flat()) await build(fromRoot(config));
  writeFileSync(STAMP, `${stamp}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!process.argv.includes('--if-stale') || bundleIsStale()) await bundle();
}
