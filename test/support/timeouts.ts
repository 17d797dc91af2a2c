/**
 * Test time limits, stretched on a machine that is busy on purpose: `npm run
 * stress` sets ECGRID_TEST_TIMEOUT_SCALE so that a run slowed by the load it
 * adds is judged on its outcome (a 500, a deadlock, a wrong answer), not on
 * its speed. 1 everywhere else; vitest.config.ts scales its defaults the same way.
 */
export const TIMEOUT_SCALE = Math.max(1, Number(process.env.ECGRID_TEST_TIMEOUT_SCALE) || 1);

/** A per-test or per-hook limit in milliseconds, scaled. */
export function limit(ms: number): number {
  return ms * TIMEOUT_SCALE;
}
