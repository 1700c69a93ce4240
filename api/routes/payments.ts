// Payments: a customer (for their own account) or staff start one; the gateway's signed webhooks move it.
// The handler verifies and hands each event to the payment's workflow; only the workflow posts money.
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type Stripe from 'stripe';
import { newId } from '../../lib/ids.js';
import { TASK_QUEUES } from '../../workers/queues.js';
import {
  paymentEventSignal,
  paymentStateQuery,
  paymentWorkflow,
  paymentWorkflowId,
} from '../../workflows/payment.js';
import { ApiError, notFound } from '../errors.js';
import { STAFF } from '../plugins/auth.js';
import { IdParams } from '../schemas.js';
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
});

export default async function paymentRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;
  const taskQueue = `${temporal.taskQueuePrefix ?? ''}${TASK_QUEUES.payments}`;
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
    return { ...p, object: 'payment' as const, clientSecret: state?.clientSecret ?? null };
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
          },
          { additionalProperties: false },
        ),
        response: { 201: Payment },
      },
    },
    async (req, reply) => {
      const [acct] = await sql`select 1 from account where id = ${req.params.id}`;
      if (!acct) throw notFound('account', req.params.id);
      const id = newId('pay');
      // the gateway idempotency key is stored before the gateway is ever called
      const key = `pay:${req.headers['idempotency-key'] ?? randomUUID()}`;
      await sql`insert into payment (id, account_id, amount_cents, method, status, received_at, idempotency_key, provider, workflow_id)
        values (${id}, ${req.params.id}, ${req.body.amountCents}, ${req.body.method}, 'pending', now(), ${key},
                ${deps.stripe ? 'stripe' : 'outbox'}, ${paymentWorkflowId(id)})`;
      await temporal.client.workflow.start(paymentWorkflow, {
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

  // Stripe webhooks need the raw body for the signature, so they live in their own encapsulated plugin.
  await app.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    scope.post(
      '/webhooks/stripe',
      {
        config: { access: { public: true } }, // authenticated by its signature instead
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
        };
        const paymentId = obj.metadata?.payment_id;
        if (!paymentId) return reply.send({ received: true, ignored: 'not a cisflow payment' });
        const [seen] = await sql`select 1 from webhook_event where id = ${event.id}`;
        if (seen) return reply.send({ received: true, duplicate: true });
        try {
          // the workflow de-duplicates too, so a signal that lands twice (a retry after a crash here) is harmless
          await temporal.client.workflow
            .getHandle(paymentWorkflowId(paymentId))
            .signal(paymentEventSignal, {
              id: event.id,
              type: event.type,
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
