// Staff search: one box for what a caller gives — name, account number, service address, meter number or phone.
import { Type } from '@sinclair/typebox';
import { searchAccounts } from '../../db/search.js';
import { STAFF } from '../plugins/auth.js';
import { List } from '../schemas.js';
import type { App, AppDeps } from '../types.js';
import { SearchHit } from './search.schema.js';

export default async function searchRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;

  app.get(
    '/search',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['accounts'],
        summary: 'Find accounts by customer name, account number, service address, meter number or phone',
        querystring: Type.Object(
          {
            q: Type.String({ minLength: 2, maxLength: 100 }),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
            starting_after: Type.Optional(
              Type.String({ maxLength: 64, description: "the last hit's account id: the next page" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: List(SearchHit),
        },
      },
    },
    async (req) => {
      const { hits, hasMore } = await searchAccounts(
        sql,
        req.query.q,
        req.query.limit ?? 20,
        req.query.starting_after,
      );
      return {
        object: 'list' as const,
        has_more: hasMore,
        data: hits.map((h) => ({ object: 'account' as const, ...h })),
      };
    },
  );
}
