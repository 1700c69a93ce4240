// Staff accounts (issue 20 item 1): an admin invites by email, the invitee sets a password through the
// single-use link and signs in; role changes take effect on the next request; deactivation ends sessions at
// once; TOTP required for everyone (enrolment during sign-in, codes throttled, never reused); an admin's TOTP
// reset; no change leaves no admin; a non-admin is refused and audited. TOTP codes are computed for the
// test's fixed, named instant through the injected clock.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { DEFAULT_AUTH_POLICY } from '../../domain/auth-policy.js';
import { totpCode } from '../../lib/totp.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let t: TemporalHarness;
let app: TestApp;
/** 1 December 2026, 09:00 UTC: the instant sign-ins and TOTP codes are computed for; tests move it */
const SIGN_IN_MORNING = new Date('2026-12-01T09:00:00Z');
let clock = SIGN_IN_MORNING;
const later = (seconds: number) => {
  clock = new Date(clock.getTime() + seconds * 1000);
};
let admin: string;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  t = await startWorkers(sql);
  app = await testApp(sql, t, undefined, {
    now: () => clock,
    staffAuth: { totpKey: randomBytes(32) },
    policy: {
      staff: {
        ...DEFAULT_AUTH_POLICY.staff,
        totp: { freeFailures: 3, baseSeconds: 60, maxSeconds: 600, forgetAfterSeconds: 3600 },
      },
    },
  });
  admin = await staffToken(app, sql, 'admin');
});

const post = (token: string, url: string, payload?: object) =>
  app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });
const login = (email: string, password: string) =>
  app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });

let n = 0;
/** Invites a staff member and accepts the emailed link; their id, email and password. */
async function invitedAndAccepted(role: string) {
  const email = `staff${++n}.${process.pid}@utility.test`;
  const r = await post(admin, '/users/invitations', { email, displayName: `Staff ${n}`, role });
  expect(r.statusCode, r.body).toBe(201);
  const id = r.json().id as string;
  const [ntf] = await sql<{ data: { link: string; email: string } }[]>`
    select data from notification where alert = 'staff_invitation' and data->>'userId' = ${id}`;
  expect(ntf!.data.email).toBe(email);
  const token = new URL(ntf!.data.link.replace('#/', '')).searchParams.get('token')!;
  const password = 'a long staff passphrase 7';
  const a = await app.inject({
    method: 'POST',
    url: '/users/invitations/accept',
    payload: { token, password },
  });
  expect(a.statusCode, a.body).toBe(200);
  return { id, email, password, token };
}

describe('invitations', () => {
  it('invite → accept → sign in, with the last sign-in recorded; the link works once', async () => {
    const u = await invitedAndAccepted('csr');
    // the dispatcher turned the queued invitation into an email to the invitee (no account, no customer)
    let sent: { toAddress: string; subject: string }[] = [];
    for (let i = 0; i < 100 && !sent.length; i++) {
      sent = await sql`select to_address, subject from outbound_message where template = 'staff_invitation'
        and to_address = ${u.email}`;
      if (!sent.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(sent[0]?.subject).toBe('You are invited to the staff console');
    const before = await login(u.email, u.password);
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json().user.role).toBe('csr');
    const list = await app.inject({ method: 'GET', url: '/users?limit=100', headers: bearer(admin) });
    const row = list.json().data.find((x: { id: string }) => x.id === u.id);
    expect(row).toMatchObject({ status: 'active', role: 'csr', totp: 'off' });
    expect(row.lastSignInAt).toBe(SIGN_IN_MORNING.toISOString());
    const again = await app.inject({
      method: 'POST',
      url: '/users/invitations/accept',
      payload: { token: u.token, password: 'another long passphrase 8' },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('invitation_invalid');
    // the link itself no longer sits in the outbox once used
    const [ntf] = await sql<{ data: Record<string, string> }[]>`
      select data from notification where alert = 'staff_invitation' and data->>'userId' = ${u.id}`;
    expect(ntf!.data.link).toBeUndefined();
  });

  it('an invited login cannot sign in before accepting, and an email already in use is refused', async () => {
    const email = `pending.${process.pid}@utility.test`;
    const r = await post(admin, '/users/invitations', { email, displayName: 'Pending', role: 'csr' });
    expect(r.json().status).toBe('invited');
    expect((await login(email, 'anything at all 123')).statusCode).toBe(401);
    const dup = await post(admin, '/users/invitations', { email, displayName: 'Again', role: 'csr' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('email_in_use');
  });
});

describe('roles and deactivation', () => {
  it('a role change takes effect on the next request', async () => {
    const u = await invitedAndAccepted('csr');
    const token = (await login(u.email, u.password)).json().token as string;
    expect((await app.inject({ method: 'GET', url: '/users', headers: bearer(token) })).statusCode).toBe(403);
    const r = await post(admin, `/users/${u.id}`, { role: 'supervisor' });
    expect(r.statusCode, r.body).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/users', headers: bearer(token) })).statusCode).toBe(200);
    const [audit] = await sql<{ detail: { from: string; to: string } }[]>`
      select detail from audit_log where resource_type = 'user' and resource_id = ${u.id}
        and action = 'POST /users/:id'`;
    expect(audit!.detail).toMatchObject({ from: 'csr', to: 'supervisor' });
  });

  it("a deactivated user's existing session fails at once, and they cannot sign in again", async () => {
    const u = await invitedAndAccepted('billing_admin');
    const token = (await login(u.email, u.password)).json().token as string;
    expect((await app.inject({ method: 'GET', url: '/me', headers: bearer(token) })).statusCode).toBe(200);
    const d = await post(admin, `/users/${u.id}/deactivate`);
    expect(d.statusCode, d.body).toBe(200);
    expect(d.json().status).toBe('deactivated');
    expect((await app.inject({ method: 'GET', url: '/me', headers: bearer(token) })).statusCode).toBe(401);
    const again = await login(u.email, u.password);
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('invalid_credentials');
  });

  it('the last active admin can neither demote nor deactivate themself', async () => {
    // every other admin this file made is demoted first, so `admin` is the only one
    const me = {
      userId: (await app.inject({ method: 'GET', url: '/me', headers: bearer(admin) })).json().id as string,
    };
    await sql`update app_user set role = 'csr' where role = 'admin' and id <> ${me.userId}`;
    const demote = await post(admin, `/users/${me.userId}`, { role: 'csr' });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().error.code).toBe('last_admin');
    expect((await post(admin, `/users/${me.userId}/deactivate`)).json().error.code).toBe('last_admin');
    // with a second admin, the demotion goes through
    const other = await invitedAndAccepted('admin');
    const ok = await post(admin, `/users/${other.id}`, { role: 'billing_admin' });
    expect(ok.statusCode).toBe(200);
  });

  it('a non-admin is refused (403) and the refusal is audited', async () => {
    const csr = await staffToken(app, sql, 'csr');
    const r = await post(csr, '/users/invitations', {
      email: `x.${process.pid}@utility.test`,
      displayName: 'X',
      role: 'admin',
    });
    expect(r.statusCode).toBe(403);
    const [a] = await sql<{ detail: { status: number } }[]>`
      select detail from audit_log where action = 'POST /users/invitations' and actor_role = 'csr'`;
    expect(a!.detail.status).toBe(403);
  });
});

describe('TOTP', () => {
  it('required for everyone: enrol during sign-in; without a code refused, with one accepted; wrong codes throttled', async () => {
    const u = await invitedAndAccepted('csr');
    const set = await post(admin, '/staff-sign-in-settings', { requireTotp: true });
    expect(set.statusCode, set.body).toBe(200);
    try {
      // not set up yet: the password alone gives a challenge to enrol with, not a session
      const first = await login(u.email, u.password);
      expect(first.json()).toMatchObject({ mfaRequired: true, method: 'totp_enrolment' });
      expect(first.json().token).toBeUndefined();
      const challenge = first.json().challenge as string;
      const enrol = await app.inject({
        method: 'POST',
        url: '/auth/login/totp/setup',
        payload: { challenge },
      });
      expect(enrol.statusCode, enrol.body).toBe(200);
      const secret = enrol.json().secret as string;
      expect(enrol.json().otpauthUri).toMatch(/^otpauth:\/\/totp\/cisflow:/);
      // the secret is not in the database as written
      const [stored] = await sql<
        { totpSecret: string }[]
      >`select totp_secret from app_user where id = ${u.id}`;
      expect(stored!.totpSecret).not.toContain(secret);
      const ok = await app.inject({
        method: 'POST',
        url: '/auth/login/totp',
        payload: { challenge, code: await totpCode(secret, clock) },
      });
      expect(ok.statusCode, ok.body).toBe(200);
      const token = ok.json().token as string;
      expect((await app.inject({ method: 'GET', url: '/me', headers: bearer(token) })).statusCode).toBe(200);

      // next sign-in: a code is asked for; the challenge alone is no session
      later(60);
      const second = await login(u.email, u.password);
      expect(second.json().method).toBe('totp');
      const c2 = second.json().challenge as string;
      const good = await totpCode(secret, clock);
      const wrong = good === '000000' ? '111111' : '000000';
      const tries = [];
      for (let i = 0; i < 4; i++)
        tries.push(
          (
            await app.inject({
              method: 'POST',
              url: '/auth/login/totp',
              payload: { challenge: c2, code: wrong },
            })
          ).statusCode,
        );
      expect(tries).toEqual([401, 401, 401, 429]);
      // throttled: even the right code waits
      const blocked = await app.inject({
        method: 'POST',
        url: '/auth/login/totp',
        payload: { challenge: c2, code: good },
      });
      expect(blocked.statusCode).toBe(429);
      later(61);
      const c3 = (await login(u.email, u.password)).json().challenge as string;
      const code3 = await totpCode(secret, clock);
      const in3 = await app.inject({
        method: 'POST',
        url: '/auth/login/totp',
        payload: { challenge: c3, code: code3 },
      });
      expect(in3.statusCode, in3.body).toBe(200);
      // the same code is never accepted twice
      const c4 = (await login(u.email, u.password)).json().challenge as string;
      const replay = await app.inject({
        method: 'POST',
        url: '/auth/login/totp',
        payload: { challenge: c4, code: code3 },
      });
      expect(replay.statusCode).toBe(401);

      // an admin's reset: the member enrols again at the next sign-in
      const reset = await app.inject({
        method: 'DELETE',
        url: `/users/${u.id}/totp`,
        headers: bearer(admin),
      });
      expect(reset.statusCode, reset.body).toBe(200);
      expect(reset.json().totp).toBe('off');
      expect((await login(u.email, u.password)).json().method).toBe('totp_enrolment');
    } finally {
      await post(admin, '/staff-sign-in-settings', { requireTotp: false });
    }
  });

  it('a staff member sets TOTP up for themself; customers and staff without it sign in as before', async () => {
    const u = await invitedAndAccepted('csr');
    const token = (await login(u.email, u.password)).json().token as string;
    const setup = await post(token, '/auth/totp/setup');
    expect(setup.statusCode, setup.body).toBe(200);
    const secret = setup.json().secret as string;
    later(30);
    const wrong = await post(token, '/auth/totp/confirm', { code: '12345' });
    expect(wrong.statusCode).toBe(400); // not 6 digits: named field
    const ok = await post(token, '/auth/totp/confirm', { code: await totpCode(secret, clock) });
    expect(ok.statusCode, ok.body).toBe(204);
    expect((await login(u.email, u.password)).json().method).toBe('totp');
    expect((await post(token, '/auth/totp/setup')).json().error.code).toBe('totp_already_active');
  });
});
