/**
 * New user (POST /v2/users), offered to admin levels only (canCreateUser of
 * the permission module); the level list stops at the caller's own level.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useAction } from '../forms.js';
import { grantableLevels, may } from '../perms.js';
import { href } from '../route.js';
import { useSession, type User } from '../session.js';
import { ApiCall, CopyButton, Field, Outcome, Section, Select } from '../ui.js';
import { UserSummary } from './user-info.js';

const FIELDS = ['login', 'password', 'email', 'firstname', 'lastname', 'networkid', 'mailboxid', 'authlevel'];

export function CreateUser() {
  const { me } = useSession();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState({
    login: '',
    password: '',
    email: '',
    firstName: '',
    lastName: '',
    networkId: String(me.networkId),
    mailboxId: String(me.mailboxId),
    authLevel: 'MailboxUser',
  });
  const action = useAction();
  if (!may.createUser(me)) return null;
  const { networkId, mailboxId, ...rest } = values;
  const body = { ...rest, networkId: Number(networkId) || 0, mailboxId: Number(mailboxId) || 0 };
  const set = (name: keyof typeof values) => (value: string) => setValues({ ...values, [name]: value });
  if (!open) {
    return (
      <div class="actions">
        <button type="button" data-action="create-user" onClick={() => setOpen(true)}>New user</button>
      </div>
    );
  }
  return (
    <Section title="New user">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            const { data } = await api<User>('POST', '/v2/users', body);
            return <>Created <a href={href(`users/${data.userId}`)}>user {data.userId}</a>. <UserSummary user={data} /></>;
          });
        }}
      >
        <Field label="Login" name="login" value={values.login} onValue={set('login')} autocomplete="off" failure={action.failure} />
        <Field label="E-mail" name="email" inputMode="email" value={values.email} onValue={set('email')} failure={action.failure} />
        <Field label="First name" name="firstName" value={values.firstName} onValue={set('firstName')} failure={action.failure} />
        <Field label="Last name" name="lastName" value={values.lastName} onValue={set('lastName')} failure={action.failure} />
        <Field label="Password" name="password" type="password" value={values.password} onValue={set('password')} autocomplete="new-password" failure={action.failure} />
        <Field label="Network id" name="networkId" inputMode="numeric" value={values.networkId} onValue={set('networkId')} failure={action.failure} />
        <Field label="Mailbox id (0 = network level)" name="mailboxId" inputMode="numeric" value={values.mailboxId} onValue={set('mailboxId')} failure={action.failure} />
        <Select label="Auth level" name="authLevel" value={values.authLevel} options={grantableLevels(me)} onValue={set('authLevel')} failure={action.failure} />
        <div class="actions">
          <button type="button" class="secondary" onClick={() => void action.run(async () => { const { data } = await api<string>('POST', '/v2/users/generate-password', { length: 16 }); setValues({ ...values, password: data }); return 'A password was generated: copy it before creating the user.'; })}>Generate a password</button>
          {values.password && <CopyButton text={values.password} label="Copy password" />}
          <button type="submit" data-action="create-user-submit" disabled={action.busy}>Create user</button>
          <button type="button" class="secondary" onClick={() => setOpen(false)}>Close</button>
        </div>
        <div class="wide">
          <Outcome failure={action.failure} success={action.success} fields={FIELDS} />
          <ApiCall method="POST" path="/v2/users" body={body} />
        </div>
      </form>
    </Section>
  );
}
