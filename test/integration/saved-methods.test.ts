// Saved payment methods through the real Stripe SDK against the project's Stripe fake: a customer pays and
// saves the card, sees it listed, pays again with it off-session; a method saved on another account's Stripe
// customer is refused, and nobody lists another customer's methods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents } from '../../db/ledger.js';
import { StripeFake } from '../fakes/stripe.js';
import { accountOwing as owing } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, stripeWebhook, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let outboxApp: TestApp;
let stripe: StripeFake;
let t: TemporalHarness;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  stripe = await new StripeFake().start();
  t = await startWorkers(sql, { stripe: stripe.client });
  app = await testApp(sql, t, { client: stripe.client, webhookSecret: stripe.webhookSecret });
  outboxApp = await testApp(sql, t); // the same API with no Stripe keys
});
afterAll(() => stripe.stop());

const accountOwing = (cents: number) => owing(sql, cents, 'Saver');

const webhook = (e: { payload: string; signature: string }) => stripeWebhook(app, e);
const payRequest = (accountId: string, token: string, payload: Record<string, unknown>, on = app) =>
  on.inject({
    method: 'POST',
    url: `/accounts/${accountId}/payments`,
    headers: bearer(token),
    payload,
  });
const methods = (accountId: string, token: string, on = app) =>
  on.inject({ method: 'GET', url: `/accounts/${accountId}/payment-methods`, headers: bearer(token) });
const waitFor = async (f: () => Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await f()); i++) await new Promise((r) => setTimeout(r, 100));
};
const row = async (id: string) =>
  (
    await sql<
      { status: string; providerRef: string }[]
    >`select status, provider_ref from payment where id = ${id}`
  )[0]!;
const stripeCustomer = async (accountId: string) =>
  (
    await sql<
      { stripeCustomerId: string | null }[]
    >`select stripe_customer_id from account where id = ${accountId}`
  )[0]!.stripeCustomerId;

describe('saved payment methods', () => {
  it('saves the card on a payment, lists it, pays again with it off-session; refuses it to anyone else', async () => {
    const accountId = await accountOwing(10_000);
    const customer = await customerLogin(app, sql, [accountId]);

    // nothing saved yet, and no Stripe customer until the first payment
    expect((await methods(accountId, customer.token)).json()).toEqual({
      object: 'list',
      data: [],
      has_more: false,
    });
    expect(await stripeCustomer(accountId)).toBeNull();

    const first = await payRequest(accountId, customer.token, {
      amountCents: 3_000,
      method: 'card',
      saveMethod: true,
    });
    expect(first.statusCode, first.body).toBe(201);
    const p1 = first.json();
    const cus = await stripeCustomer(accountId);
    expect(cus).toMatch(/^cus_/);
    const created = stripe.requests.filter((r) => r.path === '/v1/customers');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      idempotencyKey: `customer:${accountId}`,
      body: { 'metadata[account_id]': accountId },
    });
    const { providerRef: intent1 } = await row(p1.id);
    expect(stripe.intents.get(intent1)).toMatchObject({
      customer: cus,
      setup_future_usage: 'off_session',
      status: 'requires_payment_method',
    });

    // the customer confirms in the Payment Element; Stripe's webhook arrives and the card is now saved
    const ok = await webhook(stripe.event(intent1, 'payment_intent.succeeded', { status: 'succeeded' }));
    expect(ok.statusCode).toBe(200);
    await waitFor(async () => (await row(p1.id)).status === 'succeeded');
    expect(await accountBalanceCents(sql, accountId)).toBe(7_000);

    const list = await methods(accountId, customer.token);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toEqual({
      object: 'list',
      data: [
        {
          id: 'pm_card_visa',
          type: 'card',
          brand: 'visa',
          last4: '4242',
          expMonth: 12,
          expYear: 2034,
          isDefault: false,
        },
      ],
      has_more: false,
    });
    // staff see the same list
    const csr = await staffToken(app, sql, 'csr');
    expect((await methods(accountId, csr)).json().data).toHaveLength(1);

    // paying with the saved card: confirmed off-session at once and posted without any webhook
    const second = await payRequest(accountId, customer.token, {
      amountCents: 2_500,
      method: 'card',
      paymentMethodRef: 'pm_card_visa',
    });
    expect(second.statusCode, second.body).toBe(201);
    const p2 = second.json();
    const { providerRef: intent2 } = await row(p2.id);
    const req2 = stripe.requests.find(
      (r) => r.path === '/v1/payment_intents' && r.body['metadata[payment_id]'] === p2.id,
    );
    expect(req2?.body).toMatchObject({
      customer: cus,
      payment_method: 'pm_card_visa',
      confirm: 'true',
      off_session: 'true',
      amount: '2500',
    });
    expect(req2?.body.setup_future_usage).toBeUndefined();
    expect(stripe.intents.get(intent2)?.status).toBe('succeeded');
    await waitFor(async () => (await row(p2.id)).status === 'succeeded');
    expect((await row(p2.id)).status).toBe('succeeded');
    expect(await accountBalanceCents(sql, accountId)).toBe(4_500);
    // the customer was created once, however many payments
    expect(stripe.requests.filter((r) => r.path === '/v1/customers')).toHaveLength(1);

    // another account, with its own Stripe customer, cannot charge this account's card
    const otherId = await accountOwing(5_000);
    const other = await customerLogin(app, sql, [otherId]);
    const noCustomerYet = await payRequest(otherId, other.token, {
      amountCents: 1_000,
      method: 'card',
      paymentMethodRef: 'pm_card_visa',
    });
    expect(noCustomerYet.statusCode).toBe(400);
    expect(noCustomerYet.json().error).toMatchObject({
      code: 'payment_method_invalid',
      param: 'paymentMethodRef',
    });
    expect((await payRequest(otherId, other.token, { amountCents: 1_000, method: 'card' })).statusCode).toBe(
      201,
    );
    expect(await stripeCustomer(otherId)).toMatch(/^cus_/);
    expect(await stripeCustomer(otherId)).not.toBe(cus);
    for (const payload of [
      { amountCents: 1_000, method: 'card', paymentMethodRef: 'pm_card_visa' },
      { amountCents: 1_000, method: 'card', paymentMethodRef: 'pm_doesNotExist' },
    ]) {
      const r = await payRequest(otherId, other.token, payload);
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().error).toMatchObject({
        type: 'invalid_request_error',
        code: 'payment_method_invalid',
        param: 'paymentMethodRef',
      });
    }
    // nor enrol it in autopay
    const autopay = await app.inject({
      method: 'PUT',
      url: `/accounts/${otherId}/autopay`,
      headers: bearer(other.token),
      payload: { method: 'card', paymentMethodRef: 'pm_card_visa' },
    });
    expect(autopay.statusCode).toBe(400);
    expect(autopay.json().error).toMatchObject({ code: 'payment_method_invalid', param: 'paymentMethodRef' });
    expect(await accountBalanceCents(sql, otherId)).toBe(5_000);
    // and the card stays with its owner, who can still enrol it (a card is not a bank account)
    const wrongKind = await payRequest(accountId, customer.token, {
      amountCents: 1_000,
      method: 'ach',
      paymentMethodRef: 'pm_card_visa',
    });
    expect(wrongKind.statusCode).toBe(400);
    expect(wrongKind.json().error).toMatchObject({ code: 'payment_method_invalid', param: 'method' });
    const own = await app.inject({
      method: 'PUT',
      url: `/accounts/${accountId}/autopay`,
      headers: bearer(customer.token),
      payload: { method: 'card', paymentMethodRef: 'pm_card_visa' },
    });
    expect(own.statusCode, own.body).toBe(200);

    // another customer cannot list this account's methods; their own list is empty
    expect((await methods(accountId, other.token)).statusCode).toBe(404);
    expect((await methods(otherId, other.token)).json()).toEqual({
      object: 'list',
      data: [],
      has_more: false,
    });
    expect(await accountBalanceCents(sql, accountId)).toBe(4_500);
  });

  it('a saved card the bank declines fails the payment at once (Stripe answers 402) and posts nothing', async () => {
    const accountId = await accountOwing(4_000);
    const customer = await customerLogin(app, sql, [accountId]);
    const first = await payRequest(accountId, customer.token, { amountCents: 1_000, method: 'card' });
    expect(first.statusCode, first.body).toBe(201);
    // saved earlier (as Stripe attaches a method to a customer), declined when charged
    await stripe.client.paymentMethods.attach('pm_card_chargeDeclined', {
      customer: (await stripeCustomer(accountId))!,
    });
    const listed = (await methods(accountId, customer.token)).json().data;
    expect(listed).toEqual([expect.objectContaining({ id: 'pm_card_chargeDeclined', last4: '0002' })]);
    const r = await payRequest(accountId, customer.token, {
      amountCents: 1_500,
      method: 'card',
      paymentMethodRef: 'pm_card_chargeDeclined',
    });
    expect(r.statusCode, r.body).toBe(201);
    await waitFor(async () => (await row(r.json().id)).status === 'failed');
    const [p] = await sql<
      { status: string; failureCode: string; providerRef: string }[]
    >`select status, failure_code, provider_ref from payment where id = ${r.json().id}`;
    expect(p).toMatchObject({
      status: 'failed',
      failureCode: 'card_declined',
      providerRef: expect.stringMatching(/^pi_/),
    });
    expect(await accountBalanceCents(sql, accountId)).toBe(4_000);
  });

  it('in the dev outbox a saved method is refused clearly and the list is empty', async () => {
    const accountId = await accountOwing(2_000);
    const customer = await customerLogin(outboxApp, sql, [accountId]);
    const r = await payRequest(
      accountId,
      customer.token,
      { amountCents: 1_000, method: 'card', paymentMethodRef: 'pm_card_visa' },
      outboxApp,
    );
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({
      code: 'saved_methods_unavailable',
      param: 'paymentMethodRef',
    });
    expect((await methods(accountId, customer.token, outboxApp)).json()).toEqual({
      object: 'list',
      data: [],
      has_more: false,
    });
    // a malformed reference is a 400 from the schema, never a 500
    const bad = await payRequest(accountId, customer.token, {
      amountCents: 1_000,
      method: 'card',
      paymentMethodRef: 'not a method',
    });
    expect(bad.statusCode).toBe(400);
  });
});
