/**
 * The audit log (extension POST /v2/audit/list), newest first: a per-user
 * timeline on the user page and the global list with the API's filters, where
 * "Load newer" asks only for events after the newest shown (afterEventId).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AuditEventInfo, AuditEventList } from '../../../../src/contract/audit.js';
import { api } from '../api.js';
import { href, navigate, useRoute } from '../route.js';
import { ApiCall, Field, formatTime, Outcome, Section, Select } from '../ui.js';

const show = (value: unknown) => (value === null || value === undefined || value === '' ? '∅' : typeof value === 'string' ? value : JSON.stringify(value));

function Changes({ event }: { event: AuditEventInfo }) {
  const entries = Object.entries(event.changes);
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="changes">
      {entries.map(([field, { old, new: value }]) => <li><code>{field}</code>: {show(old)} → {show(value)}</li>)}
    </ul>
  );
}

function EventsTable({ events, caption }: { events: AuditEventInfo[]; caption: string }) {
  return (
    <div class="table-wrap">
      <table data-testid="audit-table">
        <caption class="visually-hidden">{caption}</caption>
        <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Changes (old → new)</th></tr></thead>
        <tbody>
          {events.map((e) => (
            <tr data-event-id={e.eventId}>
              <td>{e.eventId}</td>
              <td>{formatTime(e.at)}</td>
              <td>{e.actorUserId === null ? 'nobody' : e.actorUserId === 0 ? 'operator' : <a href={href(`users/${e.actorUserId}`)}>{e.actorUserId}</a>}</td>
              <td>{e.action}</td>
              <td>{e.targetType === 'user' ? <a href={href(`users/${e.targetId}`)}>user {e.targetId}</a> : `${e.targetType} ${e.targetId}`}</td>
              <td><Changes event={e} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function UserTimeline({ userId }: { userId: number }) {
  const [events, setEvents] = useState<AuditEventInfo[] | null>(null);
  const [failure, setFailure] = useState<unknown>();
  const body = { targetType: 'user', targetId: userId, recordsPerPage: 50 };
  const load = () => api<AuditEventList>('POST', '/v2/audit/list', body).then(({ data }) => setEvents(data.events), setFailure);
  useEffect(() => void load(), [userId]);
  return (
    <Section title="History" id="history">
      <Outcome failure={failure} />
      <button type="button" class="secondary" onClick={() => void load()}>Refresh history</button>
      {events && (events.length === 0 ? <p class="muted">No events.</p> : <EventsTable events={events} caption={`History of user ${userId}`} />)}
      <ApiCall method="POST" path="/v2/audit/list" body={body} />
    </Section>
  );
}

const TARGET_TYPES = ['user', 'key', 'network', 'mailbox', 'session'];
const POLL_MS = 10_000;

export function AuditLog() {
  const { query } = useRoute();
  const filters = { targetType: query.get('targetType') ?? '', targetId: query.get('targetId') ?? '', actorUserId: query.get('actorUserId') ?? '' };
  const [draft, setDraft] = useState(filters);
  const [events, setEvents] = useState<AuditEventInfo[] | null>(null);
  const [failure, setFailure] = useState<unknown>();
  const [note, setNote] = useState('');
  const key = query.toString();
  const body = {
    ...(filters.targetType ? { targetType: filters.targetType } : {}),
    ...(filters.targetId ? { targetId: Number(filters.targetId) } : {}),
    ...(filters.actorUserId !== '' ? { actorUserId: Number(filters.actorUserId) } : {}),
    recordsPerPage: 50,
  };
  useEffect(() => {
    setDraft(filters);
    setFailure(undefined);
    api<AuditEventList>('POST', '/v2/audit/list', body).then(({ data }) => setEvents(data.events), (error) => { setFailure(error); setEvents([]); });
  }, [key]);
  // The newest shown, read by the polling timer as well as the button.
  const shown = useRef<AuditEventInfo[]>([]);
  shown.current = events ?? [];
  const [polling, setPolling] = useState(false);
  const loadNewer = async () => {
    const newest = shown.current[0]?.eventId ?? 0;
    try {
      const { data } = await api<AuditEventList>('POST', '/v2/audit/list', { ...body, afterEventId: newest, recordsPerPage: 500 });
      if (data.events.length === 0 && polling) return;
      setEvents((current) => [...data.events.filter((e) => e.eventId > (current?.[0]?.eventId ?? 0)), ...(current ?? [])]);
      setNote(`${data.events.length} newer event${data.events.length === 1 ? '' : 's'}.`);
    } catch (error) {
      setFailure(error);
    }
  };
  useEffect(() => {
    if (!polling) return;
    const timer = setInterval(() => void loadNewer(), POLL_MS);
    return () => clearInterval(timer);
  }, [polling, key]);
  const set = (name: keyof typeof filters) => (value: string) => setDraft({ ...draft, [name]: value });
  return (
    <>
      <h1>Audit log</h1>
      <form class="filters card" aria-label="Filter events" onSubmit={(e) => { e.preventDefault(); navigate(href('audit', draft)); }}>
        <Select label="Target type" name="targetType" value={draft.targetType} options={[['', 'Any'], ...TARGET_TYPES]} onValue={set('targetType')} failure={failure} />
        <Field label="Target id" name="targetId" inputMode="numeric" value={draft.targetId} onValue={set('targetId')} failure={failure} />
        <Field label="Actor user id" name="actorUserId" inputMode="numeric" value={draft.actorUserId} onValue={set('actorUserId')} failure={failure} />
        <div class="actions"><button type="submit">Apply filters</button></div>
        <ApiCall method="POST" path="/v2/audit/list" body={body} />
      </form>
      <Outcome failure={failure} fields={['targettype', 'targetid', 'actoruserid']} />
      <div class="actions">
        <button type="button" class="secondary" onClick={() => void loadNewer()}>Load newer</button>
        <label class="check"><input type="checkbox" checked={polling} onChange={(e) => setPolling(e.currentTarget.checked)} /> Load newer every {POLL_MS / 1000} s</label>
        <span role="status">{note}</span>
      </div>
      {events === null ? <p role="status">Loading…</p> : <EventsTable events={events} caption="Audit events, newest first" />}
    </>
  );
}
