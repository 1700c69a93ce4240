// Autopay: an account (its own customer, or staff) enrols a saved card or bank account, sees the
// enrolment and its next debit, or stops it. The bill run debits enrolled accounts on or before the due date;
// an enrolment also starts the debit of the latest bill when the next-debit rule says autopay pays it.
import { Type } from '@sinclair/typebox';
import { startAutopay } from '../../activities/bill-pipeline.js';
import { activeAutopay, enrolAutopay, nextDebitFacts, stopAutopay } from '../../db/autopay.js';
import { nextAutopayDebit } from '../../domain/autopay.js';
import { taskQueueName } from '../../workflows/contracts/names.js';
import { AUTOPAY } from '../../workflows/contracts/payment.js';
import { staffOrOwner } from '../plugins/auth.js';
import { checkOwnMethod, pmRef } from '../saved-methods.js';
import { IdParams } from '../schemas.js';
import type { App, AppDeps } from '../types.js';
import { AutopayStatus } from './autopay.schema.js';

const Autopay = Type.Object({
  object: Type.Literal('autopay'),
  accountId: Type.String(),
  method: Type.String(),
  paymentMethodRef: Type.String(),
  daysBeforeDue: Type.Integer(),
  status: Type.String(),
});

export default async function autopayRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;
  const paymentsQueue = taskQueueName(AUTOPAY.taskQueue, temporal.taskQueuePrefix);
  /** The enrolled account's next debit, by the one rule (domain/autopay.ts). */
  const nextDebit = async (accountId: string, daysBeforeDue: number, today: string) =>
    nextAutopayDebit({ today, daysBeforeDue, ...(await nextDebitFacts(sql, accountId)) });

  app.get(
    '/accounts/:id/autopay',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['payments'],
        summary: "The account's autopay enrolment (enrolled: false when there is none or it was stopped)",
        params: IdParams,
        response: {
          200: AutopayStatus,
        },
      },
    },
    async (req) => {
      const e = await activeAutopay(sql, req.params.id);
      const next = e ? await nextDebit(req.params.id, e.daysBeforeDue, req.today) : null;
      return {
        object: 'autopay' as const,
        accountId: req.params.id,
        enrolled: !!e,
        method: e?.method ?? null,
        paymentMethodRef: e?.paymentMethodRef ?? null,
        daysBeforeDue: e?.daysBeforeDue ?? null,
        nextDebit: next && {
          kind: next.kind,
          date: next.kind === 'no_bill' ? null : next.date,
          amountCents: next.kind === 'bill' ? next.amountCents : null,
          billId: next.kind === 'bill' ? next.billId : null,
        },
      };
    },
  );

  app.put(
    '/accounts/:id/autopay',
    {
      config: { access: staffOrOwner() },
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
      // with Stripe, only a method saved on the account's own customer (checked under the account's lock, so
      // a removal of the same method cannot slip between); the dev outbox charges nothing
      const { paymentMethodRef, method } = req.body;
      const row = await enrolAutopay(
        sql,
        {
          accountId: req.params.id,
          method,
          paymentMethodRef,
          daysBeforeDue: req.body.daysBeforeDue ?? 0,
        },
        async () => {
          if (deps.stripe) await checkOwnMethod(deps, req.params.id, paymentMethodRef, method);
        },
      );
      // the latest bill, still owed and not yet at its debit date, is paid by this enrolment too (its
      // workflow is started once; one already waiting is moved to the new debit date)
      const next = await nextDebit(req.params.id, row.daysBeforeDue, req.today);
      if (next.kind === 'bill')
        await startAutopay(sql, temporal.client, paymentsQueue, [next.billId], { retime: true });
      req.auditResource = { type: 'autopay', id: req.params.id };
      return { object: 'autopay' as const, ...row };
    },
  );

  app.delete(
    '/accounts/:id/autopay',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['payments'],
        summary: 'Stop autopay',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await stopAutopay(sql, req.params.id);
      req.auditResource = { type: 'autopay', id: req.params.id };
      return reply.status(204).send(null);
    },
  );
}
