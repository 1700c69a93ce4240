// The customer's saved methods as a screen of their own, through the real Stripe SDK against the project's
// Stripe fake: add a card with a SetupIntent (confirmed as Stripe.js confirms it), make one the default,
// move autopay to a new card and remove the old one (Stripe detach) without a call to the utility. The
// method autopay pays with cannot be removed, and a removal racing an autopay enrolment with the same
// method never leaves autopay on a method that is gone. Autopay's next debit is shown with its date and amount.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../db/client.js';
import { autopayWorkflowId } from '../../workflows/contracts/payment.js';
import { StripeFake } from '../fakes/stripe.js';
import { simpleBill, waterAccount } from '../support/accounts.js';
import { bearer, customerLogin, staffToken, type TestApp, testApp } from '../support/api.js';
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
  outboxApp = await testApp(sql, t); // no Stripe keys
});
afterAll(() => stripe.stop());

/** An account with its November bill: $84.12, billed Nov 30, due Dec 21 (the tests run on Dec 1). */
async function billedAccount() {
  const w = await waterAccount(sql);
  await simpleBill(sql, {
    accountId: w.acct.id,
    agreementId: w.agreementId,
    period: '2026-11',
    totalCents: 8_412,
    dueDate: '2026-12-21',
  });
  return w.acct.id as string;
}

type Call = { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; payload?: Record<string, unknown> };
const call = (token: string, c: Call, on = app) =>
  on.inject({
    method: c.method,
    url: c.url,
    headers: bearer(token),
    ...(c.payload ? { payload: c.payload } : {}),
  });

function customerApi(accountId: string, token: string, on = app) {
  const base = `/accounts/${accountId}`;
  return {
    list: () => call(token, { method: 'GET', url: `${base}/payment-methods` }, on),
    setup: (method: 'card' | 'ach') =>
      call(token, { method: 'POST', url: `${base}/payment-methods/setup`, payload: { method } }, on),
    setDefault: (methodId: string) =>
      call(token, { method: 'PUT', url: `${base}/payment-methods/default`, payload: { methodId } }, on),
    remove: (methodId: string) =>
      call(token, { method: 'DELETE', url: `${base}/payment-methods/${methodId}` }, on),
    autopay: () => call(token, { method: 'GET', url: `${base}/autopay` }, on),
    enrol: (paymentMethodRef: string, daysBeforeDue = 0, method: 'card' | 'ach' = 'card') =>
      call(
        token,
        { method: 'PUT', url: `${base}/autopay`, payload: { method, paymentMethodRef, daysBeforeDue } },
        on,
      ),
  };
}

/** Adds a method as the portal does: a SetupIntent from the API, confirmed the way Stripe.js confirms it. */
async function addMethod(c: ReturnType<typeof customerApi>, pm: string, kind: 'card' | 'ach' = 'card') {
  const r = await c.setup(kind);
  expect(r.statusCode, r.body).toBe(201);
  const { id, clientSecret } = r.json();
  expect(clientSecret.startsWith(`${id}_secret_`)).toBe(true);
  const si = await stripe.client.setupIntents.confirm(id, { payment_method: pm });
  expect(si.status).toBe('succeeded');
  return id as string;
}

const stripeCustomer = async (accountId: string) =>
  (
    await sql<{ id: string | null }[]>`select stripe_customer_id as id from account where id = ${accountId}`
  )[0]!.id;

describe('saved payment methods screen', () => {
  it('adds cards, sets a default, moves autopay to the new card and removes the old one', async () => {
    const accountId = await billedAccount();
    const me = await customerLogin(app, sql, [accountId]);
    const c = customerApi(accountId, me.token);
    expect((await c.list()).json().data).toEqual([]);

    const seti = await addMethod(c, 'pm_card_visa');
    const cus = await stripeCustomer(accountId);
    expect(cus).toMatch(/^cus_/);
    // the SetupIntent was made on the account's own customer, for later off-session charges
    expect(stripe.setupIntents.get(seti)).toMatchObject({
      customer: cus,
      usage: 'off_session',
      payment_method_types: ['card'],
      metadata: { account_id: accountId },
    });
    await addMethod(c, 'pm_card_mastercard');
    const listed = (await c.list()).json().data;
    expect(listed).toEqual([
      {
        id: 'pm_card_visa',
        type: 'card',
        brand: 'visa',
        last4: '4242',
        expMonth: 12,
        expYear: 2034,
        isDefault: false,
      },
      {
        id: 'pm_card_mastercard',
        type: 'card',
        brand: 'mastercard',
        last4: '4444',
        expMonth: 3,
        expYear: 2031,
        isDefault: false,
      },
    ]);

    // the default is Stripe's own: the customer's invoice_settings.default_payment_method
    const def = await c.setDefault('pm_card_mastercard');
    expect(def.statusCode, def.body).toBe(200);
    expect(def.json().data.map((m: { id: string; isDefault: boolean }) => [m.id, m.isDefault])).toEqual([
      ['pm_card_visa', false],
      ['pm_card_mastercard', true],
    ]);
    expect(stripe.customers.get(cus!)?.invoice_settings.default_payment_method).toBe('pm_card_mastercard');

    // autopay on the old card, three days before the due date
    expect((await c.enrol('pm_card_visa', 3)).statusCode).toBe(200);
    const status = (await c.autopay()).json();
    expect(status).toMatchObject({ enrolled: true, paymentMethodRef: 'pm_card_visa', daysBeforeDue: 3 });
    // the November bill, due Dec 21, debited Dec 18 for what is owed on it
    expect(status.nextDebit).toEqual({
      kind: 'bill',
      date: '2026-12-18',
      amountCents: 8_412,
      billId: expect.any(String),
    });
    // and that bill's autopay workflow is started by the enrolment, to debit it on that day
    const handle = t.env.client.workflow.getHandle(autopayWorkflowId(status.nextDebit.billId));
    expect((await handle.describe()).status.name).toBe('RUNNING');

    // the card autopay pays with cannot be removed: the answer names the field
    const refused = await c.remove('pm_card_visa');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      type: 'invalid_request_error',
      code: 'payment_method_in_use',
      param: 'methodId',
    });
    expect(stripe.paymentMethods.get('pm_card_visa')?.customer).toBe(cus);
    expect(stripe.requests.filter((r) => r.path.endsWith('/detach'))).toHaveLength(0);

    // updating the card: autopay moves to the new one, then the old one is removed (Stripe detach)
    expect((await c.enrol('pm_card_mastercard', 3)).json()).toMatchObject({
      paymentMethodRef: 'pm_card_mastercard',
    });
    const removed = await c.remove('pm_card_visa');
    expect(removed.statusCode, removed.body).toBe(204);
    expect(stripe.requests.filter((r) => r.path === '/v1/payment_methods/pm_card_visa/detach')).toHaveLength(
      1,
    );
    expect(stripe.paymentMethods.get('pm_card_visa')?.customer).toBeNull();
    expect((await c.list()).json().data.map((m: { id: string }) => m.id)).toEqual(['pm_card_mastercard']);
    // removing it again: it is not on this account any more
    expect((await c.remove('pm_card_visa')).json().error).toMatchObject({
      code: 'payment_method_invalid',
      param: 'methodId',
    });
    // and with autopay stopped the last card can go too; the next debit is no longer shown
    expect(
      (await call(me.token, { method: 'DELETE', url: `/accounts/${accountId}/autopay` })).statusCode,
    ).toBe(204);
    expect((await c.autopay()).json()).toMatchObject({ enrolled: false, nextDebit: null });
    expect((await c.remove('pm_card_mastercard')).statusCode).toBe(204);
    expect(stripe.customers.get(cus!)?.invoice_settings.default_payment_method).toBeNull();
    expect((await c.list()).json().data).toEqual([]);
  });

  it('moving the debit day moves the debit already waiting: 20 days before a Dec 21 due date is today', async () => {
    const accountId = await billedAccount();
    const me = await customerLogin(app, sql, [accountId]);
    const c = customerApi(accountId, me.token);
    await addMethod(c, 'pm_card_visa');
    expect((await c.enrol('pm_card_visa', 3)).statusCode).toBe(200);
    const { billId, date } = (await c.autopay()).json().nextDebit;
    expect(date).toBe('2026-12-18');
    const handle = t.env.client.workflow.getHandle(autopayWorkflowId(billId));
    const waiting = await handle.describe();
    expect(waiting.status.name).toBe('RUNNING');
    const debits = () => sql`select amount_cents, status from payment where bill_id = ${billId}`;
    expect(await debits()).toEqual([]);
    // the customer now wants it 20 days before: that day is today, so the waiting workflow debits now
    const moved = await c.enrol('pm_card_visa', 20);
    expect(moved.statusCode, moved.body).toBe(200);
    expect((await c.autopay()).json().nextDebit).toMatchObject({ kind: 'bill', date: '2026-12-01' });
    expect(await handle.result()).toMatchObject({ status: 'debit_started', amountCents: 8_412 });
    expect(await debits()).toEqual([{ amountCents: 8_412, status: expect.any(String) }]);
    // and the same workflow did it: no second one was started for the bill
    expect((await handle.describe()).runId).toBe(waiting.runId);
  });

  it('a bank account is added the same way; a method is refused where it does not belong', async () => {
    const accountId = await billedAccount();
    const me = await customerLogin(app, sql, [accountId]);
    const c = customerApi(accountId, me.token);
    await addMethod(c, 'pm_usBankAccount', 'ach');
    expect((await c.list()).json().data).toEqual([
      { id: 'pm_usBankAccount', type: 'ach', bankName: 'STRIPE TEST BANK', last4: '6789', isDefault: false },
    ]);
    // autopay with a bank account said to be a card: refused, naming the field
    expect((await c.enrol('pm_usBankAccount', 0, 'card')).json().error).toMatchObject({
      code: 'payment_method_invalid',
      param: 'method',
    });

    // another customer reaches none of it
    const otherId = await billedAccount();
    const other = await customerLogin(app, sql, [otherId]);
    const intruder = customerApi(accountId, other.token);
    for (const r of [
      await intruder.list(),
      await intruder.setup('card'),
      await intruder.setDefault('pm_usBankAccount'),
      await intruder.remove('pm_usBankAccount'),
    ])
      expect(r.statusCode, r.body).toBe(404);
    // nor through their own account: the method is not theirs
    const own = customerApi(otherId, other.token);
    for (const r of [await own.setDefault('pm_usBankAccount'), await own.remove('pm_usBankAccount')])
      expect(r.json().error, r.body).toMatchObject({ code: 'payment_method_invalid', param: 'methodId' });
    expect(stripe.paymentMethods.get('pm_usBankAccount')?.customer).toBe(await stripeCustomer(accountId));

    // staff can help, and bad input is a 4xx naming the field
    const csr = await staffToken(app, sql, 'csr');
    const helped = customerApi(accountId, csr);
    expect((await helped.list()).json().data).toHaveLength(1);
    expect((await helped.setDefault('pm_usBankAccount')).json().data[0].isDefault).toBe(true);
    const [audit] = await sql`select actor_role, resource_type, resource_id, detail from audit_log
      where resource_type = 'payment_method' and resource_id = 'pm_usBankAccount'`;
    expect(audit).toMatchObject({ actorRole: 'csr', detail: { default: true, status: 200 } });
    const bad = await c.remove('not-a-method');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.param).toBe('methodId');
    const badKind = await call(me.token, {
      method: 'POST',
      url: `/accounts/${accountId}/payment-methods/setup`,
      payload: { method: 'cash' },
    });
    expect(badKind.statusCode).toBe(400);
    expect(badKind.json().error.param).toBe('method');

    // without Stripe (dev outbox) there is nothing to save methods at: said so, not a 500
    const outbox = await customerLogin(outboxApp, sql, [accountId]);
    const noStripe = await customerApi(accountId, outbox.token, outboxApp).setup('card');
    expect(noStripe.statusCode).toBe(400);
    expect(noStripe.json().error).toMatchObject({ code: 'saved_methods_unavailable', param: 'method' });
  });

  it('a removal racing an autopay enrolment with the same method: one wins, autopay never keeps a removed method', async () => {
    const accountId = await billedAccount();
    const me = await customerLogin(app, sql, [accountId]);
    const c = customerApi(accountId, me.token);
    await addMethod(c, 'pm_card_mastercard');
    expect((await c.enrol('pm_card_mastercard')).statusCode).toBe(200);
    const cus = await stripeCustomer(accountId);
    const outcomes = new Set<string>();
    // every Stripe answer takes a while, so the check and the act of each request overlap the other's
    stripe.latencyMs = 60;
    try {
      for (let round = 0; round < 6; round++) {
        await addMethod(c, 'pm_card_visa');
        // both at once (the enrolment reaches the lock first), or the enrolment arriving while the removal
        // holds the lock and waits on Stripe's detach
        const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
        const [enrol, remove] =
          round % 2
            ? await Promise.all([later(90).then(() => c.enrol('pm_card_visa')), c.remove('pm_card_visa')])
            : await Promise.all([c.enrol('pm_card_visa'), c.remove('pm_card_visa')]);
        const [row] = await sql<{ ref: string; status: string }[]>`
          select payment_method_ref as ref, status from autopay_enrollment where account_id = ${accountId}`;
        const attached = stripe.paymentMethods.get('pm_card_visa')?.customer === cus;
        if (enrol!.statusCode === 200) {
          // autopay took the card first: the removal was refused, and the card is still there
          expect(remove!.statusCode, remove!.body).toBe(409);
          expect(remove!.json().error).toMatchObject({ code: 'payment_method_in_use', param: 'methodId' });
          expect(row).toMatchObject({ ref: 'pm_card_visa', status: 'active' });
          expect(attached).toBe(true);
          outcomes.add('enrolled first');
          // back to the other card for the next round
          expect((await c.enrol('pm_card_mastercard')).statusCode).toBe(200);
        } else {
          // the removal went first: the enrolment found the card gone, autopay kept its method
          expect(remove!.statusCode, remove!.body).toBe(204);
          expect(enrol!.statusCode, enrol!.body).toBe(400);
          expect(enrol!.json().error).toMatchObject({
            code: 'payment_method_invalid',
            param: 'paymentMethodRef',
          });
          expect(row).toMatchObject({ ref: 'pm_card_mastercard', status: 'active' });
          expect(attached).toBe(false);
          outcomes.add('removed first');
        }
      }
    } finally {
      stripe.latencyMs = 0;
    }
    expect([...outcomes].sort()).toEqual(['enrolled first', 'removed first']);
    console.log(`payment method race outcomes: ${[...outcomes].join(', ')}`);
  });
});
