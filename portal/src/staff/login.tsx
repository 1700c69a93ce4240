// Staff sign-in: email and password; the session cookie does the rest.
import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/ui';
import { login, type Me } from '../lib/api';

export function StaffLogin({ onDone }: { onDone: (m: Me) => void }) {
  const [err, setErr] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    try {
      onDone(await login(String(f.get('email')), String(f.get('password'))));
    } catch (e2) {
      setErr(e2);
    }
  };
  return (
    <form class="card narrow" onSubmit={submit}>
      <h1>Staff sign in</h1>
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autoComplete="username" required />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required />
      <button type="submit">Sign in</button>
      <ErrorNote error={err} />
    </form>
  );
}
