// The account's saved cards and bank accounts, managed by the customer (or staff): add one through a Stripe
// SetupIntent the browser confirms, make one the default, remove one (Stripe detach). The method autopay
// pays with cannot be removed (409 payment_method_in_use); change autopay's method first.
import { Type } from '@sinclair/typebox';
import { staffOrOwner } from '../plugins/auth.js';
import { pmRef, removeMethod, savedMethods, setDefaultMethod, startSetup } from '../saved-methods.js';
import { IdParams, List } from '../schemas.js';
import type { App, AppDeps } from '../types.js';
import { MethodSetup, SavedMethod } from './payments.schema.js';

const MethodParams = Type.Object({
  id: Type.String({ maxLength: 64 }),
  methodId: pmRef('a method saved on this account (GET /accounts/:id/payment-methods)'),
});

export default async function paymentMethodRoutes(app: App, deps: AppDeps) {
  app.post(
    '/accounts/:id/payment-methods/setup',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['payments'],
        summary:
          'Start saving a new card or bank account: a SetupIntent whose client secret Stripe.js confirms in the browser',
        params: IdParams,
        body: Type.Object(
          { method: Type.Union([Type.Literal('card'), Type.Literal('ach')]) },
          { additionalProperties: false },
        ),
        response: { 201: MethodSetup },
      },
    },
    async (req, reply) => {
      const si = await startSetup(deps, req.params.id, req.body.method);
      req.auditResource = { type: 'payment_method_setup', id: si.id };
      return reply.status(201).send({ object: 'setup_intent' as const, ...si });
    },
  );

  app.put(
    '/accounts/:id/payment-methods/default',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['payments'],
        summary: 'Make a saved method the default; answers the saved methods',
        params: IdParams,
        body: Type.Object(
          { methodId: pmRef('a method saved on this account') },
          { additionalProperties: false },
        ),
        response: { 200: List(SavedMethod) },
      },
    },
    async (req) => {
      await setDefaultMethod(deps, req.params.id, req.body.methodId);
      req.auditResource = { type: 'payment_method', id: req.body.methodId, detail: { default: true } };
      return { object: 'list' as const, data: await savedMethods(deps, req.params.id), has_more: false };
    },
  );

  app.delete(
    '/accounts/:id/payment-methods/:methodId',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['payments'],
        summary:
          'Remove a saved method (Stripe detach); refused (409 payment_method_in_use) while autopay pays with it',
        params: MethodParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await removeMethod(deps, req.params.id, req.params.methodId);
      req.auditResource = { type: 'payment_method', id: req.params.methodId, detail: { removed: true } };
      return reply.status(204).send(null);
    },
  );
}
