/**
 * The server's log carries no secret even at its most verbose level (trace).
 * Regression: a request that Node's HTTP parser rejects (a malformed header)
 * was logged by Fastify at trace with the parser's error, whose `rawPacket`
 * holds the raw request bytes — the X-API-Key header and a body with a
 * password — as a JSON byte array.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../support/http.js';
import { createUser, startTestServer, TEST_PASSWORD, type TestServer } from '../support/server.js';
import { login, TokenApi } from '../support/sessions.js';
import { recordSecret } from '../support/secret-record.js';
import { SecretMatcher } from '../support/secret-scan.js';
import { captureOutput, type RunLog } from '../support/test-run.js';

let server: TestServer;
let logs = '';
let runLog: RunLog | null;

beforeAll(async () => {
  const stream = new PassThrough();
  // Kept here for the assertions, and in the recorded run for the final secrets check.
  runLog = captureOutput(stream, 'server-trace', (chunk) => (logs += chunk));
  server = await startTestServer({ LOG_LEVEL: 'trace' }, stream);
});
afterAll(async () => {
  await server?.close();
  await runLog?.close();
});

/** Sends raw bytes on a new connection; resolves with what the server answered before closing it. */
function sendRaw(text: string): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(Number(port), hostname, () => socket.write(text));
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** How many lines of `text` contain any of the secrets, in any form the secrets check looks for (counted, never printed). */
function linesWithSecrets(text: string, secrets: string[]): number {
  const matcher = new SecretMatcher(secrets.map((value) => ({ source: 'test', value })));
  return text.split('\n').filter((line) => matcher.find(line).length > 0).length;
}

describe('log redaction at trace level', () => {
  it('a malformed request is answered 400 and logged without its raw bytes (API key, password)', async () => {
    const password = `Pw-${randomUUID()}`;
    recordSecret('malformed request password', password);
    const body = JSON.stringify({ login: 'root', password });
    const answer = await sendRaw(
      `POST /v2/auth/login HTTP/1.1\r\nHost: x\r\nX-API-Key: ${server.rootKey}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nBad Header\r\n\r\n${body}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const clientError = logs.split('\n').filter((line) => line.includes('"msg":"client error"'));
    expect(clientError).toHaveLength(1);
    expect(linesWithSecrets(logs, [server.rootKey, password]), 'log lines holding the key or the password').toBe(0);
    expect(JSON.parse(clientError[0]!)).toMatchObject({ level: 10, err: { code: 'HPE_INVALID_HEADER_TOKEN', rawPacket: '[redacted]' } });
  });

  it('well-formed calls with a key, a password and a token log their request lines but none of these', async () => {
    const { user, key } = await createUser(server, { authLevel: 'TechOps', networkId: 0, mailboxId: 0 });
    const before = logs.length;
    const { token } = await login(server.url, user.login);
    expectOk(await server.api.as(key).get('/v2/users/me'));
    expectOk(await new TokenApi(server.url, token).get('/v2/users/me'));
    const logged = logs.slice(before);
    expect(logged.trimEnd().split('\n').length).toBeGreaterThanOrEqual(6);
    expect(logged).toContain('"url":"/v2/auth/login"');
    expect(linesWithSecrets(logged, [server.rootKey, key, TEST_PASSWORD, token]), 'log lines holding a secret').toBe(0);
  });
});
