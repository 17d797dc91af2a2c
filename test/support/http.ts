/** Real HTTP to a real port: a small fetch wrapper that keeps status, headers and parsed body. */
import { expect } from 'vitest';

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: { success: boolean; data: T; errorCode: string; message: string };
  text: string;
}

export interface RequestOptions {
  key?: string | null;
  token?: string;
  headers?: Record<string, string>;
  /** Raw body text, sent as is (default: JSON of `body`). */
  raw?: string;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly defaultKey: string | null = null,
  ) {}

  as(key: string | null): Api {
    return new Api(this.baseUrl, key);
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? this.defaultKey : options.key;
    if (key !== null) headers['X-API-Key'] = key;
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    let payload: string | undefined = options.raw;
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    let parsed: Reply<T>['body'];
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path}: answer is not JSON (${response.status}): ${text.slice(0, 200)}`);
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  get<T = unknown>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, undefined, options);
  }
  post<T = unknown>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', path, body, options);
  }
  put<T = unknown>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PUT', path, body, options);
  }
  delete<T = unknown>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('DELETE', path, body, options);
  }
}

/** Asserts a success envelope and returns its data. */
export function expectOk<T>(reply: Reply<T>): T {
  expect(reply.body, `${reply.status} ${reply.text.slice(0, 300)}`).toMatchObject({ success: true, errorCode: '' });
  expect(reply.status).toBe(200);
  return reply.body.data;
}

/** Asserts an error envelope with this status and code; `field` must start the message when given. */
export function expectError(reply: Reply, status: number, errorCode: string, field?: string): void {
  expect({ status: reply.status, body: reply.body }, reply.text.slice(0, 300)).toMatchObject({
    status,
    body: { success: false, data: null, errorCode },
  });
  expect(Object.keys(reply.body)).toEqual(['success', 'data', 'errorCode', 'message']);
  if (field !== undefined) expect(reply.body.message.startsWith(`${field}:`), reply.body.message).toBe(true);
}
