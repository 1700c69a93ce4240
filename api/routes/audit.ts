// The audit log for supervisors and admins: who did what to which record, and which staff requests were
// refused, filtered and cursor-paginated as Stripe lists are (limit, starting_after -> has_more), or the same
// filters as a CSV file (GET /audit-events.csv, ?format=csv or Accept: text/csv), streamed a page at a time.
import { Readable } from 'node:stream';
import type { Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { auditEventPages, listAuditEvents, type AuditEvent as Row } from '../../db/audit.js';
import { exportCsvField } from '../../domain/import/csv.js';
import { STAFF } from '../plugins/auth.js';
import { List } from '../schemas.js';
import type { App, AppDeps } from '../types.js';
import { AuditEvent, AuditQuery } from './audit.schema.js';

const CSV_COLUMNS = [
  'id',
  'at',
  'actor_id',
  'actor_email',
  'actor_role',
  'action',
  'resource_type',
  'resource_id',
  'status',
  'request_id',
  'detail',
];

const csvLine = (e: Row) =>
  `${[
    e.id,
    e.at.toISOString(),
    e.actorUserId,
    e.actorEmail,
    e.actorRole,
    e.action,
    e.resourceType,
    e.resourceId,
    e.status,
    e.requestId,
    JSON.stringify(e.detail),
  ]
    .map(exportCsvField)
    .join(',')}\r\n`;

export default async function auditRoutes(app: App, deps: AppDeps) {
  const filtersOf = (q: Static<typeof AuditQuery>) => {
    const { limit: _l, starting_after: _s, format: _f, ...filters } = q;
    return filters;
  };

  /** Every matching event as CSV, newest first, streamed a page at a time. */
  const sendCsv = (reply: FastifyReply, q: Static<typeof AuditQuery>) => {
    async function* lines() {
      yield `${CSV_COLUMNS.join(',')}\r\n`;
      for await (const page of auditEventPages(deps.sql, filtersOf(q))) yield page.map(csvLine).join('');
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="audit-events.csv"')
      .header('cache-control', 'no-store')
      .send(Readable.from(lines()));
  };

  const access = { access: { staff: STAFF.supervisors } };

  app.get(
    '/audit-events',
    {
      config: access,
      schema: {
        tags: ['audit'],
        summary:
          'Staff actions and refusals, newest first, by actor, action, resource, account, status and time (CSV with ?format=csv or Accept: text/csv)',
        querystring: AuditQuery,
        produces: ['application/json', 'text/csv'],
        response: { 200: List(AuditEvent) },
      },
    },
    async (req, reply) => {
      const q = req.query;
      if (q.format === 'csv' || (!q.format && /\btext\/csv\b/.test(req.headers.accept ?? '')))
        return sendCsv(reply, q);
      const r = await listAuditEvents(deps.sql, {
        ...filtersOf(q),
        limit: q.limit ?? 20,
        startingAfter: q.starting_after,
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

  app.get(
    '/audit-events.csv',
    {
      config: access,
      schema: {
        tags: ['audit'],
        summary:
          "The audit events the same filters match, as a CSV file (every page; cells that look like formulas start with ')",
        querystring: AuditQuery,
        produces: ['text/csv'],
      },
    },
    async (req, reply) => sendCsv(reply, req.query),
  );
}
