// Payments: a customer (for their own account) or staff start one; the gateway's signed webhooks move it.
// The handler verifies and hands each event to the payment's workflow; only the workflow posts money.
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import { wakeOpenCases } from '../../activities/collections.js';
import { importLockbox, recordCounterPayment } from '../../db/payments.js';
import { type ReservedRefund, reserveRefund } from '../../db/refunds.js';
import { Refused } from '../../db/refused.js';
import { receivedOnProblem } from '../../domain/received-on.js';
import { newId } from '../../lib/ids.js';
import { DUNNING } from '../../workflows/contracts/collections.js';
import { taskQueueName } from '../../workflows/contracts/names.js';
import {
  PAYMENT,
  type PaymentWorkflow,
  paymentEventSignal,
  paymentStateQuery,
  paymentWorkflowId,
  REFUND,
  type RefundWorkflow,
  refundWorkflowId,
} from '../../workflows/contracts/payment.js';
import { ApiError, notFound, refusal } from '../errors.js';
import { STAFF } from '../plugins/auth.js';
import { scopedKey } from '../plugins/idempotency.js';
import { IdParams, IsoDate } from '../schemas.js';
import { checkSignatureHeader } from '../signed-headers.js';
import type { App, AppDeps } from '../types.js';

const Payment = Type.Object({
  id: Type.String(),
  object: Type.Literal('payment'),
  accountId: Type.String(),
  amountCents: Type.Integer(),
  method: Type.String(),
  status: Type.String(),
  provider: Type.String(),
  clientSecret: Type.Union([Type.String(), Type.Null()]),
  failureCode: Type.Union([Type.String(), Type.Null()]),
  allocations: Type.Array(
    Type.Object({ billId: Type.String(), period: Type.String(), amountCents: Type.Integer() }),
    {
      description: 'how the payment was applied: oldest open bill first; the rest is a credit',
    },
  ),
});

export default async function paymentRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;
  const taskQueue = taskQueueName(PAYMENT.taskQueue, temporal.taskQueuePrefix);
  const collectionsQueue = taskQueueName(DUNNING.taskQueue, temporal.taskQueuePrefix);
  const paymentAccount = async (id: string) =>
    (await sql<{ accountId: string }[]>`select account_id from payment where id = ${id}`)[0]?.accountId;

  const view = async (id: string) => {
    const [p] = await sql<
      {
        id: string;
        accountId: string;
        amountCents: number;
        method: string;
        status: string;
        provider: string;
        failureCode: string | null;
      }[]
    >`
      select id, account_id, amount_cents, method, status, provider, failure_code from payment where id = ${id}`;
    if (!p) return undefined;
    const state = await temporal.client.workflow
      .getHandle(paymentWorkflowId(id))
      .query(paymentStateQuery)
      .catch(() => null);
    const allocations = await sql<{ billId: string; period: string; amountCents: number }[]>`
      select pa.bill_id, b.period, pa.amount_cents from payment_allocation pa join bill b on b.id = pa.bill_id
      where pa.payment_id = ${id} order by b.period`;
    return {
      ...p,
      object: 'payment' as const,
      clientSecret: state?.clientSecret ?? null,
      allocations: [...allocations],
    };
  };

  const pmRef = (description: string) => Type.String({ pattern: '^pm_[A-Za-z0-9_]{3,100}$', description });
  const invalidMethod = (message: string, param = 'paymentMethodRef') =>
    new ApiError(400, 'invalid_request_error', 'payment_method_invalid', message, param);

  /**
   * A saved method may be charged for an account only if Stripe has it attached to that account's Customer
   * (and it is of the kind asked for). 404 if the account does not exist; 400 otherwise.
   */
  const checkOwnMethod = async (accountId: string, ref: string, method: 'card' | 'ach') => {
    const [acct] = await sql<
      { stripeCustomerId: string | null }[]
    >`select stripe_customer_id from account where id = ${accountId}`;
    if (!acct) throw notFound('account', accountId);
    if (!deps.stripe)
      throw new ApiError(
        400,
        'invalid_request_error',
        'saved_methods_unavailable',
        'Saved payment methods need Stripe; this server records payments in the dev outbox',
        'paymentMethodRef',
      );
    if (!acct.stripeCustomerId) throw invalidMethod(`No saved payment method ${ref} on this account`);
    let pm: Stripe.PaymentMethod;
    try {
      pm = await deps.stripe.paymentMethods.retrieve(ref);
    } catch (e) {
      if (e instanceof Stripe.errors.StripeInvalidRequestError)
        throw invalidMethod(`No saved payment method ${ref} on this account`);
      if (e instanceof Stripe.errors.StripeError)
        throw new ApiError(502, 'api_error', 'gateway_unavailable', 'Stripe did not answer; try again');
      throw e;
    }
    const owner = typeof pm.customer === 'string' ? pm.customer : (pm.customer?.id ?? null);
    if (owner !== acct.stripeCustomerId)
      throw invalidMethod(`No saved payment method ${ref} on this account`);
    if ((pm.type === 'us_bank_account' ? 'ach' : pm.type) !== method)
      throw invalidMethod(
        `Payment method ${ref} is not a ${method === 'ach' ? 'bank account' : 'card'}`,
        'method',
      );
  };

  app.post(
    '/accounts/:id/payments',
    {
      config: {
        access: { staff: STAFF.any, customer: { account: (req) => (req.params as { id: string }).id } },
      },
      schema: {
        tags: ['payments'],
        summary: 'Pay by card or bank account (ACH). Returns the client secret for the Payment Element.',
        params: IdParams,
        body: Type.Object(
          {
            amountCents: Type.Integer({ minimum: 50, maximum: 10_000_000 }),
            method: Type.Union([Type.Literal('card'), Type.Literal('ach')]),
            paymentMethodRef: Type.Optional(
              pmRef(
                'a method saved on this account (GET /accounts/:id/payment-methods): charged at once, off-session',
              ),
            ),
            saveMethod: Type.Optional(
              Type.Boolean({
                description: 'keep the method the customer enters for later payments and autopay',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Payment },
      },
    },
    async (req, reply) => {
      const ref = req.body.paymentMethodRef ?? null;
      if (ref) await checkOwnMethod(req.params.id, ref, req.body.method);
      else {
        const [acct] = await sql`select 1 from account where id = ${req.params.id}`;
        if (!acct) throw notFound('account', req.params.id);
      }
      const id = newId('pay');
      // the gateway idempotency key is stored before the gateway is ever called
      const key = `pay:${scopedKey(req) ?? randomUUID()}`;
      await sql`insert into payment (id, account_id, amount_cents, method, status, received_at, idempotency_key, provider,
          workflow_id, payment_method_ref, save_method)
        values (${id}, ${req.params.id}, ${req.body.amountCents}, ${req.body.method}, 'pending', now(), ${key},
                ${deps.stripe ? 'stripe' : 'outbox'}, ${paymentWorkflowId(id)}, ${ref},
                ${!ref && !!req.body.saveMethod && !!deps.stripe})`;
      await temporal.client.workflow.start<PaymentWorkflow>(PAYMENT.type, {
        workflowId: paymentWorkflowId(id),
        taskQueue,
        args: [{ paymentId: id }],
      });
      for (let i = 0; i < 100; i++) {
        const s = await temporal.client.workflow
          .getHandle(paymentWorkflowId(id))
          .query(paymentStateQuery)
          .catch(() => null);
        if (s?.intentId) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      req.auditResource = { type: 'payment', id };
      return reply.status(201).send((await view(id))!);
    },
  );

  app.get(
    '/payments/:id',
    {
      config: {
        access: {
          staff: STAFF.any,
          customer: { account: (req) => paymentAccount((req.params as { id: string }).id) },
        },
      },
      schema: { tags: ['payments'], params: IdParams, response: { 200: Payment } },
    },
    async (req) => {
      const p = await view(req.params.id);
      if (!p) throw notFound('payment', req.params.id);
      return p;
    },
  );

  const Autopay = Type.Object({
    object: Type.Literal('autopay'),
    accountId: Type.String(),
    method: Type.String(),
    paymentMethodRef: Type.String(),
    daysBeforeDue: Type.Integer(),
    status: Type.String(),
  });
  const ownOrStaff = {
    access: {
      staff: STAFF.any,
      customer: { account: (req: { params: unknown }) => (req.params as { id: string }).id },
    },
  };

  app.put(
    '/accounts/:id/autopay',
    {
      config: ownOrStaff as never,
      schema: {
        tags: ['payments'],
        summary:
          'Enrol in autopay with a saved card or bank account, debited on the due date or N days before',
        params: IdParams,
        body: Type.Object(
          {
            method: Type.Union([Type.Literal('card'), Type.Literal('ach')]),
            paymentMethodRef: pmRef("the gateway's payment method, saved on this account's Stripe customer"),
            daysBeforeDue: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Autopay },
      },
    },
    async (req) => {
      // with Stripe, only a method saved on the account's own customer; the dev outbox charges nothing
      if (deps.stripe) await checkOwnMethod(req.params.id, req.body.paymentMethodRef, req.body.method);
      else {
        const [acct] = await sql`select 1 from account where id = ${req.params.id}`;
        if (!acct) throw notFound('account', req.params.id);
      }
      const [row] =
        await sql`insert into autopay_enrollment (account_id, method, payment_method_ref, days_before_due)
        values (${req.params.id}, ${req.body.method}, ${req.body.paymentMethodRef}, ${req.body.daysBeforeDue ?? 0})
        on conflict (account_id) do update set method = excluded.method, payment_method_ref = excluded.payment_method_ref,
          days_before_due = excluded.days_before_due, status = 'active', enrolled_at = now()
        returning account_id, method, payment_method_ref, days_before_due, status`;
      req.auditResource = { type: 'autopay', id: req.params.id };
      return { object: 'autopay' as const, ...(row as never as object) } as never;
    },
  );

  const SavedMethod = Type.Object({
    id: Type.String(),
    type: Type.Union([Type.Literal('card'), Type.Literal('ach')]),
    brand: Type.Optional(Type.String()),
    bankName: Type.Optional(Type.String()),
    last4: Type.String(),
    expMonth: Type.Optional(Type.Integer()),
    expYear: Type.Optional(Type.Integer()),
  });

  app.get(
    '/accounts/:id/payment-methods',
    {
      config: ownOrStaff as never,
      schema: {
        tags: ['payments'],
        summary: "The account's saved cards and bank accounts (from Stripe); empty until one is saved",
        params: IdParams,
        response: {
          200: Type.Object({
            object: Type.Literal('list'),
            data: Type.Array(SavedMethod),
            has_more: Type.Boolean(),
          }),
        },
      },
    },
    async (req) => {
      const [acct] = await sql<
        { stripeCustomerId: string | null }[]
      >`select stripe_customer_id from account where id = ${req.params.id}`;
      if (!acct) throw notFound('account', req.params.id);
      const empty = { object: 'list' as const, data: [], has_more: false };
      if (!deps.stripe || !acct.stripeCustomerId) return empty;
      const customer = acct.stripeCustomerId;
      const [cards, banks] = await Promise.all(
        (['card', 'us_bank_account'] as const).map((type) =>
          deps.stripe!.paymentMethods.list({ customer, type, limit: 100 }),
        ),
      );
      const data = [...cards!.data, ...banks!.data].map((pm) =>
        pm.type === 'us_bank_account'
          ? {
              id: pm.id,
              type: 'ach' as const,
              bankName: pm.us_bank_account?.bank_name ?? 'Bank account',
              last4: pm.us_bank_account?.last4 ?? '',
            }
          : {
              id: pm.id,
              type: 'card' as const,
              brand: pm.card?.brand ?? 'card',
              last4: pm.card?.last4 ?? '',
              ...(pm.card ? { expMonth: pm.card.exp_month, expYear: pm.card.exp_year } : {}),
            },
      );
      return { object: 'list' as const, data, has_more: false };
    },
  );

  app.delete(
    '/accounts/:id/autopay',
    {
      config: ownOrStaff as never,
      schema: {
        tags: ['payments'],
        summary: 'Stop autopay',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await sql`update autopay_enrollment set status = 'cancelled' where account_id = ${req.params.id}`;
      req.auditResource = { type: 'autopay', id: req.params.id };
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/accounts/:id/payments/counter',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['payments'],
        summary:
          'Record a cash or check payment taken at the counter; posted at once, flagged if it looks like a duplicate',
        params: IdParams,
        body: Type.Object(
          {
            amountCents: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
            method: Type.Union([Type.Literal('cash'), Type.Literal('check')]),
            reference: Type.Optional(Type.String({ maxLength: 60 })),
            receivedOn: Type.Optional(IsoDate),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            object: Type.Literal('payment'),
            status: Type.String(),
            reviewFlag: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req, reply) => {
      const [acct] = await sql`select 1 from account where id = ${req.params.id}`;
      if (!acct) throw notFound('account', req.params.id);
      const receivedOn = req.body.receivedOn ?? req.today;
      const late = receivedOnProblem(receivedOn, req.today);
      if (late)
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_invalid',
          `receivedOn ${late}`,
          'receivedOn',
        );
      const key = `counter:${scopedKey(req) ?? randomUUID()}`;
      const r = await sql.begin((tx) =>
        recordCounterPayment(tx, {
          idempotencyKey: key,
          accountId: req.params.id,
          amountCents: req.body.amountCents,
          method: req.body.method,
          reference: req.body.reference,
          receivedOn,
        }),
      );
      // collections stops (or steps back) at once: the payment is already on the account
      await wakeOpenCases(sql, temporal.client, collectionsQueue, [req.params.id], 'payment_posted');
      req.auditResource = {
        type: 'payment',
        id: r.id,
        detail: { amountCents: req.body.amountCents, method: req.body.method, reviewFlag: r.reviewFlag },
      };
      return reply
        .status(201)
        .send({ id: r.id, object: 'payment' as const, status: 'succeeded', reviewFlag: r.reviewFlag });
    },
  );

  app.post(
    '/payments/:id/refunds',
    {
      config: { access: { staff: STAFF.billing } },
      schema: {
        tags: ['payments'],
        summary: 'Refund all or part of a payment: at the gateway, then a ledger entry',
        params: IdParams,
        body: Type.Object(
          {
            amountCents: Type.Optional(Type.Integer({ minimum: 1 })),
            reason: Type.String({ minLength: 3, maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            object: Type.Literal('refund'),
            paymentId: Type.String(),
            amountCents: Type.Integer(),
            refundId: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req, reply) => {
      // reserved under a lock on the payment: a concurrent refund waits, then sees what this one took
      let r: ReservedRefund;
      try {
        r = await reserveRefund(sql, {
          paymentId: req.params.id,
          amountCents: req.body.amountCents,
          reason: req.body.reason,
          requestedBy: req.user!.id,
        });
      } catch (e) {
        if (e instanceof Refused) throw refusal(e, ['payment_not_refundable', 'amount_too_large']);
        throw e;
      }
      const done = await temporal.client.workflow.execute<RefundWorkflow>(REFUND.type, {
        workflowId: refundWorkflowId(req.params.id, r.seq),
        taskQueue: taskQueueName(REFUND.taskQueue, temporal.taskQueuePrefix),
        args: [{ ...r, reason: req.body.reason }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      req.auditResource = {
        type: 'refund',
        id: req.params.id,
        detail: {
          refundId: r.refundId,
          amountCents: r.amountCents,
          reason: req.body.reason,
          status: done.status,
        },
      };
      if (done.status === 'failed')
        throw new ApiError(
          402,
          'invalid_request_error',
          'refund_declined',
          `The gateway refused the refund: ${done.failure ?? 'no reason given'}`,
        );
      return reply.status(201).send({
        object: 'refund' as const,
        paymentId: req.params.id,
        amountCents: r.amountCents,
        refundId: done.refundId,
      });
    },
  );

  // Lockbox files and Stripe webhooks need their bodies as sent, so they live in their own encapsulated plugin.
  await app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser(
      'text/csv',
      { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );
    scope.post(
      '/payments/lockbox',
      {
        config: { access: { staff: STAFF.billing } },
        schema: {
          tags: ['payments'],
          summary:
            'Import a bank lockbox file (CSV: account_number,amount,check_number,received_on); all rows or none unless partial=true',
          querystring: Type.Object({ partial: Type.Optional(Type.Boolean()) }),
          response: {
            200: Type.Object({
              posted: Type.Boolean(),
              rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
            }),
            422: Type.Object({
              posted: Type.Boolean(),
              rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
            }),
          },
        },
      },
      async (req, reply) => {
        if (typeof req.body !== 'string')
          throw new ApiError(
            415,
            'invalid_request_error',
            'unsupported_media_type',
            'Send the file as text/csv',
          );
        const result = await importLockbox(sql, req.body, {
          partial: (req.query as { partial?: boolean }).partial,
          today: req.today,
        });
        if (result.posted) {
          const paid = result.rows.flatMap((r) => (r.status === 'accepted' ? [r.paymentId] : []));
          const accounts = paid.length
            ? await sql<
                { accountId: string }[]
              >`select distinct account_id from payment where id = any(${paid})`
            : [];
          await wakeOpenCases(
            sql,
            temporal.client,
            collectionsQueue,
            accounts.map((a) => a.accountId),
            'payment_posted',
          );
        }
        req.auditResource = {
          type: 'lockbox_import',
          id: null,
          detail: { posted: result.posted, rows: result.rows.length },
        };
        return reply.status(result.posted ? 200 : 422).send(result);
      },
    );
  });

  // Stripe webhooks need the raw body for the signature, so they live in their own encapsulated plugin.
  await app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    scope.post(
      '/webhooks/stripe',
      {
        config: { access: { public: true } }, // authenticated by its signature instead
        // unsigned or stale: refused before the body is read; a signed event may be up to 1 MB
        onRequest: async (req) => {
          if (!deps.stripe || !deps.stripeWebhookSecret)
            throw new ApiError(
              404,
              'invalid_request_error',
              'not_configured',
              'Stripe is not configured (dev outbox mode)',
            );
          const h = checkSignatureHeader(req.headers['stripe-signature'], undefined, 'Stripe-Signature');
          if (!h.ok) throw new ApiError(400, 'invalid_request_error', h.code, h.message, 'Stripe-Signature');
        },
        bodyLimit: 1024 * 1024,
        schema: { tags: ['webhooks'], summary: 'Stripe events, signature-verified', hide: false },
      },
      async (req, reply) => {
        const secret = deps.stripeWebhookSecret;
        if (!deps.stripe || !secret)
          throw new ApiError(
            404,
            'invalid_request_error',
            'not_configured',
            'Stripe is not configured (dev outbox mode)',
          );
        const signature = req.headers['stripe-signature'];
        let event: Stripe.Event;
        try {
          event = deps.stripe.webhooks.constructEvent(
            req.body as Buffer,
            typeof signature === 'string' ? signature : '',
            secret,
          );
        } catch {
          throw new ApiError(
            400,
            'invalid_request_error',
            'signature_invalid',
            'Webhook signature verification failed',
            'Stripe-Signature',
          );
        }
        const obj = event.data.object as {
          metadata?: Record<string, string>;
          last_payment_error?: { code?: string } | null;
          payment_intent?: string;
          status?: string;
          reason?: string;
        };
        let paymentId = obj.metadata?.payment_id;
        let type: string = event.type;
        if (event.type.startsWith('charge.dispute.')) {
          // a chargeback names the PaymentIntent, not our payment: find it, flag it for staff, and let a lost
          // dispute reach the payment's workflow, which reverses the posting
          const [p] = await sql<
            { id: string }[]
          >`select id from payment where provider_ref = ${obj.payment_intent ?? ''}`;
          paymentId = p?.id;
          if (paymentId)
            await sql`update payment set review_flag = ${`chargeback_${obj.status ?? 'open'}`} where id = ${paymentId}`;
          type =
            event.type === 'charge.dispute.closed' && obj.status === 'lost'
              ? 'charge.dispute.lost'
              : event.type;
          obj.last_payment_error = { code: `chargeback_${obj.reason ?? 'dispute'}` };
        }
        if (!paymentId) return reply.send({ received: true, ignored: 'not a cisflow payment' });
        const [seen] = await sql`select 1 from webhook_event where id = ${event.id}`;
        if (seen) return reply.send({ received: true, duplicate: true });
        try {
          // the workflow de-duplicates too, so a signal that lands twice (a retry after a crash here) is harmless
          await temporal.client.workflow.getHandle(paymentWorkflowId(paymentId)).signal(paymentEventSignal, {
            id: event.id,
            type,
            failureCode: obj.last_payment_error?.code ?? null,
          });
        } catch (e) {
          if (e instanceof WorkflowNotFoundError)
            return reply.send({ received: true, ignored: 'unknown payment' });
          throw e; // 500: Stripe retries later, nothing is lost
        }
        await sql`insert into webhook_event (id, provider, type, payment_id) values (${event.id}, 'stripe', ${event.type}, ${paymentId})
          on conflict (id) do nothing`;
        return reply.send({ received: true });
      },
    );
  });
}
