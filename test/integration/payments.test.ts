// Payments through the real Stripe SDK against the project's Stripe fake, with real webhook signatures:
// posted once however often and in whatever order the webhooks come, ACH pending then returned, overpayment.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStripeCustomer } from '../../activities/payments.js';
import {
  addRead,
  createAccount,
  createCustomer,
  createMeter,
  createPremise,
  createServiceAgreement,
  createServicePoint,
  installMeter,
} from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents, trialBalance } from '../../db/ledger.js';
import { scanLine } from '../../domain/scan-line.js';
import { paymentWorkflowId } from '../../workflows/contracts/payment.js';
import { StripeFake } from '../fakes/stripe.js';
import { accountOwing as owing } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, stripeWebhook, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { simpleTariff } from '../support/tariffs.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let stripe: StripeFake;
let t: TemporalHarness;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  stripe = await new StripeFake().start();
  t = await startWorkers(sql, { stripe: stripe.client });
  // counter and lockbox received dates are checked against "today": a fixed day after the files' dates
  app = await testApp(
    sql,
    t,
    { client: stripe.client, webhookSecret: stripe.webhookSecret },
    { now: () => new Date('2026-11-06T15:00:00Z') },
  );
});
afterAll(() => stripe.stop());

const accountOwing = (cents: number) => owing(sql, cents, 'Payer');

const webhook = (e: { payload: string; signature: string }) => stripeWebhook(app, e);

async function pay(accountId: string, token: string, amountCents: number, method: 'card' | 'ach') {
  const r = await app.inject({
    method: 'POST',
    url: `/accounts/${accountId}/payments`,
    headers: bearer(token),
    payload: { amountCents, method },
  });
  expect(r.statusCode, r.body).toBe(201);
  const p = r.json();
  const [row] = await sql<
    { providerRef: string; idempotencyKey: string }[]
  >`select provider_ref, idempotency_key from payment where id = ${p.id}`;
  return { ...p, intentId: row!.providerRef, idempotencyKey: row!.idempotencyKey };
}
const waitFor = async (f: () => Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await f()); i++) await new Promise((r) => setTimeout(r, 100));
};
const status = async (id: string) =>
  (await sql<{ status: string }[]>`select status from payment where id = ${id}`)[0]!.status;

describe('card and ACH payments', () => {
  it('a customer pays by card: the intent is created once with the stored key, and a shuffled 10x replay posts once', async () => {
    const accountId = await accountOwing(12_000);
    const customer = await customerLogin(app, sql, [accountId]);
    const p = await pay(accountId, customer.token, 5_000, 'card');
    expect(p).toMatchObject({
      object: 'payment',
      status: 'pending',
      provider: 'stripe',
      clientSecret: expect.stringMatching(/^pi_.*_secret_/),
    });
    const created = stripe.requests.filter((r) => r.path === '/v1/payment_intents');
    expect(created.at(-1)).toMatchObject({
      idempotencyKey: p.idempotencyKey,
      body: { amount: '5000', 'metadata[payment_id]': p.id, 'allowed_payment_method_types[0]': 'card' },
    });

    const succeeded = stripe.event(p.intentId, 'payment_intent.succeeded', { status: 'succeeded' });
    const other = stripe.event(p.intentId, 'payment_intent.created');
    const deliveries = [...Array(10).fill(succeeded), ...Array(10).fill(other)].sort(
      () => Math.random() - 0.5,
    );
    for (const r of await Promise.all(deliveries.map(webhook))) expect(r.statusCode).toBe(200);
    await waitFor(async () => (await status(p.id)) === 'succeeded');
    expect(await accountBalanceCents(sql, accountId)).toBe(7_000);
    const [{ n }] =
      (await sql`select count(*)::int as n from journal_entry where idempotency_key = ${`payment:${p.id}`}`) as unknown as [
        { n: number },
      ];
    expect(n).toBe(1);
    // and the customer sees it on the account at once
    const view = await app.inject({
      method: 'GET',
      url: `/accounts/${accountId}`,
      headers: bearer(customer.token),
    });
    expect(view.json()).toMatchObject({
      balanceCents: 7_000,
      payments: [{ id: p.id, status: 'succeeded', amountCents: 5_000 }],
    });
  });

  it('refuses a webhook with a bad signature, and another customer cannot pay on or read the account', async () => {
    const accountId = await accountOwing(1_000);
    const p = await pay(accountId, await staffToken(app, sql, 'csr'), 1_000, 'card');
    const e = stripe.event(p.intentId, 'payment_intent.succeeded', { status: 'succeeded' });
    const forged = await webhook({
      payload: e.payload.replace('"amount":1000', '"amount":1'),
      signature: e.signature,
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.code).toBe('signature_invalid');
    expect((await webhook({ payload: e.payload, signature: 't=1,v1=deadbeef' })).statusCode).toBe(400);
    const stranger = await customerLogin(app, sql, []);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/accounts/${accountId}/payments`,
          headers: bearer(stranger.token),
          payload: { amountCents: 100, method: 'card' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'GET', url: `/payments/${p.id}`, headers: bearer(stranger.token) }))
        .statusCode,
    ).toBe(404);
    expect(await status(p.id)).toBe('pending');
  });

  it('ACH: pending while processing, posted on success, then an R01 return reverses it and charges the fee', async () => {
    const accountId = await accountOwing(8_000);
    const staff = await staffToken(app, sql, 'csr');
    const p = await pay(accountId, staff, 8_000, 'ach');
    // success overtakes processing in the mail; the late "processing" must not un-post it
    await webhook(stripe.event(p.intentId, 'payment_intent.processing', { status: 'processing' }));
    await waitFor(async () => (await status(p.id)) === 'processing');
    expect(
      (await app.inject({ method: 'GET', url: `/payments/${p.id}`, headers: bearer(staff) })).json().status,
    ).toBe('processing');
    await webhook(stripe.event(p.intentId, 'payment_intent.succeeded', { status: 'succeeded' }));
    await waitFor(async () => (await status(p.id)) === 'succeeded');
    expect(await accountBalanceCents(sql, accountId)).toBe(0);
    await webhook(
      stripe.event(p.intentId, 'payment_intent.payment_failed', {
        status: 'requires_payment_method',
        last_payment_error: { code: 'R01' },
      }),
    );
    await waitFor(async () => (await status(p.id)) === 'returned');
    expect(await accountBalanceCents(sql, accountId)).toBe(8_000 + 1_500); // the payment reversed, plus the returned-payment fee
    // the amount is owed again: collections resumes (a case opens for the account)
    await waitFor(
      async () =>
        (await sql`select 1 from collection_case where account_id = ${accountId} and status = 'open'`)
          .length > 0,
    );
    const [row] = await sql`select failure_code from payment where id = ${p.id}`;
    expect(row!.failureCode).toBe('R01');
    expect((await trialBalance(sql)).reduce((n, r) => n + r.balance, 0)).toBe(0);
  });

  it('a failed card posts nothing; an overpayment leaves a credit balance', async () => {
    const accountId = await accountOwing(2_000);
    const staff = await staffToken(app, sql, 'csr');
    const failed = await pay(accountId, staff, 2_000, 'card');
    await webhook(
      stripe.event(failed.intentId, 'payment_intent.payment_failed', {
        last_payment_error: { code: 'card_declined' },
      }),
    );
    await waitFor(async () => (await status(failed.id)) === 'failed');
    expect(await accountBalanceCents(sql, accountId)).toBe(2_000);
    const over = await pay(accountId, staff, 2_500, 'card');
    await webhook(stripe.event(over.intentId, 'payment_intent.succeeded', { status: 'succeeded' }));
    await waitFor(async () => (await status(over.id)) === 'succeeded');
    expect(await accountBalanceCents(sql, accountId)).toBe(-500);
    const h = t.env.client.workflow.getHandle(paymentWorkflowId(failed.id));
    expect((await h.result()).status).toBe('failed');
  });

  it('pushes the new balance to an open page the moment the payment posts (SSE over LISTEN/NOTIFY)', async () => {
    const accountId = await accountOwing(3_000);
    const customer = await customerLogin(app, sql, [accountId]);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${address}/accounts/${accountId}/events`, { headers: bearer(customer.token) });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const events: string[] = [];
    const nextEvent = async () => {
      let buf = '';
      while (!buf.includes('\n\n')) buf += new TextDecoder().decode((await reader.read()).value);
      events.push(buf);
      return buf;
    };
    expect(await nextEvent()).toContain('"balanceCents":3000');
    const p = await pay(accountId, customer.token, 1_200, 'card');
    const t0 = Date.now();
    await webhook(stripe.event(p.intentId, 'payment_intent.succeeded', { status: 'succeeded' }));
    const pushed = await nextEvent();
    expect(pushed).toContain('event: payment.succeeded');
    expect(pushed).toContain('"balanceCents":1800');
    expect(Date.now() - t0).toBeLessThan(1000);
    await reader.cancel();
  });

  it('refunds part, then the rest, at Stripe and in the ledger, once each; billing roles only', async () => {
    const accountId = await accountOwing(4_000);
    const csr = await staffToken(app, sql, 'csr');
    const billing = await staffToken(app, sql, 'billing_admin');
    const p = await pay(accountId, csr, 4_000, 'card');
    await webhook(stripe.event(p.intentId, 'payment_intent.succeeded', { status: 'succeeded' }));
    await waitFor(async () => (await status(p.id)) === 'succeeded');
    const refund = (token: string, body: object) =>
      app.inject({ method: 'POST', url: `/payments/${p.id}/refunds`, headers: bearer(token), payload: body });
    expect((await refund(csr, { amountCents: 1_000, reason: 'billing error' })).statusCode).toBe(403);
    const first = await refund(billing, { amountCents: 1_000, reason: 'meter misread credit' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ amountCents: 1_000, refundId: expect.stringMatching(/^re_/) });
    expect(await accountBalanceCents(sql, accountId)).toBe(1_000);
    expect((await refund(billing, { amountCents: 5_000, reason: 'too much' })).json().error).toMatchObject({
      code: 'amount_too_large',
      param: 'amountCents',
    });
    expect((await refund(billing, { reason: 'account closed' })).json()).toMatchObject({
      amountCents: 3_000,
    });
    expect(await status(p.id)).toBe('refunded');
    expect(await accountBalanceCents(sql, accountId)).toBe(4_000);
    expect(stripe.refunds.filter((r) => r.payment_intent === p.intentId).map((r) => r.amount)).toEqual([
      1_000, 3_000,
    ]);
  });
  it('a refund the gateway refuses is a 402, posts nothing, and frees its cents for a refund that fits', async () => {
    const accountId = await accountOwing(2_000);
    const billing = await staffToken(app, sql, 'billing_admin');
    const p = await pay(accountId, billing, 2_000, 'card');
    await webhook(stripe.event(p.intentId, 'payment_intent.succeeded', { status: 'succeeded' }));
    await waitFor(async () => (await status(p.id)) === 'succeeded');
    // someone refunded 1,500 in the Stripe dashboard, outside cisflow: Stripe has only 500 left to refund
    await stripe.client.refunds.create({ payment_intent: p.intentId, amount: 1_500 });
    const refund = (amountCents: number) =>
      app.inject({
        method: 'POST',
        url: `/payments/${p.id}/refunds`,
        headers: bearer(billing),
        payload: { amountCents, reason: 'customer moved away' },
      });
    const refused = await refund(2_000);
    expect(refused.statusCode, refused.body).toBe(402);
    expect(refused.json().error.code).toBe('refund_declined');
    expect(await accountBalanceCents(sql, accountId)).toBe(0);
    const rows = await sql<{ status: string }[]>`select status from refund where payment_id = ${p.id}`;
    expect(rows.map((r) => r.status)).toEqual(['failed']);
    const fits = await refund(500);
    expect(fits.statusCode, fits.body).toBe(201);
    expect(await accountBalanceCents(sql, accountId)).toBe(500);
    expect((await trialBalance(sql)).reduce((n, r) => n + r.balance, 0)).toBe(0);
  });
});

describe('chargebacks', () => {
  it('records and flags a card dispute; a lost dispute reverses the payment', async () => {
    const accountId = await accountOwing(3_000);
    const csr = await staffToken(app, sql, 'csr');
    const p = await pay(accountId, csr, 3_000, 'card');
    await webhook(stripe.event(p.intentId, 'payment_intent.succeeded', { status: 'succeeded' }));
    await waitFor(async () => (await status(p.id)) === 'succeeded');
    expect(
      (await webhook(stripe.disputeEvent(p.intentId, 'charge.dispute.created', 'needs_response'))).statusCode,
    ).toBe(200);
    const flag = async () =>
      (await sql<{ reviewFlag: string }[]>`select review_flag from payment where id = ${p.id}`)[0]!
        .reviewFlag;
    expect(await flag()).toBe('chargeback_needs_response');
    expect(await accountBalanceCents(sql, accountId)).toBe(0); // nothing moves while the dispute is open
    await webhook(stripe.disputeEvent(p.intentId, 'charge.dispute.closed', 'lost'));
    await waitFor(async () => (await status(p.id)) === 'returned');
    expect(await flag()).toBe('chargeback_lost');
    expect(await accountBalanceCents(sql, accountId)).toBe(3_000 + 1_500);
  });
});

describe('autopay', () => {
  async function billableAccount() {
    const c = await createCustomer(sql, { name: 'Autopay Customer', email: 'autopay@example.test' });
    const a = await createAccount(sql, { customerId: c.id });
    // notices go only to a verified contact
    await sql`insert into customer_contact (id, customer_id, kind, value, verified_at)
      values (${`cc_${c.id}`}, ${c.id}, 'email', 'autopay@example.test', now())`;
    const prem = await createPremise(sql, {
      addressLine1: '9 Auto Way',
      city: 'Eugene',
      state: 'OR',
      postalCode: '97401',
    });
    const sp = await createServicePoint(sql, prem.id, 'water');
    const m = await createMeter(sql, { serialNumber: `AP-${a.id.slice(-10)}`, kind: 'water', unit: 'ccf' });
    await installMeter(sql, m.id, sp.id, '2020-01-01T00:00:00Z');
    const rs = `rs_AUTOPAY${a.id.slice(-12)}`;
    await sql`insert into rate_schedule (id, code, name, service_type) values (${rs}, ${rs}, 'Water', 'water')`;
    await sql`insert into rate_version (id, rate_schedule_id, effective_from, tariff) values (${`rv_${rs}`}, ${rs}, '2020-01-01', ${sql.json(simpleTariff('water', 'ccf', '10.00', '2.00'))})`;
    await createServiceAgreement(sql, {
      accountId: a.id,
      servicePointId: sp.id,
      rateScheduleId: rs,
      startDate: '2020-01-01',
    });
    await addRead(sql, { meterId: m.id, readAt: '2026-09-01T08:00:00Z', value: '100', source: 'ami' });
    await addRead(sql, { meterId: m.id, readAt: '2026-10-01T08:00:00Z', value: '105', source: 'ami' });
    return a.id as string;
  }

  it('debits the saved method when the bill is issued and due; a declined card leaves the bill owing', async () => {
    const billing = await staffToken(app, sql, 'billing_admin');
    for (const [pm, expected] of [
      ['pm_card_visa', 0],
      ['pm_card_chargeDeclined', 2_000],
    ] as const) {
      const accountId = await billableAccount();
      const customer = await customerLogin(app, sql, [accountId]);
      // the method was saved on the account's Stripe customer before (as paying with saveMethod does)
      await stripe.client.paymentMethods.attach(pm, {
        customer: await ensureStripeCustomer(sql, stripe.client, accountId),
      });
      const enrol = await app.inject({
        method: 'PUT',
        url: `/accounts/${accountId}/autopay`,
        headers: bearer(customer.token),
        payload: { method: 'card', paymentMethodRef: pm, daysBeforeDue: 5 },
      });
      expect(enrol.json()).toMatchObject({ object: 'autopay', status: 'active', daysBeforeDue: 5 });
      // due in 1 day, debited 5 days before the due date: that is now
      const bill = await app.inject({
        method: 'POST',
        url: `/accounts/${accountId}/bills`,
        headers: bearer(billing),
        payload: { period: '2026-09', dueDays: 1 },
      });
      expect(bill.json()).toMatchObject({ totalCents: 2_000 }); // 10.00 + 5 ccf x 2.00
      await waitFor(
        async () =>
          (
            await sql`select 1 from payment where bill_id = ${bill.json().id} and status in ('succeeded', 'failed')`
          ).length > 0,
      );
      const [p] = await sql<
        { status: string; amountCents: number; failureCode: string | null }[]
      >`select status, amount_cents, failure_code from payment where bill_id = ${bill.json().id}`;
      expect(p).toMatchObject(
        expected === 0
          ? { status: 'succeeded', amountCents: 2_000 }
          : { status: 'failed', failureCode: 'card_declined' },
      );
      expect(await accountBalanceCents(sql, accountId)).toBe(expected);
      // the bill went to collections with its due date; a paid one closes the case, a declined one keeps it
      await waitFor(
        async () =>
          (
            await sql`select 1 from collection_case where account_id = ${accountId}
              and status = ${expected === 0 ? 'closed' : 'open'}`
          ).length > 0,
      );
      // applied to the bill it paid, and the customer hears about it either way
      const [pay] = await sql<{ id: string }[]>`select id from payment where bill_id = ${bill.json().id}`;
      const view = (
        await app.inject({ method: 'GET', url: `/payments/${pay!.id}`, headers: bearer(customer.token) })
      ).json();
      expect(view.allocations).toEqual(
        expected === 0 ? [{ billId: bill.json().id, period: '2026-09', amountCents: 2_000 }] : [],
      );
      // the notice is sent asynchronously (queued with the payment, then the messaging workflow): poll for it
      await waitFor(
        async () =>
          (
            await sql`select 1 from outbound_message where account_id = ${accountId} and template like 'payment%' and status = 'outbox'`
          ).length > 0,
      );
      const [msg] =
        await sql`select template, to_address, body from outbound_message where account_id = ${accountId} and template like 'payment%'`;
      expect(msg).toMatchObject(
        expected === 0
          ? { template: 'payment_received', body: expect.stringContaining('$20.00') }
          : { template: 'payment_failed', body: expect.stringContaining('card_declined') },
      );
    }
  });
});

/** The `payment_received` notices queued for an account, oldest first. */
const receiptNotices = (accountId: string) =>
  sql<{ data: Record<string, unknown> & { paymentId: string; amountCents: number } }[]>`
    select data from notification where account_id = ${accountId} and alert = 'payment_received' order by created_at, id`;

describe('counter and lockbox payments', () => {
  it('records a check at the counter and flags a likely duplicate for review', async () => {
    const accountId = await accountOwing(6_000);
    const csr = await staffToken(app, sql, 'csr');
    const counter = (body: object) =>
      app.inject({
        method: 'POST',
        url: `/accounts/${accountId}/payments/counter`,
        headers: bearer(csr),
        payload: body,
      });
    const a = await counter({
      amountCents: 3_000,
      method: 'check',
      reference: '1042',
      receivedOn: '2026-11-02',
    });
    expect(a.json()).toMatchObject({ status: 'succeeded', reviewFlag: null });
    const b = await counter({ amountCents: 3_000, method: 'cash', receivedOn: '2026-11-03' });
    expect(b.json()).toMatchObject({ reviewFlag: 'possible_duplicate' });
    expect(await accountBalanceCents(sql, accountId)).toBe(0); // both posted; staff decide on the flagged one
    // each is emailed its receipt, as a payment online is: the confirmation number and the new balance
    const notices = await receiptNotices(accountId);
    expect(notices.map((n) => n.data.paymentId).sort()).toEqual([a.json().id, b.json().id].sort());
    const first = notices.find((n) => n.data.paymentId === a.json().id)!;
    const receipt = (
      await app.inject({ method: 'GET', url: `/payments/${a.json().id}/receipt`, headers: bearer(csr) })
    ).json();
    expect(first.data).toMatchObject({
      confirmationNumber: receipt.confirmationNumber,
      amountCents: 3_000,
      method: 'check',
      newBalanceCents: 3_000,
    });
  });

  it('imports a lockbox file all-or-nothing, reports each row, and never posts a row twice', async () => {
    const a1 = await accountOwing(5_000);
    const a2 = await accountOwing(7_000);
    const [n1, n2] = await Promise.all(
      [a1, a2].map(
        async (id) =>
          (await sql<{ n: string }[]>`select account_number as n from account where id = ${id}`)[0]!.n,
      ),
    );
    const billing = await staffToken(app, sql, 'billing_admin');
    const upload = (csv: string, partial = false) =>
      app.inject({
        method: 'POST',
        url: `/payments/lockbox${partial ? '?partial=true' : ''}`,
        headers: { ...bearer(billing), 'content-type': 'text/csv' },
        payload: csv,
      });
    const bad = `account_number,amount,check_number,received_on\n${n1},50.00,2001,2026-11-04\n9999999999,10.00,2002,2026-11-04\n${n2},7O.00,2003,2026-11-04\n`;
    const refused = await upload(bad);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      posted: false,
      rows: [
        { row: 3, status: 'rejected', field: 'account_number' },
        { row: 4, status: 'rejected', field: 'amount' },
      ],
    });
    expect(await accountBalanceCents(sql, a1)).toBe(5_000); // nothing half-imported

    const good = `account_number,amount,check_number,received_on\n${n1},50.00,2001,2026-11-04\n${n2},70.00,2003,2026-11-04\n`;
    expect((await upload(good)).json()).toMatchObject({
      posted: true,
      rows: [
        { row: 2, status: 'accepted' },
        { row: 3, status: 'accepted' },
      ],
    });
    expect((await upload(good)).json()).toMatchObject({
      rows: [
        { row: 2, status: 'duplicate' },
        { row: 3, status: 'duplicate' },
      ],
    });
    expect(await accountBalanceCents(sql, a1)).toBe(0);
    expect(await accountBalanceCents(sql, a2)).toBe(0);
    // a receipt per posted check, none for the refused file or the duplicate rows of the re-import
    expect((await receiptNotices(a1)).map((n) => n.data.amountCents)).toEqual([5_000]);
    expect((await receiptNotices(a2)).map((n) => n.data.amountCents)).toEqual([7_000]);
    const partial = await upload(
      `account_number,amount,check_number,received_on\n${n1},12.34,2005,2026-11-05\nnope,1.00,1,2026-11-05\n`,
      true,
    );
    expect(partial.json()).toMatchObject({
      posted: true,
      rows: [{ status: 'accepted' }, { status: 'rejected', field: 'account_number' }],
    });
    expect(await accountBalanceCents(sql, a1)).toBe(-1_234);
    expect((await upload('who,what\n1,2\n')).json().rows[0]).toMatchObject({
      status: 'rejected',
      field: 'account_number',
    });
  });

  it("takes the account from the stub's scan line, and refuses a misread one or one that contradicts the keyed number", async () => {
    const a1 = await accountOwing(4_200);
    const a2 = await accountOwing(3_000);
    const number = async (id: string) =>
      (await sql<{ n: string }[]>`select account_number as n from account where id = ${id}`)[0]!.n;
    const [n1, n2] = [await number(a1), await number(a2)];
    const billing = await staffToken(app, sql, 'billing_admin');
    const upload = (csv: string) =>
      app.inject({
        method: 'POST',
        url: '/payments/lockbox',
        headers: { ...bearer(billing), 'content-type': 'text/csv' },
        payload: csv,
      });
    const line1 = scanLine(n1, 4_200)!;
    // one digit of the amount misread: the check digit no longer adds up
    const misread = `${line1.slice(0, 20)}${(Number(line1[20]) + 1) % 10}${line1.slice(21)}`;
    const refused = await upload(
      `scan_line,account_number,amount,check_number,received_on\n${misread},,42.00,3101,2026-11-04\n${scanLine(n2, 3_000)},${n1},30.00,3102,2026-11-04\n`,
    );
    expect(refused.statusCode).toBe(422);
    expect(refused.json().rows).toMatchObject([
      { row: 2, status: 'rejected', field: 'scan_line', reason: expect.stringContaining('check digit') },
      { row: 3, status: 'rejected', field: 'account_number', reason: expect.stringContaining('scan line') },
    ]);
    expect(await accountBalanceCents(sql, a1)).toBe(4_200);
    // read right, the check pays the scan line's account: the amount is the check's, not the stub's
    const ok = await upload(
      `scan_line,amount,check_number,received_on\n${line1},40.00,3101,2026-11-04\n${scanLine(n2, 3_000)!.replace(/ /g, '')},30.00,3102,2026-11-04\n`,
    );
    expect(ok.json()).toMatchObject({ posted: true, rows: [{ status: 'accepted' }, { status: 'accepted' }] });
    expect(await accountBalanceCents(sql, a1)).toBe(200);
    expect(await accountBalanceCents(sql, a2)).toBe(0);
  });
});
