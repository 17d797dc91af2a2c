/**
 * Answers given before a route runs — by Node's HTTP parser or Fastify's
 * router — are the envelope with the headers of every answer, like any other
 * (found by the fuzzer, test/fuzz/endpoints.test.ts).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHttp, type FuzzReply } from '../support/fuzz-http.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

function expectEnvelope(reply: FuzzReply, status: number, message: RegExp): void {
  expect({ status: reply.status, body: JSON.parse(reply.text) }).toEqual({
    status,
    body: { success: false, data: null, errorCode: 'InvalidParameter', message: expect.stringMatching(message) },
  });
  expect(reply.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
}

/** Writes bytes on a new connection and parses what comes back before the server closes it. */
function sendRaw(bytes: string): Promise<FuzzReply> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, text] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
      const [statusLine, ...lines] = head!.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, text: text ?? '' });
    });
  });
}

describe('answers before any route', () => {
  it('headers over the size limit: 431 with the envelope (was Fastify\'s own JSON)', async () => {
    const reply = await sendHttp(server.url, { method: 'GET', path: '/v2/users/me', headers: [['X-API-Key', 'k'.repeat(20_000)]] }, 5000);
    expectEnvelope(reply, 431, /^headers: /);
  });

  it('a request that is not HTTP: 400 with the envelope', async () => {
    const reply = await sendRaw('GET /v2/auth/version HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n');
    expectEnvelope(reply, 400, /^request: /);
  });

  it('a path that is not a valid URL: 400 with the envelope and the headers of every answer (they were missing)', async () => {
    const reply = await sendHttp(server.url, { method: 'GET', path: '/v2/users/%zz', headers: [['X-API-Key', server.rootKey]] }, 5000);
    expectEnvelope(reply, 400, /^url: /);
  });

  it('an Expect other than 100-continue is ignored, the request answered as usual (was a bare 417)', async () => {
    const reply = await sendHttp(server.url, { method: 'GET', path: '/v2/users/me', headers: [['X-API-Key', server.rootKey], ['Expect', 'something-else']] }, 5000);
    expect(reply.status, reply.text).toBe(200);
    expect(JSON.parse(reply.text)).toMatchObject({ success: true, data: { login: 'root' } });
  });
});
