// Payments through the real Stripe SDK against the project's Stripe fake, with real webhook signatures:
// posted once however often and in whatever order the webhooks come, ACH pending then returned, overpayment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createCustomer } from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents, trialBalance } from '../../db/ledger.js';
import { paymentWorkflowId } from '../../workflows/payment.js';
import { StripeFake } from '../fakes/stripe.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers, type TemporalHarness } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
let stripe: StripeFake;
let t: TemporalHarness;

beforeAll(async () => {
  ({ sql } = await freshDatabase());
  stripe = await new StripeFake().start();
  t = await startWorkers(sql, { stripe: stripe.client });
  app = await testApp(sql, t, { client: stripe.client, webhookSecret: stripe.webhookSecret });
});
afterAll(() => stripe.stop());

async function accountOwing(cents: number) {
  const c = await createCustomer(sql, { name: 'Payer' });
  const a = await createAccount(sql, { customerId: c.id });
  await sql.begin(async (tx) => {
    await tx`insert into ledger_account (id, kind, name, account_id) values (${`ar:${a.id}`}, 'asset', 'AR', ${a.id}), ('revenue:water', 'revenue', 'Water', null) on conflict do nothing`;
    await tx`insert into journal_entry (id, idempotency_key, kind, account_id, effective_on, description) values (${`je_open_${a.id}`}, ${`open:${a.id}`}, 'opening_balance', ${a.id}, '2026-10-01', 'Opening balance')`;
    await tx`insert into posting (journal_entry_id, ledger_account_id, amount_cents) values (${`je_open_${a.id}`}, ${`ar:${a.id}`}, ${cents}), (${`je_open_${a.id}`}, 'revenue:water', ${-cents})`;
  });
  return a.id as string;
}

const webhook = (e: { payload: string; signature: string }) =>
  app.inject({
    method: 'POST',
    url: '/webhooks/stripe',
    headers: { 'content-type': 'application/json', 'stripe-signature': e.signature },
    payload: e.payload,
  });

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
});
