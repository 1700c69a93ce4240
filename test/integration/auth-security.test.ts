// Sign-in and account-linking under hostile use (issue 14): login back-off per email and cap per IP, with no
// difference between unknown and known emails; proof of ownership by the latest bill's amount (ZIP codes prove
// nothing), throttled per address, login and account, with back-off that expires; the account's contacts told
// of every new login; linked logins listed and removed; sign-up that never reveals a taken email and works once
// the email is confirmed; caps on contacts and verification texts; logout; security headers.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import type { Sql } from '../../db/client.js';
import { createUser } from '../../db/users.js';
import { DEFAULT_AUTH_POLICY } from '../../domain/auth-policy.js';
import { SMS_CONSENT_VERSION } from '../../domain/messages/sms-consent.js';
import { newId } from '../../lib/ids.js';
import { simpleBill, waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let t: TemporalHarness;
let app: TestApp;
/** the clock the back-off reads: tests move it instead of sleeping */
let clock = new Date('2026-12-01T10:00:00Z');
const later = (seconds: number) => {
  clock = new Date(clock.getTime() + seconds * 1000);
};

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  t = await startWorkers(sql);
  app = await testApp(sql, t, undefined, {
    now: () => clock,
    policy: {
      proof: {
        ...DEFAULT_AUTH_POLICY.proof,
        perIp: { max: 10_000, windowSeconds: 60 },
        perIpBackoff: { ...DEFAULT_AUTH_POLICY.proof.perIpBackoff, freeFailures: 1000 },
      },
      contacts: { maxPerCustomer: 3, verificationsPerDay: 4 },
    },
  });
});

/** An account with a verified email on file and an issued bill of `cents`. */
async function billedAccount(cents: number) {
  const w = await waterAccount(sql);
  await simpleBill(sql, {
    accountId: w.acct.id,
    agreementId: w.agreementId,
    period: '2026-10',
    totalCents: cents,
    dueDate: '2026-11-24',
  });
  const email = `holder.${newId('cust').slice(-8).toLowerCase()}@example.test`;
  await sql`insert into customer_contact (id, customer_id, kind, value, verified_at)
    values (${`cc_${newId('msg')}`}, ${w.customer.id}, 'email', ${email}, now())`;
  return {
    id: w.acct.id as string,
    accountNumber: w.acct.accountNumber as string,
    email,
    customerId: w.customer.id,
  };
}

const login = (email: string, password: string, remoteAddress = '10.1.0.1') =>
  app.inject({ method: 'POST', url: '/auth/login', remoteAddress, payload: { email, password } });
const shape = (r: Awaited<ReturnType<typeof login>>) => {
  const e = r.json().error;
  return { status: r.statusCode, code: e?.code, message: e?.message, param: e?.param };
};

describe('login throttling', () => {
  it('stops processing wrong passwords after five, with Retry-After, and lets the real user in once it expires', async () => {
    const email = `victim.${newId('user').slice(-6)}@example.test`;
    await createUser(sql, { email, displayName: 'V', password: 'the-real-password', kind: 'customer' });
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof login>> | undefined;
    for (let i = 0; i < 90; i++) {
      last = await login(email, `wrong-${i}`);
      statuses.push(last.statusCode);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    expect(last!.json().error).toMatchObject({ code: 'too_many_attempts', param: 'email' });
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(last!.headers['retry-after'])).toBeLessThanOrEqual(30);
    // during the back-off even the right password is not checked
    expect((await login(email, 'the-real-password')).statusCode).toBe(429);
    later(31);
    const ok = await login(email, 'the-real-password');
    expect(ok.statusCode, ok.body).toBe(200);
    // a success forgets the failures: the next typo is a plain 401, not a longer back-off
    expect((await login(email, 'typo')).statusCode).toBe(401);
  });

  it('the back-off grows but always expires', async () => {
    const email = `grow.${newId('user').slice(-6)}@example.test`;
    await createUser(sql, { email, displayName: 'G', password: 'the-real-password', kind: 'customer' });
    for (let i = 0; i < 5; i++) await login(email, 'nope');
    later(31);
    const sixth = await login(email, 'nope'); // processed, and the next wait doubles
    expect(sixth.statusCode).toBe(401);
    const wait = Number((await login(email, 'nope')).headers['retry-after']);
    expect(wait).toBeGreaterThan(30);
    expect(wait).toBeLessThanOrEqual(60);
    later(61);
    expect((await login(email, 'the-real-password')).statusCode).toBe(200);
  });

  it('answers an unknown email exactly as a known one with a wrong password, in similar time', async () => {
    const known = `known.${newId('user').slice(-6)}@example.test`;
    const unknown = `nobody.${newId('user').slice(-6)}@example.test`;
    await createUser(sql, {
      email: known,
      displayName: 'K',
      password: 'the-real-password',
      kind: 'customer',
    });
    const a: ReturnType<typeof shape>[] = [];
    const b: ReturnType<typeof shape>[] = [];
    const ms = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 8; i++) {
      let t0 = performance.now();
      a.push(shape(await login(known, 'wrong-password', '10.1.0.2')));
      ms.known.push(performance.now() - t0);
      t0 = performance.now();
      b.push(shape(await login(unknown, 'wrong-password', '10.1.0.2')));
      ms.unknown.push(performance.now() - t0);
    }
    expect(b).toEqual(a);
    expect(a.map((x) => x.status)).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // both run the password hash: the medians of the processed tries are alike (scrypt dominates)
    const median = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
    const ratio = median(ms.known.slice(0, 5)) / median(ms.unknown.slice(0, 5));
    expect(ratio).toBeGreaterThan(0.33);
    expect(ratio).toBeLessThan(3);
  });

  it('lets through no more than five of thirty concurrent wrong passwords', async () => {
    const email = `burst.${newId('user').slice(-6)}@example.test`;
    await createUser(sql, { email, displayName: 'B', password: 'the-real-password', kind: 'customer' });
    const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => login(email, `burst-${i}`)));
    expect(rs.filter((r) => r.statusCode === 401)).toHaveLength(5);
    expect(rs.filter((r) => r.statusCode === 429)).toHaveLength(25);
  });

  it('caps sign-in requests per IP address (@fastify/rate-limit), other addresses unaffected', async () => {
    const capped = await testApp(sql, t, undefined, {
      policy: { login: { ...DEFAULT_AUTH_POLICY.login, perIp: { max: 10, windowSeconds: 60 } } },
    });
    const from = (ip: string, i: number) =>
      capped.inject({
        method: 'POST',
        url: '/auth/login',
        remoteAddress: ip,
        payload: { email: `spray${i}@example.test`, password: 'guess' },
      });
    const rs = [];
    for (let i = 0; i < 15; i++) rs.push(await from('10.7.7.7', i));
    expect(rs.map((r) => r.statusCode)).toEqual([...Array(10).fill(401), ...Array(5).fill(429)]);
    expect(rs[14]!.json().error.code).toBe('rate_limited');
    expect(Number(rs[14]!.headers['retry-after'])).toBeGreaterThan(0);
    expect((await from('10.7.7.8', 99)).statusCode).toBe(401);
    await capped.close();
  });
});

describe('proof of account ownership', () => {
  const link = (token: string, accountNumber: string, verification: object, remoteAddress = '10.2.0.1') =>
    app.inject({
      method: 'POST',
      url: '/me/accounts',
      headers: bearer(token),
      remoteAddress,
      payload: { accountNumber, verification },
    });
  const access = async (accountId: string) =>
    (await sql`select user_id from portal_account_access where account_id = ${accountId}`).length;

  it('links nothing by guessing across 100 ZIP codes, by sign-up or by linking', async () => {
    const target = await billedAccount(8_417);
    const me = await customerLogin(app, sql, []);
    const codes = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const zip = String(97400 + i);
      const r1 = await link(me.token, target.accountNumber, { postalCode: zip });
      const r2 = await app.inject({
        method: 'POST',
        url: '/auth/signup',
        remoteAddress: '10.2.0.2',
        payload: {
          accountNumber: target.accountNumber,
          verification: { postalCode: zip },
          email: `zip${i}@example.test`,
          password: 'a-long-enough-pw',
        },
      });
      codes.add(r1.statusCode).add(r2.statusCode);
    }
    expect([...codes]).toEqual([400]);
    expect(await access(target.id)).toBe(0);
    expect((await sql`select 1 from app_user where email like 'zip%@example.test'`).length).toBe(0);
  });

  it('processes five wrong bill amounts for an account, then backs off (Retry-After) and links nothing', async () => {
    const target = await billedAccount(12_345);
    const me = await customerLogin(app, sql, []);
    const statuses = [];
    for (let cents = 12_300; cents < 12_400; cents++) {
      if (cents === 12_345) continue;
      statuses.push((await link(me.token, target.accountNumber, { lastBillCents: cents })).statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    expect(await access(target.id)).toBe(0);
    later(3 * 3600); // let every key cool down for the next tests
  });

  it('links with the right amount to the cent, and queues a notice to the existing contacts', async () => {
    const target = await billedAccount(9_903);
    const me = await customerLogin(app, sql, []);
    const u = (await app.inject({ method: 'GET', url: '/me', headers: bearer(me.token) })).json() as {
      email: string;
    };
    expect((await link(me.token, target.accountNumber, { lastBillCents: 9_902 })).statusCode).toBe(400);
    const ok = await link(me.token, target.accountNumber, { lastBillCents: 9_903 });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().data).toEqual([{ id: target.id, accountNumber: target.accountNumber }]);
    const notices = await sql<{ data: { loginEmail: string } }[]>`
      select data from notification where account_id = ${target.id} and alert = 'login_linked'`;
    expect(notices.map((n) => n.data.loginEmail)).toEqual([u!.email]);
    // and the messaging capability turns it into an email to the holder's verified address
    const sent = await waitFor(
      () => sql<{ toAddress: string; body: string }[]>`
        select to_address, body from outbound_message where account_id = ${target.id} and template = 'login_linked'`,
    );
    expect(sent[0]).toMatchObject({ toAddress: target.email });
    expect(sent[0]!.body).toContain(u!.email);
    // linking again is no new link: no second notice
    expect((await link(me.token, target.accountNumber, { lastBillCents: 9_903 })).statusCode).toBe(201);
    expect(
      (await sql`select 1 from notification where account_id = ${target.id} and alert = 'login_linked'`)
        .length,
    ).toBe(1);
  });

  it('backs off per target account, from any address or login, and the real owner gets in once it expires', async () => {
    const target = await billedAccount(4_150);
    for (let i = 0; i < 5; i++) {
      const attacker = await customerLogin(app, sql, []);
      expect(
        (await link(attacker.token, target.accountNumber, { lastBillCents: 1 + i }, `10.3.0.${i}`))
          .statusCode,
      ).toBe(400);
    }
    const owner = await customerLogin(app, sql, []);
    const locked = await link(owner.token, target.accountNumber, { lastBillCents: 4_150 }, '10.3.1.1');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error).toMatchObject({ code: 'too_many_attempts', param: 'accountNumber' });
    const wait = Number(locked.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    later(wait + 1);
    const ok = await link(owner.token, target.accountNumber, { lastBillCents: 4_150 }, '10.3.1.1');
    expect(ok.statusCode, ok.body).toBe(201);
    later(3 * 3600);
  });

  it('backs off per login across many accounts', async () => {
    const me = await customerLogin(app, sql, []);
    const statuses = [];
    for (let i = 0; i < 7; i++) {
      const a = await billedAccount(5_000 + i);
      statuses.push((await link(me.token, a.accountNumber, { lastBillCents: 1 }, `10.4.0.${i}`)).statusCode);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429]);
    later(3 * 3600);
  });

  it('backs off per IP address across logins and accounts', async () => {
    const ipCapped = await testApp(sql, t, undefined, {
      now: () => clock,
      policy: {
        proof: {
          ...DEFAULT_AUTH_POLICY.proof,
          perIpBackoff: { ...DEFAULT_AUTH_POLICY.proof.perIpBackoff, freeFailures: 3 },
        },
      },
    });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const a = await billedAccount(6_000 + i);
      const me = await customerLogin(app, sql, []);
      const r = await ipCapped.inject({
        method: 'POST',
        url: '/me/accounts',
        headers: bearer(me.token),
        remoteAddress: '10.5.5.5',
        payload: { accountNumber: a.accountNumber, verification: { lastBillCents: 1 } },
      });
      statuses.push(r.statusCode);
    }
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
    await ipCapped.close();
    later(3 * 3600);
  });
});

async function waitFor<T extends unknown[]>(q: () => Promise<T>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const rows = await q();
    if (rows.length) return rows;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('linked logins', () => {
  it('the holder and staff see and remove them; another customer can do neither; staff removals are audited', async () => {
    const acct = await billedAccount(7_700);
    const other = await billedAccount(7_701);
    const owner = await customerLogin(app, sql, [acct.id]);
    const intruder = await customerLogin(app, sql, [acct.id]);
    const stranger = await customerLogin(app, sql, [other.id]);
    const list = (token: string, id = acct.id) =>
      app.inject({ method: 'GET', url: `/accounts/${id}/logins`, headers: bearer(token) });
    const remove = (token: string, userId: string, id = acct.id) =>
      app.inject({ method: 'DELETE', url: `/accounts/${id}/logins/${userId}`, headers: bearer(token) });

    const seen = await list(owner.token);
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json().data).toHaveLength(2);
    const mine = seen.json().data.find((l: { you: boolean }) => l.you);
    const theirs = seen.json().data.find((l: { you: boolean }) => !l.you);
    expect(mine && theirs).toBeTruthy();

    // a customer without the account: the same 404 as for an account that does not exist
    expect((await list(stranger.token)).statusCode).toBe(404);
    expect((await remove(stranger.token, theirs.id)).statusCode).toBe(404);
    expect((await remove(stranger.token, mine.id)).statusCode).toBe(404);
    expect((await list(owner.token)).json().data).toHaveLength(2);

    expect((await remove(owner.token, theirs.id)).statusCode).toBe(204);
    expect(
      (await app.inject({ method: 'GET', url: `/accounts/${acct.id}`, headers: bearer(intruder.token) }))
        .statusCode,
    ).toBe(404);
    expect((await list(owner.token)).json().data.map((l: { id: string }) => l.id)).toEqual([mine.id]);
    expect((await remove(owner.token, theirs.id)).statusCode).toBe(404);

    const csr = await staffToken(app, sql, 'csr');
    const staffView = await list(csr);
    expect(staffView.json().data.map((l: { id: string }) => l.id)).toEqual([mine.id]);
    expect((await remove(csr, mine.id)).statusCode).toBe(204);
    const audit = await sql<{ action: string; resourceId: string; detail: { accountId: string } }[]>`
      select action, resource_id, detail from audit_log where resource_type = 'portal_login'`;
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'DELETE /accounts/:id/logins/:userId',
        resourceId: mine.id,
        detail: expect.objectContaining({ accountId: acct.id }),
      }),
    ]);
    expect((await list(csr)).json().data).toEqual([]);
  });
});

describe('sign-up', () => {
  const signup = (accountNumber: string, cents: number, email: string, password = 'a-long-enough-pw') =>
    app.inject({
      method: 'POST',
      url: '/auth/signup',
      remoteAddress: '10.6.0.1',
      payload: { accountNumber, verification: { lastBillCents: cents }, email, password },
    });

  it('refuses short and common passwords, naming the field', async () => {
    const a = await billedAccount(3_000);
    for (const pw of ['short', 'password123', 'Qwertyuiop', 'iloveyou2024!', 'aaaaaaaaaaaa']) {
      const r = await signup(a.accountNumber, 3_000, 'pw@example.test', pw);
      expect(r.statusCode, pw).toBe(400);
      expect(r.json().error.param, pw).toBe('password');
    }
    // a refused password costs no proof try
    expect(
      (await sql`select 1 from portal_signup_attempt where account_number = ${a.accountNumber}`).length,
    ).toBe(0);
  });

  it('works only once the emailed link is used; a taken email gets the same answer and a message instead', async () => {
    const a = await billedAccount(2_468);
    const email = `new.${newId('user').slice(-6).toLowerCase()}@example.test`;
    const r = await signup(a.accountNumber, 2_468, email);
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toEqual({ object: 'signup', email, status: 'check_your_email' });
    expect(r.cookies).toEqual([]);
    expect((await login(email, 'a-long-enough-pw')).json().error.code).toBe('email_not_verified');

    const [n] = await sql<{ data: { link: string; email: string } }[]>`
      select data from notification where alert = 'login_email_verification' and data->>'email' = ${email}`;
    const token = new URL(n!.data.link).searchParams.get('verify-email')!;
    // the link goes to the address itself, not to the account's contacts
    const sent = await waitFor(
      () =>
        sql<
          { toAddress: string }[]
        >`select to_address from outbound_message where template = 'login_email_verification' and to_address = ${email}`,
    );
    expect(sent).toHaveLength(1);
    const bad = await app.inject({
      method: 'POST',
      url: '/auth/verify-email',
      payload: { token: 'x'.repeat(32) },
    });
    expect(bad.json().error).toMatchObject({ code: 'token_invalid', param: 'token' });
    const v = await app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token } });
    expect(v.statusCode, v.body).toBe(200);
    const ok = await login(email, 'a-long-enough-pw');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().user.accounts).toEqual([{ id: a.id, accountNumber: a.accountNumber }]);
    // the new link was announced to the account's contacts
    expect(
      (await sql`select 1 from notification where account_id = ${a.id} and alert = 'login_linked'`).length,
    ).toBe(1);
    // the link is used up
    expect(
      (await app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token } })).statusCode,
    ).toBe(400);

    // the same email again: the same answer, no second login, and a message to the address
    const again = await signup(a.accountNumber, 2_468, email.toUpperCase());
    expect(again.statusCode).toBe(202);
    expect(Object.keys(again.json()).sort()).toEqual(Object.keys(r.json()).sort());
    expect(again.json().status).toBe('check_your_email');
    expect((await sql`select 1 from app_user where lower(email) = ${email}`).length).toBe(1);
    expect(
      (
        await sql`select 1 from notification where alert = 'signup_email_in_use' and data->>'email' = ${email.toUpperCase()}`
      ).length,
    ).toBe(1);
  });

  it('five wrong amounts slow the real owner only until the back-off expires', async () => {
    const a = await billedAccount(1_999);
    for (let i = 0; i < 5; i++)
      expect(
        (await signup(a.accountNumber, 2_000 + i, `miss${i}.${a.accountNumber}@example.test`)).statusCode,
      ).toBe(400);
    const owner = `owner.${a.accountNumber}@example.test`;
    expect((await signup(a.accountNumber, 1_999, owner)).statusCode).toBe(429);
    later(61);
    expect((await signup(a.accountNumber, 1_999, owner)).statusCode).toBe(202);
    later(3 * 3600);
  });
});

describe('contacts and verification texts', () => {
  it('caps contacts per account and verification messages per day, naming the field', async () => {
    const a = await billedAccount(1_234); // one (verified) email contact already
    const me = await customerLogin(app, sql, [a.id]);
    const add = (value: string) =>
      app.inject({
        method: 'POST',
        url: `/accounts/${a.id}/contacts`,
        headers: bearer(me.token),
        payload: { kind: 'sms', value, consent: { textVersion: SMS_CONSENT_VERSION, language: 'en' } },
      });
    const first = await add('+15415550101');
    expect(first.statusCode, first.body).toBe(201);
    expect((await add('+15415550102')).statusCode).toBe(201);
    const tooMany = await add('+15415550103');
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json().error).toMatchObject({ code: 'too_many_contacts', param: 'value' });
    // the same number again is no new contact: a new code (the third message today)
    expect((await add('+15415550101')).statusCode).toBe(201);
    const resend = () =>
      app.inject({
        method: 'POST',
        url: `/accounts/${a.id}/contacts/${first.json().id}/verification`,
        headers: bearer(me.token),
      });
    expect((await resend()).statusCode).toBe(202); // the fourth
    const capped = await resend();
    expect(capped.statusCode).toBe(429);
    expect(capped.json().error).toMatchObject({ code: 'too_many_verification_messages', param: 'contactId' });
    expect((await add('+15415550102')).json().error).toMatchObject({
      code: 'too_many_verification_messages',
      param: 'value',
    });
    const [n] = await sql<{ n: number }[]>`select count(*)::int as n from contact_verification v
      join customer_contact c on c.id = v.contact_id where c.customer_id = ${a.customerId}`;
    expect(n!.n).toBe(4);
  });
});

describe('logout and headers', () => {
  it('ends the cookie session even with a non-Bearer Authorization header', async () => {
    const c = await customerLogin(app, sql, []);
    const out = await app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(out.statusCode, out.body).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/me', headers: { cookie: c.cookie } })).statusCode).toBe(
      401,
    );
  });

  it('sends security headers on every response, /docs included; HSTS only for an https public URL', async () => {
    for (const url of ['/docs', '/docs/json', '/health', '/portal', '/me', '/no-such-route']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
      expect(r.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(r.headers['content-security-policy'], url).toContain("script-src 'self' https://js.stripe.com");
      expect(r.headers['strict-transport-security'], url).toBeUndefined();
    }
    const deps: Parameters<typeof buildApp>[0] = {
      sql,
      temporal: { client: t.env.client, namespace: t.namespace, taskQueuePrefix: t.taskQueuePrefix },
      publicUrl: 'https://billing.utility.test',
      providerModes: { payments: 'outbox', sms: 'outbox', email: 'outbox' },
      stripe: null,
      stripeWebhookSecret: null,
    };
    const https = await buildApp(deps);
    const r = await https.inject({ method: 'GET', url: '/health' });
    expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    await https.close();
  });
});
