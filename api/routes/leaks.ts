// Suspected water leaks found by the daily leak check (db/leaks.ts): the account's own episodes only.
import { Type } from '@sinclair/typebox';
import { accountLeakEpisodes } from '../../db/leaks.js';
import { staffOrOwner } from '../plugins/auth.js';
import { IdParams, List } from '../schemas.js';
import type { App, AppDeps } from '../types.js';
import { LeakEpisode } from './leaks.schema.js';

export default async function leakRoutes(app: App, deps: AppDeps) {
  app.get(
    '/accounts/:id/leak-episodes',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['meters'],
        summary:
          "The account's suspected leaks, open first: water running every hour for a day or more, or night flow far above the meter's normal",
        params: IdParams,
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: List(LeakEpisode) },
      },
    },
    async (req) => {
      const episodes = await accountLeakEpisodes(deps.sql, req.params.id, {
        limit: (req.query.limit ?? 20) + 1,
        timeZone: deps.clock.timeZone,
      });
      const limit = req.query.limit ?? 20;
      return {
        object: 'list' as const,
        has_more: episodes.length > limit,
        data: episodes.slice(0, limit).map((e) => ({ ...e, object: 'leak_episode' as const })),
      };
    },
  );
}
