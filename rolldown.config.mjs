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
export default {
  input: 'src/cli/main.ts',
  platform: 'node',
  external: [/^node:/, 'better-sqlite3', '@node-rs/argon2', /^@fastify\/swagger-ui/, 'pg-native'],
  output: { file: 'dist/ecgrid-identity.mjs', format: 'esm', codeSplitting: false },
  logLevel: 'warn',
};
