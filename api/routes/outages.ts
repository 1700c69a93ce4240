// Outage and service alerts: staff broadcast a message to an area (postal codes, read routes) or a set of
// premises; each affected account gets one urgent notice (SMS is not held by quiet hours).
import { Type } from '@sinclair/typebox';
import { queueNotification } from '../../db/notifications.js';
import { newId } from '../../lib/ids.js';
import { ApiError } from '../errors.js';
import { STAFF } from '../plugins/auth.js';
import type { App, AppDeps } from '../types.js';

export default async function outageRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  app.post(
    '/outages',
    {
      config: { access: { staff: STAFF.supervisors } },
      schema: {
        tags: ['messages'],
        summary:
          'Broadcast an outage or service alert to every active account in an area (postal codes, routes) or at the given premises',
        body: Type.Object(
          {
            message: Type.String({ minLength: 5, maxLength: 300 }),
            postalCodes: Type.Optional(
              Type.Array(Type.String({ pattern: '^[0-9A-Za-z -]{3,10}$' }), { maxItems: 200 }),
            ),
            routes: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 200 }),
            ),
            premiseIds: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 10_000 }),
            ),
            urgent: Type.Optional(Type.Boolean({ default: true })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            object: Type.Literal('outage_broadcast'),
            accounts: Type.Integer(),
            queued: Type.Integer(),
          }),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const postal = b.postalCodes ?? [];
      const routes = b.routes ?? [];
      const premises = b.premiseIds ?? [];
      if (!postal.length && !routes.length && !premises.length)
        throw new ApiError(
          400,
          'invalid_request_error',
          'area_required',
          'Name postal codes, routes or premise ids',
          'postalCodes',
        );
      const id = newId('bcast');
      const urgent = b.urgent ?? true;
      const area = { postalCodes: postal, routes, premiseIds: premises };
      const r = await sql.begin(async (tx) => {
        const accounts = await tx<{ accountId: string }[]>`
          select distinct sa.account_id from service_agreement sa
          join service_point sp on sp.id = sa.service_point_id
          join premise p on p.id = sp.premise_id
          join account a on a.id = sa.account_id and a.status = 'active'
          where sa.status in ('active', 'pending_stop')
            and (p.postal_code = any(${postal}) or p.route = any(${routes}) or p.id = any(${premises}))
          order by sa.account_id`;
        let queued = 0;
        for (const a of accounts) {
          const n = await queueNotification(tx, {
            accountId: a.accountId,
            alert: 'outage',
            key: `outage/${id}/${a.accountId}`,
            data: { message: b.message, area: [...postal, ...routes].join(', ') || null, broadcastId: id },
            urgent,
          });
          if (n) queued++;
        }
        await tx`insert into outage_broadcast (id, message, area, urgent, created_by, account_count)
          values (${id}, ${b.message}, ${tx.json(area)}, ${urgent}, ${req.user!.id}, ${accounts.length})`;
        return { accounts: accounts.length, queued };
      });
      req.auditResource = {
        type: 'outage_broadcast',
        id,
        detail: { ...area, message: b.message, accounts: r.accounts },
      };
      return reply.status(201).send({ id, object: 'outage_broadcast' as const, ...r });
    },
  );
}
