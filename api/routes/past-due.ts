// An account in arrears as the past-due banner shows it: the amount, late fees, the collections stage and
// its next step, and the arrangement the customer may set up online (accepted through POST
// /accounts/:id/arrangements, which applies the same rules).
import { pastDueView } from '../../db/past-due.js';
import { staffOrOwner } from '../plugins/auth.js';
import { IdParams } from '../schemas.js';
import type { App, AppDeps } from '../types.js';
import { PastDue } from './past-due.schema.js';

export default async function pastDueRoutes(app: App, deps: AppDeps) {
  app.get(
    '/accounts/:id/past-due',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['collections'],
        summary:
          'What is past due today, late fees charged on it, the collections stage and next step, and the arrangement on offer',
        params: IdParams,
        response: { 200: PastDue },
      },
    },
    async (req) => ({
      object: 'past_due' as const,
      ...(await pastDueView(deps.sql, req.params.id, req.today)),
    }),
  );
}
