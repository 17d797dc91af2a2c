/**
 * Bearer-token mechanics: access tokens are JWTs signed with HMAC-SHA256
 * (`jose`), the algorithm pinned on verification; refresh tokens are opaque
 * random secrets stored only as SHA-256. No I/O here: the session service
 * decides which session a token may still open.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { hashApiKey } from './api-keys.js';

export const TOKEN_ISSUER = 'ecgrid-identity';
export const TOKEN_AUDIENCE = 'ecgrid-api-v2';
const ALGORITHM = 'HS256';
/** Longer than any token we issue; longer input is refused before any parsing. */
const MAX_TOKEN_LENGTH = 4096;

/** What an access token says (its signature, issuer, audience and expiry having been checked). */
export interface AccessClaims {
  userId: number;
  sessionId: string;
  /** The session generation the token was issued for; a refresh moves the session on. */
  generation: number;
  /** Expiry in seconds since the epoch (the JWT `exp`). */
  expiresAt: number;
}

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A fresh signing secret: 256 bits from the CSPRNG, base64url. */
export function generateSigningSecret(): string {
  return randomBytes(32).toString('base64url');
}

export class TokenSigner {
  private constructor(private readonly key: webcrypto.CryptoKey) {}

  /** Imports the secret once as an HMAC-SHA256 key: it can sign and verify nothing else. */
  static async fromSecret(secret: Uint8Array): Promise<TokenSigner> {
    const key = await webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return new TokenSigner(key);
  }

  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ sid: claims.sessionId, gen: claims.generation })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(String(claims.userId))
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(claims.expiresAt)
      .sign(this.key);
  }

  /**
   * The claims of a token we signed that has not expired; null for anything
   * else — malformed, tampered, another key, another algorithm (`none`
   * included), another issuer or audience, expired, or claims of the wrong shape.
   */
  async verify(token: string): Promise<AccessClaims | null> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['exp', 'sub', 'sid', 'gen'],
      });
      const userId = Number(payload.sub);
      const { sid, gen, exp } = payload;
      if (!/^[1-9]\d{0,9}$/.test(payload.sub ?? '') || typeof sid !== 'string' || !SESSION_ID.test(sid)) return null;
      if (typeof gen !== 'number' || !Number.isSafeInteger(gen) || gen < 1 || typeof exp !== 'number') return null;
      return { userId, sessionId: sid, generation: gen, expiresAt: exp };
    } catch {
      return null;
    }
  }
}

/** Whether a presented token has the shape of a JWT (three dot-separated parts) rather than of a refresh token. */
export function looksLikeJwt(token: string): boolean {
  return token.split('.').length === 3;
}

/** A new refresh token for a session: `<session id>.<256 random bits>`. */
export function generateRefreshToken(sessionId: string): string {
  return `${sessionId}.${randomBytes(32).toString('base64url')}`;
}

/** The session a refresh token names, or null when it is not shaped like one of ours. */
export function sessionOfRefreshToken(token: string): string | null {
  const match = /^([0-9a-f-]{36})\.[A-Za-z0-9_-]{43}$/.exec(token);
  return match && SESSION_ID.test(match[1]!) ? match[1]! : null;
}

/** A refresh token has full entropy, so, like an API key, a fast hash stores it safely. */
export const hashRefreshToken = hashApiKey;
