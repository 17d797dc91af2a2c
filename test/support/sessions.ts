/** Bearer-token helpers for tests: log in over HTTP, call as a token, read a user's audit trail. */
import { Api, expectOk, type Reply, type RequestOptions } from './http.js';
import { createMailbox, createNetwork, startTestServer, TEST_PASSWORD, type TestServer } from './server.js';
import type { Store } from '../../src/store/store.js';
import type { AuditEvent } from '../../src/domain/types.js';
import type { TokenInfo } from '../../src/contract/auth.js';

/** An Api that sends `Authorization: Bearer <token>` and no API key. */
export class TokenApi extends Api {
  constructor(
    baseUrl: string,
    readonly token: string,
  ) {
    super(baseUrl, null);
  }

  override request<T = unknown>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<Reply<T>> {
    return super.request<T>(method, path, body, { token: this.token, ...options });
  }
}

export function loginReply(baseUrl: string, login: string, password = TEST_PASSWORD): Promise<Reply<TokenInfo>> {
  return new Api(baseUrl).post<TokenInfo>('/v2/auth/login', { login, password });
}

/** Logs in (asserting success) and returns the TokenInfo. */
export async function login(baseUrl: string, name: string, password = TEST_PASSWORD): Promise<TokenInfo> {
  return expectOk(await loginReply(baseUrl, name, password));
}

export function refreshReply(baseUrl: string, token: string): Promise<Reply<TokenInfo>> {
  return new Api(baseUrl).post<TokenInfo>('/v2/auth/refresh', { token });
}

/** The audit events about one user, newest first. */
export async function userEvents(store: Store, userId: number, count = 50): Promise<AuditEvent[]> {
  const { events } = await store.audit.list({ kind: 'system' }, { targetType: 'user', targetId: userId }, { pageNo: 1, recordsPerPage: count });
  return events;
}

/** A server with one network and one mailbox in it, for tests that need plain users. */
export async function startServerWithMailbox(env: Record<string, string> = {}): Promise<{ server: TestServer; networkId: number; mailboxId: number }> {
  const server = await startTestServer(env);
  const { networkId } = await createNetwork(server);
  const { mailboxId } = await createMailbox(server, networkId);
  return { server, networkId, mailboxId };
}
