/**
 * Suspend / reactivate (PUT /v2/users with `status`, the reference's way) and
 * terminate (DELETE /v2/users/{id}), which asks for the login typed out first:
 * it cannot be undone.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useAction } from '../forms.js';
import type { UserAction } from '../perms.js';
import type { User } from '../session.js';
import { ApiCall, Field, Outcome, Section } from '../ui.js';

export function StatusActions({ user, actions, onChanged }: { user: User; actions: Set<UserAction>; onChanged: () => Promise<void> }) {
  const action = useAction();
  const next = actions.has('suspend') ? 'Suspended' : 'Active';
  const body = { userId: user.userId, status: next };
  return (
    <Section title="Status">
      <p>{user.status === 'Active' ? 'Suspending revokes the sessions; keys work again after reactivation.' : 'The user is suspended.'}</p>
      <Outcome failure={action.failure} success={action.success} />
      <button
        type="button"
        data-action={actions.has('suspend') ? 'suspend' : 'reactivate'}
        class={actions.has('suspend') ? 'danger' : ''}
        disabled={action.busy}
        onClick={() =>
          void action.run(async () => {
            await api('PUT', '/v2/users', body);
            await onChanged();
            return `Status is now ${next}.`;
          })
        }
      >
        {actions.has('suspend') ? 'Suspend user' : 'Reactivate user'}
      </button>
      <ApiCall method="PUT" path="/v2/users" body={body} />
    </Section>
  );
}

export function TerminateForm({ user, onChanged }: { user: User; onChanged: () => Promise<void> }) {
  const [typed, setTyped] = useState('');
  const action = useAction();
  const confirmed = typed === user.login;
  return (
    <Section title="Terminate">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!confirmed) return;
          void action.run(async () => {
            await api('DELETE', `/v2/users/${user.userId}`);
            await onChanged();
            return 'The user is terminated; its sessions and keys are revoked.';
          });
        }}
      >
        <p>Permanent: the user can never sign in or be changed again. Type its login to confirm.</p>
        <Field label={`Type "${user.login}" to confirm`} name="confirmLogin" value={typed} onValue={setTyped} autocomplete="off" />
        <Outcome failure={action.failure} success={action.success} />
        <button type="submit" class="danger" data-action="terminate" disabled={!confirmed || action.busy}>Terminate user</button>
        <ApiCall method="DELETE" path={`/v2/users/${user.userId}`} />
      </form>
    </Section>
  );
}
