/**
 * `npm start` (scripts/start.mjs) on a checkout without a build, with a
 * current one and with a stale one: it bundles only when the sources changed
 * (no type-check), and serves either way. Run on a copy of the checkout's
 * sources (src/ and the console's web/; node_modules linked), so the build
 * the other tests use is not touched.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/child-server.js';
import { Api, expectOk } from '../support/http.js';
import { freshDatabase, type TestDatabase } from '../support/test-db.js';
import { recordProcessSecrets } from '../support/secret-record.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const checkout = mkdtempSync(join(tmpdir(), 'ecgrid-start-'));
for (const entry of ['src', 'web', 'scripts', 'package.json', 'package-lock.json', 'rolldown.config.mjs', 'tsconfig.json', 'tsconfig.build.json']) {
  cpSync(join(ROOT, entry), join(checkout, entry), { recursive: true });
}
symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));

let database: TestDatabase | undefined;
afterAll(async () => {
  await database?.drop();
  rmSync(checkout, { recursive: true, force: true });
});

/** `node scripts/start.mjs serve` in the copy (what `npm start` runs) until it answers; then stopped. */
async function start(env: Record<string, string>): Promise<{ stderr: string; answered: boolean }> {
  const port = await freePort();
  const childEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', PORT: String(port), ...env };
  recordProcessSecrets(childEnv, []);
  const child = spawn(process.execPath, ['scripts/start.mjs', 'serve'], { cwd: checkout, env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 90_000;
  let answered = false;
  while (!answered && Date.now() < deadline && child.exitCode === null) {
    answered = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (!answered) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGTERM');
  await exited;
  return { stderr, answered };
}

describe('npm start', () => {
  it('bundles when there is no build or the sources changed, never type-checks, and serves every time', { timeout: 300_000 }, async () => {
    database = await freshDatabase();
    const rootKey = randomUUID();
    const env = { ...database.env, ECGRID_MASTER_KEY: randomBytes(32).toString('hex'), ECGRID_ROOT_API_KEY: rootKey };
    expect(existsSync(join(checkout, 'dist'))).toBe(false);

    const first = await start(env);
    expect(first.answered, first.stderr).toBe(true);
    expect(first.stderr).toContain('no build yet; bundling dist/ecgrid-identity.mjs');
    expect(existsSync(join(checkout, 'dist/ecgrid-identity.mjs'))).toBe(true);
    expect(existsSync(join(checkout, 'dist/console/console.js')), 'the console is bundled too').toBe(true);
    // Bundled only: the type-check's output (dist/ module by module) is not made at start.
    expect(existsSync(join(checkout, 'dist/server.js'))).toBe(false);

    const second = await start(env);
    expect(second.answered, second.stderr).toBe(true);
    expect(second.stderr).not.toContain('bundling');
    expect(second.stderr).toContain('listening on');

    appendFileSync(join(checkout, 'src/server.ts'), '\n// changed\n');
    const third = await start(env);
    expect(third.answered, third.stderr).toBe(true);
    expect(third.stderr).toContain('sources changed since the last build; bundling');

    // The server it started is the real one.
    const port = await freePort();
    const child = spawn(process.execPath, [join(checkout, 'dist/ecgrid-identity.mjs'), 'serve'], { env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: 'ignore' });
    try {
      let me;
      for (let i = 0; i < 200 && !me; i++) {
        me = await new Api(`http://127.0.0.1:${port}`, rootKey).get('/v2/users/me').catch(() => undefined);
        if (!me) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(expectOk(me!)).toMatchObject({ login: 'root' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
