/** A user as read (with its ETag) and its summary, shared by the user page and its forms. */
import { api } from '../api.js';
import type { User } from '../session.js';
import { formatTime } from '../ui.js';

export interface LoadedUser {
  user: User;
  etag: string;
}

export async function loadUser(userId: number): Promise<LoadedUser> {
  const { data, headers } = await api<User>('GET', `/v2/users/${userId}`);
  return { user: data, etag: headers.get('ETag') ?? '' };
}

export function UserSummary({ user }: { user: User }) {
  return (
    <dl class="summary" data-testid="user-summary">
      <dt>Id</dt><dd>{user.userId}</dd>
      <dt>Login</dt><dd>{user.login}</dd>
      <dt>E-mail</dt><dd data-field="email">{user.email}</dd>
      <dt>Name</dt><dd data-field="name">{`${user.firstName} ${user.lastName}`.trim() || '—'}</dd>
      <dt>Level</dt><dd data-field="authLevel">{user.authLevel}</dd>
      <dt>Network / mailbox</dt><dd data-field="placement">{user.networkId} / {user.mailboxId}</dd>
      <dt>Status</dt><dd data-field="status"><span class={`status status-${user.status}`}>{user.status}</span>{user.lockedOut && <span class="status status-Locked" data-testid="locked">Locked out</span>}</dd>
      <dt>Last sign-in</dt><dd>{formatTime(user.lastLogin)}</dd>
      <dt>Modified</dt><dd>{formatTime(user.modified)}</dd>
    </dl>
  );
}

