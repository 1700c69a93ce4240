// The staff 360's activity timeline: every kind of thing that happened on an account, newest first, filtered
// by kind and paged by an entry id (db/timeline.ts).
import { type Static, Type } from '@sinclair/typebox';
import { accountTimeline, type TimelineKind as Kind, TIMELINE_KINDS } from '../../db/timeline.js';
import { STAFF } from '../plugins/auth.js';
import { IdParams, List, ListQuery } from '../schemas.js';
import { type App, type AppDeps, workflowUiUrl } from '../types.js';
import { TimelineEntry, type TimelineKind } from './timeline.schema.js';

// the schema's kinds and the database's are one list: this fails to compile when they drift apart
const sameKinds: [Kind, Static<typeof TimelineKind>] extends [Static<typeof TimelineKind>, Kind]
  ? true
  : never = true;
void sameKinds;

export default async function timelineRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;

  app.get(
    '/accounts/:id/timeline',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['accounts'],
        summary:
          "The account's bills, payments, reads, notices, disputes, service requests and orders and workflow steps, newest first",
        params: IdParams,
        querystring: Type.Intersect([
          ListQuery,
          Type.Object({
            kinds: Type.Optional(
              Type.String({
                maxLength: 200,
                description: `comma-separated, any of ${TIMELINE_KINDS.join(', ')}; none: all`,
              }),
            ),
          }),
        ]),
        response: { 200: List(TimelineEntry) },
      },
    },
    async (req) => {
      const kinds = req.query.kinds
        ?.split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      const { entries, hasMore } = await accountTimeline(sql, req.params.id, {
        kinds,
        limit: req.query.limit ?? 20,
        startingAfter: req.query.starting_after,
        timeZone: deps.clock.timeZone,
      });
      return {
        object: 'list' as const,
        has_more: hasMore,
        data: entries.map((e) => ({
          ...e,
          object: 'timeline_entry' as const,
          at: e.at.toISOString(),
          workflowUrl: e.workflowId ? workflowUiUrl(temporal, e.workflowId) : null,
        })),
      };
    },
  );
}
