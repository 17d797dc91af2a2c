/**
 * The console's only way to the server: fetch on the public /v2 API of the
 * origin it was served from. The credential (Bearer token or API key) lives in
 * this module's memory only — never localStorage, sessionStorage or a cookie —
 * so closing or reloading the tab signs out.
 *
 * Why not src/client: the console needs the answer headers (ETag,
 * X-Total-Count) and per-call headers (If-Match), which that client does not
 * expose; this is the same envelope handling in ~100 lines.
 */
import type { TokenInfo } from '../../../src/contract/auth.js';

/** `session`: one object per sign-in with a password, kept by every refresh of it (api: a refused call goes again only within its session). */
export type Credential =
  | { kind: 'token'; token: string; refreshToken: string; expiresAt: string; session: object }
  | { kind: 'key'; key: string };

/** An answer with success false, or no answer at all (status 0). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
  /** The field a 400 names (`"email: must be a valid email address"` → `email`). */
  get field(): string | null {
    const match = /^([A-Za-z][A-Za-z0-9.]*): /.exec(this.message);
    return this.status === 400 && match ? match[1]!.split('.').pop()!.toLowerCase() : null;
  }
}

export interface Answer<T> {
  data: T;
  message: string;
  headers: Headers;
}

let credential: Credential | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
/** The refresh under way, if any, and the credential it renews: a call answered 401 meanwhile waits for it (api). */
let refreshing: { from: Credential; done: Promise<void> } | undefined;
/** Called when the session ends by itself (expired, revoked): the app shows the login form. */
let onSessionLost: (message: string) => void = () => {};

export function setSessionLostHandler(handler: (message: string) => void): void {
  onSessionLost = handler;
}

export function currentCredential(): Credential | null {
  return credential;
}

function authHeaders(of: Credential | null = credential): Record<string, string> {
  if (!of) return {};
  return of.kind === 'key' ? { 'X-API-Key': of.key } : { Authorization: `Bearer ${of.token}` };
}

async function send<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, withAuth = true): Promise<Answer<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...(withAuth ? authHeaders() : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiFailure(0, 'NetworkError', 'The server could not be reached.');
  }
  let envelope: { success?: boolean; data?: T; errorCode?: string; message?: string };
  try {
    envelope = (await response.json()) as typeof envelope;
  } catch {
    throw new ApiFailure(response.status, 'InternalError', `Unexpected answer (HTTP ${response.status}).`);
  }
  if (!response.ok || envelope.success !== true) {
    throw new ApiFailure(response.status, envelope.errorCode ?? 'InternalError', envelope.message || `HTTP ${response.status}`);
  }
  return { data: envelope.data as T, message: envelope.message ?? '', headers: response.headers };
}

/**
 * An authenticated call. A 401 means the credential no longer works (expired,
 * revoked, user suspended): the session is dropped and the app sends the person
 * to the login form with the server's message, keeping the page they were on.
 * Except when a refresh ran while the call was on its way: each refresh ends
 * the token pair before it, so the call carried a token that had just been
 * replaced, and it goes once more with the new one — only with a token renewed
 * from the one it carried, never as a session begun since (another person's).
 */
export async function api<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer<T>> {
  const first = credential;
  try {
    return await send<T>(method, path, body, headers);
  } catch (error) {
    if (!unauthorized(error)) throw error;
    await refreshing?.done;
    if (!renewedFrom(first)) throw refusedFor(first, error);
  }
  const again = credential;
  try {
    return await send<T>(method, path, body, headers);
  } catch (error) {
    throw unauthorized(error) ? refusedFor(again, error) : error;
  }
}

function unauthorized(error: unknown): error is ApiFailure {
  return error instanceof ApiFailure && error.status === 401;
}

/** Whether the credential in use now is `carried` renewed by one refresh or more. */
function renewedFrom(carried: Credential | null): boolean {
  return carried?.kind === 'token' && credential?.kind === 'token' && credential !== carried && credential.session === carried.session;
}

/** A 401 for the credential a call carried ends the session while that credential is still the one in use (not after a sign-out, nor a later session's). */
function refusedFor(carried: Credential | null, error: ApiFailure): ApiFailure {
  if (carried && carried === credential) endSession(error.message);
  return error;
}

/** Drops the session in use and sends the person to the login form with why. */
function endSession(why: string): void {
  forget();
  onSessionLost(`Your session ended: ${why}`);
}

/** Refreshes this long before expiry (or at half the lifetime, when that is shorter). */
const REFRESH_MARGIN_MS = 60_000;

function scheduleRefresh(): void {
  clearTimeout(refreshTimer);
  if (credential?.kind !== 'token') return;
  const left = Date.parse(credential.expiresAt) - Date.now();
  const delay = Math.max(1_000, Math.min(left - REFRESH_MARGIN_MS, left / 2));
  refreshTimer = setTimeout(() => void refresh(), delay);
}

function tokenCredential(info: TokenInfo, session: object): Credential {
  return { kind: 'token', token: info.token, refreshToken: info.refreshToken, expiresAt: info.expiresAt, session };
}

function useToken(info: TokenInfo, session: object = {}): void {
  credential = tokenCredential(info, session);
  scheduleRefresh();
}

/** Renews the token pair in use; a second call while one is under way for the same credential shares it. */
export function refresh(): Promise<void> {
  if (credential?.kind !== 'token') return Promise.resolve();
  if (refreshing?.from === credential) return refreshing.done;
  const from = credential;
  const done = (async () => {
    try {
      const { data } = await send<TokenInfo>('POST', '/v2/auth/refresh', { refreshToken: from.refreshToken }, {}, false);
      // Signed out (or in again) while the refresh was on its way: the pair it made is ended, never taken up.
      if (credential === from) useToken(data, from.session);
      else void endOnServer(tokenCredential(data, from.session));
    } catch (error) {
      if (credential === from) endSession(error instanceof Error ? error.message : 'it could not be refreshed');
    } finally {
      // Only one refresh per credential is under way (the check above), so this one is `from`'s.
      if (refreshing?.from === from) refreshing = undefined;
    }
  })();
  refreshing = { from, done };
  return done;
}

export async function signInWithPassword(login: string, password: string): Promise<void> {
  const { data } = await send<TokenInfo>('POST', '/v2/auth/login', { login, password }, {}, false);
  useToken(data);
}

/** Checks the key on GET /v2/users/me before keeping it. */
export async function signInWithKey(key: string): Promise<void> {
  await send('GET', '/v2/users/me', undefined, { 'X-API-Key': key }, false);
  credential = { kind: 'key', key };
  clearTimeout(refreshTimer);
}

function forget(): void {
  credential = null;
  clearTimeout(refreshTimer);
}

/**
 * Forgets the credential, then ends its session on the server (a Bearer token
 * is revoked). Forgetting first means a refresh answered meanwhile sees the
 * person gone and ends its new pair too (refresh). Never fails: the person is
 * signed out here whatever the server says.
 */
export async function signOut(): Promise<void> {
  const ending = credential;
  forget();
  if (ending) await endOnServer(ending);
}

/** POST /v2/auth/logout with the given credential. A 401 (already ended) or no answer leaves nothing to do: the token lapses at expiry. */
async function endOnServer(ending: Credential): Promise<void> {
  try {
    await send('POST', '/v2/auth/logout', undefined, authHeaders(ending), false);
  } catch {
    // Nothing the person can act on: they are signed out of this page either way.
  }
}
