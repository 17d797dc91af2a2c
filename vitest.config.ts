import { defineConfig } from 'vitest/config';

/**
 * Three projects (four in a recorded run, see below): pure unit tests once, and everything that touches a store
 * once per dialect. `npm test` (scripts/test.mjs) provides TEST_PG_URL from a
 * throwaway cluster; without it the postgres project is not defined at all.
 */
const storeTests = ['test/store/**/*.test.ts', 'test/routes/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/migrations/**/*.test.ts', 'test/services/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/client/**/*.test.ts', 'test/authz/**/*.test.ts', 'test/fuzz/**/*.test.ts', 'test/mcp/**/*.test.ts'];

const dialects = process.env.TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/**
 * A recorded run (scripts/test.mjs sets ECGRID_TEST_RUN_DIR; test/support/test-run.ts)
 * ends with the secrets check over everything the other projects logged and audited.
 */
const secretsCheck = process.env.ECGRID_TEST_RUN_DIR
  ? [{ extends: true as const, test: { name: 'secrets', include: ['test/secrets/**/*.test.ts'], sequence: { groupOrder: 1 } } }]
  : [];

/** `npm run stress` stretches every limit (test/support/timeouts.ts). */
const scale = Math.max(1, Number(process.env.ECGRID_TEST_TIMEOUT_SCALE) || 1);

export default defineConfig({
  test: {
    testTimeout: 30_000 * scale,
    hookTimeout: 60_000 * scale,
    // expect.poll waits for what a page or server shows next (a password check runs argon2 at the lowest
    // CPU priority): vitest's 1 s default failed a console test on a loaded machine.
    expect: { poll: { timeout: 10_000 * scale } },
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/domain/**/*.test.ts', 'test/unit/**/*.test.ts'] } },
      ...dialects.map((dialect) => ({
        extends: true as const,
        test: {
          name: dialect,
          // test/postgres/: what only PostgreSQL can do (connections killed under the server, …).
          // test/browser/: the UI does not depend on the store, so it runs once (with SQLite).
          include: dialect === 'postgres' ? [...storeTests, 'test/postgres/**/*.test.ts'] : [...storeTests, 'test/browser/**/*.test.ts', 'test/sqlite/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          env: { ECGRID_TEST_DIALECT: dialect },
          setupFiles: ['test/support/record-wire-secrets.ts'],
        },
      })),
      ...secretsCheck,
    ],
  },
});
