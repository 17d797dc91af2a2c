/**
 * Signing in: with a login (or e-mail) and password → POST /v2/auth/login, or
 * with an API key (checked on GET /v2/users/me). The server's own message is
 * shown for a wrong password, a lockout or a suspended user.
 */
import { useState } from 'preact/hooks';
import { signInWithKey, signInWithPassword } from '../api.js';
import { ApiCall, Field, Outcome } from '../ui.js';

export function Login({ notice, onSignedIn }: { notice: string | null; onSignedIn: () => void }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [passwordFailure, setPasswordFailure] = useState<unknown>();
  const [keyFailure, setKeyFailure] = useState<unknown>();

  const submit = async (event: Event, how: 'password' | 'key') => {
    event.preventDefault();
    setBusy(true);
    setPasswordFailure(undefined);
    setKeyFailure(undefined);
    try {
      if (how === 'password') await signInWithPassword(login.trim(), password);
      else await signInWithKey(key.trim());
      setPassword('');
      setKey('');
      onSignedIn();
    } catch (error) {
      (how === 'password' ? setPasswordFailure : setKeyFailure)(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="login">
      <h1>Sign in to ecgrid-identity</h1>
      {notice && <p class="notice warning" role="alert" data-testid="session-notice">{notice}</p>}
      <div class="login-forms">
        <form class="card" onSubmit={(e) => submit(e, 'password')} aria-labelledby="login-password-title">
          <h2 id="login-password-title">With a password</h2>
          <Field label="Login or e-mail" name="login" value={login} onValue={setLogin} autocomplete="username" required failure={passwordFailure} />
          <Field label="Password" name="password" type="password" value={password} onValue={setPassword} autocomplete="current-password" required failure={passwordFailure} />
          <Outcome failure={passwordFailure} fields={['login', 'password']} />
          <button type="submit" disabled={busy}>Sign in</button>
          <ApiCall method="POST" path="/v2/auth/login" body={{ login, password }} />
        </form>
        <form class="card" onSubmit={(e) => submit(e, 'key')} aria-labelledby="login-key-title">
          <h2 id="login-key-title">With an API key</h2>
          <Field label="API key" name="apiKey" type="password" value={key} onValue={setKey} autocomplete="off" required failure={keyFailure} hint="For example the Root key printed at first start. Kept in this tab's memory only." />
          <Outcome failure={keyFailure} fields={['apikey']} />
          <button type="submit" disabled={busy}>Sign in with key</button>
        </form>
      </div>
    </main>
  );
}
