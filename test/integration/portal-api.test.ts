// The read endpoints behind the portal and staff console, on known data: usage per service with last year's
// month beside it (wraps, superseded and rejected reads handled), staff search on every field, sign-up with
// its back-off, account and AR aging and the KPIs, and the bill.issued event on the account stream.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addRead,
  createAccount,
  createCustomer,
  createMeter,
  createPremise,
  createServicePoint,
  installMeter,
} from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { newId } from '../../lib/ids.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { daysFromToday } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let billing: string;
let acct: { id: string; accountNumber: string };
let meterSerial: string;

async function charge(accountId: string, cents: number, on: string, kind = 'bill') {
  const id = newId('je');
  await sql`insert into ledger_account (id, kind, name, account_id) values (${`ar:${accountId}`}, 'asset', 'AR', ${accountId}),
    ('revenue:water', 'revenue', 'Water', null) on conflict do nothing`;
  await sql`insert into journal_entry (id, idempotency_key, kind, account_id, effective_on, description)
    values (${id}, ${id}, ${kind}, ${accountId}, ${on}, 'test')`;
  await sql`insert into posting (journal_entry_id, ledger_account_id, amount_cents) values
    (${id}, ${`ar:${accountId}`}, ${cents}), (${id}, ${cents > 0 ? 'revenue:water' : 'cash_clearing'}, ${-cents})`;
}
const daysAgo = (n: number) => daysFromToday(-n);

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  const t = await startWorkers(sql);
  app = await testApp(sql, t);
  billing = await staffToken(app, sql, 'billing_admin');
  await sql`insert into ledger_account (id, kind, name) values ('cash_clearing', 'asset', 'Cash clearing') on conflict do nothing`;
  const c = await createCustomer(sql, { name: 'Grace Okafor', phone: '+15415550142' });
  const a = await createAccount(sql, { customerId: c.id });
  acct = { id: a.id, accountNumber: a.accountNumber };
  const p = await createPremise(sql, {
    addressLine1: '415 Willow Ln',
    city: 'Riverton',
    state: 'OR',
    postalCode: '97433',
  });
  const sp = await createServicePoint(sql, p.id, 'water');
  meterSerial = `WQ${newId('mtr').slice(-7)}`;
  const m = await createMeter(sql, { serialNumber: meterSerial, kind: 'water', unit: 'ccf', dialCount: 4 });
  await installMeter(sql, m.id, sp.id, '2020-01-01T00:00:00Z');
  await sql`insert into rate_schedule (id, code, name, service_type) values ('rs_portaltest01', 'W-PT', 'Water', 'water')`;
  await sql`insert into service_agreement (id, account_id, service_point_id, service_type, rate_schedule_id, start_date)
    values (${newId('sa')}, ${a.id}, ${sp.id}, 'water', 'rs_portaltest01', '2020-01-01')`;
  // reads on the 1st close the month before: Oct 2025 used 5.5, Sep 2026 used 7.25 across a 4-dial wrap,
  // Oct 2026 used 6 (after a superseded read and a rejected one that must not count)
  const reads: [string, string, string?][] = [
    ['2025-10-01', '100'],
    ['2025-11-01', '105.5'],
    ['2026-09-01', '9995'],
    ['2026-10-01', '2.25'],
    ['2026-11-01', '8.25'],
  ];
  for (const [d, v] of reads)
    await addRead(sql, { meterId: m.id, readAt: `${d}T07:00:00Z`, value: v, source: 'ami' });
  const wrong = await addRead(sql, {
    meterId: m.id,
    readAt: '2026-10-15T07:00:00Z',
    value: '500',
    source: 'manual',
  });
  await sql`update meter_read set supersedes_id = ${wrong.id} where meter_id = ${m.id} and value = 8.25`;
  await addRead(sql, {
    meterId: m.id,
    readAt: '2026-10-20T07:00:00Z',
    value: '900',
    source: 'amr',
    quality: 'rejected',
  });
});

describe('usage history', () => {
  it('gives each month from the reads, beside the same month a year before, exactly', async () => {
    const r = await app.inject({
      method: 'GET',
      url: `/accounts/${acct.id}/usage?months=12&through=2026-10`,
      headers: bearer(billing),
    });
    expect(r.statusCode, r.body).toBe(200);
    const u = r.json();
    expect(u.periods).toHaveLength(12);
    expect(u.periods[0]).toBe('2025-11');
    expect(u.periods[11]).toBe('2026-10');
    const water = u.services.find((s: { serviceType: string }) => s.serviceType === 'water');
    expect(water).toMatchObject({ unit: 'ccf', meters: [meterSerial] });
    const byPeriod = Object.fromEntries(
      water.usage.map((x: { period: string; quantity: string | null; lastYear: string | null }) => [
        x.period,
        x,
      ]),
    );
    // the 2026-09-01 read jumps from 105.5 (Nov 2025) to 9995: ten months of usage land in Aug 2026
    expect(byPeriod['2026-08']).toMatchObject({ quantity: '9889.5' });
    expect(byPeriod['2026-09']).toMatchObject({ quantity: '7.25' }); // 9995 -> 2.25 across the wrap
    expect(byPeriod['2026-10']).toMatchObject({ quantity: '6', lastYear: '5.5' });
    expect(byPeriod['2026-01']).toMatchObject({ quantity: null, lastYear: null });
    expect(water.totals.quantity).toBe('9902.75');
  });

  it('takes 24 months, and refuses other spans with a clear 400', async () => {
    const r = await app.inject({
      method: 'GET',
      url: `/accounts/${acct.id}/usage?months=24&through=2026-10`,
      headers: bearer(billing),
    });
    expect(r.json().periods).toHaveLength(24);
    const bad = await app.inject({
      method: 'GET',
      url: `/accounts/${acct.id}/usage?months=7`,
      headers: bearer(billing),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ type: 'invalid_request_error', param: 'months' });
    const missing = await app.inject({
      method: 'GET',
      url: '/accounts/acct_nope/usage',
      headers: bearer(billing),
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('staff search', () => {
  const search = async (q: string) => {
    const r = await app.inject({
      method: 'GET',
      url: `/search?q=${encodeURIComponent(q)}`,
      headers: bearer(billing),
    });
    expect(r.statusCode, r.body).toBe(200);
    return r.json().data as { id: string; matchedOn: string[] }[];
  };
  it('finds the account by name, account number, address, meter and phone', async () => {
    for (const [q, on] of [
      ['okafor', 'name'],
      [acct.accountNumber.slice(0, 7), 'account_number'],
      ['willow ln', 'address'],
      [meterSerial.toLowerCase(), 'meter'],
      ['(541) 555-0142', 'phone'],
      ['555-0142', 'phone'],
    ] as const) {
      const hits = await search(q);
      const hit = hits.find((h) => h.id === acct.id);
      expect(hit, `${q} finds the account`).toBeTruthy();
      expect(hit!.matchedOn, q).toContain(on);
    }
    expect(await search('zz-nobody-zz')).toEqual([]);
    // a mobile number the customer added as a contact counts too
    const c = await createCustomer(sql, { name: 'Text Only' });
    const a = await createAccount(sql, { customerId: c.id });
    await sql`insert into customer_contact (id, customer_id, kind, value) values (${newId('msg')}, ${c.id}, 'sms', '+15035550177')`;
    expect((await search('503-555-0177')).map((h) => [h.id, h.matchedOn])).toEqual([[a.id, ['phone']]]);
  });
  it('is for staff only', async () => {
    const c = await customerLogin(app, sql, [acct.id]);
    const r = await app.inject({ method: 'GET', url: '/search?q=okafor', headers: bearer(c.token) });
    expect(r.statusCode).toBe(403);
  });
});

describe('portal sign-up', () => {
  const signup = (
    verification: object,
    email = `s${newId('user').slice(-8)}@example.test`,
    accountNumber = acct.accountNumber,
  ) =>
    app.inject({
      method: 'POST',
      url: '/auth/signup',
      remoteAddress: '10.0.0.9',
      payload: { accountNumber, verification, email, password: 'long-enough-pw' },
    });

  it('links the account with the latest bill amount, refuses a ZIP or a wrong amount alike, and works once the email is confirmed', async () => {
    await sql`insert into bill (id, account_id, period, period_start, period_end, status, bill_date, due_date, total_cents)
      values (${newId('bill')}, ${acct.id}, '2026-10', '2026-10-01', '2026-10-31', 'issued', '2026-11-03', '2026-11-24', 12345)`;
    // a ZIP code is no proof at all any more
    const zip = await signup({ postalCode: '97433' });
    expect(zip.statusCode).toBe(400);
    const wrongAmount = await signup({ lastBillCents: 12344 });
    expect(wrongAmount.statusCode).toBe(400);
    expect(wrongAmount.json().error.code).toBe('verification_failed');
    const noSuch = await signup({ lastBillCents: 12345 }, undefined, '9999999999');
    expect(noSuch.json().error.code).toBe('verification_failed');
    expect(noSuch.json().error.message).toBe(wrongAmount.json().error.message);

    const ok = await signup({ lastBillCents: 12345 }, 'grace@example.test');
    expect(ok.statusCode, ok.body).toBe(202);
    expect(ok.json()).toEqual({ object: 'signup', email: 'grace@example.test', status: 'check_your_email' });
    const [n] = await sql<{ data: { link: string } }[]>`
      select data from notification where alert = 'login_email_verification' and data->>'email' = 'grace@example.test'`;
    const token = new URL(n!.data.link).searchParams.get('verify-email');
    const verified = await app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token } });
    expect(verified.statusCode, verified.body).toBe(200);
    const signedIn = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'grace@example.test', password: 'long-enough-pw' },
    });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(signedIn.json().user.accounts).toEqual([{ id: acct.id, accountNumber: acct.accountNumber }]);
    const me = await app.inject({ method: 'GET', url: '/me', headers: bearer(signedIn.json().token) });
    expect(me.json()).toMatchObject({ email: 'grace@example.test', kind: 'customer' });
    const view = await app.inject({
      method: 'GET',
      url: `/accounts/${acct.id}`,
      headers: bearer(signedIn.json().token),
    });
    expect(view.statusCode).toBe(200);
    // a taken email is not revealed: the same answer, and no second login
    const again = await signup({ lastBillCents: 12345 }, 'GRACE@example.test');
    expect(again.statusCode).toBe(202);
    expect(again.json().status).toBe('check_your_email');
    expect((await sql`select 1 from app_user where lower(email) = 'grace@example.test'`).length).toBe(1);
  });

  it('links another account to a signed-in customer, only with the right amount; staff have no use for it', async () => {
    const c = await createCustomer(sql, { name: 'Second Home' });
    const a = await createAccount(sql, { customerId: c.id });
    const p = await createPremise(sql, {
      addressLine1: '2 Lake Rd',
      city: 'Riverton',
      state: 'OR',
      postalCode: '97455',
    });
    const sp = await createServicePoint(sql, p.id, 'trash');
    await sql`insert into service_agreement (id, account_id, service_point_id, service_type, rate_schedule_id, start_date)
      values (${newId('sa')}, ${a.id}, ${sp.id}, 'trash', 'rs_portaltest01', '2020-01-01')`;
    await sql`insert into bill (id, account_id, period, period_start, period_end, status, bill_date, due_date, total_cents)
      values (${newId('bill')}, ${a.id}, '2026-10', '2026-10-01', '2026-10-31', 'issued', '2026-11-03', '2026-11-24', 3190)`;
    const me = await customerLogin(app, sql, [acct.id]);
    const link = (verification: object, headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/me/accounts',
        headers,
        remoteAddress: '10.0.0.10',
        payload: { accountNumber: a.accountNumber, verification },
      });
    expect((await link({ postalCode: '97455' }, bearer(me.token))).statusCode).toBe(400);
    expect((await link({ lastBillCents: 3191 }, bearer(me.token))).statusCode).toBe(400);
    const ok = await link({ lastBillCents: 3190 }, bearer(me.token));
    expect(ok.statusCode, ok.body).toBe(201);
    expect(
      ok
        .json()
        .data.map((x: { id: string }) => x.id)
        .sort(),
    ).toEqual([acct.id, a.id].sort());
    const view = await app.inject({ method: 'GET', url: `/accounts/${a.id}`, headers: bearer(me.token) });
    expect(view.statusCode).toBe(200);
    expect((await link({ lastBillCents: 3190 }, bearer(billing))).statusCode).toBe(403);
  });

  it('backs off sign-up for an account after five misses, even for the right answer', async () => {
    const c = await createCustomer(sql, { name: 'Locked Out' });
    const a = await createAccount(sql, { customerId: c.id });
    await sql`insert into bill (id, account_id, period, period_start, period_end, status, bill_date, due_date, total_cents)
      values (${newId('bill')}, ${a.id}, '2026-10', '2026-10-01', '2026-10-31', 'issued', '2026-11-03', '2026-11-24', 5120)`;
    const tries = [];
    for (let i = 0; i < 5; i++)
      tries.push((await signup({ lastBillCents: 5000 + i }, undefined, a.accountNumber)).statusCode);
    expect(tries).toEqual([400, 400, 400, 400, 400]);
    const locked = await signup({ lastBillCents: 5120 }, undefined, a.accountNumber);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('too_many_attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // the back-off expires (see test/integration/auth-security.test.ts, which moves the clock)
  });
});

describe('aging and KPIs', () => {
  it("lays an account's balance on its newest charges and buckets it by age", async () => {
    const c = await createCustomer(sql, { name: 'Aging Account' });
    const a = await createAccount(sql, { customerId: c.id });
    await charge(a.id, 10_000, daysAgo(100));
    await charge(a.id, 6_000, daysAgo(45));
    await charge(a.id, 5_000, daysAgo(10));
    await charge(a.id, -12_000, daysAgo(5), 'payment'); // pays the oldest first
    const r = await app.inject({ method: 'GET', url: `/accounts/${a.id}/aging`, headers: bearer(billing) });
    expect(r.json()).toMatchObject({
      balanceCents: 9_000,
      buckets: { current: 5_000, days31to60: 4_000, days61to90: 0, over90: 0 },
      oldestOpenCharge: daysAgo(45),
    });
    const ar = await app.inject({ method: 'GET', url: '/reports/ar-aging', headers: bearer(billing) });
    expect(ar.statusCode, ar.body).toBe(200);
    const body = ar.json();
    const b = body.buckets;
    expect(b.current + b.days31to60 + b.days61to90 + b.over90).toBe(body.totalReceivableCents);
    expect(b.days31to60).toBeGreaterThanOrEqual(4_000);
  });

  it('reports paperless share and exception rate as exact percentages, for billing staff only', async () => {
    const r = await app.inject({ method: 'GET', url: '/reports/kpis?days=30', headers: bearer(billing) });
    expect(r.statusCode, r.body).toBe(200);
    const k = r.json();
    const [p] = await sql<{ y: number; n: number }[]>`
      select count(*) filter (where paperless)::int as y, count(*)::int as n from account where status = 'active'`;
    expect(k.paperless).toMatchObject({ numerator: p!.y, denominator: p!.n });
    expect(k.paperless.percent).toBe(((p!.y * 100) / p!.n).toFixed(2));
    // one dispute on a bill issued in the window (five days before today, whatever day the suite runs on)
    const held = await createAccount(sql, { customerId: (await createCustomer(sql, { name: 'KPI' })).id });
    const billId = newId('bill');
    const month = daysFromToday(-5).slice(0, 7);
    await sql`insert into bill (id, account_id, period, period_start, period_end, status, bill_date, due_date, total_cents)
      values (${billId}, ${held.id}, ${month}, ${`${month}-01`}, ${`${month}-01`}, 'issued', ${daysFromToday(-5)}, ${daysFromToday(15)}, 1000)`;
    await sql`insert into dispute (id, account_id, bill_id, reason, disputed_cents, opened_by, sla_due_at, workflow_id)
      values (${newId('disp')}, ${held.id}, ${billId}, 'too high', 100, 'test', now() + interval '10 days', 'dispute/x')`;
    const [b] = await sql<
      { n: number }[]
    >`select count(*)::int as n from bill where bill_date > ${daysFromToday(0)}::date - 30`;
    const again = (
      await app.inject({ method: 'GET', url: '/reports/kpis?days=30', headers: bearer(billing) })
    ).json();
    expect(again.disputeRate).toEqual({ numerator: 1, denominator: b!.n, percent: (100 / b!.n).toFixed(2) });
    const csr = await staffToken(app, sql, 'csr');
    expect((await app.inject({ method: 'GET', url: '/reports/kpis', headers: bearer(csr) })).statusCode).toBe(
      403,
    );
  });
});

describe('service orders', () => {
  it("lists the account's field work for staff, newest first, and not for customers", async () => {
    for (const [kind, at] of [
      ['disconnect', '2026-10-01T10:00:00Z'],
      ['reconnect', '2026-10-02T10:00:00Z'],
    ] as const)
      await sql`insert into service_order (id, account_id, kind, reason, source_type, idempotency_key, created_at)
        values (${newId('so')}, ${acct.id}, ${kind}, 'past due', 'collection', ${`${kind}/${acct.id}`}, ${at})`;
    const r = await app.inject({
      method: 'GET',
      url: `/accounts/${acct.id}/service-orders`,
      headers: bearer(billing),
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data.map((o: { kind: string; sourceType: string }) => [o.kind, o.sourceType])).toEqual([
      ['reconnect', 'collection'],
      ['disconnect', 'collection'],
    ]);
    const c = await customerLogin(app, sql, [acct.id]);
    const mine = await app.inject({
      method: 'GET',
      url: `/accounts/${acct.id}/service-orders`,
      headers: bearer(c.token),
    });
    expect(mine.statusCode).toBe(403);
  });
});

describe('live events', () => {
  it('tells an open account stream when a bill is issued', async () => {
    const received: string[] = [];
    const stop = await sql.listen('account_events', (m) => received.push(m));
    await sql`insert into bill (id, account_id, period, period_start, period_end, status, bill_date, due_date, total_cents)
      values (${newId('bill')}, ${acct.id}, '2026-11', '2026-11-01', '2026-11-30', 'issued', '2026-12-03', '2026-12-24', 100)`;
    for (let i = 0; i < 50 && !received.length; i++) await new Promise((r) => setTimeout(r, 20));
    await stop.unlisten();
    expect(received.map((m) => JSON.parse(m))).toContainEqual(
      expect.objectContaining({ accountId: acct.id, type: 'bill.issued', period: '2026-11' }),
    );
  });
});
