/**
 * A locked-out user: when the lockout ends and how long is left. The end is
 * the user object's `lockedUntil` (an Extension of the API, given to whoever
 * may read the user, like `lockedOut`), so every level that sees the user
 * sees the time, with no audit-log read.
 */
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../session.js';
import { formatTime } from '../ui.js';

export function LockoutNotice({ user, canUnlock }: { user: User; canUnlock: boolean }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, [user.userId]);
  const until = user.lockedUntil;
  const left = until ? Math.max(0, Math.ceil((Date.parse(until) - now) / 60_000)) : null;
  return (
    <p class="notice warning" data-testid="lockout">
      Locked out after repeated failed sign-ins{' '}
      {until ? `until ${formatTime(until)} (${left} min left).` : '(for 15 minutes after the last failure).'}
      {canUnlock ? ' Setting a new password unlocks the account now.' : ''}
    </p>
  );
}
