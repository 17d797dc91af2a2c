/**
 * My account, for every level: my profile (as on a user page), my password
 * (PUT /v2/auth/password), my keys, my session (POST /v2/auth/session).
 */
import { useEffect, useState } from 'preact/hooks';
import type { SessionInfo } from '../../../../src/contract/auth.js';
import { api } from '../api.js';
import { useAction } from '../forms.js';
import { userActions } from '../perms.js';
import { useSession } from '../session.js';
import { ApiCall, Field, formatTime, Outcome, Section } from '../ui.js';
import { KeysPanel } from './keys.js';
import { ProfileForm } from './profile.js';
import { loadUser, UserSummary, type LoadedUser } from './user-info.js';

function ChangePassword() {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const action = useAction();
  const body = { currentPassword, newPassword };
  return (
    <Section title="My password">
      <form onSubmit={(e) => { e.preventDefault(); void action.run(async () => { const { message } = await api('PUT', '/v2/auth/password', body); setCurrent(''); setNew(''); return message || 'Password updated.'; }); }}>
        <Field label="Current password" name="currentPassword" type="password" autocomplete="current-password" value={currentPassword} onValue={setCurrent} failure={action.failure} />
        <Field label="New password" name="newPassword" type="password" autocomplete="new-password" value={newPassword} onValue={setNew} failure={action.failure} hint="8–128 characters with a lowercase, an uppercase, a digit and another character." />
        <Outcome failure={action.failure} success={action.success} fields={['currentpassword', 'newpassword']} />
        <button type="submit" data-action="change-password" disabled={action.busy}>Change my password</button>
        <ApiCall method="PUT" path="/v2/auth/password" body={body} />
      </form>
    </Section>
  );
}

function MySession() {
  const { signOut } = useSession();
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [failure, setFailure] = useState<unknown>();
  useEffect(() => void api<SessionInfo>('POST', '/v2/auth/session').then(({ data }) => setInfo(data), setFailure), []);
  return (
    <Section title="My session">
      <Outcome failure={failure} />
      {info && (
        <dl class="summary" data-testid="my-session">
          <dt>Signed in as</dt><dd>{info.login} ({info.authLevel})</dd>
          <dt>Expires</dt><dd>{info.expiresAt ? formatTime(info.expiresAt) : 'never (API key)'}</dd>
          <dt>Open sessions</dt><dd>{info.openSessions}</dd>
        </dl>
      )}
      <button type="button" class="secondary" onClick={signOut}>Sign out (ends this session)</button>
    </Section>
  );
}

export function MyAccount() {
  const { me } = useSession();
  const [loaded, setLoaded] = useState<LoadedUser | null>(null);
  const [failure, setFailure] = useState<unknown>();
  useEffect(() => void loadUser(me.userId).then(setLoaded, setFailure), [me.userId]);
  const actions = userActions(me, me);
  return (
    <>
      <h1>My account</h1>
      <Outcome failure={failure} />
      {loaded && (
        <>
          <UserSummary user={loaded.user} />
          <div class="grid">
            {actions.has('edit-profile') && <ProfileForm loaded={loaded} onSaved={setLoaded} />}
            <ChangePassword />
            <MySession />
          </div>
          <KeysPanel user={loaded.user} actions={actions} />
        </>
      )}
    </>
  );
}
