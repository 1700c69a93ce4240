// The audit log for supervisors and admins: who did what to which record, and which staff requests were
// refused, filtered and cursor-paginated as Stripe lists are (limit, starting_after -> has_more).
import { Type } from '@sinclair/typebox';
import { listAuditEvents } from '../../db/audit.js';
import { STAFF } from '../plugins/auth.js';
import { IsoDateTime, List, Nullable } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

const AuditEvent = Type.Object({
  id: Type.String(),
  object: Type.Literal('audit_event'),
  at: Type.String(),
  actor: Type.Object({
    id: Nullable(Type.String()),
    email: Nullable(Type.String()),
    role: Nullable(Type.String()),
  }),
  action: Type.String({ description: 'method and route, e.g. "POST /accounts/:id/adjustments"' }),
  resource: Type.Object({ type: Type.String(), id: Nullable(Type.String()) }),
  status: Nullable(Type.Integer({ description: 'the HTTP status the request got; 403: refused' })),
  requestId: Nullable(Type.String()),
  detail: Type.Record(Type.String(), Type.Unknown()),
});

export default async function auditRoutes(app: App, deps: AppDeps) {
  app.get(
    '/audit-events',
    {
      config: { access: { staff: STAFF.supervisors } },
      schema: {
        tags: ['audit'],
        summary: 'Staff actions and refusals, newest first, by actor, action, resource, status and time',
        querystring: Type.Object(
          {
            actor: Type.Optional(Type.String({ maxLength: 64, description: "the acting user's id" })),
            role: Type.Optional(Type.String({ maxLength: 32 })),
            action: Type.Optional(
              Type.String({ maxLength: 200, description: 'an action, or its start ("POST /accounts")' }),
            ),
            resourceType: Type.Optional(Type.String({ maxLength: 64 })),
            resourceId: Type.Optional(Type.String({ maxLength: 64 })),
            status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
            from: Type.Optional(IsoDateTime),
            to: Type.Optional(IsoDateTime),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
            starting_after: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: List(AuditEvent) },
      },
    },
    async (req) => {
      const { limit, starting_after, ...filters } = req.query;
      const r = await listAuditEvents(deps.sql, {
        ...filters,
        limit: limit ?? 20,
        startingAfter: starting_after,
      });
      return {
        object: 'list' as const,
        data: r.data.map((e) => ({
          id: e.id,
          object: 'audit_event' as const,
          at: e.at.toISOString(),
          actor: { id: e.actorUserId, email: e.actorEmail, role: e.actorRole },
          action: e.action,
          resource: { type: e.resourceType, id: e.resourceId },
          status: e.status,
          requestId: e.requestId,
          detail: e.detail,
        })),
        has_more: r.hasMore,
      };
    },
  );
}
