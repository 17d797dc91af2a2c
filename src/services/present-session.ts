/** Session objects → wire objects of API.md §2 (TokenInfo, SessionInfo). */
import type { SessionInfo, TokenInfo } from '../contract/auth.js';
import type { IssuedTokens, SessionDescription } from './session-service.js';
import { wireTime } from './present.js';

export function presentTokens(tokens: IssuedTokens): TokenInfo {
  return { token: tokens.token, expiresAt: wireTime(tokens.expiresAt), userId: tokens.userId, refreshToken: tokens.refreshToken };
}

export function presentSession({ principal, expiresAt, openSessions }: SessionDescription): SessionInfo {
  return {
    userId: principal.userId,
    login: principal.login,
    networkId: principal.networkId,
    mailboxId: principal.mailboxId,
    authLevel: principal.authLevel,
    expiresAt: expiresAt === null ? null : wireTime(expiresAt),
    openSessions,
  };
}
