/**
 * A locked-out user: when the lockout ends. The API says only `lockedOut`;
 * the end is in the audit log (the `user.lockout` event's new `lockedUntil`),
 * which NetworkAdmin and above may read — others see the rule instead.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AuditEventList } from '../../../../src/contract/audit.js';
import { api } from '../api.js';
import { may } from '../perms.js';
import { useSession, type User } from '../session.js';
import { formatTime } from '../ui.js';

async function lockoutEnd(userId: number): Promise<string | null> {
  const { data } = await api<AuditEventList>('POST', '/v2/audit/list', { targetType: 'user', targetId: userId, recordsPerPage: 100 });
  for (const event of data.events) {
    const until = event.changes.lockedUntil?.new;
    if (typeof until === 'string') return until;
  }
  return null;
}

export function LockoutNotice({ user, canUnlock }: { user: User; canUnlock: boolean }) {
  const { me } = useSession();
  const [until, setUntil] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (may.readAudit(me)) void lockoutEnd(user.userId).then(setUntil, () => setUntil(null));
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, [user.userId, user.modified]);
  const left = until ? Math.max(0, Math.ceil((Date.parse(until) - now) / 60_000)) : null;
  return (
    <p class="notice warning" data-testid="lockout">
      Locked out after repeated failed sign-ins{' '}
      {until ? `until ${formatTime(until)} (${left} min left).` : '(for 15 minutes after the last failure).'}
      {canUnlock ? ' Setting a new password unlocks the account now.' : ''}
    </p>
  );
}
