/**
 * Users list: POST /v2/users/list, paged by the server (X-Total-Count), in the
 * API's order (userId). Filters, page and page size live in the URL. A login
 * filter uses POST /v2/users/by-name (exact login, case-insensitive), the one
 * name lookup the API has; the other filters then apply to its few rows.
 */
import { useEffect, useState } from 'preact/hooks';
import { AUTH_LEVELS } from '../../../../src/domain/levels.js';
import { STATUSES } from '../../../../src/domain/statuses.js';
import { api } from '../api.js';
import { href, navigate, useRoute } from '../route.js';
import type { User } from '../session.js';
import { ApiCall, Field, Outcome, Select } from '../ui.js';
import { CreateUser } from './create-user.js';

const PAGE_SIZES = ['10', '25', '50', '100'];

interface Filters {
  networkId: string;
  mailboxId: string;
  authLevel: string;
  status: string;
  login: string;
}

function listBody(filters: Filters, page: number, size: number) {
  return {
    ...(filters.networkId ? { networkId: Number(filters.networkId) } : {}),
    ...(filters.mailboxId ? { mailboxId: Number(filters.mailboxId) } : {}),
    ...(filters.authLevel ? { authLevel: filters.authLevel } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    pageNo: page,
    recordsPerPage: size,
  };
}

function matches(user: User, filters: Filters): boolean {
  return (
    (!filters.networkId || user.networkId === Number(filters.networkId)) &&
    (!filters.mailboxId || user.mailboxId === Number(filters.mailboxId)) &&
    (!filters.authLevel || user.authLevel === filters.authLevel) &&
    (!filters.status || user.status === filters.status)
  );
}

export function UsersList() {
  const { query } = useRoute();
  const applied: Filters = {
    networkId: query.get('networkId') ?? '',
    mailboxId: query.get('mailboxId') ?? '',
    authLevel: query.get('authLevel') ?? '',
    status: query.get('status') ?? '',
    login: query.get('login') ?? '',
  };
  const page = Math.max(1, Number(query.get('page')) || 1);
  const size = PAGE_SIZES.includes(query.get('size') ?? '') ? Number(query.get('size')) : 25;
  const [draft, setDraft] = useState<Filters>(applied);
  const [rows, setRows] = useState<User[] | null>(null);
  const [total, setTotal] = useState(0);
  const [failure, setFailure] = useState<unknown>();
  const key = query.toString();

  useEffect(() => setDraft(applied), [key]);
  useEffect(() => {
    let live = true;
    setFailure(undefined);
    const load = applied.login
      ? api<User[]>('POST', '/v2/users/by-name', { login: applied.login }).then(({ data }) => {
          const found = data.filter((user) => matches(user, applied));
          return { rows: found.slice((page - 1) * size, page * size), total: found.length };
        })
      : api<User[]>('POST', '/v2/users/list', listBody(applied, page, size)).then(({ data, headers }) => ({ rows: data, total: Number(headers.get('X-Total-Count') ?? data.length) }));
    load.then(
      (result) => live && (setRows(result.rows), setTotal(result.total)),
      (error) => live && (setFailure(error), setRows([])),
    );
    return () => {
      live = false;
    };
  }, [key]);

  const go = (filters: Filters, nextPage: number, nextSize = size) =>
    navigate(href('users', { ...filters, page: nextPage === 1 ? undefined : nextPage, size: nextSize === 25 ? undefined : nextSize }));
  const pages = Math.max(1, Math.ceil(total / size));
  const set = (name: keyof Filters) => (value: string) => setDraft({ ...draft, [name]: value });

  return (
    <>
      <h1>Users</h1>
      <CreateUser />
      <form
        class="filters card"
        aria-label="Filter users"
        onSubmit={(e) => {
          e.preventDefault();
          go(draft, 1);
        }}
      >
        <Field label="Network id" name="networkId" inputMode="numeric" value={draft.networkId} onValue={set('networkId')} failure={failure} />
        <Field label="Mailbox id" name="mailboxId" inputMode="numeric" value={draft.mailboxId} onValue={set('mailboxId')} failure={failure} />
        <Select label="Auth level" name="authLevel" value={draft.authLevel} options={[['', 'Any'], ...AUTH_LEVELS]} onValue={set('authLevel')} failure={failure} />
        <Select label="Status" name="status" value={draft.status} options={[['', 'Any'], ...STATUSES]} onValue={set('status')} failure={failure} />
        <Field label="Login (exact)" name="login" value={draft.login} onValue={set('login')} failure={failure} />
        <div class="actions">
          <button type="submit">Apply filters</button>
          <button type="button" class="secondary" onClick={() => go({ networkId: '', mailboxId: '', authLevel: '', status: '', login: '' }, 1)}>Clear</button>
        </div>
        <ApiCall method="POST" path={applied.login ? '/v2/users/by-name' : '/v2/users/list'} body={applied.login ? { login: applied.login } : listBody(applied, page, size)} />
      </form>
      <Outcome failure={failure} fields={['networkid', 'mailboxid']} />
      {rows === null ? (
        <p role="status">Loading…</p>
      ) : (
        <>
          <p role="status" data-testid="users-total">{total} user{total === 1 ? '' : 's'}{total > 0 ? ` · page ${page} of ${pages}` : ''}</p>
          <div class="table-wrap">
            <table data-testid="users-table">
              <caption class="visually-hidden">Users, ordered by id</caption>
              <thead>
                <tr><th scope="col">Id</th><th scope="col">Login</th><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Network</th><th scope="col">Mailbox</th><th scope="col">Level</th><th scope="col">Status</th></tr>
              </thead>
              <tbody>
                {rows.map((user) => (
                  <tr key={user.userId} data-user-id={user.userId}>
                    <td>{user.userId}</td>
                    <td><a href={href(`users/${user.userId}`)}>{user.login}</a></td>
                    <td>{`${user.firstName} ${user.lastName}`.trim() || '—'}</td>
                    <td>{user.email}</td>
                    <td>{user.networkId || '—'}</td>
                    <td>{user.mailboxId || '—'}</td>
                    <td>{user.authLevel}</td>
                    <td><span class={`status status-${user.status}`}>{user.status}</span>{user.lockedOut ? <span class="status status-Locked">Locked</span> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages">
            <button type="button" class="secondary" disabled={page <= 1} onClick={() => go(applied, page - 1)}>Previous page</button>
            <span>Page {page} of {pages}</span>
            <button type="button" class="secondary" disabled={page >= pages} onClick={() => go(applied, page + 1)}>Next page</button>
            <Select label="Page size" name="pageSize" value={String(size)} options={PAGE_SIZES} onValue={(value) => go(applied, 1, Number(value))} />
          </nav>
        </>
      )}
    </>
  );
}
