// Outage and service alerts: staff broadcast a message to an area (postal codes, read routes) or a set of
// premises; each affected account gets one urgent notice (SMS is not held by quiet hours).
import { Type } from '@sinclair/typebox';
import { broadcastOutage } from '../../db/outages.js';
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
      const area = { postalCodes: postal, routes, premiseIds: premises };
      const r = await broadcastOutage(sql, {
        message: b.message,
        area,
        urgent: b.urgent ?? true,
        by: req.user!.id,
      });
      req.auditResource = {
        type: 'outage_broadcast',
        id: r.id,
        detail: { ...area, message: b.message, accounts: r.accounts },
      };
      return reply.status(201).send({
        id: r.id,
        object: 'outage_broadcast' as const,
        accounts: r.accounts,
        queued: r.queued,
      });
    },
  );
}
