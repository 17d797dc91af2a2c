/**
 * One user: GET /v2/users/{id} (with its ETag), and the actions the caller may
 * take on it — exactly those perms.ts derives from the server's permission
 * module. Out of scope and missing look the same: "not found".
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.js';
import { userActions } from '../perms.js';
import { useSession, type User } from '../session.js';
import { Outcome } from '../ui.js';
import { loadUser, UserSummary, type LoadedUser } from './user-info.js';
import { ProfileForm } from './profile.js';
import { StatusActions, TerminateForm } from './status.js';
import { RoleForm, PlacementForm } from './role.js';
import { PasswordForm, ResetSessions } from './password.js';
import { ConfigForm, SmsForm } from './config.js';
import { KeysPanel } from './keys.js';
import { UserTimeline } from './audit.js';
import { may } from '../perms.js';
import { LockoutNotice } from './lockout.js';

export function UserPage({ userId }: { userId: number }) {
  const { me } = useSession();
  const [loaded, setLoaded] = useState<LoadedUser | null>(null);
  const [failure, setFailure] = useState<unknown>();

  // The id on screen now: an answer for an id left meanwhile is dropped.
  const current = useRef(userId);
  current.current = userId;
  const reload = async () => {
    const asked = userId;
    try {
      const next = await loadUser(asked);
      if (current.current !== asked) return;
      setLoaded(next);
    } catch (error) {
      if (current.current === asked) setFailure(error);
    }
  };
  useEffect(() => {
    setLoaded(null);
    setFailure(undefined);
    if (!Number.isInteger(userId) || userId < 1) setFailure(new ApiFailure(404, 'ObjectNotFound', 'User not found.'));
    else void reload();
  }, [userId]);

  if (failure) {
    const notFound = failure instanceof ApiFailure && failure.status === 404;
    return (
      <>
        <h1>User {userId}</h1>
        {notFound ? <p class="notice error" role="alert" data-testid="not-found">User {userId} not found.</p> : <Outcome failure={failure} />}
      </>
    );
  }
  if (!loaded) return <p role="status">Loading…</p>;
  const { user } = loaded;
  const actions = userActions(me, user);
  const self = user.userId === me.userId;

  return (
    <>
      <h1>{user.login}{self ? ' (you)' : ''}</h1>
      <UserSummary user={user} />
      {user.lockedOut && <LockoutNotice user={user} canUnlock={actions.has('set-password')} />}
      <div class="grid" data-testid="user-actions">
        {actions.has('edit-profile') && <ProfileForm loaded={loaded} onSaved={(next) => setLoaded(next)} />}
        {(actions.has('suspend') || actions.has('reactivate')) && <StatusActions user={user} actions={actions} onChanged={reload} />}
        {actions.has('set-role') && <RoleForm user={user} onChanged={reload} />}
        {actions.has('set-placement') && <PlacementForm user={user} onChanged={reload} />}
        {actions.has('set-password') && <PasswordForm user={user} onChanged={reload} />}
        {actions.has('reset-sessions') && <ResetSessions user={user} />}
        {actions.has('edit-config') && <ConfigForm user={user} onChanged={reload} />}
        {actions.has('send-sms') && <SmsForm user={user} />}
        {actions.has('terminate') && <TerminateForm user={user} onChanged={reload} />}
      </div>
      {(actions.has('list-keys') || actions.has('read-key')) && <KeysPanel user={user} actions={actions} />}
      {/* Re-read on every change of the user: its ETag is its row version (`modified` has whole seconds only). */}
      {may.readAudit(me) && <UserTimeline userId={user.userId} key={loaded.etag} />}
      {actions.size === 0 && <p class="muted" data-testid="read-only">You can see this user but not change it.</p>}
    </>
  );
}
