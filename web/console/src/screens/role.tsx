/** Role (POST /v2/users/role) and placement (POST /v2/users/set-network-mailbox). */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useAction } from '../forms.js';
import { grantableLevels } from '../perms.js';
import { useSession, type User } from '../session.js';
import { ApiCall, Field, Outcome, Section, Select } from '../ui.js';

const num = (value: string) => (value.trim() === '' ? undefined : Number(value));

export function RoleForm({ user, onChanged }: { user: User; onChanged: () => Promise<void> }) {
  const { me } = useSession();
  const [authLevel, setAuthLevel] = useState<string>(user.authLevel);
  const action = useAction();
  const body = { userId: user.userId, authLevel };
  return (
    <Section title="Role">
      <form onSubmit={(e) => { e.preventDefault(); void action.run(async () => { const { data } = await api<User>('POST', '/v2/users/role', body); await onChanged(); return `Role is now ${data.authLevel}.`; }); }}>
        <Select label="Auth level" name="authLevel" value={authLevel} options={grantableLevels(me)} onValue={setAuthLevel} failure={action.failure} />
        <Outcome failure={action.failure} success={action.success} fields={['authlevel']} />
        <button type="submit" data-action="set-role" disabled={action.busy}>Set role</button>
        <ApiCall method="POST" path="/v2/users/role" body={body} />
      </form>
    </Section>
  );
}

export function PlacementForm({ user, onChanged }: { user: User; onChanged: () => Promise<void> }) {
  const [networkId, setNetworkId] = useState(String(user.networkId));
  const [mailboxId, setMailboxId] = useState(String(user.mailboxId));
  const action = useAction();
  const body = { userId: user.userId, networkId: num(networkId), mailboxId: num(mailboxId) };
  return (
    <Section title="Placement">
      <form onSubmit={(e) => { e.preventDefault(); void action.run(async () => { const { data } = await api<User>('POST', '/v2/users/set-network-mailbox', body); await onChanged(); return `Now in network ${data.networkId}, mailbox ${data.mailboxId}.`; }); }}>
        <Field label="Network id" name="networkId" inputMode="numeric" value={networkId} onValue={setNetworkId} failure={action.failure} />
        <Field label="Mailbox id (0 = network level)" name="mailboxId" inputMode="numeric" value={mailboxId} onValue={setMailboxId} failure={action.failure} />
        <Outcome failure={action.failure} success={action.success} fields={['networkid', 'mailboxid']} />
        <button type="submit" data-action="set-placement" disabled={action.busy}>Move user</button>
        <ApiCall method="POST" path="/v2/users/set-network-mailbox" body={body} />
      </form>
    </Section>
  );
}
