// Autopay: an account (its own customer, or staff) enrols a saved card or bank account, sees the
// enrolment, or stops it. The bill run debits enrolled accounts on or before the due date.
import { Type } from '@sinclair/typebox';
import { activeAutopay, enrolAutopay, stopAutopay } from '../../db/autopay.js';
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
  const { sql } = deps;

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
      return {
        object: 'autopay' as const,
        accountId: req.params.id,
        enrolled: !!e,
        method: e?.method ?? null,
        paymentMethodRef: e?.paymentMethodRef ?? null,
        daysBeforeDue: e?.daysBeforeDue ?? null,
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
      // with Stripe, only a method saved on the account's own customer; the dev outbox charges nothing
      if (deps.stripe) await checkOwnMethod(deps, req.params.id, req.body.paymentMethodRef, req.body.method);
      const row = await enrolAutopay(sql, {
        accountId: req.params.id,
        method: req.body.method,
        paymentMethodRef: req.body.paymentMethodRef,
        daysBeforeDue: req.body.daysBeforeDue ?? 0,
      });
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
