/**
 * Profile edit: PUT /v2/users with If-Match (the ETag of what the form was
 * filled from). A 412 means someone else changed the user meanwhile: the new
 * values are shown, and the person may re-apply their edit on top of them.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.js';
import { useAction } from '../forms.js';
import type { User } from '../session.js';
import { ApiCall, Field, Outcome, Section } from '../ui.js';
import { loadUser, UserSummary, type LoadedUser } from './user-info.js';

type Profile = Pick<User, 'email' | 'firstName' | 'lastName'>;
const FIELDS = ['email', 'firstname', 'lastname'];

export function ProfileForm({ loaded, onSaved }: { loaded: LoadedUser; onSaved: (next: LoadedUser) => void }) {
  const { user } = loaded;
  const [etag, setEtag] = useState(loaded.etag);
  const [values, setValues] = useState<Profile>({ email: user.email, firstName: user.firstName, lastName: user.lastName });
  const [conflict, setConflict] = useState<User | null>(null);
  const action = useAction();
  // The user was re-read after another change made here (status, role…): the form follows it.
  useEffect(() => {
    if (loaded.etag === etag) return;
    setEtag(loaded.etag);
    setValues({ email: user.email, firstName: user.firstName, lastName: user.lastName });
  }, [loaded.etag]);
  const body = { userId: user.userId, ...values };

  const save = (ifMatch: string) =>
    action.run(async () => {
      try {
        const { data, headers } = await api<User>('PUT', '/v2/users', body, { 'If-Match': ifMatch });
        setConflict(null);
        const next = { user: data, etag: headers.get('ETag') ?? '' };
        setEtag(next.etag);
        onSaved(next);
        return <>Saved. <UserSummary user={data} /></>;
      } catch (error) {
        if (error instanceof ApiFailure && error.status === 412) {
          const fresh = await loadUser(user.userId);
          setConflict(fresh.user);
          setEtag(fresh.etag);
          return null;
        }
        throw error;
      }
    });

  const set = (name: keyof Profile) => (value: string) => setValues({ ...values, [name]: value });
  return (
    <Section title="Profile">
      <form onSubmit={(e) => { e.preventDefault(); void save(etag); }}>
        <Field label="E-mail" name="email" inputMode="email" autocomplete="email" value={values.email} onValue={set('email')} failure={action.failure} />
        <Field label="First name" name="firstName" value={values.firstName} onValue={set('firstName')} failure={action.failure} />
        <Field label="Last name" name="lastName" value={values.lastName} onValue={set('lastName')} failure={action.failure} />
        {conflict && (
          <div class="notice warning" role="alert" data-testid="conflict">
            <p><strong>Changed by someone else</strong> since you opened it. The user now reads:</p>
            <UserSummary user={conflict} />
            <p>Re-apply your values on top of this version, or take theirs.</p>
            <div class="actions">
              <button type="button" data-action="reapply" onClick={() => void save(etag)}>Re-apply my changes</button>
              <button type="button" class="secondary" onClick={() => { setValues({ email: conflict.email, firstName: conflict.firstName, lastName: conflict.lastName }); setConflict(null); }}>Take their values</button>
            </div>
          </div>
        )}
        <Outcome failure={action.failure} success={action.success} fields={FIELDS} />
        <button type="submit" data-action="edit-profile" disabled={action.busy}>Save profile</button>
        <ApiCall method="PUT" path="/v2/users" body={body} headers={{ 'If-Match': etag }} />
      </form>
    </Section>
  );
}
