/** Who is signed in, for every screen: the caller's own user (GET /v2/users/me). */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { UserIDInfo } from '../../../src/contract/users.js';

export type User = UserIDInfo;

export interface Session {
  me: User;
  /** 'token' after a password sign-in, 'key' after an API key. */
  via: 'token' | 'key';
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}
