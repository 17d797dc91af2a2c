/**
 * The seed page's own cURL, Node.js and Python examples, run verbatim against
 * a demo server: only the host is swapped and ECGRID_API_KEY is a Root key.
 * The page is kept in docs/reference/update-user.txt.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPython } from '../../scripts/prerequisites.mjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { runProcess } from '../support/process.js';

const PAGE = readFileSync(new URL('../../docs/reference/update-user.txt', import.meta.url), 'utf8');
const REFERENCE_HOST = 'https://rest.ecgrid.io';

/** The lines of the page from the one starting with `first` to the one starting with `last`, inclusive. */
function example(first: string, last: string): string {
  const lines = PAGE.split('\n');
  const start = lines.findIndex((line) => line.startsWith(first));
  const end = lines.findIndex((line, i) => i > start && line.startsWith(last));
  if (start < 0 || end < 0) throw new Error(`example ${first}… not found in the seed page`);
  return lines.slice(start, end + 1).join('\n');
}

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

const EXPECTED = {
  userId: 1042,
  login: 'jsmith',
  email: 'john.smith@example.com',
  firstName: 'John',
  lastName: 'Smith',
  networkId: 1,
  mailboxId: 101,
  authLevel: 'MailboxAdmin',
  status: 'Active',
  created: '2024-03-15T10:22:00Z',
};

describe("the seed page's code examples, verbatim", () => {
  it('cURL', async () => {
    const script = example('curl -X PUT', '-d ').replace(REFERENCE_HOST, server.url);
    const out = await run('bash', ['-c', script]);
    const body = JSON.parse(out);
    expect(body).toMatchObject({ success: true, data: EXPECTED });
  });

  it('Node.js', async () => {
    const file = join(dir, `seed-example-${process.pid}.mjs`);
    writeFileSync(file, example('const apiKey = process.env.ECGRID_API_KEY;', 'console.log(data);').replace(REFERENCE_HOST, server.url));
    const out = await run(process.execPath, [file]);
    expect(out).toMatch(/success: true/);
    expect(out).toContain("email: 'john.smith@example.com'");
  });

  it('Python (requests)', async () => {
    const file = join(dir, `seed-example-${process.pid}.py`);
    writeFileSync(file, example('import os, requests', 'print(response.json())').replace(REFERENCE_HOST, server.url));
    const out = await run(pythonWithRequests(), [file]);
    expect(out).toMatch(/'success': True/);
    expect(out).toContain("'email': 'john.smith@example.com'");
  });
});
