/**
 * A user's API keys: listed masked (POST /v2/keys/list); a new key
 * (POST /v2/keys/create) is shown in full exactly once, with a copy button;
 * revoke (DELETE /v2/keys); the primary key can be revealed — an audited read,
 * said on the button — and regenerated (the old one stops at once).
 */
import { useEffect, useState } from 'preact/hooks';
import type { KeyInfo } from '../../../../src/contract/keys.js';
import { api } from '../api.js';
import { useAction } from '../forms.js';
import type { UserAction } from '../perms.js';
import type { User } from '../session.js';
import { ApiCall, CopyButton, formatTime, Outcome, Section, Select } from '../ui.js';

const VISIBILITIES = ['Private', 'Shared', 'Public', 'Session'];

/** Never show a full key in a list: first 4 + … + last 4, as the API masks the others. */
export function mask(key: string): string {
  return key.includes('…') || key.length < 12 ? key : `${key.slice(0, 4)}…${key.slice(-4)}`;
}

export function KeysPanel({ user, actions }: { user: User; actions: Set<UserAction> }) {
  const [keys, setKeys] = useState<KeyInfo[] | null>(null);
  const [visibility, setVisibility] = useState('Private');
  const [fresh, setFresh] = useState<KeyInfo | null>(null);
  const [revealed, setRevealed] = useState<string | null>(null);
  const listing = useAction();
  const action = useAction();

  const load = () => listing.run(async () => {
    setKeys((await api<KeyInfo[]>('POST', '/v2/keys/list', { userId: user.userId })).data);
    return null;
  });
  useEffect(() => {
    if (actions.has('list-keys')) void load();
  }, [user.userId]);

  const createBody = { userId: user.userId, visibility };
  return (
    <Section title="API keys" id="keys">
      {fresh && (
        <div class="notice success" role="status" data-testid="new-key">
          <p>New {fresh.visibility} key — <strong>shown only this once</strong>; copy it now:</p>
          <p><code data-testid="new-key-value">{fresh.key}</code></p>
          <div class="actions">
            <CopyButton text={fresh.key} label="Copy key" />
            <button type="button" class="secondary" onClick={() => setFresh(null)}>I have copied it</button>
          </div>
        </div>
      )}
      {revealed && (
        <div class="notice warning" role="status" data-testid="revealed-key">
          <p>Primary key (this read is recorded in the audit log):</p>
          <p><code>{revealed}</code></p>
          <div class="actions">
            <CopyButton text={revealed} label="Copy key" />
            <button type="button" class="secondary" onClick={() => setRevealed(null)}>Hide</button>
          </div>
        </div>
      )}
      <Outcome failure={listing.failure ?? action.failure} success={action.success} />
      {keys && (
        <table data-testid="keys-table">
          <caption class="visually-hidden">API keys of {user.login}</caption>
          <thead><tr><th scope="col">Id</th><th scope="col">Key</th><th scope="col">Visibility</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {keys.map((key) => (
              <tr data-key-id={key.keyId}>
                <td>{key.keyId}</td>
                <td><code>{mask(key.key)}</code>{key.isPrimary && <span class="status">Primary</span>}</td>
                <td>{key.visibility}</td>
                <td>{formatTime(key.created)}</td>
                <td>
                  <button type="button" class="secondary danger" data-action="revoke-key" aria-label={`Revoke key ${key.keyId}`} disabled={action.busy}
                    onClick={() => void action.run(async () => { await api('DELETE', '/v2/keys', { keyId: key.keyId }); await load(); return `Key ${key.keyId} revoked; it stops working now.`; })}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="actions">
        {actions.has('read-key') && (
          <button type="button" class="secondary" data-action="read-key" disabled={action.busy}
            onClick={() => void action.run(async () => { setRevealed((await api<string>('GET', `/v2/users/key/${user.userId}`)).data); return null; })}>
            Reveal primary key (audited read)
          </button>
        )}
        {actions.has('regenerate-key') && (
          <button type="button" class="secondary" data-action="regenerate-key" disabled={action.busy}
            onClick={() => void action.run(async () => {
              const { data } = await api<string>('POST', `/v2/users/key-generate/${user.userId}`);
              setRevealed(null);
              setFresh({ keyId: 0, userId: user.userId, key: data, visibility: 'Private', created: new Date().toISOString(), isPrimary: true, expiresAt: null });
              if (actions.has('list-keys')) await load();
              return 'New primary key generated; the previous one stopped working.';
            })}>
            Regenerate primary key
          </button>
        )}
      </div>
      {actions.has('list-keys') && (
        <form class="inline" onSubmit={(e) => { e.preventDefault(); void action.run(async () => { const { data } = await api<KeyInfo>('POST', '/v2/keys/create', createBody); setFresh(data); await load(); return `Key ${data.keyId} created.`; }); }}>
          <Select label="Visibility" name="visibility" value={visibility} options={VISIBILITIES} onValue={setVisibility} failure={action.failure} />
          <button type="submit" data-action="create-key" disabled={action.busy}>Create key</button>
          <ApiCall method="POST" path="/v2/keys/create" body={createBody} />
        </form>
      )}
    </Section>
  );
}
