// Customer account recovery (issue 20): "forgot password" answers the same for any email, emails a link that
// works once and for 30 minutes, and ends every session; the login email changes only when the new address
// confirms, with a notice to the old one and a 409 for an address another login has.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { createUser } from '../../db/users.js';
import { DEFAULT_AUTH_POLICY } from '../../domain/auth-policy.js';
import { newId } from '../../lib/ids.js';
import { waterAccount } from '../support/accounts.js';
import { bearer, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
/** the clock the links and back-off read: tests move it instead of waiting */
let clock = new Date('2026-12-01T10:00:00Z');
const at = (iso: string) => {
  clock = new Date(iso);
};

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql), undefined, {
    now: () => clock,
    policy: {
      recovery: {
        ...DEFAULT_AUTH_POLICY.recovery,
        perIp: { max: 10_000, windowSeconds: 60 },
        perIpBackoff: { ...DEFAULT_AUTH_POLICY.recovery.perIpBackoff, freeFailures: 10_000 },
      },
    },
  });
});

const PASSWORD = 'pw-for-tests-1';
const NEW_PASSWORD = 'a brand new passphrase';

/** A customer login on its own account, and its email. */
async function customer() {
  const w = await waterAccount(sql);
  const email = `recover.${newId('user').slice(-8).toLowerCase()}@example.test`;
  const userId = await createUser(sql, {
    email,
    displayName: 'Grace',
    password: PASSWORD,
    kind: 'customer',
    customerId: w.customer.id,
    accountIds: [w.acct.id],
  });
  return { email, userId, accountId: w.acct.id as string };
}

const login = (email: string, password: string) =>
  app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload, headers });

/** The newest link of this kind emailed about the login, and the address it went to. */
async function emailed(alert: string, userId: string) {
  const [n] = await sql<{ data: { link?: string; email: string; newEmail?: string } }[]>`
    select data from notification where alert = ${alert} and data->>'userId' = ${userId}
    order by id desc limit 1`;
  return n?.data;
}
const tokenOf = (link: string, kind: string) => {
  const m = new RegExp(`#${kind}=([^&]+)$`).exec(link);
  return decodeURIComponent(m![1]!);
};

describe('POST /auth/password-reset', () => {
  it('answers an unknown email exactly as a known one, and emails only the known one', async () => {
    at('2026-12-01T10:00:00Z');
    const c = await customer();
    const known = await post('/auth/password-reset', { email: c.email.toUpperCase() });
    const unknown = await post('/auth/password-reset', { email: `nobody.${c.userId}@example.test` });
    expect(known.statusCode, known.body).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(unknown.body).toBe(known.body);
    expect(known.json()).toEqual({ object: 'password_reset', status: 'check_your_email' });
    const mail = await emailed('password_reset', c.userId);
    expect(mail?.email).toBe(c.email);
    expect(mail?.link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/portal#reset-password=/);
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from notification where alert = 'password_reset' and data->>'email' like 'nobody.%'`;
    expect(row?.n).toBe(0);
    // the token is kept only as its hash
    const token = tokenOf(mail!.link!, 'reset-password');
    const sha = createHash('sha256').update(token).digest('hex');
    const stored = await sql<{ tokenHash: string }[]>`
      select token_hash from password_reset where user_id = ${c.userId} and used_at is null`;
    expect(stored.map((s) => s.tokenHash)).toEqual([sha]);
  });

  it('answers no sooner than its floor, with a login or without (the lookups behind it do not show)', async () => {
    at('2026-12-01T10:00:00Z');
    const c = await customer();
    const time = async (email: string) => {
      const t0 = performance.now();
      await post('/auth/password-reset', { email });
      return performance.now() - t0;
    };
    const known = await time(c.email);
    const unknown = await time(`ghost.${c.userId}@example.test`);
    // both wait for the same 250 ms floor; what differs behind it is a few queries
    expect(known).toBeGreaterThanOrEqual(245);
    expect(unknown).toBeGreaterThanOrEqual(245);
  });

  it('slows down repeated requests for one email, known or not, with Retry-After', async () => {
    at('2026-12-01T11:00:00Z');
    for (const email of [(await customer()).email, `ghost2.${newId('user')}@example.test`]) {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await post('/auth/password-reset', { email })).statusCode);
      expect(statuses).toEqual([202, 202, 202, 429]);
      const refused = await post('/auth/password-reset', { email });
      expect(refused.json().error).toMatchObject({ code: 'too_many_attempts', param: 'email' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
  });
});

describe('POST /auth/password-reset/confirm', () => {
  it('sets the password, ends every session, and works only once', async () => {
    at('2026-12-01T12:00:00Z');
    const c = await customer();
    const s1 = await login(c.email, PASSWORD);
    const s2 = await login(c.email, PASSWORD);
    expect(s1.statusCode).toBe(200);
    const tokens = [s1.json().token as string, s2.json().token as string];
    for (const tk of tokens)
      expect((await app.inject({ url: '/me', headers: bearer(tk) })).statusCode).toBe(200);

    await post('/auth/password-reset', { email: c.email });
    const token = tokenOf((await emailed('password_reset', c.userId))!.link!, 'reset-password');
    at('2026-12-01T12:10:00Z');
    const done = await post('/auth/password-reset/confirm', { token, password: NEW_PASSWORD });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toEqual({ object: 'password_reset', status: 'done' });

    // every session the login had is over
    for (const tk of tokens)
      expect((await app.inject({ url: '/me', headers: bearer(tk) })).statusCode).toBe(401);
    expect((await login(c.email, PASSWORD)).statusCode).toBe(401);
    expect((await login(c.email, NEW_PASSWORD)).statusCode).toBe(200);

    // a second use is refused and changes nothing
    const again = await post('/auth/password-reset/confirm', { token, password: 'yet another passphrase' });
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toMatchObject({ code: 'token_invalid', param: 'token' });
    expect((await login(c.email, NEW_PASSWORD)).statusCode).toBe(200);
    // the link is gone from the stored notice too
    expect((await emailed('password_reset', c.userId))?.link).toBeUndefined();
  });

  it('works until 30 minutes have passed, and not at 30 minutes', async () => {
    at('2026-12-01T13:00:00Z');
    const c = await customer();
    await post('/auth/password-reset', { email: c.email });
    const first = tokenOf((await emailed('password_reset', c.userId))!.link!, 'reset-password');
    at('2026-12-01T13:30:00Z');
    const late = await post('/auth/password-reset/confirm', { token: first, password: NEW_PASSWORD });
    expect(late.statusCode).toBe(400);
    expect(late.json().error).toMatchObject({ code: 'token_expired', param: 'token' });
    expect((await login(c.email, PASSWORD)).statusCode).toBe(200);

    // a new link, used a second before its 30 minutes are up
    await post('/auth/password-reset', { email: c.email });
    const second = tokenOf((await emailed('password_reset', c.userId))!.link!, 'reset-password');
    at('2026-12-01T13:59:59Z');
    expect(
      (await post('/auth/password-reset/confirm', { token: second, password: NEW_PASSWORD })).statusCode,
    ).toBe(200);
  });

  it('retires an earlier link when a new one is asked for, and refuses a weak password naming the field', async () => {
    at('2026-12-01T14:00:00Z');
    const c = await customer();
    await post('/auth/password-reset', { email: c.email });
    const old = tokenOf((await emailed('password_reset', c.userId))!.link!, 'reset-password');
    await post('/auth/password-reset', { email: c.email });
    const fresh = tokenOf((await emailed('password_reset', c.userId))!.link!, 'reset-password');
    expect(fresh).not.toBe(old);
    expect(
      (await post('/auth/password-reset/confirm', { token: old, password: NEW_PASSWORD })).statusCode,
    ).toBe(400);
    const weak = await post('/auth/password-reset/confirm', { token: fresh, password: 'password123' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error).toMatchObject({ code: 'password_too_weak', param: 'password' });
    // the weak try did not use the link up
    expect(
      (await post('/auth/password-reset/confirm', { token: fresh, password: NEW_PASSWORD })).statusCode,
    ).toBe(200);
  });
});

describe('login email change', () => {
  const ask = (token: string, body: object) =>
    app.inject({ method: 'POST', url: '/me/email', headers: bearer(token), payload: body });

  it('changes the email only once the new address confirms, telling the old one', async () => {
    at('2026-12-01T15:00:00Z');
    const c = await customer();
    const token = (await login(c.email, PASSWORD)).json().token as string;
    const newEmail = `moved.${c.userId.slice(-8).toLowerCase()}@example.test`;

    const wrong = await ask(token, { newEmail, password: 'not my password' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toMatchObject({ code: 'password_incorrect', param: 'password' });

    const r = await ask(token, { newEmail, password: PASSWORD });
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toEqual({ object: 'email_change', newEmail, status: 'check_your_email' });
    const link = await emailed('login_email_change', c.userId);
    expect(link?.email).toBe(newEmail);
    const notice = await emailed('login_email_change_notice', c.userId);
    expect(notice).toMatchObject({ email: c.email, newEmail });
    expect(notice?.link).toBeUndefined();

    // nothing changed yet
    expect((await login(c.email, PASSWORD)).statusCode).toBe(200);
    expect((await login(newEmail, PASSWORD)).statusCode).toBe(401);

    at('2026-12-01T15:20:00Z');
    const confirm = await post('/auth/email-change/confirm', {
      token: tokenOf(link!.link!, 'confirm-email'),
    });
    expect(confirm.statusCode, confirm.body).toBe(200);
    expect(confirm.json()).toEqual({ object: 'email_change', newEmail, status: 'done' });
    expect((await login(newEmail, PASSWORD)).statusCode).toBe(200);
    expect((await login(c.email, PASSWORD)).statusCode).toBe(401);
    const used = await post('/auth/email-change/confirm', { token: tokenOf(link!.link!, 'confirm-email') });
    expect(used.json().error).toMatchObject({ code: 'token_invalid', param: 'token' });
  });

  it('refuses an email another login has with a 409 naming the field, at asking and at confirming', async () => {
    at('2026-12-01T16:00:00Z');
    const a = await customer();
    const b = await customer();
    const token = (await login(a.email, PASSWORD)).json().token as string;
    const taken = await ask(token, { newEmail: b.email.toUpperCase(), password: PASSWORD });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toMatchObject({ code: 'email_in_use', param: 'newEmail' });

    // asked while free, taken by someone else before the link was used
    const later = `later.${a.userId.slice(-8).toLowerCase()}@example.test`;
    expect((await ask(token, { newEmail: later, password: PASSWORD })).statusCode).toBe(202);
    const link = (await emailed('login_email_change', a.userId))!.link!;
    await createUser(sql, { email: later, displayName: 'X', password: PASSWORD, kind: 'customer' });
    const confirm = await post('/auth/email-change/confirm', { token: tokenOf(link, 'confirm-email') });
    expect(confirm.statusCode).toBe(409);
    expect(confirm.json().error).toMatchObject({ code: 'email_in_use', param: 'newEmail' });
    expect((await login(a.email, PASSWORD)).statusCode).toBe(200);
  });

  it('expires the confirmation link after 30 minutes, and is for customers only', async () => {
    at('2026-12-01T17:00:00Z');
    const c = await customer();
    const token = (await login(c.email, PASSWORD)).json().token as string;
    const newEmail = `late.${c.userId.slice(-8).toLowerCase()}@example.test`;
    await ask(token, { newEmail, password: PASSWORD });
    const link = (await emailed('login_email_change', c.userId))!.link!;
    at('2026-12-01T17:30:00Z');
    const late = await post('/auth/email-change/confirm', { token: tokenOf(link, 'confirm-email') });
    expect(late.json().error).toMatchObject({ code: 'token_expired', param: 'token' });
    expect((await login(c.email, PASSWORD)).statusCode).toBe(200);

    expect(
      (await app.inject({ method: 'POST', url: '/me/email', payload: { newEmail, password: PASSWORD } }))
        .statusCode,
    ).toBe(401);
  });
});
