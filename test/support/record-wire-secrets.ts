/**
 * Vitest setup file of the store projects: during a recorded run (see
 * test-run.ts) every fetch of the test process — test/support/http.ts, the
 * typed client, raw calls — records the secrets it sends and receives. Every
 * secret that crosses the wire in a test is thereby known to the final check.
 */
import { recordRequestSecrets, recordResponseSecrets } from './secret-record.js';
import { RUN_DIR } from './test-run.js';

const WRAPPED = Symbol.for('ecgrid.test.fetch-records-secrets');

function pathOf(input: string | URL | Request): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return URL.canParse(url) ? new URL(url).pathname : url;
}

const global = globalThis as typeof globalThis & { [WRAPPED]?: true };
if (RUN_DIR && !global[WRAPPED]) {
  global[WRAPPED] = true;
  const send = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const path = pathOf(input);
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    new Headers(init?.headers).forEach((value, name) => headers.set(name, value));
    recordRequestSecrets(path, headers, init?.body);
    const response = await send(input, init);
    // Read a copy before handing the answer over, so that nothing is missed whatever the caller does with it.
    // A body cut short (a server killed mid-answer) fails the caller's own read the same way: nothing to record.
    if (response.headers.get('content-type')?.includes('application/json')) {
      const text = await response.clone().text().catch(() => null);
      if (text !== null) recordResponseSecrets(path, text);
    }
    return response;
  };
}
