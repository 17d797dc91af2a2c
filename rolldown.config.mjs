import { readFileSync } from 'node:fs';

/** Paths here are relative to this file, so scripts/bundle.mjs can build from any working directory. */
const here = (path) => new URL(path, import.meta.url).pathname;

/**
 * The server as one file (dist/ecgrid-identity.mjs): Node loads one module
 * instead of ~1,500 small ones, which took most of the cold start (measured:
 * 2.1 s → 1.4 s to the first answer on a 1M-user database under load; see the
 * README's Performance section). Native addons stay outside, as does the
 * Swagger UI package (it serves its own static files from its directory).
 * Bundled straight from src/ (rolldown strips the types; checking them is tsc's
 * job), so `npm start` can rebuild a stale bundle in about a second without a
 * type-check — see scripts/bundle.mjs. `tsc` still emits dist/ module by module:
 * the client export and the tests use those.
 */
const server = {
  input: 'src/cli/main.ts',
  platform: 'node',
  external: [/^node:/, 'better-sqlite3', '@node-rs/argon2', /^@fastify\/swagger-ui/, /^@fastify\/static/, 'pg-native'],
  output: { file: 'dist/ecgrid-identity.mjs', format: 'esm', codeSplitting: false },
  logLevel: 'warn',
};

/** Copies the console's static files (page, styles, icon) next to its script. */
const consoleAssets = {
  name: 'console-assets',
  generateBundle() {
    for (const fileName of ['index.html', 'console.css', 'favicon.svg']) {
      this.emitFile({ type: 'asset', fileName, source: readFileSync(here(`web/console/${fileName}`)) });
    }
  },
};

/**
 * The admin console (web/console/, served at /console/): Preact + TypeScript in
 * one minified browser script. It bundles src/domain/permissions.ts itself, so
 * the buttons it shows come from the very rules the server applies.
 */
const consoleApp = {
  input: 'web/console/src/main.tsx',
  platform: 'browser',
  resolve: { extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
  // JSX (automatic runtime, preact) and the rest of the compiler options come from here.
  tsconfig: 'web/console/tsconfig.json',
  plugins: [consoleAssets],
  output: { dir: 'dist/console', entryFileNames: 'console.js', format: 'esm', minify: true, codeSplitting: false },
  logLevel: 'warn',
};

export default [server, consoleApp];
