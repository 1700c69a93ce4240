// The staff work queue (open disputes and service requests, the nearest SLA first) and the staff users work
// can be assigned to. Acting on a case stays with its own routes (disputes.ts, service-requests.ts).
import { Type } from '@sinclair/typebox';
import { CASE_KINDS, listOpenCases, OPEN_CASE_STATUSES } from '../../db/cases.js';
import { staffUsers } from '../../db/users.js';
import { STAFF } from '../plugins/auth.js';
import { List, ListQuery } from '../schemas.js';
import { type App, type AppDeps, workflowUiUrl } from '../types.js';
import { Case, StaffUser } from './staff-queues.schema.js';

export default async function staffQueueRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;

  app.get(
    '/cases',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['disputes', 'service requests'],
        summary: 'Open disputes and service requests, the nearest SLA first, then the oldest',
        querystring: Type.Intersect([
          ListQuery,
          Type.Object({
            kind: Type.Optional(Type.Union(CASE_KINDS.map((k) => Type.Literal(k)))),
            status: Type.Optional(Type.Union(OPEN_CASE_STATUSES.map((s) => Type.Literal(s)))),
          }),
        ]),
        response: { 200: List(Case) },
      },
    },
    async (req) => {
      const { cases, hasMore } = await listOpenCases(sql, {
        kind: req.query.kind,
        status: req.query.status,
        startingAfter: req.query.starting_after,
        limit: req.query.limit ?? 20,
        timeZone: deps.clock.timeZone,
      });
      return {
        object: 'list' as const,
        has_more: hasMore,
        data: cases.map(({ workflowId, ...c }) => ({
          ...c,
          object: 'case' as const,
          createdAt: c.createdAt.toISOString(),
          disputedCents: c.disputedCents === null ? null : Number(c.disputedCents),
          workflowUrl: workflowUiUrl(temporal, workflowId),
        })),
      };
    },
  );

  app.get(
    '/staff-users',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['exceptions'],
        summary: 'Staff logins by name: who work (a held bill) can be assigned to',
        response: { 200: List(StaffUser) },
      },
    },
    async () => ({
      object: 'list' as const,
      has_more: false,
      data: (await staffUsers(sql)).map((u) => ({ ...u, object: 'staff_user' as const })),
    }),
  );
}
