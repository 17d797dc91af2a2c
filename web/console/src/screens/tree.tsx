/**
 * Tenancy tree: networks (POST /v2/networks/list) → mailboxes
 * (POST /v2/mailboxes/list), with user counts per status read from the users
 * list's X-Total-Count (one-row pages), so no extension is needed. Edit
 * network/mailbox, create and terminate mailbox, and — through the API's
 * Extensions — create and terminate networks and suspend / reactivate networks
 * and mailboxes, each where the permission module allows.
 */
import { useEffect, useState } from 'preact/hooks';
import type { MailboxIDInfo, MailboxList, NetworkIDInfo, NetworkList } from '../../../../src/contract/tenancy.js';
import { STATUSES } from '../../../../src/domain/statuses.js';
import { api } from '../api.js';
import { useAction } from '../forms.js';
import { may, tenantStatusAction } from '../perms.js';
import { href } from '../route.js';
import { useSession } from '../session.js';
import { ApiCall, Field, Outcome } from '../ui.js';

type Counts = Partial<Record<string, number>>;

async function countUsers(filter: { networkId?: number; mailboxId?: number }): Promise<Counts> {
  const counts: Counts = {};
  await Promise.all(
    STATUSES.map(async (status) => {
      const { headers } = await api('POST', '/v2/users/list', { ...filter, status, recordsPerPage: 1 });
      const n = Number(headers.get('X-Total-Count') ?? 0);
      if (n > 0) counts[status] = n;
    }),
  );
  return counts;
}

function CountsView({ counts, label }: { counts: Counts | undefined; label: string }) {
  if (!counts) return <span class="muted">counting…</span>;
  const entries = STATUSES.filter((s) => counts[s]).map((s) => [s, counts[s]!] as const);
  if (entries.length === 0) return <span class="muted">no users</span>;
  return (
    <span class="counts" aria-label={label}>
      {entries.map(([status, n]) => <a class={`status status-${status}`} href={href('users', { ...parseLabel(label), status })}>{n} {status}</a>)}
    </span>
  );
}

/** The users-list filter behind a counts label ("network 1" / "mailbox 101"). */
function parseLabel(label: string): Record<string, string> {
  const [kind, id] = label.split(' ');
  return kind === 'mailbox' ? { mailboxId: id! } : { networkId: id! };
}

function EditTenant({ kind, tenant, onSaved }: { kind: 'network' | 'mailbox'; tenant: NetworkIDInfo | MailboxIDInfo; onSaved: () => void }) {
  const [companyName, setCompanyName] = useState(tenant.companyName);
  const [city, setCity] = useState(tenant.city);
  const [website, setWebsite] = useState(tenant.website);
  const action = useAction();
  const id = kind === 'network' ? { networkId: tenant.networkId } : { mailboxId: (tenant as MailboxIDInfo).mailboxId };
  const body = { ...id, companyName, city, website };
  const [method, path] = kind === 'network' ? ['PUT', '/v2/networks'] : ['POST', '/v2/mailboxes/update'];
  return (
    <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void action.run(async () => { const { data } = await api<NetworkIDInfo>(method!, path!, body); onSaved(); return `Saved ${data.uniqueId}: ${data.companyName}.`; }); }}>
      <Field label="Company name" name="companyName" value={companyName} onValue={setCompanyName} failure={action.failure} />
      <Field label="City" name="city" value={city} onValue={setCity} failure={action.failure} />
      <Field label="Website" name="website" value={website} onValue={setWebsite} failure={action.failure} />
      <Outcome failure={action.failure} success={action.success} fields={['companyname', 'city', 'website']} />
      <button type="submit" data-action={`update-${kind}`} disabled={action.busy}>Save {kind}</button>
      <ApiCall method={method!} path={path!} body={body} />
    </form>
  );
}

function CreateMailbox({ networkId, onCreated }: { networkId: number; onCreated: () => void }) {
  const [uniqueId, setUniqueId] = useState('');
  const [companyName, setCompanyName] = useState('');
  const action = useAction();
  const body = { networkId, uniqueId, companyName };
  return (
    <form class="inline-form" aria-label={`New mailbox in network ${networkId}`} onSubmit={(e) => { e.preventDefault(); void action.run(async () => { const { data } = await api<MailboxIDInfo>('POST', '/v2/mailboxes/create', body); onCreated(); return `Mailbox ${data.mailboxId} (${data.uniqueId}) created.`; }); }}>
      <Field label="Unique id" name="uniqueId" value={uniqueId} onValue={setUniqueId} maxLength={12} failure={action.failure} />
      <Field label="Company name" name="companyName" value={companyName} onValue={setCompanyName} failure={action.failure} />
      <Outcome failure={action.failure} success={action.success} fields={['uniqueid', 'companyname']} />
      <button type="submit" data-action="create-mailbox" disabled={action.busy}>Create mailbox</button>
      <ApiCall method="POST" path="/v2/mailboxes/create" body={body} />
    </form>
  );
}

/** New network (Extension POST /v2/networks/create): uniqueId, company, city; the server's field errors beside the fields. */
function CreateNetwork({ onCreated }: { onCreated: () => void }) {
  const [uniqueId, setUniqueId] = useState('');
  const [companyName, setCompanyName] = useState('');
  const [city, setCity] = useState('');
  const action = useAction();
  const body = { uniqueId, companyName, city };
  return (
    <form class="inline-form card" aria-label="New network" onSubmit={(e) => { e.preventDefault(); void action.run(async () => { const { data } = await api<NetworkIDInfo>('POST', '/v2/networks/create', body); onCreated(); return `Network ${data.networkId} (${data.uniqueId}) created: ${data.companyName}, ${data.status}.`; }); }}>
      <Field label="Unique id" name="uniqueId" value={uniqueId} onValue={setUniqueId} maxLength={12} failure={action.failure} />
      <Field label="Company name" name="companyName" value={companyName} onValue={setCompanyName} failure={action.failure} />
      <Field label="City" name="city" value={city} onValue={setCity} failure={action.failure} />
      <Outcome failure={action.failure} success={action.success} fields={['uniqueid', 'companyname', 'city']} />
      <button type="submit" data-action="create-network" disabled={action.busy}>Create network</button>
      <ApiCall method="POST" path="/v2/networks/create" body={body} />
    </form>
  );
}

/**
 * Suspend / reactivate a network or mailbox (Extension `status` of PUT
 * /v2/networks and POST /v2/mailboxes/update); the success names the object
 * and the status the server stored.
 */
function TenantStatus({ kind, tenant, onChanged }: { kind: 'network' | 'mailbox'; tenant: NetworkIDInfo | MailboxIDInfo; onChanged: () => void }) {
  const { me } = useSession();
  const action = useAction();
  const mailboxId = kind === 'mailbox' ? (tenant as MailboxIDInfo).mailboxId : undefined;
  const next = tenantStatusAction(me, { networkId: tenant.networkId, mailboxId, status: tenant.status });
  if (next === null) return action.success ? <Outcome success={action.success} /> : null;
  const status = next === 'suspend' ? 'Suspended' : 'Active';
  const [method, path, body] = kind === 'network'
    ? ['PUT', '/v2/networks', { networkId: tenant.networkId, status }] as const
    : ['POST', '/v2/mailboxes/update', { mailboxId, status }] as const;
  const label = `${next === 'suspend' ? 'Suspend' : 'Reactivate'} ${kind} ${tenant.uniqueId}`;
  return (
    <div class="tenant-status">
      <button type="button" class={next === 'suspend' ? 'secondary danger' : 'secondary'} data-action={`${next}-${kind}`} disabled={action.busy}
        onClick={() => void action.run(async () => {
          const { data } = await api<NetworkIDInfo>(method, path, body);
          onChanged();
          return `${kind === 'network' ? 'Network' : 'Mailbox'} ${data.uniqueId} is now ${data.status}.`;
        })}>
        {label}
      </button>
      <Outcome failure={action.failure} success={action.success} />
    </div>
  );
}

/**
 * Counts cost five requests each (one per status): the first mailboxes of a
 * network are counted at once, the others on request, to stay well inside the
 * per-credential rate limit.
 */
const AUTO_COUNTED = 20;

function MailboxRow({ mailbox, onChanged, autoCount }: { mailbox: MailboxIDInfo; onChanged: () => void; autoCount: boolean }) {
  const { me } = useSession();
  const [counts, setCounts] = useState<Counts>();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  const [counting, setCounting] = useState(autoCount);
  useEffect(() => {
    if (counting) void countUsers({ networkId: mailbox.networkId, mailboxId: mailbox.mailboxId }).then(setCounts, () => setCounts({}));
  }, [mailbox.mailboxId, mailbox.modified, counting]);
  const live = mailbox.status !== 'Terminated';
  return (
    <li data-mailbox-id={mailbox.mailboxId}>
      <span class="tenant-name">Mailbox {mailbox.mailboxId} · {mailbox.uniqueId} · {mailbox.companyName}</span>{' '}
      <span class={`status status-${mailbox.status}`}>{mailbox.status}</span>{' '}
      {counting ? <CountsView counts={counts} label={`mailbox ${mailbox.mailboxId}`} /> : <button type="button" class="secondary" onClick={() => setCounting(true)}>Count users of {mailbox.uniqueId}</button>}
      <div class="actions">
        {live && may.updateMailbox(me, mailbox) && <button type="button" class="secondary" aria-expanded={editing} onClick={() => setEditing(!editing)}>Edit mailbox {mailbox.uniqueId}</button>}
        <TenantStatus kind="mailbox" tenant={mailbox} onChanged={onChanged} />
        {live && may.terminateMailbox(me, mailbox) && !confirming && (
          <button type="button" class="secondary danger" onClick={() => setConfirming(true)}>Terminate mailbox {mailbox.uniqueId}</button>
        )}
        {live && confirming && (
          // Terminating cannot be undone: a second, explicit click.
          <>
            <button type="button" class="danger" data-action="terminate-mailbox" disabled={action.busy}
              onClick={() => void action.run(async () => { await api('DELETE', `/v2/mailboxes/${mailbox.mailboxId}`); setConfirming(false); onChanged(); return 'Mailbox terminated.'; })}>
              Yes, terminate {mailbox.uniqueId} for good
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>Keep it</button>
          </>
        )}
      </div>
      <Outcome failure={action.failure} success={action.success} />
      {editing && <EditTenant kind="mailbox" tenant={mailbox} onSaved={onChanged} />}
    </li>
  );
}

function NetworkNode({ network, onChanged }: { network: NetworkIDInfo; onChanged: () => void }) {
  const { me } = useSession();
  const [mailboxes, setMailboxes] = useState<MailboxIDInfo[] | null>(null);
  const [counts, setCounts] = useState<Counts>();
  const [editing, setEditing] = useState(false);
  const [creating, setCreating] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const terminate = useAction();
  const live = network.status !== 'Terminated';
  const load = () => {
    api<MailboxList>('POST', '/v2/mailboxes/list', { networkId: network.networkId, recordsPerPage: 500 }).then(({ data }) => setMailboxes(data.mailboxes), setFailure);
    countUsers({ networkId: network.networkId }).then(setCounts, () => setCounts({}));
  };
  useEffect(load, [network.networkId, network.modified]);
  return (
    <li class="card" data-network-id={network.networkId}>
      <h2>Network {network.networkId} · {network.uniqueId} · {network.companyName} <span class={`status status-${network.status}`}>{network.status}</span></h2>
      <p>Users: <CountsView counts={counts} label={`network ${network.networkId}`} /></p>
      <div class="actions">
        {live && may.updateNetwork(me, network.networkId) && <button type="button" class="secondary" aria-expanded={editing} onClick={() => setEditing(!editing)}>Edit network {network.uniqueId}</button>}
        {live && may.createMailbox(me, network.networkId) && <button type="button" class="secondary" aria-expanded={creating} onClick={() => setCreating(!creating)}>New mailbox in {network.uniqueId}</button>}
        <TenantStatus kind="network" tenant={network} onChanged={onChanged} />
        {live && may.terminateNetwork(me, network.networkId) && !confirming && (
          <button type="button" class="secondary danger" onClick={() => setConfirming(true)}>Terminate network {network.uniqueId}</button>
        )}
        {live && confirming && (
          // Terminating cannot be undone: a second, explicit click. The server refuses while mailboxes or users are live.
          <>
            <button type="button" class="danger" data-action="terminate-network" disabled={terminate.busy}
              onClick={() => void terminate.run(async () => { await api('DELETE', `/v2/networks/${network.networkId}`); setConfirming(false); onChanged(); return `Network ${network.uniqueId} terminated.`; })}>
              Yes, terminate {network.uniqueId} for good
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>Keep it</button>
          </>
        )}
      </div>
      <Outcome failure={terminate.failure} success={terminate.success} />
      {editing && <EditTenant kind="network" tenant={network} onSaved={onChanged} />}
      {creating && <CreateMailbox networkId={network.networkId} onCreated={load} />}
      <Outcome failure={failure} />
      {mailboxes && (mailboxes.length === 0 ? <p class="muted">No mailbox visible.</p> : <ul class="mailboxes">{mailboxes.map((m, index) => <MailboxRow mailbox={m} onChanged={load} autoCount={index < AUTO_COUNTED} />)}</ul>)}
    </li>
  );
}

export function TenancyTree() {
  const { me } = useSession();
  const [creating, setCreating] = useState(false);
  const [networks, setNetworks] = useState<NetworkIDInfo[] | null>(null);
  const [failure, setFailure] = useState<unknown>();
  const load = () => void api<NetworkList>('POST', '/v2/networks/list', { recordsPerPage: 500 }).then(({ data }) => setNetworks(data.networks), setFailure);
  useEffect(load, []);
  return (
    <>
      <h1>Networks and mailboxes</h1>
      {may.createNetwork(me) && (
        <div class="actions">
          <button type="button" class="secondary" aria-expanded={creating} onClick={() => setCreating(!creating)}>New network</button>
        </div>
      )}
      {creating && <CreateNetwork onCreated={load} />}
      <Outcome failure={failure} />
      {networks === null ? <p role="status">Loading…</p> : <ul class="tree" data-testid="tree">{networks.map((n) => <NetworkNode network={n} onChanged={load} />)}</ul>}
    </>
  );
}
