/**
 * One fuzz request over real HTTP, through node:http (so anything a Node
 * client can send: any method with a body, repeated headers, raw path bytes),
 * on a connection of its own, with a deadline: no complete answer in time is
 * a hang.
 */
import http from 'node:http';

export interface FuzzRequest {
  method: string;
  /** Request target as sent (already percent-encoded where wanted). */
  path: string;
  /** In order; a name given twice goes out twice. */
  headers: Array<[string, string]>;
  body?: string | Buffer;
}

export interface FuzzReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** node:http writes header values byte for byte (U+0000–U+00FF): unicode goes out as its UTF-8 bytes. */
const asBytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

export function describeRequest(request: FuzzRequest): string {
  const cut = (text: string) => JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…(${text.length})` : text);
  const headers = request.headers.map(([name, value]) => `${name}: ${cut(value)}`).join('; ');
  return `${request.method} ${cut(request.path)} [${headers}]${request.body === undefined ? '' : ` body ${cut(String(request.body))}`}`;
}

export function sendHttp(baseUrl: string, request: FuzzRequest, timeoutMs: number): Promise<FuzzReply> {
  const url = new URL(baseUrl);
  // An agent of its own with keep-alive: no `Connection: close` (with it the server may reset a connection
  // whose body it refused unread, losing the answer), and no socket shared with the next case.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise<FuzzReply>((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: request.method, path: request.path, agent });
    const grouped = new Map<string, string[]>();
    for (const [name, value] of request.headers) grouped.set(name, [...(grouped.get(name) ?? []), asBytes(value)]);
    for (const [name, values] of grouped) req.setHeader(name, values.length === 1 ? values[0]! : values);
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    // Framed by length on every method (node:http would send a GET body unframed).
    if (body && !grouped.has('Content-Length')) req.setHeader('Content-Length', body.length);
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    // The server may answer (413) and close before the upload ends: the answer counts, the broken upload does not.
    req.on('error', (error) => {
      if (answered) return;
      clearTimeout(timer);
      reject(new Error(`no answer: ${error.message}`));
    });
    req.end(body);
  }).finally(() => agent.destroy());
}
