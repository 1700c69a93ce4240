// Alert subscriptions per customer (each alert type: email, SMS, both or none), and paperless billing.
// The customer manages their own (through any account they can reach); staff can too, audited. A change is
// confirmed to the customer by a message.
import { Type } from '@sinclair/typebox';
import { findAccount } from '../../db/accounts.js';
import { changeSubscriptions } from '../../db/messaging.js';
import { ALERT_TYPES, type AlertType } from '../../db/notifications.js';
import { type Channels, setPaperless, subscriptionsFor } from '../../db/subscriptions.js';
import { ApiError, found } from '../errors.js';
import { staffOrOwner } from '../plugins/auth.js';
import { IdParams } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

const ChannelsSchema = Type.Union([
  Type.Literal('email'),
  Type.Literal('sms'),
  Type.Literal('both'),
  Type.Literal('none'),
]);
const Subscriptions = Type.Object({
  object: Type.Literal('subscriptions'),
  accountId: Type.String(),
  customerId: Type.String(),
  alerts: Type.Array(
    Type.Object({
      alert: Type.String(),
      channels: ChannelsSchema,
      source: Type.Union([Type.Literal('default'), Type.Literal('customer')]),
    }),
  ),
});

export default async function subscriptionRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const customerOf = async (accountId: string) =>
    found(await findAccount(sql, accountId), 'account', accountId).customerId;
  const view = async (accountId: string, customerId: string) => ({
    object: 'subscriptions' as const,
    accountId,
    customerId,
    alerts: (await subscriptionsFor(sql, customerId)).map((s) => ({
      alert: s.alert,
      channels: s.channels,
      source: s.source,
    })),
  });

  app.get(
    '/accounts/:id/subscriptions',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['messages'],
        summary:
          "The customer's alert subscriptions: per alert type, email, sms, both or none (defaults: email when verified; SMS too for outages and collection notices)",
        params: IdParams,
        response: { 200: Subscriptions },
      },
    },
    async (req) => view(req.params.id, await customerOf(req.params.id)),
  );

  app.put(
    '/accounts/:id/subscriptions',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['messages'],
        summary:
          'Choose channels per alert type; unnamed alert types keep their setting. Confirmed by a message.',
        params: IdParams,
        body: Type.Object(
          {
            alerts: Type.Object(
              Object.fromEntries(ALERT_TYPES.map((a) => [a, Type.Optional(ChannelsSchema)])),
              { additionalProperties: false, minProperties: 1 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Subscriptions },
      },
    },
    async (req) => {
      const customerId = await customerOf(req.params.id);
      const alerts = req.body.alerts as Partial<Record<AlertType, Channels>>;
      const changed = await changeSubscriptions(sql, { accountId: req.params.id, customerId, alerts });
      req.auditResource = { type: 'subscriptions', id: customerId, detail: { alerts, changed } };
      return view(req.params.id, customerId);
    },
  );

  app.put(
    '/accounts/:id/paperless',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['messages'],
        summary:
          'Turn paperless billing on or off. On: bills are emailed (bill_ready with the e-bill link) instead of printed; confirmed by a message.',
        params: IdParams,
        body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            object: Type.Literal('paperless'),
            accountId: Type.String(),
            enabled: Type.Boolean(),
          }),
        },
      },
    },
    async (req) => {
      const customerId = await customerOf(req.params.id);
      const enabled = req.body.enabled;
      if (!(await setPaperless(sql, { accountId: req.params.id, customerId, enabled })))
        throw new ApiError(
          409,
          'invalid_request_error',
          'email_not_verified',
          'Add and verify an email address before turning paperless billing on',
          'enabled',
        );
      req.auditResource = { type: 'paperless', id: req.params.id, detail: { enabled: req.body.enabled } };
      return { object: 'paperless' as const, accountId: req.params.id, enabled: req.body.enabled };
    },
  );
}
