/**
 * Rate limits (API.md §1), on @fastify/rate-limit's counters:
 * - per credential (API key or session), after authentication:
 *   `credentialPerSecond` on average with bursts of twice that (a fixed
 *   2-second window allowing 2 × the rate);
 * - per client address for calls without a valid credential (public routes,
 *   unknown routes, failed authentication): `anonymousPerSecond`;
 * - per login name and client address on login: `loginPerMinute` attempts.
 * Counters live in this instance's memory (see README "Scaling out").
 * Exceeding answers 429 RateLimitExceeded with Retry-After in seconds.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../domain/types.js';
import type { App } from './route-host.js';

export interface RateLimitSettings {
  credentialPerSecond: number;
  anonymousPerSecond: number;
  loginPerMinute: number;
}

export class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('rate limit exceeded');
    this.name = 'RateLimited';
  }
}

/** The plugin's verdict: `isAllowed` means "on the allow list"; `isExceeded` is the answer. */
type Check = (request: FastifyRequest) => Promise<{ isAllowed: true } | { isAllowed: false; isExceeded: boolean; isBanned: boolean; ttlInSeconds: number }>;

export interface RateLimiter {
  /** False when rate limits are off: callers may then skip counting altogether. */
  readonly enabled: boolean;
  /** Counts a request made with this credential; throws RateLimited when over. */
  credential(request: FastifyRequest, principal: Principal): Promise<void>;
  /** Counts a request without a valid credential, by client address. */
  anonymous(request: FastifyRequest): Promise<void>;
  /** Counts a login attempt for this name from this address. */
  login(request: FastifyRequest, loginName: string): Promise<void>;
}

const RATE_KEY = Symbol('rateLimitKey');
type Keyed = FastifyRequest & { [RATE_KEY]?: string };

async function enforce(check: Check, request: FastifyRequest, key: string): Promise<void> {
  (request as Keyed)[RATE_KEY] = key;
  const result = await check(request);
  if (!result.isAllowed && (result.isExceeded || result.isBanned)) throw new RateLimited(Math.max(1, result.ttlInSeconds));
}

const NO_LIMITS: RateLimiter = {
  enabled: false,
  credential: async () => {},
  anonymous: async () => {},
  login: async () => {},
};

/** One bucket per API key or session (the operator CLI never comes over HTTP; listed for completeness). */
function credentialKey(credential: Principal['credential']): string {
  switch (credential.kind) {
    case 'key':
      return `k${credential.keyId}`;
    case 'session':
      return `s${credential.sessionId}`;
    case 'operator':
      return 'operator';
  }
}

export async function createRateLimiter(app: App, settings: RateLimitSettings | null): Promise<RateLimiter> {
  if (!settings) return NO_LIMITS;
  await app.register(rateLimit, { global: false });
  const keyGenerator = (request: FastifyRequest) => (request as Keyed)[RATE_KEY] ?? request.ip;
  const perCredential = app.createRateLimit({ keyGenerator, max: settings.credentialPerSecond * 2, timeWindow: 2000 }) as Check;
  const perAddress = app.createRateLimit({ keyGenerator, max: settings.anonymousPerSecond, timeWindow: 1000 }) as Check;
  const perLogin = app.createRateLimit({ keyGenerator, max: settings.loginPerMinute, timeWindow: 60_000 }) as Check;
  return {
    enabled: true,
    credential: (request, principal) => enforce(perCredential, request, credentialKey(principal.credential)),
    anonymous: (request) => enforce(perAddress, request, `a${request.ip}`),
    login: (request, loginName) => enforce(perLogin, request, `l${loginName.toLowerCase()}\u0000${request.ip}`),
  };
}
