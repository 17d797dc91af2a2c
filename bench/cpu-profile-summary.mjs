#!/usr/bin/env node
/**
 * `node bench/cpu-profile-summary.mjs PROFILE|DIR [--top 25] [--match REGEX]`
 *
 * Where a server's CPU went, from a V8 CPU profile (`node --cpu-prof`, or
 * `profile-floor.mjs --cpu-prof DIR`; given a directory, the profile with the
 * most busy samples is taken: the main thread's, not the checkpoint worker's).
 *
 * Prints the busy share (idle left out) of:
 * - each kind of code (ours, packages, Node's, none), and each part of the
 *   process: our modules (src/…), each package bundled into dist/ (fastify,
 *   kysely, …, found by the `// node_modules/<pkg>/…` marks the bundler leaves
 *   in dist/ecgrid-identity.mjs), JavaScript generated at run time (Ajv's
 *   validators, fast-json-stringify's serializers), Node's own JavaScript,
 *   and work with no JavaScript frame (GC, `writev`, V8 itself);
 * - the functions with the most self time, and with the most inclusive time
 *   (`--match` keeps only the functions whose label matches).
 * A native call is counted as self time of the JavaScript function that made
 * it: SQLite's statements show up as self time of src/store/dialects/sqlite.ts,
 * where better-sqlite3 is called. Issue 16 used it to find how much of a PUT on
 * SQLite is ours at all (README, "What the profiles show").
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptArgs } from './lib.mjs';

const { values: args, positionals } = scriptArgs(import.meta.url, {
  options: { top: { type: 'string', default: '25' }, match: { type: 'string' } },
  allowPositionals: true,
});
if (positionals.length !== 1) {
  process.stderr.write('one profile or directory, please (node bench/cpu-profile-summary.mjs --help)\n');
  process.exit(2);
}
const top = Number(args.top);
if (!Number.isInteger(top) || top < 1) {
  process.stderr.write(`--top: a whole number of lines, at least 1 (not ${args.top})\n`);
  process.exit(2);
}
if (!existsSync(positionals[0])) {
  process.stderr.write(`${positionals[0]}: no such file or directory\n`);
  process.exit(2);
}
const match = args.match ? new RegExp(args.match) : null;

/** V8's pseudo-frames: samples of an idle thread, and the tree's root (in every stack, no code of its own). */
const isIdle = (node) => node.callFrame.functionName === '(idle)';
const isRoot = (node) => node.callFrame.functionName === '(root)';
const busySamples = (profile) => {
  const idle = new Set(profile.nodes.filter(isIdle).map((node) => node.id));
  return profile.samples.filter((id) => !idle.has(id)).length;
};
const readProfile = (path) => JSON.parse(readFileSync(path, 'utf8'));
const [path, profile] = (() => {
  if (!statSync(positionals[0]).isDirectory()) return [positionals[0], readProfile(positionals[0])];
  const found = readdirSync(positionals[0]).filter((name) => name.endsWith('.cpuprofile')).map((name) => join(positionals[0], name));
  if (found.length === 0) throw new Error(`no .cpuprofile in ${positionals[0]}`);
  return found.map((file) => [file, readProfile(file)]).sort((a, b) => busySamples(b[1]) - busySamples(a[1]))[0];
})();

/** The bundle's marks are read from the file as it is now: one rebuilt since the profile was taken would misplace them. */
const warned = new Set();
function warnIfNewer(url) {
  const file = fileURLToPath(url);
  if (warned.has(file) || statSync(file).mtimeMs <= statSync(path).mtimeMs) return;
  warned.add(file);
  process.stderr.write(`warning: ${file} was written after ${path}: if it was rebuilt since, functions may be put in the wrong module\n`);
}

/** The module marks (`// src/x.ts`, `// node_modules/pkg/…`) of a bundled file, as [0-based line, part]; none for a file that cannot be read. */
function readMarks(url) {
  try {
    warnIfNewer(url);
    return readFileSync(fileURLToPath(url), 'utf8').split('\n').flatMap((line, index) => {
      const mark = /^\/\/ (src\/\S+|node_modules\/(?:@[^/]+\/)?[^/]+|\0rolldown\/runtime\.js)/.exec(line);
      return mark ? [[index, mark[1].startsWith('\0') ? "(the bundler's runtime helpers)" : mark[1]]] : [];
    });
  } catch {
    return [];
  }
}
const marksOf = new Map();
const marks = (url) => marksOf.get(url) ?? marksOf.set(url, readMarks(url)).get(url);

/** The part of the process a frame belongs to. */
function partOf({ url, lineNumber, functionName, scriptId }) {
  // JavaScript made at run time has no file but a script: Ajv's validators, fast-json-stringify's serializers.
  if (url === '') return String(scriptId) === '0' ? `(no JavaScript frame: ${functionName || 'native'})` : '(JavaScript generated at run time: validators, serializers)';
  if (url.startsWith('node:') || !url.includes('/')) return "(Node's JavaScript)";
  if (url.startsWith('file:') && url.endsWith('.mjs')) {
    const found = marks(url);
    let part = null;
    for (const [line, name] of found) {
      if (line > lineNumber) break;
      part = name;
    }
    if (part) return part;
  }
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  return inPackage ? `node_modules/${inPackage[1]}` : url.replace(/^file:\/\//, '');
}

const label = (frame) => `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\//, '')}:${frame.lineNumber + 1}`;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);

const parts = new Map();
const self = new Map();
const inclusive = new Map();
const add = (map, key, count) => map.set(key, (map.get(key) ?? 0) + count);
let busy = 0;
for (const [id, count] of hits) {
  const node = byId.get(id);
  if (isIdle(node)) continue;
  const { callFrame } = node;
  busy += count;
  add(parts, partOf(callFrame), count);
  add(self, label(callFrame), count);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const name = label(byId.get(at).callFrame);
    if (isRoot(byId.get(at)) || seen.has(name)) continue;
    seen.add(name);
    add(inclusive, name, count);
  }
}

/** The four kinds the parts fall into. */
const kindOf = (part) =>
  part.startsWith('src/') ? 'ours (src/)'
  : part.startsWith('(no JavaScript frame') ? 'no JavaScript frame (kernel calls such as writev, GC, V8 itself)'
  : part === "(Node's JavaScript)" ? "Node's JavaScript"
  : 'packages (bundled, generated at run time, the bundler\'s helpers)';
const kinds = new Map();
for (const [part, count] of parts) add(kinds, kindOf(part), count);

const percent = (count) => `${((100 * count) / busy).toFixed(1).padStart(5)} %`;
const print = (title, map, keep = () => true) => {
  console.log(`\n${title}`);
  [...map].filter(([name]) => keep(name)).sort((a, b) => b[1] - a[1]).slice(0, top).forEach(([name, count]) => console.log(`${percent(count)}  ${name}`));
};
console.log(`${path}: ${profile.samples.length} samples, ${busy} of them busy; shares below are of the busy ones`);
print('busy time by kind (self time)', kinds);
print('busy time by part of the process (self time)', parts);
print('functions by self time', self, (name) => !match || match.test(name));
print('functions by inclusive time', inclusive, (name) => !match || match.test(name));
