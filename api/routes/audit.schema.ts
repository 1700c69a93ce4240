// The audit log's list and filters (api/routes/audit.ts): shared with the staff console (type-only).
import { Type } from '@sinclair/typebox';
import { IsoDateTime, Nullable } from '../schemas.js';

export const AuditEvent = Type.Object({
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

export const AuditQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ maxLength: 64, description: "the acting user's id" })),
    role: Type.Optional(Type.String({ maxLength: 32 })),
    action: Type.Optional(
      Type.String({ maxLength: 200, description: 'an action, or its start ("POST /accounts")' }),
    ),
    resourceType: Type.Optional(Type.String({ maxLength: 64 })),
    resourceId: Type.Optional(Type.String({ maxLength: 64 })),
    account: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'an account id: the account itself and every request on its paths (/accounts/:id/…)',
      }),
    ),
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    from: Type.Optional(IsoDateTime),
    to: Type.Optional(IsoDateTime),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    starting_after: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
);
