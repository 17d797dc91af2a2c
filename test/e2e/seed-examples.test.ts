/**
 * The seed page's own cURL, Node.js and Python examples, run verbatim against
 * a demo server: only the host is swapped and ECGRID_API_KEY is a Root key.
 * The page is kept in docs/reference/update-user.txt.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPython } from '../../scripts/prerequisites.mjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { runProcess } from '../support/process.js';
import { SEED_RESPONSE, seedExample } from '../support/seed-page.js';

const REFERENCE_HOST = 'https://rest.ecgrid.io';

/** A Python that has `requests` (scripts/prerequisites.mjs: `npm test` checked it before the run). */
function pythonWithRequests(): string {
  const python = findPython();
  if (!python) throw new Error('no python3 with the requests module: Debian/Ubuntu: apt-get install python3-requests; elsewhere: pip install requests');
  return python;
}

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startTestServer({ ECGRID_DEMO: '1' });
  dir = inject('testDir');
});
afterAll(() => server?.close());

async function run(command: string, args: string[]) {
  const result = await runProcess(command, args, { env: { ...process.env, ECGRID_API_KEY: server.rootKey } });
  expect(result.status, `${command} failed: ${result.stderr}`).toBe(0);
  return result.stdout;
}

describe("the seed page's code examples, verbatim", () => {
  it('cURL', async () => {
    const script = seedExample('curl -X PUT', '-d ').replace(REFERENCE_HOST, server.url);
    const out = await run('bash', ['-c', script]);
    const body = JSON.parse(out);
    expect(body).toMatchObject(SEED_RESPONSE);
  });

  it('Node.js', async () => {
    const file = join(dir, `seed-example-${process.pid}.mjs`);
    writeFileSync(file, seedExample('const apiKey = process.env.ECGRID_API_KEY;', 'console.log(data);').replace(REFERENCE_HOST, server.url));
    const out = await run(process.execPath, [file]);
    expect(out).toMatch(/success: true/);
    expect(out).toContain("email: 'john.smith@example.com'");
  });

  it('Python (requests)', async () => {
    const file = join(dir, `seed-example-${process.pid}.py`);
    writeFileSync(file, seedExample('import os, requests', 'print(response.json())').replace(REFERENCE_HOST, server.url));
    const out = await run(pythonWithRequests(), [file]);
    expect(out).toMatch(/'success': True/);
    expect(out).toContain("'email': 'john.smith@example.com'");
  });
});
