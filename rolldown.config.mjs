/**
 * The server as one file (dist/ecgrid-identity.mjs): Node loads one module
 * instead of ~1,500 small ones, which took most of the cold start (measured:
 * 2.1 s → 1.4 s to the first answer on a 1M-user database under load; see the
 * README's Performance section). Native addons stay outside, as does the
 * Swagger UI package (it serves its own static files from its directory).
 * `tsc` still emits dist/ module by module: the client export and the tests use those.
 */
export default {
  input: 'dist/cli/main.js',
  platform: 'node',
  external: [/^node:/, 'better-sqlite3', '@node-rs/argon2', /^@fastify\/swagger-ui/, 'pg-native'],
  output: { file: 'dist/ecgrid-identity.mjs', format: 'esm', codeSplitting: false },
  logLevel: 'warn',
};
