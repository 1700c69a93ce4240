// Payments: a customer (for their own account) or staff start one; the gateway's signed webhooks move it.
// The handler verifies and hands each event to the payment's workflow; only the workflow posts money.
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type Stripe from 'stripe';
import { wakeOpenCases } from '../../activities/collections.js';
import { flagChargeback, recordWebhookEvent, webhookEventSeen } from '../../db/payment-webhooks.js';
import {
  createPendingPayment,
  getPayment,
  importLockbox,
  paymentAccountId,
  paymentAccounts,
  paymentReceipt,
  takeCounterPayment,
} from '../../db/payments.js';
import { reserveRefund } from '../../db/refunds.js';
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
import { ApiError, found } from '../errors.js';
import { idParam, STAFF, staffOrOwner } from '../plugins/auth.js';
import { scopedKey } from '../plugins/idempotency.js';
import { checkOwnMethod, pmRef, savedMethods } from '../saved-methods.js';
import { IdParams, IsoDate, List } from '../schemas.js';
import { checkSignatureHeader } from '../signed-headers.js';
import type { App, AppDeps } from '../types.js';
import { CounterPayment, Payment, PaymentReceipt, SavedMethod } from './payments.schema.js';

export default async function paymentRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;
  const taskQueue = taskQueueName(PAYMENT.taskQueue, temporal.taskQueuePrefix);
  const collectionsQueue = taskQueueName(DUNNING.taskQueue, temporal.taskQueuePrefix);
  const paymentAccount = (id: string) => paymentAccountId(sql, id);

  /** The payment with the client secret its workflow holds (for the Payment Element). */
  const view = async (id: string) => {
    const p = await getPayment(sql, id);
    if (!p) return undefined;
    const state = await temporal.client.workflow
      .getHandle(paymentWorkflowId(id))
      .query(paymentStateQuery)
      .catch(() => null);
    return { ...p, object: 'payment' as const, clientSecret: state?.clientSecret ?? null };
  };

  app.post(
    '/accounts/:id/payments',
    {
      config: { access: staffOrOwner() },
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
      if (ref) await checkOwnMethod(deps, req.params.id, ref, req.body.method);
      const id = newId('pay');
      await createPendingPayment(sql, {
        id,
        accountId: req.params.id,
        amountCents: req.body.amountCents,
        method: req.body.method,
        // the gateway idempotency key is stored before the gateway is ever called
        idempotencyKey: `pay:${scopedKey(req) ?? randomUUID()}`,
        provider: deps.stripe ? 'stripe' : 'outbox',
        workflowId: paymentWorkflowId(id),
        paymentMethodRef: ref,
        saveMethod: !ref && !!req.body.saveMethod && !!deps.stripe,
      });
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
      config: { access: staffOrOwner((req) => paymentAccount(idParam(req))) },
      schema: { tags: ['payments'], params: IdParams, response: { 200: Payment } },
    },
    async (req) => {
      return found(await view(req.params.id), 'payment', req.params.id);
    },
  );

  app.get(
    '/payments/:id/receipt',
    {
      config: { access: staffOrOwner((req) => paymentAccount(idParam(req))) },
      schema: {
        tags: ['payments'],
        summary:
          'The receipt: confirmation number, amount, method (brand and last 4), when it was received and posted, the new balance',
        params: IdParams,
        response: { 200: PaymentReceipt },
      },
    },
    async (req) => {
      const r = found(await paymentReceipt(sql, req.params.id), 'payment', req.params.id);
      return { object: 'payment_receipt' as const, ...r, timeZone: deps.clock.timeZone };
    },
  );

  app.get(
    '/accounts/:id/payment-methods',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['payments'],
        summary: "The account's saved cards and bank accounts (from Stripe); empty until one is saved",
        params: IdParams,
        response: {
          200: List(SavedMethod),
        },
      },
    },
    async (req) => ({
      object: 'list' as const,
      data: await savedMethods(deps, req.params.id),
      has_more: false,
    }),
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
          201: CounterPayment,
        },
      },
    },
    async (req, reply) => {
      const r = await takeCounterPayment(sql, {
        idempotencyKey: `counter:${scopedKey(req) ?? randomUUID()}`,
        accountId: req.params.id,
        amountCents: req.body.amountCents,
        method: req.body.method,
        reference: req.body.reference,
        receivedOn: req.body.receivedOn ?? req.today,
        timeZone: deps.clock.timeZone,
        today: req.today,
      });
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
      const r = await reserveRefund(sql, {
        paymentId: req.params.id,
        amountCents: req.body.amountCents,
        reason: req.body.reason,
        requestedBy: req.user!.id,
      });
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
            'Import a bank lockbox file (CSV: account_number or scan_line, amount, check_number, received_on; a scan line is checked by its check digit); all rows or none unless partial=true',
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
          timeZone: deps.clock.timeZone,
        });
        if (result.posted) {
          const paid = result.rows.flatMap((r) => (r.status === 'accepted' ? [r.paymentId] : []));
          const accounts = await paymentAccounts(sql, paid);
          await wakeOpenCases(sql, temporal.client, collectionsQueue, accounts, 'payment_posted');
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
          paymentId = await flagChargeback(sql, obj.payment_intent ?? '', obj.status);
          type =
            event.type === 'charge.dispute.closed' && obj.status === 'lost'
              ? 'charge.dispute.lost'
              : event.type;
          obj.last_payment_error = { code: `chargeback_${obj.reason ?? 'dispute'}` };
        }
        if (!paymentId) return reply.send({ received: true, ignored: 'not a cisflow payment' });
        if (await webhookEventSeen(sql, event.id)) return reply.send({ received: true, duplicate: true });
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
        await recordWebhookEvent(sql, { id: event.id, provider: 'stripe', type: event.type, paymentId });
        return reply.send({ received: true });
      },
    );
  });
}
