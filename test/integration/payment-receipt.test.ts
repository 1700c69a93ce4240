// Receipts (GET /payments/:id/receipt and the payment_received email) through the real Stripe SDK against the
// project's Stripe fake: the method's brand and last 4 come from the PaymentIntent's charge, the new balance
// is the one just after the payment posted, and a customer sees only their own payments' receipts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { formatLocalDateTime } from '../../domain/date-format.js';
import { confirmationNumber } from '../../domain/payment-receipt.js';
import { StripeFake } from '../fakes/stripe.js';
import { eventually, payAtCounter, simpleBill, waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, stripeWebhook, type TestApp, testApp } from '../support/api.js';
import { testClock } from '../support/clock.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

const DEC_1 = '2026-12-01';
const NOV_24 = '2026-11-24';

let sql: Sql;
let app: TestApp;
let stripe: StripeFake;
let t: TemporalHarness;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  stripe = await new StripeFake().start();
  const clock = testClock(DEC_1);
  t = await startWorkers(sql, { stripe: stripe.client, clock });
  app = await testApp(sql, t, { client: stripe.client, webhookSecret: stripe.webhookSecret }, { clock });
});
afterAll(() => stripe.stop());

async function owing(cents: number) {
  const a = await waterAccount(sql);
  // notices go only to a verified contact
  await sql`insert into customer_contact (id, customer_id, kind, value, verified_at)
    values (${`cc_${a.customer.id}`}, ${a.customer.id}, 'email', ${`${a.customer.id}@example.test`}, now())`;
  await simpleBill(sql, {
    accountId: a.acct.id,
    agreementId: a.agreementId,
    period: '2026-10',
    totalCents: cents,
    dueDate: NOV_24,
  });
  return a.acct.id as string;
}

async function pay(accountId: string, token: string, amountCents: number, method: 'card' | 'ach') {
  const r = await app.inject({
    method: 'POST',
    url: `/accounts/${accountId}/payments`,
    headers: bearer(token),
    payload: { amountCents, method },
  });
  expect(r.statusCode, r.body).toBe(201);
  const [row] = await sql<
    { providerRef: string }[]
  >`select provider_ref from payment where id = ${r.json().id}`;
  return { id: r.json().id as string, intentId: row!.providerRef };
}

const receipt = (id: string, token: string) =>
  app.inject({ method: 'GET', url: `/payments/${id}/receipt`, headers: bearer(token) });
const status = async (id: string) =>
  (await sql<{ status: string }[]>`select status from payment where id = ${id}`)[0]!.status;

describe('payment receipts', () => {
  it('a card payment: confirmation number, Visa ending 4242, received and posted times, the new balance; emailed too', async () => {
    const accountId = await owing(141_751);
    const customer = await customerLogin(app, sql, [accountId]);
    const p = await pay(accountId, customer.token, 41_751, 'card');
    // before it posts, the receipt says so: no posted time, no new balance yet
    const early = (await receipt(p.id, customer.token)).json();
    expect(early).toMatchObject({ status: 'pending', postedAt: null, newBalanceCents: null });
    await stripeWebhook(app, stripe.event(p.intentId, 'payment_intent.succeeded', { status: 'succeeded' }));
    await eventually(async () => (await status(p.id)) === 'succeeded');
    const r = await receipt(p.id, customer.token);
    expect(r.statusCode, r.body).toBe(200);
    const v = r.json();
    expect(v).toMatchObject({
      object: 'payment_receipt',
      paymentId: p.id,
      accountId,
      amountCents: 41_751,
      method: 'card',
      methodBrand: 'visa',
      methodLast4: '4242',
      status: 'succeeded',
      newBalanceCents: 100_000,
      timeZone: 'UTC',
    });
    expect(v.confirmationNumber).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(v.confirmationNumber).toBe(confirmationNumber(p.id));
    expect(Date.parse(v.postedAt)).toBeGreaterThanOrEqual(Date.parse(v.receivedAt));
    // the Stripe call that gave the brand asked for the charge, as the real API needs
    expect(
      stripe.requests.some(
        (q) =>
          q.method === 'GET' &&
          q.path.startsWith(`/v1/payment_intents/${p.intentId}`) &&
          q.body['expand[0]'] === 'latest_charge',
      ),
    ).toBe(true);

    // a later payment does not change this receipt's new balance
    await payAtCounter(sql, accountId, 20_000);
    expect((await receipt(p.id, customer.token)).json().newBalanceCents).toBe(100_000);

    // the history shows the confirmation number and both dates
    const summary = (
      await app.inject({ method: 'GET', url: `/accounts/${accountId}`, headers: bearer(customer.token) })
    ).json();
    const row = summary.payments.find((x: { id: string }) => x.id === p.id);
    expect(row).toMatchObject({
      confirmationNumber: v.confirmationNumber,
      methodBrand: 'visa',
      methodLast4: '4242',
      postedAt: v.postedAt,
      receivedAt: v.receivedAt,
    });

    // the payment_received notice carries the receipt, and the email reads it out
    const [n] = await sql<{ data: Record<string, unknown> }[]>`
      select data from notification where account_id = ${accountId} and alert = 'payment_received'
        and data->>'paymentId' = ${p.id}`;
    expect(n!.data).toMatchObject({
      paymentId: p.id,
      amountCents: 41_751,
      confirmationNumber: v.confirmationNumber,
      method: 'card',
      methodBrand: 'visa',
      methodLast4: '4242',
      newBalanceCents: 100_000,
      timeZone: 'UTC',
    });
    const msg = await eventually(async () => {
      // the counter payment above has its own receipt email: this one is the card payment's
      const ms = await sql<{ body: string }[]>`select body from outbound_message
        where account_id = ${accountId} and template = 'payment_received' and channel = 'email'`;
      return ms.find((m) => m.body.includes('$417.51'));
    });
    expect(msg.body).toContain(`Confirmation number: ${v.confirmationNumber}`);
    expect(msg.body).toContain('Paid with: Visa ending 4242');
    expect(msg.body).toContain(`Date and time: ${formatLocalDateTime(v.postedAt, 'UTC', 'en')}`);
    expect(msg.body).toContain('Your balance now: $1,000.00');
  });

  it('an ACH payment: processing with no posted time, then the bank and last 4 once it settles', async () => {
    const accountId = await owing(8_000);
    const staff = await staffToken(app, sql, 'csr');
    const p = await pay(accountId, staff, 8_000, 'ach');
    await stripeWebhook(app, stripe.event(p.intentId, 'payment_intent.processing', { status: 'processing' }));
    await eventually(async () => (await status(p.id)) === 'processing');
    expect((await receipt(p.id, staff)).json()).toMatchObject({
      status: 'processing',
      postedAt: null,
      newBalanceCents: null,
    });
    await stripeWebhook(app, stripe.event(p.intentId, 'payment_intent.succeeded', { status: 'succeeded' }));
    await eventually(async () => (await status(p.id)) === 'succeeded');
    expect((await receipt(p.id, staff)).json()).toMatchObject({
      method: 'ach',
      methodBrand: 'STRIPE TEST BANK',
      methodLast4: '6789',
      newBalanceCents: 0,
    });
  });

  it("a customer sees only their own receipts: another account's payment and a missing one are the same 404", async () => {
    const mine = await owing(5_000);
    const theirs = await owing(6_000);
    const customer = await customerLogin(app, sql, [mine]);
    const other = await customerLogin(app, sql, [theirs]);
    const p = await pay(theirs, other.token, 6_000, 'card');
    const denied = await receipt(p.id, customer.token);
    expect(denied.statusCode).toBe(404);
    expect(denied.body).not.toContain(theirs);
    const missing = await receipt('pay_missing', customer.token);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe(denied.json().error.code);
    expect((await app.inject({ method: 'GET', url: `/payments/${p.id}/receipt` })).statusCode).toBe(401);
  });
});
