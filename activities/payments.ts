// Payment activities: the gateway call (Stripe through its SDK, or the dev outbox) and the ledger postings.
// Each is idempotent: the intent is created with the payment's stored idempotency key, and every posting
// has its own key (payment:{id}, payment:{id}:return, payment:{id}:return-fee).
import { ApplicationFailure } from '@temporalio/activity';
import Stripe from 'stripe';
import { postAdjustment, reverseEntry } from '../db/adjustments.js';
import type { Sql, Tx } from '../db/client.js';
import { accountBalanceCents, postEntry } from '../db/ledger.js';
import { queueNotification } from '../db/notifications.js';
import { allocateOldestFirst, queueReceiptNotice } from '../db/payments.js';
import { releaseRefund, settleRefund } from '../db/refunds.js';
import { autopayAmountCents } from '../domain/autopay.js';
import { paymentEntry, receivable } from '../domain/ledger.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { paymentsTotal } from '../lib/metrics.js';
import { paymentWorkflowId } from '../workflows/contracts/payment.js';

export interface PaymentRow {
  id: string;
  accountId: string;
  amountCents: number;
  method: string;
  status: string;
  idempotencyKey: string;
  provider: string;
  providerRef: string | null;
  journalEntryId: string | null;
  paymentMethodRef: string | null;
  saveMethod: boolean;
}

/**
 * The account's Stripe Customer, created once: the idempotency key names the account, so two payments racing
 * to create it get the same customer, and the id is stored only where none is stored yet.
 */
export async function ensureStripeCustomer(sql: Sql, stripe: Stripe, accountId: string): Promise<string> {
  const [a] = await sql<
    { stripeCustomerId: string | null }[]
  >`select stripe_customer_id from account where id = ${accountId}`;
  if (!a) throw new Error(`account ${accountId} does not exist`);
  if (a.stripeCustomerId) return a.stripeCustomerId;
  const customer = await stripe.customers.create(
    { metadata: { account_id: accountId } },
    { idempotencyKey: `customer:${accountId}` },
  );
  const [stored] = await sql<{ stripeCustomerId: string }[]>`
    update account set stripe_customer_id = coalesce(stripe_customer_id, ${customer.id})
    where id = ${accountId} returning stripe_customer_id`;
  return stored!.stripeCustomerId;
}

type PaymentNotice = 'payment_received' | 'payment_failed' | 'payment_returned';

/**
 * A receipt or notice for the customer, asked for once per payment and kind (the key). Queued in the caller's
 * transaction; the messaging capability sends it by the customer's subscriptions, language and channels.
 */
async function notify(
  db: Sql | Tx,
  p: PaymentRow,
  kind: PaymentNotice,
  code: string | null = null,
  receipt: Record<string, string | number | null> = {},
) {
  await queueNotification(db, {
    accountId: p.accountId,
    alert: kind,
    key: `${kind}/${p.id}`,
    data: { paymentId: p.id, amountCents: p.amountCents, code, ...receipt },
  });
}

/**
 * The method a Stripe payment was charged to, from its latest charge: the card's brand and last 4, or the
 * bank's name and last 4. Asked once when the payment posts; if Stripe cannot answer then, the payment posts
 * all the same and its receipt shows the method without them.
 */
async function chargedMethod(stripe: Stripe, intentId: string) {
  try {
    const pi = await stripe.paymentIntents.retrieve(intentId, { expand: ['latest_charge'] });
    const d =
      pi.latest_charge && typeof pi.latest_charge !== 'string'
        ? pi.latest_charge.payment_method_details
        : null;
    if (d?.card) return { brand: d.card.brand ?? null, last4: d.card.last4 ?? null };
    if (d?.us_bank_account)
      return { brand: d.us_bank_account.bank_name ?? null, last4: d.us_bank_account.last4 ?? null };
  } catch {
    // the receipt can do without the brand; the money cannot wait for it
  }
  return { brand: null, last4: null };
}

export function createPaymentActivities(sql: Sql, stripe: Stripe | null, clock: Clock = systemClock()) {
  const today = () => clock.today();
  const load = async (id: string) => {
    const [p] = await sql<
      PaymentRow[]
    >`select id, account_id, amount_cents, method, status, idempotency_key, provider,
      provider_ref, journal_entry_id, payment_method_ref, save_method from payment where id = ${id}`;
    if (!p) throw new Error(`payment ${id} does not exist`);
    return p;
  };
  return {
    /** Creates the gateway's PaymentIntent once (Stripe replays the first response for the same key). */
    async createPaymentIntent(a: { paymentId: string }): Promise<{
      provider: 'stripe' | 'outbox';
      intentId: string;
      clientSecret: string | null;
      /** set when a saved method was confirmed off-session: the gateway's answer, before any webhook */
      confirmed?: { status: string; failureCode: string | null };
    }> {
      const p = await load(a.paymentId);
      if (!stripe) {
        // dev outbox: no gateway; the payment is recorded and treated as confirmed by the customer
        await sql`update payment set provider = 'outbox', provider_ref = ${`outbox_${p.id}`} where id = ${p.id}`;
        return { provider: 'outbox', intentId: `outbox_${p.id}`, clientSecret: null };
      }
      const customer = await ensureStripeCustomer(sql, stripe, p.accountId);
      let intent: Stripe.PaymentIntent;
      try {
        intent = await stripe.paymentIntents.create(
          {
            amount: p.amountCents,
            customer,
            currency: 'usd',
            allowed_payment_method_types: [p.method === 'ach' ? 'us_bank_account' : 'card'],
            metadata: { payment_id: p.id, account_id: p.accountId },
            // autopay: the saved method, charged without the customer present
            ...(p.paymentMethodRef
              ? { payment_method: p.paymentMethodRef, confirm: true, off_session: true }
              : p.saveMethod
                ? { setup_future_usage: 'off_session' as const }
                : {}),
          },
          { idempotencyKey: p.idempotencyKey },
        );
      } catch (e) {
        // Stripe answers a declined off-session charge with a 402 that carries the intent: that is the
        // gateway's answer (a failed payment), not an error to retry
        const declined = e instanceof Stripe.errors.StripeCardError ? e.payment_intent : undefined;
        if (!p.paymentMethodRef || !declined) throw e;
        await sql`update payment set provider = 'stripe', provider_ref = ${declined.id} where id = ${p.id}`;
        return {
          provider: 'stripe',
          intentId: declined.id,
          clientSecret: declined.client_secret,
          confirmed: {
            status: declined.status,
            failureCode:
              declined.last_payment_error?.code ??
              (e as Stripe.errors.StripeCardError).code ??
              'card_declined',
          },
        };
      }
      await sql`update payment set provider = 'stripe', provider_ref = ${intent.id} where id = ${p.id}`;
      return {
        provider: 'stripe',
        intentId: intent.id,
        clientSecret: intent.client_secret,
        ...(p.paymentMethodRef
          ? { confirmed: { status: intent.status, failureCode: intent.last_payment_error?.code ?? null } }
          : {}),
      };
    },

    /** The business date and zone a workflow's policy clock starts from (the one injected clock). */
    async businessDay(): Promise<{ today: string; timeZone: string }> {
      return { today: today(), timeZone: clock.timeZone };
    },

    /** The amount autopay debits for a bill: what is still owed on the account, at most the bill's total. */
    async startAutopayPayment(a: {
      billId: string;
    }): Promise<{ paymentId: string | null; amountCents: number }> {
      const [row] = await sql<
        { accountId: string; totalCents: number; method: string; ref: string; status: string }[]
      >`
        select b.account_id, b.total_cents, e.method, e.payment_method_ref as ref, e.status
        from bill b join autopay_enrollment e on e.account_id = b.account_id where b.id = ${a.billId}`;
      if (row?.status !== 'active') return { paymentId: null, amountCents: 0 };
      const balance = await accountBalanceCents(sql, row.accountId);
      const amount = autopayAmountCents(balance, row.totalCents);
      if (!amount) return { paymentId: null, amountCents: 0 }; // paid already, or too small to charge
      const [existing] = await sql<
        { id: string }[]
      >`select id from payment where bill_id = ${a.billId} and provider <> 'counter'`;
      if (existing) return { paymentId: existing.id, amountCents: amount };
      const id = `pay_autopay_${a.billId.slice(5)}`;
      await sql`insert into payment (id, account_id, amount_cents, method, status, received_at, idempotency_key, provider,
          payment_method_ref, bill_id, workflow_id)
        values (${id}, ${row.accountId}, ${amount}, ${row.method}, 'pending', now(), ${`autopay:${a.billId}`}, ${stripe ? 'stripe' : 'outbox'},
          ${row.ref}, ${a.billId}, ${paymentWorkflowId(id)})
        on conflict do nothing`;
      return { paymentId: id, amountCents: amount };
    },

    async setPaymentStatus(a: { paymentId: string; status: string; failureCode?: string | null }) {
      await sql`update payment set status = ${a.status}, failure_code = coalesce(${a.failureCode ?? null}, failure_code) where id = ${a.paymentId}`;
      if (a.status === 'failed') {
        const p = await load(a.paymentId);
        paymentsTotal.inc({ outcome: 'failed', channel: p.method });
        await notify(sql, p, 'payment_failed', a.failureCode ?? null);
      }
    },

    /** Puts the payment on the account: cash clearing debited, the receivable credited. */
    async postPayment(a: { paymentId: string }) {
      const p = await load(a.paymentId);
      const charged =
        p.provider === 'stripe' && stripe && p.providerRef
          ? await chargedMethod(stripe, p.providerRef)
          : { brand: null, last4: null };
      const done = await sql.begin(async (tx) => {
        const posted = await postEntry(
          tx,
          paymentEntry({
            idempotencyKey: `payment:${p.id}`,
            accountId: p.accountId,
            amountCents: p.amountCents,
            receivedOn: today(),
            description: `Payment (${p.method})`,
          }),
        );
        await tx`update payment set status = 'succeeded', journal_entry_id = ${posted.id},
          method_brand = coalesce(${charged.brand}, method_brand), method_last4 = coalesce(${charged.last4}, method_last4)
          where id = ${p.id}`;
        if (posted.created) await allocateOldestFirst(tx, p.id, p.accountId, p.amountCents);
        // the receipt, emailed: what the portal's receipt shows (GET /payments/:id/receipt)
        if (posted.created) await queueReceiptNotice(tx, p.id, clock.timeZone);
        await tx`select pg_notify('account_events', ${JSON.stringify({ accountId: p.accountId, type: 'payment.succeeded', paymentId: p.id })})`;
        return { journalEntryId: posted.id, created: posted.created };
      });
      // counted once it is committed, and once per payment (a retried activity finds it posted)
      if (done.created) paymentsTotal.inc({ outcome: 'posted', channel: p.method });
      return done;
    },

    /** Refunds at the gateway (once per key) for a card or ACH payment; counter payments are refunded in cash or check. */
    async refundAtGateway(a: { paymentId: string; amountCents: number; key: string }) {
      const p = await load(a.paymentId);
      if (p.provider !== 'stripe' || !stripe) return { refundId: null };
      try {
        const r = await stripe.refunds.create(
          { payment_intent: p.providerRef!, amount: a.amountCents, metadata: { payment_id: p.id } },
          { idempotencyKey: a.key },
        );
        return { refundId: r.id };
      } catch (e) {
        // the gateway said no (e.g. already refunded there): asking again will not change its mind
        if (
          e instanceof Stripe.errors.StripeInvalidRequestError ||
          e instanceof Stripe.errors.StripeCardError
        )
          throw ApplicationFailure.nonRetryable(e.message, 'RefundRefused');
        throw e;
      }
    },

    /** A refund the gateway refused: its reservation is released. */
    async releaseRefund(a: { refundId: string }) {
      await releaseRefund(sql, a.refundId);
    },

    /** The refund in the ledger: the receivable goes back up, cash goes out. */
    async postRefund(a: {
      refundId: string;
      paymentId: string;
      amountCents: number;
      key: string;
      reason: string;
      gatewayRef: string | null;
    }) {
      const p = await load(a.paymentId);
      return sql.begin(async (tx) => {
        const posted = await postEntry(tx, {
          idempotencyKey: a.key,
          kind: 'reversal',
          accountId: p.accountId,
          effectiveOn: today(),
          description: `Refund of payment ${p.id}: ${a.reason}`,
          postings: [
            { ledgerAccount: receivable(p.accountId), amountCents: a.amountCents },
            { ledgerAccount: 'cash_clearing', amountCents: -a.amountCents },
          ],
        });
        const settled = await settleRefund(tx, {
          refundId: a.refundId,
          journalEntryId: posted.id,
          gatewayRef: a.gatewayRef,
        });
        if (settled) {
          await tx`select pg_notify('account_events', ${JSON.stringify({ accountId: p.accountId, type: 'payment.refunded', paymentId: p.id })})`;
        }
        return { journalEntryId: posted.id };
      });
    },

    /** A returned (e.g. R01) or reversed payment: reverse its posting and charge the returned-payment fee. */
    async reversePayment(a: { paymentId: string; reason: string; feeCents: number }) {
      const p = await load(a.paymentId);
      if (!p.journalEntryId) return { reversed: false };
      const r = await reverseEntry(sql, {
        journalEntryId: p.journalEntryId,
        idempotencyKey: `payment:${p.id}:return`,
        reason: a.reason,
        on: today(),
      });
      if (a.feeCents > 0) {
        await postAdjustment(sql, {
          idempotencyKey: `payment:${p.id}:return-fee`,
          accountId: p.accountId,
          kind: 'returned_payment_fee',
          amountCents: a.feeCents,
          reason: `payment ${p.id} returned (${a.reason})`,
          on: today(),
        });
      }
      await sql`update payment set status = 'returned', failure_code = ${a.reason}, return_entry_id = ${r.id} where id = ${p.id}`;
      await sql`delete from payment_allocation where payment_id = ${p.id}`; // the bills it paid are owed again
      await notify(sql, p, 'payment_returned', a.reason);
      await sql`select pg_notify('account_events', ${JSON.stringify({ accountId: p.accountId, type: 'payment.returned', paymentId: p.id })})`;
      paymentsTotal.inc({ outcome: 'returned', channel: p.method });
      return { reversed: true };
    },
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
