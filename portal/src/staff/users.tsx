// Staff users (admins): every staff login with role, status, TOTP state and last sign-in; invite by email,
// change a role, deactivate (their sessions end at once) and reset TOTP. Whether TOTP is required is here too.
import type { Static } from '@sinclair/typebox';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { StaffSignInSettings, StaffUser } from '../../../api/routes/users.schema';
import { ErrorNote, OkNote } from '../components/ui';
import { api, type Me } from '../lib/api';

type User = Static<typeof StaffUser>;
type Settings = Static<typeof StaffSignInSettings>;
const ROLES = ['csr', 'billing_admin', 'supervisor', 'admin'] as const;
const when = (iso: string | null) =>
  iso
    ? new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
    : 'never';

export function Users({ me }: { me: Me }) {
  const [users, setUsers] = useState<User[] | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [ok, setOk] = useState<string | null>(null);
  const admin = me.role === 'admin';
  const load = useCallback(async () => {
    try {
      const all: User[] = [];
      let after = '';
      for (;;) {
        const r = await api<{ data: User[]; has_more: boolean }>(
          `/users?limit=100${after ? `&starting_after=${after}` : ''}`,
        );
        all.push(...r.data);
        if (!r.has_more || !r.data.length) break;
        after = r.data[r.data.length - 1]!.id;
      }
      setUsers(all);
      setSettings(await api<Settings>('/staff-sign-in-settings'));
    } catch (e) {
      setErr(e);
    }
  }, []);
  useEffect(() => void load(), [load]);
  const act = async (what: string, path: string, method: string, body?: unknown) => {
    setErr(null);
    setOk(null);
    try {
      await api(path, { method, body });
      setOk(what);
      await load();
    } catch (e) {
      setErr(e);
    }
  };
  const invite = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    await act(`Invitation sent to ${f.get('email')}`, '/users/invitations', 'POST', {
      email: String(f.get('email')),
      displayName: String(f.get('displayName')),
      role: String(f.get('role')),
    });
    form.reset();
  };
  return (
    <section class="card" aria-labelledby="users-title">
      <h1 id="users-title">Staff users</h1>
      <ErrorNote error={err} />
      <OkNote message={ok} testid="users-ok" />
      {settings ? (
        <p>
          <label>
            <input
              type="checkbox"
              checked={settings.requireTotp}
              disabled={!admin || !settings.totpAvailable}
              onChange={(e) =>
                void act('Sign-in setting saved', '/staff-sign-in-settings', 'POST', {
                  requireTotp: (e.currentTarget as HTMLInputElement).checked,
                })
              }
            />{' '}
            Require an authenticator code (TOTP) from every staff member
          </label>
          {settings.totpAvailable ? null : ' (TOTP is not set up on this server)'}
        </p>
      ) : null}
      {users ? (
        <table>
          <caption class="visually-hidden">Staff users</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">TOTP</th>
              <th scope="col">Last sign-in</th>
              {admin ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-testid={`user-${u.email}`}>
                <td>{u.displayName}</td>
                <td>{u.email}</td>
                <td>
                  {admin && u.status !== 'deactivated' ? (
                    <select
                      aria-label={`Role of ${u.displayName}`}
                      value={u.role}
                      onChange={(e) =>
                        void act(
                          `${u.displayName} is now ${(e.currentTarget as HTMLSelectElement).value}`,
                          `/users/${u.id}`,
                          'POST',
                          {
                            role: (e.currentTarget as HTMLSelectElement).value,
                          },
                        )
                      }
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  ) : (
                    u.role
                  )}
                </td>
                <td>{u.status}</td>
                <td>{u.totp}</td>
                <td>{when(u.lastSignInAt)}</td>
                {admin ? (
                  <td>
                    {u.status !== 'deactivated' ? (
                      <button
                        type="button"
                        class="link"
                        onClick={() =>
                          void act(`${u.displayName} was deactivated`, `/users/${u.id}/deactivate`, 'POST')
                        }
                      >
                        Deactivate
                      </button>
                    ) : null}{' '}
                    {u.totp !== 'off' ? (
                      <button
                        type="button"
                        class="link"
                        onClick={() =>
                          void act(`TOTP of ${u.displayName} was reset`, `/users/${u.id}/totp`, 'DELETE')
                        }
                      >
                        Reset TOTP
                      </button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>Loading…</p>
      )}
      {admin ? (
        <form onSubmit={invite} aria-labelledby="invite-title">
          <h2 id="invite-title">Invite a staff member</h2>
          <label for="invite-email">Email</label>
          <input id="invite-email" name="email" type="email" required />
          <label for="invite-name">Name</label>
          <input id="invite-name" name="displayName" required />
          <label for="invite-role">Role</label>
          <select id="invite-role" name="role">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <button type="submit">Send invitation</button>
        </form>
      ) : null}
    </section>
  );
}

/** The invitation link's page: the invitee sets a password, then signs in. */
export function AcceptInvitation({ token }: { token: string }) {
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    try {
      await api('/users/invitations/accept', {
        method: 'POST',
        body: { token, password: String(f.get('password')) },
      });
      setDone(true);
    } catch (e2) {
      setErr(e2);
    }
  };
  if (done)
    return (
      <p class="card narrow">
        Your password is set. <a href="#/search">Sign in</a>
      </p>
    );
  return (
    <form class="card narrow" onSubmit={submit}>
      <h1>Set your password</h1>
      <label for="new-password">Password</label>
      <input id="new-password" name="password" type="password" autoComplete="new-password" required />
      <button type="submit">Set password</button>
      <ErrorNote error={err} />
    </form>
  );
}
