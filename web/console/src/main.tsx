/**
 * The admin console: sign-in, then the screens, all through the public /v2
 * API with the credential held in memory (api.ts). Routes live in the hash
 * (route.ts), so a lost session returns to the very page after sign-in.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, currentCredential, setSessionLostHandler, signOut } from './api.js';
import { href, navigate, useRoute } from './route.js';
import { SessionContext, type Session, type User } from './session.js';
import { may } from './perms.js';
import { Login } from './screens/login.js';
import { UsersList } from './screens/users.js';
import { UserPage } from './screens/user.js';
import { TenancyTree } from './screens/tree.js';
import { AuditLog } from './screens/audit.js';
import { MyAccount } from './screens/account.js';
import { ThemeToggle } from './theme.js';

function Screen() {
  const { parts } = useRoute();
  const [first = 'users', second] = parts;
  switch (first) {
    case 'users':
      return second ? <UserPage userId={Number(second)} /> : <UsersList />;
    case 'tenancy':
      return <TenancyTree />;
    case 'audit':
      return <AuditLog />;
    case 'account':
      return <MyAccount />;
    default:
      return <p role="alert">Not found: no such page.</p>;
  }
}

function Nav({ me }: { me: User }) {
  const { parts } = useRoute();
  const current = parts[0] ?? 'users';
  const links: Array<[string, string]> = [
    ['users', 'Users'],
    ['tenancy', 'Networks & mailboxes'],
    ...(may.readAudit(me) ? ([['audit', 'Audit']] as Array<[string, string]>) : []),
    ['account', 'My account'],
  ];
  return (
    <nav aria-label="Main">
      <ul>
        {links.map(([path, label]) => (
          <li>
            <a href={href(path)} aria-current={current === path ? 'page' : undefined}>{label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function App() {
  const [me, setMe] = useState<User | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    setSessionLostHandler((message) => {
      setMe(null);
      setNotice(message);
    });
  }, []);

  const loadMe = async () => {
    const { data } = await api<User>('GET', '/v2/users/me');
    setNotice(null);
    setMe(data);
  };

  if (!me) return <Login notice={notice} onSignedIn={() => void loadMe()} />;

  const session: Session = {
    me,
    via: currentCredential()?.kind ?? 'key',
    // The page leaves at once: signOut forgets the credential before it asks the server, and never fails.
    signOut: () => {
      void signOut();
      setMe(null);
      setNotice('You are signed out.');
      navigate('#/');
    },
  };

  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <span class="brand">ecgrid-identity</span>
        <Nav me={me} />
        <div class="who">
          <span data-testid="whoami">{me.login} · {me.authLevel}</span>
          <ThemeToggle />
          <button type="button" class="secondary" onClick={session.signOut}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Screen />
      </main>
    </SessionContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
