// Staff sign-in: email and password, then (when TOTP is on or required) a code from the authenticator app,
// setting the app up first if TOTP is required and not yet set up. The session cookie does the rest.
import type { Static } from '@sinclair/typebox';
import { useState } from 'preact/hooks';
import type { LoginAnswer, MfaChallenge, TotpEnrolment } from '../../../api/routes/auth.schema';
import { ErrorNote } from '../components/ui';
import { api, type Me, setCsrf } from '../lib/api';

type Answer = Static<typeof LoginAnswer> | Static<typeof MfaChallenge>;

export function StaffLogin({ onDone }: { onDone: (m: Me) => void }) {
  const [err, setErr] = useState<unknown>(null);
  const [challenge, setChallenge] = useState<Static<typeof MfaChallenge> | null>(null);
  const [enrolment, setEnrolment] = useState<Static<typeof TotpEnrolment> | null>(null);
  const signedIn = (r: Static<typeof LoginAnswer>) => {
    setCsrf(r.csrfToken);
    onDone(r.user);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    setErr(null);
    try {
      if (!challenge) {
        const r = await api<Answer>('/auth/login', {
          method: 'POST',
          body: { email: String(f.get('email')), password: String(f.get('password')) },
        });
        if ('mfaRequired' in r) {
          setChallenge(r);
          if (r.method === 'totp_enrolment')
            setEnrolment(
              await api('/auth/login/totp/setup', { method: 'POST', body: { challenge: r.challenge } }),
            );
        } else signedIn(r);
        return;
      }
      signedIn(
        await api('/auth/login/totp', {
          method: 'POST',
          body: { challenge: challenge.challenge, code: String(f.get('code')) },
        }),
      );
    } catch (e2) {
      setErr(e2);
    }
  };
  return (
    <form class="card narrow" onSubmit={submit}>
      <h1>Staff sign in</h1>
      {challenge ? (
        <>
          {enrolment ? (
            <p>
              Your utility requires an authenticator app. Add this key to it (or open{' '}
              <a href={enrolment.otpauthUri}>the setup link</a>): <code>{enrolment.secret}</code>
            </p>
          ) : null}
          <label for="code">Code from your authenticator app</label>
          <input
            id="code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="\d{6}"
            required
          />
          <button type="submit">Continue</button>
        </>
      ) : (
        <>
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="username" required />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
          <button type="submit">Sign in</button>
          <p>
            <a href="/auth/oidc/start">Sign in with your organisation</a>
          </p>
        </>
      )}
      <ErrorNote error={err} />
    </form>
  );
}
